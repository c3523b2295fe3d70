// Namespace labels → mode, in one place (SPEC "Modes"). Returns the mode and, for a label value
// netguard does not know, a warning: an unknown value counts as enforce.
import type { NamespaceState } from '../cluster/snapshot.js';
import { MODES, type Config, type Mode, type RuleId } from './types.js';

export const MODE_LABEL = 'netguard.io/mode';

/** disabled < audit < warn < enforce */
export const strictness = (mode: Mode): number => MODES.indexOf(mode);

/**
 * The mode a rule's violation is judged in: `mode` (the violation's own, else the request's) lowered
 * to the rule's cap (`rules.<id>: warn`). A cap only ever loosens: `enforce` caps nothing.
 */
export function cappedMode(rule: RuleId, mode: Mode, caps: Config['ruleCaps']): Mode {
  const cap = caps[rule];
  return cap !== undefined && strictness(cap) < strictness(mode) ? cap : mode;
}

export interface ResolvedMode {
  mode: Mode;
  /** set when the label holds a value that is not a mode */
  warning?: string;
}

/** Mode of a namespace given its name and labels (labels undefined: no Namespace object known). */
export function namespaceMode(name: string, labels: Readonly<Record<string, string>> | undefined, config: Config): ResolvedMode {
  if (config.exemptGlobs.matches(name)) return { mode: 'disabled' };
  const value = labels?.[MODE_LABEL];
  if (value === undefined) return { mode: config.defaultMode };
  if ((MODES as readonly string[]).includes(value)) return { mode: value as Mode };
  return {
    mode: 'enforce',
    warning:
      `namespace "${name}" has ${MODE_LABEL}="${value}", which is not one of ${MODES.join(', ')}; ` +
      `netguard treats it as enforce. Set the label to a valid mode.`,
  };
}

export function modeOfNamespaceState(name: string, state: NamespaceState | undefined, config: Config): ResolvedMode {
  return namespaceMode(name, state?.labels, config);
}
