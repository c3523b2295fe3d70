// PLACEHOLDER — to be written.
import type { Rule } from './types.js';

export const netpolTrustedCidrs: Rule = {
  id: 'netpol-trusted-cidrs',
  summary: '',
  intercepts: [],
  needs: [],
  evaluate: () => [],
};
