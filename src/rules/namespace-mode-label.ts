// PLACEHOLDER — to be written.
import type { Rule } from './types.js';

export const namespaceModeLabel: Rule = {
  id: 'namespace-mode-label',
  summary: '',
  intercepts: [],
  needs: [],
  evaluate: () => [],
};
