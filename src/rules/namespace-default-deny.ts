// PLACEHOLDER — to be written.
import type { Rule } from './types.js';

export const namespaceDefaultDeny: Rule = {
  id: 'namespace-default-deny',
  summary: '',
  intercepts: [],
  needs: [],
  evaluate: () => [],
};
