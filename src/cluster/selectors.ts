// Kubernetes label selectors (metav1.LabelSelector): the one matcher the rules, coverage, `reach`
// and `writers` share. A selector is compiled once per object and matched many times.
//
// Semantics as the API server applies them: matchLabels and every matchExpressions requirement
// must all hold (AND); an empty selector ({} or null) selects everything. Operators: In, NotIn,
// Exists, DoesNotExist. NotIn and DoesNotExist hold for objects without the key. A selector that
// is not a well-formed LabelSelector selects nothing (netguard never guesses a broader match).
import { asArray, isRecord } from './objects.js';

export type Labels = Readonly<Record<string, string>>;

export interface Requirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values: readonly string[];
}

export interface CompiledSelector {
  /** true for `{}` / null: selects everything */
  readonly empty: boolean;
  /** false when the selector was malformed: selects nothing */
  readonly valid: boolean;
  readonly requirements: readonly Requirement[];
  matches(labels: Labels | undefined): boolean;
}

const OPERATORS = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

function requirementHolds(requirement: Requirement, labels: Labels): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, requirement.key);
  switch (requirement.operator) {
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'In':
      return has && requirement.values.includes(labels[requirement.key] as string);
    case 'NotIn':
      return !has || !requirement.values.includes(labels[requirement.key] as string);
  }
}

function build(requirements: Requirement[], valid: boolean): CompiledSelector {
  const empty = valid && requirements.length === 0;
  return {
    empty,
    valid,
    requirements,
    matches(labels) {
      if (!valid) return false;
      if (empty) return true;
      const l = labels ?? {};
      return requirements.every((r) => requirementHolds(r, l));
    },
  };
}

export const SELECT_ALL: CompiledSelector = build([], true);
export const SELECT_NONE: CompiledSelector = build([], false);

/** Compiles a metav1.LabelSelector as found in an object (any shape; malformed selects nothing). */
export function compileSelector(selector: unknown): CompiledSelector {
  if (selector === undefined || selector === null) return SELECT_ALL;
  if (!isRecord(selector)) return SELECT_NONE;
  const requirements: Requirement[] = [];
  const matchLabels = selector['matchLabels'];
  if (matchLabels !== undefined && matchLabels !== null) {
    if (!isRecord(matchLabels)) return SELECT_NONE;
    for (const [key, value] of Object.entries(matchLabels)) {
      if (typeof value !== 'string') return SELECT_NONE;
      requirements.push({ key, operator: 'In', values: [value] });
    }
  }
  const expressions = selector['matchExpressions'];
  if (expressions !== undefined && expressions !== null) {
    if (!Array.isArray(expressions)) return SELECT_NONE;
    for (const expression of expressions) {
      if (!isRecord(expression)) return SELECT_NONE;
      const { key, operator } = expression;
      if (typeof key !== 'string' || typeof operator !== 'string' || !OPERATORS.has(operator)) return SELECT_NONE;
      const values = asArray(expression['values']);
      if (!values.every((v): v is string => typeof v === 'string')) return SELECT_NONE;
      // The API server rejects In/NotIn without values and Exists/DoesNotExist with values.
      const needsValues = operator === 'In' || operator === 'NotIn';
      if (needsValues !== values.length > 0) return SELECT_NONE;
      requirements.push({ key, operator: operator as Requirement['operator'], values });
    }
  }
  return build(requirements, true);
}

/** Whether a raw selector is the empty one (`{}`, null, or no labels and no expressions). */
export function isEmptySelector(selector: unknown): boolean {
  return compileSelector(selector).empty;
}
