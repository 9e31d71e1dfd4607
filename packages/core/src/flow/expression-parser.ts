import type { Value } from './flow-types';
import { compileSafeRegex } from './safe-regex';

/**
 * The condition language: a tiny, safe expression language over flow variables. No `eval`, no
 * `Function`; input is bounded (`MAX_SOURCE` characters, `MAX_TOKENS` tokens, `MAX_DEPTH` nesting),
 * so hostile text fails with an error instead of overflowing the stack or hanging.
 *
 *   expr    := or
 *   or      := and (("or" | "||") and)*
 *   and     := not (("and" | "&&") not)*
 *   not     := ("not" | "!") not | compare
 *   compare := sum (("==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "not in") sum | "~" STRING)?
 *   sum     := product (("+" | "-") product)*
 *   product := unary (("*" | "/" | "%") unary)*
 *   unary   := "-" unary | primary
 *   primary := NUMBER | STRING | "true" | "false" | "null" | NAME | FUNC "(" args ")"
 *            | "(" expr ")" | "[" (expr ("," expr)*)? "]"
 *   NAME    := [A-Za-z_][A-Za-z0-9_]* ("." [A-Za-z_][A-Za-z0-9_]*)*
 *
 * Semantics are in expression-eval.ts.
 */
export const MAX_SOURCE = 2000;
export const MAX_TOKENS = 500;
export const MAX_DEPTH = 32;

export const functionNames = [
  'len',
  'lower',
  'upper',
  'trim',
  'number',
  'string',
  'digits',
  'starts_with',
] as const;
export type FunctionName = (typeof functionNames)[number];
export const functionArity: Readonly<Record<FunctionName, number>> = {
  len: 1,
  lower: 1,
  upper: 1,
  trim: 1,
  number: 1,
  string: 1,
  digits: 1,
  starts_with: 2,
};

export type CompareOp = '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not in';
export type ArithOp = '+' | '-' | '*' | '/' | '%';

export type Expr =
  | { readonly k: 'lit'; readonly value: Value }
  | { readonly k: 'var'; readonly name: string; readonly at: number }
  | { readonly k: 'list'; readonly items: readonly Expr[] }
  | { readonly k: 'not'; readonly e: Expr }
  | { readonly k: 'neg'; readonly e: Expr }
  | { readonly k: 'and' | 'or'; readonly l: Expr; readonly r: Expr }
  | { readonly k: 'cmp'; readonly op: CompareOp; readonly l: Expr; readonly r: Expr }
  | { readonly k: 'arith'; readonly op: ArithOp; readonly l: Expr; readonly r: Expr }
  | { readonly k: 'match'; readonly l: Expr; readonly regex: RegExp }
  | { readonly k: 'call'; readonly fn: FunctionName; readonly args: readonly Expr[] };

export class ExpressionError extends Error {
  override readonly name = 'ExpressionError';
  constructor(
    message: string,
    /** Character offset in the source. */
    readonly at: number,
  ) {
    super(`${message} (at ${at})`);
  }
}

type Token =
  | { readonly t: 'num'; readonly value: number; readonly at: number }
  | { readonly t: 'str'; readonly value: string; readonly at: number }
  | { readonly t: 'name'; readonly value: string; readonly at: number }
  | { readonly t: 'op'; readonly value: string; readonly at: number }
  | { readonly t: 'end'; readonly at: number };

const NAME = /[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*/y;
const NUMBER = /\d+(?:\.\d+)?/y;
const OPS = [
  '==',
  '!=',
  '<=',
  '>=',
  '&&',
  '||',
  '<',
  '>',
  '+',
  '-',
  '*',
  '/',
  '%',
  '(',
  ')',
  '[',
  ']',
  ',',
  '!',
  '~',
];
const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'true', 'false', 'null']);

/** Parses `source`; throws `ExpressionError` with the offset of the first problem. */
export function parseExpression(source: string): Expr {
  if (typeof source !== 'string') throw new ExpressionError('an expression must be a string', 0);
  if (source.length > MAX_SOURCE)
    throw new ExpressionError(`longer than ${MAX_SOURCE} characters`, MAX_SOURCE);
  const parser = new Parser(tokenize(source));
  const expr = parser.expr(0);
  parser.expectEnd();
  return expr;
}

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
      continue;
    }
    if (out.length >= MAX_TOKENS) throw new ExpressionError(`more than ${MAX_TOKENS} tokens`, i);
    if (c === "'" || c === '"') {
      const [value, end] = readString(s, i);
      out.push({ t: 'str', value, at: i });
      i = end;
      continue;
    }
    NUMBER.lastIndex = i;
    const num = NUMBER.exec(s);
    if (num) {
      const value = Number(num[0]);
      if (!Number.isFinite(value)) throw new ExpressionError('number out of range', i);
      out.push({ t: 'num', value, at: i });
      i += num[0].length;
      continue;
    }
    NAME.lastIndex = i;
    const name = NAME.exec(s);
    if (name) {
      out.push({ t: 'name', value: name[0], at: i });
      i += name[0].length;
      continue;
    }
    const op = OPS.find((o) => s.startsWith(o, i));
    if (!op) throw new ExpressionError(`unexpected character ${JSON.stringify(c)}`, i);
    out.push({ t: 'op', value: op, at: i });
    i += op.length;
  }
  out.push({ t: 'end', at: s.length });
  return out;
}

const ESCAPES: Readonly<Record<string, string>> = { n: '\n', t: '\t', '\\': '\\', "'": "'", '"': '"' };

function readString(s: string, start: number): [string, number] {
  const quote = s[start]!;
  let out = '';
  let i = start + 1;
  while (i < s.length) {
    const c = s[i]!;
    if (c === quote) return [out, i + 1];
    if (c === '\\') {
      const e = ESCAPES[s[i + 1] ?? ''];
      if (e === undefined) throw new ExpressionError('unknown escape in string', i);
      out += e;
      i += 2;
      continue;
    }
    out += c;
    i++;
  }
  throw new ExpressionError('unterminated string', start);
}

class Parser {
  #pos = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  get #tok(): Token {
    return this.tokens[this.#pos]!;
  }

  #isOp(value: string): boolean {
    const t = this.#tok;
    return t.t === 'op' && t.value === value;
  }

  #isWord(value: string): boolean {
    const t = this.#tok;
    return t.t === 'name' && t.value === value;
  }

  #expectOp(value: string): void {
    if (!this.#isOp(value)) throw new ExpressionError(`expected "${value}"`, this.#tok.at);
    this.#pos++;
  }

  expectEnd(): void {
    if (this.#tok.t !== 'end')
      throw new ExpressionError('unexpected text after the expression', this.#tok.at);
  }

  #deeper(depth: number): number {
    if (depth >= MAX_DEPTH) throw new ExpressionError(`nested deeper than ${MAX_DEPTH}`, this.#tok.at);
    return depth + 1;
  }

  expr(depth: number): Expr {
    const d = this.#deeper(depth);
    let l = this.#and(d);
    while (this.#isWord('or') || this.#isOp('||')) {
      this.#pos++;
      l = { k: 'or', l, r: this.#and(d) };
    }
    return l;
  }

  #and(depth: number): Expr {
    let l = this.#not(depth);
    while (this.#isWord('and') || this.#isOp('&&')) {
      this.#pos++;
      l = { k: 'and', l, r: this.#not(depth) };
    }
    return l;
  }

  #not(depth: number): Expr {
    if (this.#isWord('not') || this.#isOp('!')) {
      this.#pos++;
      return { k: 'not', e: this.#not(this.#deeper(depth)) };
    }
    return this.#compare(depth);
  }

  #compare(depth: number): Expr {
    const l = this.#sum(depth);
    const t = this.#tok;
    if (t.t === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(t.value)) {
      this.#pos++;
      return { k: 'cmp', op: t.value as CompareOp, l, r: this.#sum(depth) };
    }
    if (this.#isWord('in')) {
      this.#pos++;
      return { k: 'cmp', op: 'in', l, r: this.#sum(depth) };
    }
    const after = this.tokens[this.#pos + 1];
    if (this.#isWord('not') && after?.t === 'name' && after.value === 'in') {
      this.#pos += 2;
      return { k: 'cmp', op: 'not in', l, r: this.#sum(depth) };
    }
    if (this.#isOp('~')) {
      this.#pos++;
      const p = this.#tok;
      if (p.t !== 'str') throw new ExpressionError('"~" takes a string literal pattern', p.at);
      const compiled = compileSafeRegex(p.value);
      if (!compiled.ok) throw new ExpressionError(`pattern refused: ${compiled.reason}`, p.at);
      this.#pos++;
      return { k: 'match', l, regex: compiled.regex };
    }
    return l;
  }

  #sum(depth: number): Expr {
    let l = this.#product(depth);
    while (this.#isOp('+') || this.#isOp('-')) {
      const op = (this.#tok as { value: string }).value as ArithOp;
      this.#pos++;
      l = { k: 'arith', op, l, r: this.#product(depth) };
    }
    return l;
  }

  #product(depth: number): Expr {
    let l = this.#unary(depth);
    while (this.#isOp('*') || this.#isOp('/') || this.#isOp('%')) {
      const op = (this.#tok as { value: string }).value as ArithOp;
      this.#pos++;
      l = { k: 'arith', op, l, r: this.#unary(depth) };
    }
    return l;
  }

  #unary(depth: number): Expr {
    if (this.#isOp('-')) {
      this.#pos++;
      return { k: 'neg', e: this.#unary(this.#deeper(depth)) };
    }
    return this.#primary(depth);
  }

  #primary(depth: number): Expr {
    const t = this.#tok;
    if (t.t === 'num' || t.t === 'str') {
      this.#pos++;
      return { k: 'lit', value: t.value };
    }
    if (t.t === 'op' && t.value === '(') {
      this.#pos++;
      const e = this.expr(depth);
      this.#expectOp(')');
      return e;
    }
    if (t.t === 'op' && t.value === '[') {
      this.#pos++;
      const items: Expr[] = [];
      if (!this.#isOp(']')) {
        items.push(this.expr(depth));
        while (this.#isOp(',')) {
          this.#pos++;
          items.push(this.expr(depth));
        }
      }
      this.#expectOp(']');
      return { k: 'list', items };
    }
    if (t.t === 'name') {
      this.#pos++;
      if (t.value === 'true' || t.value === 'false') return { k: 'lit', value: t.value === 'true' };
      if (t.value === 'null') return { k: 'lit', value: null };
      if (KEYWORDS.has(t.value)) throw new ExpressionError(`unexpected "${t.value}"`, t.at);
      if (this.#isOp('(')) return this.#call(t.value, t.at, depth);
      return { k: 'var', name: t.value, at: t.at };
    }
    throw new ExpressionError(
      t.t === 'end' ? 'unexpected end of expression' : `unexpected "${t.value}"`,
      t.at,
    );
  }

  #call(name: string, at: number, depth: number): Expr {
    if (!(functionNames as readonly string[]).includes(name)) {
      throw new ExpressionError(`unknown function "${name}" (known: ${functionNames.join(', ')})`, at);
    }
    const fn = name as FunctionName;
    this.#expectOp('(');
    const args: Expr[] = [];
    if (!this.#isOp(')')) {
      args.push(this.expr(depth));
      while (this.#isOp(',')) {
        this.#pos++;
        args.push(this.expr(depth));
      }
    }
    this.#expectOp(')');
    if (args.length !== functionArity[fn]) {
      throw new ExpressionError(`${fn}() takes ${functionArity[fn]} argument(s), got ${args.length}`, at);
    }
    return { k: 'call', fn, args };
  }
}

/** Every variable an expression reads, in source order. */
export function variablesOf(
  e: Expr,
  out: { name: string; at: number }[] = [],
): { name: string; at: number }[] {
  const stack: Expr[] = [e];
  while (stack.length > 0) {
    const x = stack.pop()!;
    switch (x.k) {
      case 'var':
        out.push({ name: x.name, at: x.at });
        break;
      case 'list':
        stack.push(...[...x.items].reverse());
        break;
      case 'not':
      case 'neg':
        stack.push(x.e);
        break;
      case 'match':
        stack.push(x.l);
        break;
      case 'call':
        stack.push(...[...x.args].reverse());
        break;
      case 'and':
      case 'or':
      case 'cmp':
      case 'arith':
        stack.push(x.r, x.l);
        break;
      case 'lit':
        break;
    }
  }
  return out;
}
