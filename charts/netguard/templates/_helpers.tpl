{{/* Names, labels and the switches derived from config.rules. */}}

{{- define "netguard.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "netguard.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "netguard.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "netguard.selectorLabels" -}}
app.kubernetes.io/name: {{ include "netguard.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{- define "netguard.labels" -}}
helm.sh/chart: {{ include "netguard.chart" . }}
{{ include "netguard.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: netguard
{{- end }}

{{- define "netguard.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "netguard.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "netguard.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag }}
{{- if .Values.image.digest }}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest }}
{{- else }}
{{- printf "%s:%s" .Values.image.repository $tag }}
{{- end }}
{{- end }}

{{/* The Secret holding tls.crt and tls.key for the HTTPS port. */}}
{{- define "netguard.tlsSecretName" -}}
{{- if eq .Values.certs.mode "provided" }}
{{- required "certs.provided.secretName is required when certs.mode is provided" .Values.certs.provided.secretName }}
{{- else }}
{{- printf "%s-tls" (include "netguard.fullname" .) }}
{{- end }}
{{- end }}

{{/*
"true" when the rule id given as argument is enabled in .Values.config.rules (a rule not listed
there is enabled, as in the config loader). Call: include "netguard.ruleOn" (list $ "rule-id")
*/}}
{{- define "netguard.ruleOn" -}}
{{- $root := index . 0 }}
{{- $id := index . 1 }}
{{- $rules := (($root.Values.config | default dict).rules) | default dict }}
{{- if or (not (hasKey $rules $id)) (index $rules $id) }}true{{ end }}
{{- end }}

{{/*
Which webhook entries are registered: one per concern, present while a rule it serves is enabled.
Returns a dict as JSON: {"networkpolicies": bool, "rbac": bool, ...}.
*/}}
{{- define "netguard.webhooksOn" -}}
{{- $provisioning := include "netguard.ruleOn" (list . "netpol-provisioning") }}
{{- $grant := include "netguard.ruleOn" (list . "rbac-netpol-grant") }}
{{- $sa := include "netguard.ruleOn" (list . "pod-service-account") }}
{{- $identity := include "netguard.ruleOn" (list . "provisioned-identity") }}
{{- $deny := include "netguard.ruleOn" (list . "namespace-default-deny") }}
{{- $label := include "netguard.ruleOn" (list . "namespace-mode-label") }}
{{- $cidrs := include "netguard.ruleOn" (list . "netpol-trusted-cidrs") }}
{{- dict
    "networkpolicies" (or $provisioning $deny $cidrs | empty | not)
    "rbac" ($grant | empty | not)
    "pods" (or $sa $identity $deny | empty | not)
    "workloads" (or $sa $identity $deny | empty | not)
    "namespaces" (or $label $deny | empty | not)
  | toJson }}
{{- end }}

{{/*
The policy resources besides networking.k8s.io/networkpolicies (config.policyResources, default as
in the config loader), grouped by API group: {"cilium.io": ["ciliumnetworkpolicies", ...], ...}.
Sent to policies.netguard.io and readable by the ClusterRole.
*/}}
{{- define "netguard.policyResources" -}}
{{- $config := .Values.config | default dict }}
{{- $default := list "policy.networking.k8s.io/clusternetworkpolicies" "policy.networking.k8s.io/adminnetworkpolicies" "policy.networking.k8s.io/baselineadminnetworkpolicies" "cilium.io/ciliumnetworkpolicies" "cilium.io/ciliumclusterwidenetworkpolicies" "projectcalico.org/networkpolicies" "projectcalico.org/globalnetworkpolicies" "projectcalico.org/stagednetworkpolicies" "projectcalico.org/stagedglobalnetworkpolicies" "projectcalico.org/tiers" "crd.projectcalico.org/networkpolicies" "crd.projectcalico.org/globalnetworkpolicies" "crd.antrea.io/networkpolicies" "crd.antrea.io/clusternetworkpolicies" }}
{{- $list := ternary $config.policyResources $default (hasKey $config "policyResources") }}
{{- $groups := dict }}
{{- range $entry := $list }}
{{- if ne $entry "networking.k8s.io/networkpolicies" }}
{{- $group := regexReplaceAll "/[^/]*$" $entry "" }}
{{- $resource := regexReplaceAll "^.*/" $entry "" }}
{{- $_ := set $groups $group (append (get $groups $group | default list) $resource | uniq) }}
{{- end }}
{{- end }}
{{- toJson $groups }}
{{- end }}

{{/*
Namespaces the API server never sends to netguard: the release namespace (netguard must always be
able to restart itself), kube-system, kube-public and kube-node-lease (a webhook with failurePolicy
Fail in front of the control plane's own namespaces can lock a cluster; they are always here, even
when config.exemptNamespaces is overridden without them), and the literal names in
config.exemptNamespaces. Glob entries ("team-*") cannot be written as a label selector; the server
treats them as disabled. Returns a JSON list.
*/}}
{{- define "netguard.excludedNamespaces" -}}
{{- $config := .Values.config | default dict }}
{{- $exempt := $config.exemptNamespaces | default list }}
{{- $names := list .Release.Namespace "kube-system" "kube-public" "kube-node-lease" }}
{{- range $exempt }}
{{- if not (or (contains "*" .) (contains "?" .)) }}
{{- $names = append $names . }}
{{- end }}
{{- end }}
{{- $names | uniq | sortAlpha | toJson }}
{{- end }}

{{/*
The container port the kubelet probes: the HTTPS port, unless serve requires client certificates
(--client-ca), which the kubelet cannot present; then the plain-HTTP metrics port.
*/}}
{{- define "netguard.probePort" -}}
{{- if .Values.clientCA.secretName }}metrics{{ else }}webhook{{ end }}
{{- end }}
