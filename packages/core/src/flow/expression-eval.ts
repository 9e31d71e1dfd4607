import type { Expr } from './expression-parser';
import { MAX_STRING, type Value } from './flow-types';
import { safeTest } from './safe-regex';

/**
 * Meaning of the condition language (grammar in expression-parser.ts):
 *
 * - Values: string, number, boolean, null; lists exist only as `[...]` literals (for `in`).
 * - A variable that was never set reads as null.
 * - `==`/`!=` compare without coercion: `1 == '1'` is false (use `number(x)` or `string(x)`).
 * - `<`, `<=`, `>`, `>=` compare two numbers or two strings; with null on either side they are false;
 *   other mixes are an error.
 * - `+` adds numbers or joins strings (both sides the same type); `-`, `*`, `/`, `%` take numbers;
 *   division by zero is an error. Results longer than MAX_STRING characters are an error.
 * - `x in [..]`: membership (with `==`); `x in 'text'`: substring. `not in` negates.
 * - `x ~ 'pattern'`: regex test of `string(x)` (see safe-regex.ts for what patterns are admitted).
 * - `and`/`or`/`not` use truthiness (false, null, 0, '' are false) and return booleans; `and`/`or`
 *   short-circuit.
 * - Functions: len, lower, upper, trim, number (null when not a number), string, digits (keeps 0-9),
 *   starts_with(s, prefix).
 */
export type EvalValue = Value | readonly EvalValue[];

export class ExpressionEvalError extends Error {
  override readonly name = 'ExpressionEvalError';
}

export function evaluate(e: Expr, read: (name: string) => Value): EvalValue {
  switch (e.k) {
    case 'lit':
      return e.value;
    case 'var':
      return read(e.name);
    case 'list':
      return e.items.map((i) => evaluate(i, read));
    case 'not':
      return !truthy(evaluate(e.e, read));
    case 'neg': {
      const v = evaluate(e.e, read);
      if (typeof v !== 'number') throw new ExpressionEvalError(`cannot negate ${typeName(v)}`);
      return -v;
    }
    case 'and':
      return truthy(evaluate(e.l, read)) && truthy(evaluate(e.r, read));
    case 'or':
      return truthy(evaluate(e.l, read)) || truthy(evaluate(e.r, read));
    case 'cmp':
      return compare(e.op, evaluate(e.l, read), evaluate(e.r, read));
    case 'arith':
      return arith(e.op, evaluate(e.l, read), evaluate(e.r, read));
    case 'match': {
      const v = evaluate(e.l, read);
      return v !== null && !Array.isArray(v) && safeTest(e.regex, String(v));
    }
    case 'call':
      return call(
        e.fn,
        e.args.map((a) => evaluate(a, read)),
      );
  }
}

export function truthy(v: EvalValue): boolean {
  if (Array.isArray(v)) return v.length > 0;
  return v !== null && v !== false && v !== 0 && v !== '';
}

/** A result that may be stored in a variable (lists may not). */
export function toValue(v: EvalValue): Value {
  if (Array.isArray(v)) throw new ExpressionEvalError('a list cannot be stored in a variable');
  return v as Value;
}

export function typeName(v: EvalValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  return typeof v;
}

function equal(a: EvalValue, b: EvalValue): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => equal(x, b[i]!));
  }
  return a === b;
}

function compare(op: string, a: EvalValue, b: EvalValue): boolean {
  switch (op) {
    case '==':
      return equal(a, b);
    case '!=':
      return !equal(a, b);
    case 'in':
    case 'not in': {
      let found: boolean;
      if (Array.isArray(b)) found = b.some((x) => equal(a, x));
      else if (typeof b === 'string' && typeof a === 'string') found = b.includes(a);
      else if (b === null) found = false;
      else throw new ExpressionEvalError(`"in" needs a list or a string on the right, got ${typeName(b)}`);
      return op === 'in' ? found : !found;
    }
  }
  if (a === null || b === null) return false;
  if (
    !((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string'))
  ) {
    throw new ExpressionEvalError(`cannot compare ${typeName(a)} ${op} ${typeName(b)}`);
  }
  switch (op) {
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a >= b;
  }
}

function arith(op: string, a: EvalValue, b: EvalValue): Value {
  if (op === '+' && typeof a === 'string' && typeof b === 'string') {
    if (a.length + b.length > MAX_STRING)
      throw new ExpressionEvalError(`string longer than ${MAX_STRING} characters`);
    return a + b;
  }
  if (typeof a !== 'number' || typeof b !== 'number') {
    throw new ExpressionEvalError(`cannot compute ${typeName(a)} ${op} ${typeName(b)}`);
  }
  let r: number;
  switch (op) {
    case '+':
      r = a + b;
      break;
    case '-':
      r = a - b;
      break;
    case '*':
      r = a * b;
      break;
    case '/':
      if (b === 0) throw new ExpressionEvalError('division by zero');
      r = a / b;
      break;
    default:
      if (b === 0) throw new ExpressionEvalError('division by zero');
      r = a % b;
  }
  if (!Number.isFinite(r)) throw new ExpressionEvalError('number out of range');
  return r;
}

function str(fn: string, v: EvalValue): string {
  if (typeof v !== 'string') throw new ExpressionEvalError(`${fn}() takes a string, got ${typeName(v)}`);
  return v;
}

function call(fn: string, args: readonly EvalValue[]): Value {
  const a = args[0]!;
  switch (fn) {
    case 'len':
      if (Array.isArray(a)) return a.length;
      return str(fn, a).length;
    case 'lower':
      return str(fn, a).toLowerCase();
    case 'upper':
      return str(fn, a).toUpperCase();
    case 'trim':
      return str(fn, a).trim();
    case 'digits':
      return str(fn, a).replace(/\D+/g, '');
    case 'starts_with':
      return str(fn, a).startsWith(str(fn, args[1]!));
    case 'number': {
      if (typeof a === 'number') return a;
      if (typeof a !== 'string' || a.trim() === '' || a.length > 64) return null;
      const n = Number(a.trim().replace(',', '.'));
      return Number.isFinite(n) ? n : null;
    }
    default: // string
      if (Array.isArray(a)) throw new ExpressionEvalError('string() takes a value, got list');
      return a === null ? '' : String(a);
  }
}

/** Static type of an expression where it can be known; 'any' otherwise. */
export type StaticType = 'string' | 'number' | 'boolean' | 'null' | 'list' | 'any';

/**
 * Finds type errors that are certain before running: `'a' < 3`, `name + 1` with `name` declared a
 * string, `-true`. Returns messages; an empty list means no certain error.
 */
export function typeErrors(e: Expr, typeOfVar: (name: string) => StaticType): string[] {
  const errors: string[] = [];
  const t = (x: Expr): StaticType => {
    switch (x.k) {
      case 'lit':
        return x.value === null ? 'null' : (typeof x.value as StaticType);
      case 'var':
        return typeOfVar(x.name);
      case 'list':
        x.items.forEach(t);
        return 'list';
      case 'not':
        t(x.e);
        return 'boolean';
      case 'neg': {
        const a = t(x.e);
        if (a !== 'any' && a !== 'number') errors.push(`cannot negate ${a}`);
        return 'number';
      }
      case 'and':
      case 'or':
        t(x.l);
        t(x.r);
        return 'boolean';
      case 'match':
        t(x.l);
        return 'boolean';
      case 'cmp': {
        const a = t(x.l);
        const b = t(x.r);
        if (x.op === 'in' || x.op === 'not in') {
          if (b !== 'any' && b !== 'list' && b !== 'string' && b !== 'null') {
            errors.push(`"${x.op}" needs a list or a string on the right, got ${b}`);
          }
        } else if (x.op !== '==' && x.op !== '!=') {
          const ordered = (s: StaticType) => s === 'number' || s === 'string';
          if (ordered(a) && ordered(b) && a !== b) errors.push(`cannot compare ${a} ${x.op} ${b}`);
          if (a === 'boolean' || a === 'list' || b === 'boolean' || b === 'list') {
            errors.push(`cannot compare ${a} ${x.op} ${b}`);
          }
        }
        return 'boolean';
      }
      case 'arith': {
        const a = t(x.l);
        const b = t(x.r);
        const known = a !== 'any' && b !== 'any';
        if (x.op === '+') {
          if (known && !(a === b && (a === 'number' || a === 'string')))
            errors.push(`cannot compute ${a} + ${b}`);
          if (!known && [a, b].some((s) => s !== 'any' && s !== 'number' && s !== 'string')) {
            errors.push(`cannot compute ${a} + ${b}`);
          }
          return a === 'string' || b === 'string'
            ? 'string'
            : a === 'number' || b === 'number'
              ? 'number'
              : 'any';
        }
        for (const s of [a, b])
          if (s !== 'any' && s !== 'number') errors.push(`cannot compute ${a} ${x.op} ${b}`);
        return 'number';
      }
      case 'call': {
        const args = x.args.map(t);
        const textFns = ['lower', 'upper', 'trim', 'digits', 'starts_with'];
        if (textFns.includes(x.fn)) {
          for (const s of args)
            if (s !== 'any' && s !== 'string') errors.push(`${x.fn}() takes a string, got ${s}`);
        }
        if (x.fn === 'len' && args[0] !== 'any' && args[0] !== 'string' && args[0] !== 'list') {
          errors.push(`len() takes a string or a list, got ${args[0]}`);
        }
        if (x.fn === 'number') return 'any';
        if (x.fn === 'len') return 'number';
        return x.fn === 'starts_with' ? 'boolean' : 'string';
      }
    }
  };
  t(e);
  return [...new Set(errors)];
}
