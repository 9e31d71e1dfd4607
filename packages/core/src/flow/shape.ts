import { type StaticType, typeErrors } from './expression-eval';
import { type Expr, ExpressionError, parseExpression, variablesOf } from './expression-parser';
import { MAX_STRING, type Value } from './flow-types';
import { compileSafeRegex } from './safe-regex';
import {
  type LocalTemplate,
  parseTemplate,
  type Template,
  TemplateError,
  templateVariables,
} from './template';

/**
 * A small typed schema for flow JSON, written by hand because `core` depends on nothing (no zod). A
 * shape checks a JSON value, reports every problem with a stable code and a JSON Pointer (RFC 6901)
 * to the offending value, and returns the typed, compiled value (expressions parsed, templates split).
 */
export type FlowIssueCode =
  | 'UNKNOWN_VERB'
  | 'DANGLING_EDGE'
  | 'UNREACHABLE_NODE'
  | 'MISSING_FIELD'
  | 'LOOP_WITHOUT_EXIT'
  | 'BAD_EXPRESSION'
  | 'WRONG_TYPE'
  | 'BAD_VALUE'
  | 'UNKNOWN_FIELD'
  | 'MISSING_EDGE'
  | 'UNKNOWN_OUTCOME'
  | 'UNKNOWN_VARIABLE'
  | 'READ_ONLY_VARIABLE'
  | 'DUPLICATE'
  | 'TOO_LARGE';

export interface FlowIssue {
  readonly code: FlowIssueCode;
  /** JSON Pointer into the flow, e.g. `/nodes/menu/options/2/key`. */
  readonly path: string;
  readonly message: string;
}

/** What shapes report into while a flow is checked. */
export interface CheckContext {
  readonly issues: FlowIssue[];
  /** Variables read (expressions, templates), with where. */
  readonly reads: { name: string; path: string }[];
  /** Variables written by nodes, with where. */
  readonly writes: { name: string; path: string }[];
  typeOfVar(name: string): StaticType;
}

export function newCheckContext(typeOfVar: (name: string) => StaticType = () => 'any'): CheckContext {
  return { issues: [], reads: [], writes: [], typeOfVar };
}

export const INVALID: unique symbol = Symbol('invalid');
export type Parsed<T> = T | typeof INVALID;

export interface Shape<T> {
  readonly optional: boolean;
  /** Words for "expected …" messages. */
  readonly expected: string;
  parse(value: unknown, path: string, cx: CheckContext): Parsed<T>;
}

export type Infer<S> = S extends Shape<infer T> ? T : never;

export function pointer(path: string, key: string | number): string {
  return `${path}/${String(key).replaceAll('~', '~0').replaceAll('/', '~1')}`;
}

export function issue(cx: CheckContext, code: FlowIssueCode, path: string, message: string): typeof INVALID {
  cx.issues.push({ code, path, message });
  return INVALID;
}

const describe = (v: unknown): string =>
  v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : typeof v;

function wrongType(cx: CheckContext, path: string, expected: string, v: unknown): typeof INVALID {
  return issue(cx, 'WRONG_TYPE', path, `expected ${expected}, got ${describe(v)}`);
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function shape<T>(expected: string, parse: Shape<T>['parse']): Shape<T> {
  return { optional: false, expected, parse };
}

export function str(o: { min?: number; max?: number; pattern?: RegExp; hint?: string } = {}): Shape<string> {
  const min = o.min ?? 1;
  const max = o.max ?? MAX_STRING;
  return shape('a string', (v, path, cx) => {
    if (typeof v !== 'string') return wrongType(cx, path, 'a string', v);
    if (v.length < min)
      return issue(cx, 'BAD_VALUE', path, min === 1 ? 'must not be empty' : `shorter than ${min}`);
    if (v.length > max) return issue(cx, 'TOO_LARGE', path, `longer than ${max} characters`);
    if (o.pattern && !o.pattern.test(v))
      return issue(cx, 'BAD_VALUE', path, `must be ${o.hint ?? o.pattern}`);
    return v;
  });
}

export function int(o: { min: number; max: number }): Shape<number> {
  return shape('an integer', (v, path, cx) => {
    if (typeof v !== 'number') return wrongType(cx, path, 'an integer', v);
    if (!Number.isInteger(v)) return issue(cx, 'BAD_VALUE', path, 'must be a whole number');
    if (v < o.min || v > o.max) return issue(cx, 'BAD_VALUE', path, `must be within ${o.min}…${o.max}`);
    return v;
  });
}

export function num(o: { min: number; max: number }): Shape<number> {
  return shape('a number', (v, path, cx) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) return wrongType(cx, path, 'a number', v);
    if (v < o.min || v > o.max) return issue(cx, 'BAD_VALUE', path, `must be within ${o.min}…${o.max}`);
    return v;
  });
}

export function oneOf<const T extends string>(values: readonly T[]): Shape<T> {
  const expected = `one of ${values.map((v) => JSON.stringify(v)).join(', ')}`;
  return shape(expected, (v, path, cx) => {
    if (typeof v !== 'string') return wrongType(cx, path, expected, v);
    if (!(values as readonly string[]).includes(v))
      return issue(cx, 'BAD_VALUE', path, `must be ${expected}`);
    return v as T;
  });
}

/** Any JSON scalar (a variable's value). */
export function scalar(): Shape<Value> {
  return shape('a string, number, boolean or null', (v, path, cx) => {
    if (v === null || typeof v === 'boolean' || (typeof v === 'number' && Number.isFinite(v))) return v;
    if (typeof v === 'string')
      return v.length > MAX_STRING ? issue(cx, 'TOO_LARGE', path, 'string too long') : v;
    return wrongType(cx, path, 'a string, number, boolean or null', v);
  });
}

export function arr<T>(item: Shape<T>, o: { min?: number; max: number }): Shape<T[]> {
  return shape('an array', (v, path, cx) => {
    if (!Array.isArray(v)) return wrongType(cx, path, 'an array', v);
    if (v.length < (o.min ?? 0)) return issue(cx, 'BAD_VALUE', path, `needs at least ${o.min} item(s)`);
    if (v.length > o.max) return issue(cx, 'TOO_LARGE', path, `more than ${o.max} items`);
    const out: T[] = [];
    let ok = true;
    v.forEach((x, i) => {
      const r = item.parse(x, pointer(path, i), cx);
      if (r === INVALID) ok = false;
      else out.push(r);
    });
    return ok ? out : INVALID;
  });
}

/** An object whose keys are data (variable names, outcome names). */
export function rec<T>(
  item: Shape<T>,
  o: { key?: Shape<string>; min?: number; max: number },
): Shape<Record<string, T>> {
  return shape('an object', (v, path, cx) => {
    if (!isPlainObject(v)) return wrongType(cx, path, 'an object', v);
    const keys = Object.keys(v);
    if (keys.length < (o.min ?? 0)) return issue(cx, 'BAD_VALUE', path, `needs at least ${o.min} entr(ies)`);
    if (keys.length > o.max) return issue(cx, 'TOO_LARGE', path, `more than ${o.max} entries`);
    const out: Record<string, T> = {};
    let ok = true;
    for (const k of keys) {
      const at = pointer(path, k);
      if (o.key && o.key.parse(k, at, cx) === INVALID) ok = false;
      const r = item.parse(v[k], at, cx);
      if (r === INVALID) ok = false;
      else Object.defineProperty(out, k, { value: r, enumerable: true, writable: true, configurable: true });
    }
    return ok ? out : INVALID;
  });
}

type Fields = Record<string, Shape<unknown>>;
export type ObjectOf<F extends Fields> = { -readonly [K in keyof F]: Infer<F[K]> };

/**
 * A record with known fields: a missing required one is `MISSING_FIELD`, an unknown one is
 * `UNKNOWN_FIELD` (typos must not pass silently). Keys in `ignore` are allowed and skipped.
 */
export function obj<F extends Fields>(fields: F, o: { ignore?: readonly string[] } = {}): Shape<ObjectOf<F>> {
  return shape('an object', (v, path, cx) => {
    if (!isPlainObject(v)) return wrongType(cx, path, 'an object', v);
    const out: Record<string, unknown> = {};
    let ok = true;
    for (const [k, s] of Object.entries(fields)) {
      const at = pointer(path, k);
      const has = Object.hasOwn(v, k) && v[k] !== undefined;
      if (!has) {
        if (!s.optional) {
          issue(cx, 'MISSING_FIELD', at, `"${k}" is required (${s.expected})`);
          ok = false;
          continue;
        }
      }
      const r = s.parse(has ? v[k] : undefined, at, cx);
      if (r === INVALID) ok = false;
      else out[k] = r;
    }
    for (const k of Object.keys(v)) {
      if (!Object.hasOwn(fields, k) && !o.ignore?.includes(k)) {
        issue(cx, 'UNKNOWN_FIELD', pointer(path, k), `unknown field "${k}"`);
        ok = false;
      }
    }
    return ok ? (out as ObjectOf<F>) : INVALID;
  });
}

/** May be absent (then `undefined`). */
export function opt<T>(s: Shape<T>): Shape<T | undefined> {
  return {
    optional: true,
    expected: s.expected,
    parse: (v, path, cx) => (v === undefined ? undefined : s.parse(v, path, cx)),
  };
}

/** May be absent (then `value`). */
export function dflt<T>(s: Shape<T>, value: T): Shape<T> {
  return {
    optional: true,
    expected: s.expected,
    parse: (v, path, cx) => (v === undefined ? value : s.parse(v, path, cx)),
  };
}

/** A condition-language expression (expression-parser.ts): parsed, type-checked, its reads recorded. */
export function expr(): Shape<Expr> {
  return shape('an expression (string)', (v, path, cx) => {
    if (typeof v !== 'string') return wrongType(cx, path, 'an expression (string)', v);
    let e: Expr;
    try {
      e = parseExpression(v);
    } catch (error) {
      if (error instanceof ExpressionError) return issue(cx, 'BAD_EXPRESSION', path, error.message);
      throw error;
    }
    for (const r of variablesOf(e)) cx.reads.push({ name: r.name, path });
    const errors = typeErrors(e, (n) => cx.typeOfVar(n));
    if (errors.length > 0) return issue(cx, 'WRONG_TYPE', path, errors.join('; '));
    return e;
  });
}

function template(v: string, path: string, cx: CheckContext): Parsed<Template> {
  if (v.length > MAX_STRING) return issue(cx, 'TOO_LARGE', path, `longer than ${MAX_STRING} characters`);
  try {
    const t = parseTemplate(v);
    for (const name of templateVariables(t)) cx.reads.push({ name, path });
    return t;
  } catch (error) {
    if (error instanceof TemplateError) return issue(cx, 'BAD_EXPRESSION', path, error.message);
    throw error;
  }
}

/** A string with `{{variable}}` slots. */
export function tmpl(o: { prefix?: RegExp; hint?: string } = {}): Shape<Template> {
  return shape('a text template (string)', (v, path, cx) => {
    if (typeof v !== 'string') return wrongType(cx, path, 'a text template (string)', v);
    if (o.prefix && !o.prefix.test(v)) return issue(cx, 'BAD_VALUE', path, `must start with ${o.hint}`);
    return template(v, path, cx);
  });
}

/** `"text"` (all languages) or `{"ru": "…", "en": "…"}` (at least one). */
export function text(): Shape<LocalTemplate> {
  const expected = 'a text or {"ru","en"}';
  return shape(expected, (v, path, cx) => {
    if (typeof v === 'string') {
      const t = template(v, path, cx);
      return t === INVALID ? INVALID : { ru: t, en: t };
    }
    if (!isPlainObject(v)) return wrongType(cx, path, expected, v);
    const out: { ru?: Template; en?: Template } = {};
    let ok = true;
    for (const k of Object.keys(v)) {
      const at = pointer(path, k);
      if (k !== 'ru' && k !== 'en') {
        issue(cx, 'UNKNOWN_FIELD', at, `unknown language "${k}" (ru, en)`);
        ok = false;
        continue;
      }
      const s = v[k];
      if (typeof s !== 'string') {
        wrongType(cx, at, 'a string', s);
        ok = false;
        continue;
      }
      const t = template(s, at, cx);
      if (t === INVALID) ok = false;
      else out[k] = t;
    }
    if (ok && out.ru === undefined && out.en === undefined)
      return issue(cx, 'MISSING_FIELD', path, 'needs "ru" or "en"');
    return ok ? out : INVALID;
  });
}

/** A regular expression that passes safe-regex.ts. */
export function pattern(): Shape<RegExp> {
  return shape('a regular expression (string)', (v, path, cx) => {
    if (typeof v !== 'string') return wrongType(cx, path, 'a regular expression (string)', v);
    const r = compileSafeRegex(v);
    return r.ok ? r.regex : issue(cx, 'BAD_EXPRESSION', path, `pattern refused: ${r.reason}`);
  });
}

export const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*$/;

/** Read-only names: set by the engine or the context, never by a node. */
export const readOnlyVariables: ReadonlySet<string> = new Set([
  'channel',
  'language',
  'input',
  'caller.number',
  'caller.name',
  'sys.now',
  'sys.hour',
  'sys.weekday',
  'error.code',
  'error.node',
  'http.status',
  'faq.article',
  'faq.score',
  'voicemail.recording',
]);
const readOnlyPrefixes = ['sys.', 'caller.', 'error.', 'http.', 'faq.'];

export function isReadOnlyVariable(name: string): boolean {
  return readOnlyVariables.has(name) || readOnlyPrefixes.some((p) => name.startsWith(p));
}

function validName(v: unknown, path: string, cx: CheckContext): Parsed<string> {
  if (typeof v !== 'string') return wrongType(cx, path, 'a variable name', v);
  if (v.length > 64 || !VARIABLE_NAME.test(v) || v.split('.').some((s) => s.startsWith('__'))) {
    return issue(
      cx,
      'BAD_VALUE',
      path,
      'must be a variable name: letters, digits, _ and dots (at most 64, no "__")',
    );
  }
  return v;
}

/** The name of a variable a node writes. */
export function target(): Shape<string> {
  return shape('a variable name', (v, path, cx) => {
    const name = validName(v, path, cx);
    if (name === INVALID) return INVALID;
    if (isReadOnlyVariable(name))
      return issue(cx, 'READ_ONLY_VARIABLE', path, `"${name}" is set by the engine`);
    cx.writes.push({ name, path });
    return name;
  });
}

/** The name of a variable a node reads (not an expression). */
export function source(): Shape<string> {
  return shape('a variable name', (v, path, cx) => {
    const name = validName(v, path, cx);
    if (name !== INVALID) cx.reads.push({ name, path });
    return name;
  });
}

/** Unused by the engine but must be JSON (editor data). */
export function anything(): Shape<unknown> {
  return { optional: true, expected: 'anything', parse: (v) => v };
}
