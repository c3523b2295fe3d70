// PLACEHOLDER — to be written.
import type { Rule } from './types.js';

export const netpolProvisioning: Rule = {
  id: 'netpol-provisioning',
  summary: '',
  intercepts: [],
  needs: [],
  evaluate: () => [],
};
