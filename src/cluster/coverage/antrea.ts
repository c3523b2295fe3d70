// Antrea (crd.antrea.io): NetworkPolicy (namespaced) and ClusterNetworkPolicy.
// Guarded like every policy resource (netpol-provisioning, rbac-netpol-grant), but SPEC names no
// Antrea shape as a default-deny, so Antrea policies never count as coverage: a namespace whose only
// deny is an Antrea policy needs a recognised one too (netguard never guesses a deny).
export const ANTREA_GROUP = 'crd.antrea.io';
