// PLACEHOLDER — to be written.
import type { Rule } from './types.js';

export const rbacNetpolGrant: Rule = {
  id: 'rbac-netpol-grant',
  summary: '',
  intercepts: [],
  needs: [],
  evaluate: () => [],
};
