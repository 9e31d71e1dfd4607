/**
 * RFC 3261 §25 building blocks shared by the URI and header parsers: character classes, a cursor over
 * one header value, quoted strings and `;name=value` parameters.
 *
 * Input is a JS string decoded from UTF-8 with line folding already replaced by a single SP, so "LWS"
 * here is a run of SP/HTAB. Every code unit ≥ 0x80 counts as UTF8-NONASCII. Parsers signal bad input by
 * throwing `SipSyntaxError`; the message parser turns that into a typed result, so nothing escapes it.
 */

/** Malformed input. Thrown by the grammar-level parsers, never by the message parser itself. */
export class SipSyntaxError extends Error {
  override readonly name = 'SipSyntaxError';
}

function charTable(extra: string): Uint8Array {
  const t = new Uint8Array(128);
  for (let c = 0; c < 128; c++) {
    if ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a)) t[c] = 1;
  }
  for (const ch of extra) t[ch.charCodeAt(0)] = 1;
  return t;
}

const TOKEN = charTable("-.!%*_+`'~");
/** `word` of Call-ID: token characters plus grouping and separator characters with no meaning there. */
const WORD = charTable('-.!%*_+`\'~()<>:\\"/[]?{}');

export const SP = 0x20;
export const HTAB = 0x09;
export const DQUOTE = 0x22;
export const BACKSLASH = 0x5c;

export const isWsp = (c: number): boolean => c === SP || c === HTAB;
export const isTokenChar = (c: number): boolean => c < 128 && TOKEN[c] === 1;
export const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39;
export const isAlpha = (c: number): boolean => (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);

function allIn(s: string, table: Uint8Array): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || table[c] !== 1) return false;
  }
  return true;
}

export const isToken = (s: string): boolean => allIn(s, TOKEN);
export const isWord = (s: string): boolean => allIn(s, WORD);
export const isDigits = (s: string): boolean => s.length > 0 && /^[0-9]+$/.test(s);

/** Trims SP and HTAB only: `String.prototype.trim` also eats VT, FF, NBSP and U+FEFF, which are content. */
export function trimWsp(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && isWsp(s.charCodeAt(a))) a++;
  while (b > a && isWsp(s.charCodeAt(b - 1))) b--;
  return a === 0 && b === s.length ? s : s.slice(a, b);
}

/**
 * Parses an unsigned decimal with an upper bound, tolerating leading zeros (RFC 4475 wsinv) but never
 * building a number from more digits than the bound can have, so huge values cannot overflow or round.
 */
export function boundedInt(digits: string, max: number): number | null {
  if (!isDigits(digits)) return null;
  let i = 0;
  while (i < digits.length - 1 && digits.charCodeAt(i) === 0x30) i++;
  const significant = digits.slice(i);
  if (significant.length > String(max).length) return null;
  const n = Number(significant);
  return n <= max ? n : null;
}

/** A cursor over one header value. Methods either consume what they promise or throw. */
export class Scanner {
  pos = 0;

  constructor(readonly text: string) {}

  get atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  /** Char code at the cursor; NaN at the end (compares unequal to everything). */
  peek(): number {
    return this.text.charCodeAt(this.pos);
  }

  /** Skips LWS; tells whether there was any. */
  skipWsp(): boolean {
    const start = this.pos;
    while (isWsp(this.text.charCodeAt(this.pos))) this.pos++;
    return this.pos > start;
  }

  eat(ch: string): boolean {
    if (this.text.charCodeAt(this.pos) !== ch.charCodeAt(0)) return false;
    this.pos++;
    return true;
  }

  expect(ch: string, what: string): void {
    if (!this.eat(ch)) this.fail(`expected ${what}`);
  }

  /** A possibly empty run of token characters. */
  tokenOrEmpty(): string {
    const start = this.pos;
    while (isTokenChar(this.text.charCodeAt(this.pos))) this.pos++;
    return this.text.slice(start, this.pos);
  }

  token(what: string): string {
    const t = this.tokenOrEmpty();
    if (t === '') this.fail(`expected ${what}`);
    return t;
  }

  /**
   * A quoted-string at the cursor. `raw` keeps the quotes and escapes as written; `value` is the content
   * with quoted-pairs resolved. Raw control characters are refused; escaped ones (except CR, LF) are
   * allowed, as the grammar allows them (RFC 4475 intmeth quotes a NUL).
   */
  quotedString(): { raw: string; value: string } {
    const start = this.pos;
    this.expect('"', 'opening quote');
    let value = '';
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (Number.isNaN(c)) this.fail('unterminated quoted string');
      this.pos++;
      if (c === DQUOTE) break;
      if (c === BACKSLASH) {
        const e = this.text.charCodeAt(this.pos);
        if (Number.isNaN(e) || e > 0x7f || e === 0x0a || e === 0x0d) this.fail('bad quoted-pair');
        value += this.text[this.pos];
        this.pos++;
      } else if ((c < 0x20 && c !== HTAB) || c === 0x7f) {
        this.pos--;
        this.fail('control character in quoted string');
      } else {
        value += this.text[this.pos - 1];
      }
    }
    return { raw: this.text.slice(start, this.pos), value };
  }

  /** Takes everything up to (not including) the first char for which `stop` holds, or to the end. */
  takeUntil(stop: (c: number) => boolean): string {
    const start = this.pos;
    while (this.pos < this.text.length && !stop(this.text.charCodeAt(this.pos))) this.pos++;
    return this.text.slice(start, this.pos);
  }

  expectEnd(what: string): void {
    this.skipWsp();
    if (!this.atEnd) this.fail(`unexpected ${JSON.stringify(this.text[this.pos])} after ${what}`);
  }

  fail(detail: string): never {
    throw new SipSyntaxError(`${detail} (at ${this.pos})`);
  }
}

/** Quotes a string for a quoted-string production, escaping `"` and `\`. */
export function quote(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * A `;name[=value]` parameter. Names compare case-insensitively and keep their spelling; values are kept
 * as written (a quoted value keeps its quotes), so forwarding and re-serialising change nothing.
 */
export interface Param {
  readonly name: string;
  /** `null` for a parameter without `=value` (`;lr`). */
  readonly value: string | null;
}

const isIpv6Char = (c: number) =>
  (c >= 0x30 && c <= 0x3a) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66) || c === 0x2e;

/**
 * `gen-value = token / host / quoted-string`. Host covers IPv6 references in brackets, and bare IPv6
 * addresses too, because Via's `received` carries one unbracketed (RFC 3261 `via-received`).
 */
function genValue(s: Scanner): string {
  const c = s.peek();
  if (c === DQUOTE) return s.quotedString().raw;
  if (c === 0x5b) {
    const v = s.takeUntil((x) => x === 0x5d);
    if (!s.eat(']') || !/^\[[0-9A-Fa-f:.]+$/.test(v)) s.fail('bad IPv6 reference in parameter');
    return `${v}]`;
  }
  const token = s.tokenOrEmpty();
  if (s.peek() === 0x3a && /^[0-9A-Fa-f]{0,4}$/.test(token)) {
    return token + s.takeUntil((x) => !isIpv6Char(x));
  }
  if (token === '') s.fail('expected parameter value');
  return token;
}

/**
 * Reads `*( SEMI generic-param )` with LWS allowed around `;` and `=`. Stops before anything that is not
 * `;` (the caller decides whether that is `,`, the end, or an error). An empty parameter (`;;`) throws.
 */
export function readParams(s: Scanner): Param[] {
  const params: Param[] = [];
  for (;;) {
    const save = s.pos;
    s.skipWsp();
    if (!s.eat(';')) {
      s.pos = save;
      return params;
    }
    s.skipWsp();
    const name = s.token('parameter name');
    const beforeEq = s.pos;
    s.skipWsp();
    if (s.eat('=')) {
      s.skipWsp();
      params.push({ name, value: genValue(s) });
    } else {
      s.pos = beforeEq;
      params.push({ name, value: null });
    }
  }
}

export function formatParams(params: readonly Param[]): string {
  let out = '';
  for (const p of params) out += p.value === null ? `;${p.name}` : `;${p.name}=${p.value}`;
  return out;
}

/** The parameter named `name` (any case): its value, `null` when valueless, `undefined` when absent. */
export function getParam(params: readonly Param[], name: string): string | null | undefined {
  const key = name.toLowerCase();
  return params.find((p) => p.name.toLowerCase() === key)?.value;
}

/** A quoted parameter value without its quotes and escapes; other values unchanged. */
export function unquote(value: string): string {
  if (value.length < 2 || value.charCodeAt(0) !== DQUOTE) return value;
  return new Scanner(value).quotedString().value;
}
