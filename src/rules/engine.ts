// Runs the enabled rules that intercept a request, then (judge) the config's exceptions. Pure: no
// I/O; the current time is handed in.
import type { AdmissionRequest } from '../admission/types.js';
import type { ClusterSnapshot } from '../cluster/snapshot.js';
import type { Config, RuleId } from '../config/types.js';
import { isPolicyRequest } from './policy-resources.js';
import { RULES } from './registry.js';
import type { Rule, Violation } from './types.js';
import { applyExceptions, type Judgement } from '../exceptions/apply.js';
import { onlyReleasesADeletion } from './updates.js';

export interface EngineOptions {
  /** rules to leave out (offline check skips requester rules without --as) */
  skip?: ReadonlySet<RuleId>;
}

export interface JudgeOptions extends EngineOptions {
  /** epoch ms: exceptions expired by then cover nothing */
  now: number;
}

/** Index: `group/kind/operation` → rules, built once per rule list. */
function indexRules(rules: readonly Rule[]): Map<string, Rule[]> {
  const index = new Map<string, Rule[]>();
  for (const rule of rules) {
    for (const intercept of rule.intercepts) {
      for (const operation of intercept.operations) {
        for (const sub of ['', ...(intercept.subResources ?? [])]) {
          const key = `${intercept.group}/${intercept.kind}/${operation}${sub ? `/${sub}` : ''}`;
          const list = index.get(key) ?? [];
          list.push(rule);
          index.set(key, list);
        }
      }
    }
  }
  return index;
}

/** Index: operation → rules judging every policy resource on it. */
function indexPolicyRules(rules: readonly Rule[]): Map<string, Rule[]> {
  const index = new Map<string, Rule[]>();
  for (const rule of rules) for (const operation of rule.interceptsPolicyResources ?? []) index.set(operation, [...(index.get(operation) ?? []), rule]);
  return index;
}

export class Engine {
  private readonly index: Map<string, Rule[]>;
  private readonly policyIndex: Map<string, Rule[]>;

  constructor(readonly rules: readonly Rule[] = RULES) {
    this.index = indexRules(rules);
    this.policyIndex = indexPolicyRules(rules);
  }

  /** Rules that would judge this request under this config (none for subresources a rule does not
   * name, such as pods/status, and for updates that only let a deletion finish). */
  rulesFor(request: AdmissionRequest, config: Config, options: EngineOptions = {}): Rule[] {
    if (onlyReleasesADeletion(request)) return [];
    const sub = typeof request.subResource === 'string' && request.subResource !== '' ? `/${request.subResource}` : request.subResource ? '/?' : '';
    let candidates = this.index.get(`${request.kind.group}/${request.kind.kind}/${request.operation}${sub}`) ?? [];
    const policyRules = sub ? undefined : this.policyIndex.get(request.operation);
    if (policyRules && isPolicyRequest(request, config)) {
      // both lists, in registry order (messages keep a stable order)
      const byKind = candidates;
      candidates = this.rules.filter((rule) => byKind.includes(rule) || policyRules.includes(rule));
    }
    return candidates.filter((rule) => config.rules[rule.id] && !options.skip?.has(rule.id));
  }

  evaluate(request: AdmissionRequest, snapshot: ClusterSnapshot, config: Config, options: EngineOptions = {}): Violation[] {
    const violations: Violation[] = [];
    for (const rule of this.rulesFor(request, config, options)) {
      violations.push(...rule.evaluate({ request, snapshot, config }));
    }
    return violations;
  }

  /** The rules' violations, with those an unexpired exception covers set apart. */
  judge(request: AdmissionRequest, snapshot: ClusterSnapshot, config: Config, options: JudgeOptions): Judgement {
    return applyExceptions(request, this.evaluate(request, snapshot, config, options), config, options.now);
  }
}

export function formatViolation(violation: Violation): string {
  return `${violation.rule}: ${violation.message}`;
}
