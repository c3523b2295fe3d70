// Calico selector expressions (`selector`, `namespaceSelector`, `serviceAccountSelector`): a
// tokenizer and a recursive-descent parser into a small tree, evaluated against a label map.
//
//   expr    := and ('||' and)*
//   and     := unary ('&&' unary)*
//   unary   := '!' unary | primary
//   primary := '(' expr ')' | 'all()' | 'global()' | 'has(' KEY ')' | KEY test
//   test    := '==' STR | '!=' STR | 'in' set | 'not' 'in' set | 'contains' STR
//            | 'starts' 'with' STR | 'ends' 'with' STR
//   set     := '{' [STR (',' STR)*] '}'
//
// Semantics as Calico documents them: `k != 'v'` and `k not in {...}` hold when k is absent; the
// string tests need the key; `global()` selects non-namespaced resources, so it never selects a
// namespace or a pod. An empty expression is `all()`. Errors give the 0-based position.

export type CalicoSelector =
  | { op: 'all' }
  | { op: 'global' }
  | { op: 'has'; key: string }
  | { op: '==' | '!=' | 'contains' | 'starts with' | 'ends with'; key: string; value: string }
  | { op: 'in' | 'not in'; key: string; values: readonly string[] }
  | { op: '!'; operand: CalicoSelector }
  | { op: '&&' | '||'; operands: readonly CalicoSelector[] };

export class CalicoSelectorError extends Error {
  constructor(
    readonly position: number,
    detail: string,
  ) {
    super(`invalid Calico selector at position ${position}: ${detail}`);
    this.name = 'CalicoSelectorError';
  }
}

type TokenType = 'word' | 'string' | '==' | '!=' | '!' | '&&' | '||' | '(' | ')' | '{' | '}' | ',' | 'end';
interface Token {
  type: TokenType;
  text: string;
  position: number;
}

const WORD = /[A-Za-z0-9_.\-/]/;
const PUNCTUATION: readonly TokenType[] = ['==', '!=', '&&', '||', '!', '(', ')', '{', '}', ','];

export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) throw new CalicoSelectorError(i, `unterminated string starting with ${c}`);
      tokens.push({ type: 'string', text: text.slice(i + 1, end), position: i });
      i = end + 1;
      continue;
    }
    const punctuation = PUNCTUATION.find((p) => text.startsWith(p, i));
    if (punctuation) {
      tokens.push({ type: punctuation, text: punctuation, position: i });
      i += punctuation.length;
      continue;
    }
    if (WORD.test(c)) {
      let end = i;
      while (end < text.length && WORD.test(text[end]!)) end++;
      tokens.push({ type: 'word', text: text.slice(i, end), position: i });
      i = end;
      continue;
    }
    throw new CalicoSelectorError(i, `unexpected character ${JSON.stringify(c)}`);
  }
  tokens.push({ type: 'end', text: '', position: text.length });
  return tokens;
}

class Parser {
  private at = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): CalicoSelector {
    if (this.peek().type === 'end') return { op: 'all' };
    const tree = this.or();
    const rest = this.peek();
    if (rest.type !== 'end') throw new CalicoSelectorError(rest.position, `expected && or || or the end, found ${describe(rest)}`);
    return tree;
  }

  private peek(offset = 0): Token {
    return this.tokens[Math.min(this.at + offset, this.tokens.length - 1)]!;
  }

  private next(): Token {
    const token = this.peek();
    if (this.at < this.tokens.length - 1) this.at++;
    return token;
  }

  private expect(type: TokenType, what: string): Token {
    const token = this.next();
    if (token.type !== type) throw new CalicoSelectorError(token.position, `expected ${what}, found ${describe(token)}`);
    return token;
  }

  private or(): CalicoSelector {
    const operands = [this.and()];
    while (this.peek().type === '||') {
      this.next();
      operands.push(this.and());
    }
    return operands.length === 1 ? operands[0]! : { op: '||', operands };
  }

  private and(): CalicoSelector {
    const operands = [this.unary()];
    while (this.peek().type === '&&') {
      this.next();
      operands.push(this.unary());
    }
    return operands.length === 1 ? operands[0]! : { op: '&&', operands };
  }

  private unary(): CalicoSelector {
    if (this.peek().type === '!') {
      this.next();
      return { op: '!', operand: this.unary() };
    }
    return this.primary();
  }

  private primary(): CalicoSelector {
    const token = this.peek();
    if (token.type === '(') {
      this.next();
      const inner = this.or();
      this.expect(')', ')');
      return inner;
    }
    if (token.type !== 'word') throw new CalicoSelectorError(token.position, `expected a label key, all(), has(…) or (, found ${describe(token)}`);
    if (this.peek(1).type === '(' && (token.text === 'all' || token.text === 'global' || token.text === 'has')) {
      this.next();
      this.next();
      if (token.text === 'has') {
        const key = this.expect('word', 'a label key inside has(…)').text;
        this.expect(')', ')');
        return { op: 'has', key };
      }
      this.expect(')', `) after ${token.text}(`);
      return { op: token.text === 'all' ? 'all' : 'global' };
    }
    this.next();
    return this.test(token.text);
  }

  private test(key: string): CalicoSelector {
    const token = this.next();
    switch (token.type) {
      case '==':
      case '!=':
        return { op: token.type, key, value: this.string() };
      case 'word':
        switch (token.text) {
          case 'in':
            return { op: 'in', key, values: this.set() };
          case 'not':
            this.keyword('in');
            return { op: 'not in', key, values: this.set() };
          case 'contains':
            return { op: 'contains', key, value: this.string() };
          case 'starts':
          case 'ends':
            this.keyword('with');
            return { op: token.text === 'starts' ? 'starts with' : 'ends with', key, value: this.string() };
        }
    }
    throw new CalicoSelectorError(token.position, `expected ==, !=, in, not in, contains, starts with or ends with after "${key}", found ${describe(token)}`);
  }

  private keyword(word: string): void {
    const token = this.next();
    if (token.type !== 'word' || token.text !== word) throw new CalicoSelectorError(token.position, `expected "${word}", found ${describe(token)}`);
  }

  private string(): string {
    return this.expect('string', 'a quoted string').text;
  }

  private set(): string[] {
    this.expect('{', '{');
    const values: string[] = [];
    if (this.peek().type === '}') {
      this.next();
      return values;
    }
    for (;;) {
      values.push(this.string());
      const token = this.next();
      if (token.type === '}') return values;
      if (token.type !== ',') throw new CalicoSelectorError(token.position, `expected , or }, found ${describe(token)}`);
    }
  }
}

function describe(token: Token): string {
  if (token.type === 'end') return 'the end of the selector';
  if (token.type === 'string') return `the string '${token.text}'`;
  return `"${token.text}"`;
}

/** Parses a selector expression; throws CalicoSelectorError naming the position of the problem. */
export function parseCalicoSelector(text: string): CalicoSelector {
  return new Parser(tokenize(text)).parse();
}

/** Whether the selector selects an object with these labels. */
export function calicoMatches(selector: CalicoSelector, labels: Readonly<Record<string, string>>): boolean {
  const value = (key: string) => (Object.prototype.hasOwnProperty.call(labels, key) ? labels[key] : undefined);
  switch (selector.op) {
    case 'all':
      return true;
    case 'global':
      return false;
    case 'has':
      return value(selector.key) !== undefined;
    case '==':
      return value(selector.key) === selector.value;
    case '!=':
      return value(selector.key) !== selector.value;
    case 'in': {
      const v = value(selector.key);
      return v !== undefined && selector.values.includes(v);
    }
    case 'not in': {
      const v = value(selector.key);
      return v === undefined || !selector.values.includes(v);
    }
    case 'contains':
      return value(selector.key)?.includes(selector.value) ?? false;
    case 'starts with':
      return value(selector.key)?.startsWith(selector.value) ?? false;
    case 'ends with':
      return value(selector.key)?.endsWith(selector.value) ?? false;
    case '!':
      return !calicoMatches(selector.operand, labels);
    case '&&':
      return selector.operands.every((s) => calicoMatches(s, labels));
    case '||':
      return selector.operands.some((s) => calicoMatches(s, labels));
  }
}
