import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ExpressionEvalError, evaluate, type StaticType, truthy, typeErrors } from './expression-eval';
import { ExpressionError, MAX_DEPTH, MAX_SOURCE, parseExpression, variablesOf } from './expression-parser';
import type { Value } from './flow-types';

const vars: Record<string, Value> = {
  n: 5,
  s: 'Hello',
  digits: '0123',
  empty: '',
  yes: true,
  nothing: null,
  'caller.number': '+7 (495) 123-45-67',
  'contact.tier': 'gold',
};
const read = (name: string): Value => (Object.hasOwn(vars, name) ? vars[name]! : null);
const run = (src: string) => evaluate(parseExpression(src), read);

describe('expression language: evaluation', () => {
  it.each([
    ['1 + 2 * 3', 7],
    ['(1 + 2) * 3', 9],
    ['10 - 4 - 3', 3],
    ['7 % 4', 3],
    ['-n + 1', -4],
    ["'a' + 'b'", 'ab'],
    ['n > 3 and n < 10', true],
    ['n >= 5 && n <= 5', true],
    ['n == 5 or s == 1', true],
    ['not yes', false],
    ['!nothing', true],
    ["'1' == 1", false],
    ['number(digits) == 123', true],
    ["number('abc')", null],
    ["contact.tier in ['gold', 'platinum']", true],
    ["contact.tier not in ['gold']", false],
    ["'ell' in s", true],
    ["s ~ '^H.l+o$'", true],
    ["digits(caller.number) ~ '^7495'", true],
    ["starts_with(caller.number, '+7')", true],
    ['len(s) + len([1, 2])', 7],
    ["lower(s) == 'hello' and upper(s) == 'HELLO'", true],
    ["trim('  x ') == 'x'", true],
    ['string(n) + string(nothing)', '5'],
    ['unknown_var == null', true],
    ['nothing > 3', false],
    ["'b' > 'a'", true],
    ['"double \\"quoted\\""', 'double "quoted"'],
  ])('%s → %j', (src, expected) => {
    expect(run(src)).toEqual(expected);
  });

  it('short-circuits and/or, so the right side is not evaluated when it would fail', () => {
    expect(run('nothing != null and n / 0 > 1')).toBe(false);
    expect(run('yes or n / 0 > 1')).toBe(true);
  });

  it.each([
    ["'a' < 3", /cannot compare/],
    ['n + s', /cannot compute/],
    ['n / 0', /division by zero/],
    ['-s', /cannot negate/],
    ['n in 5', /"in" needs/],
    ['lower(n)', /takes a string/],
  ])('%s fails at run time with a clear error', (src, message) => {
    expect(() => run(src)).toThrow(ExpressionEvalError);
    expect(() => run(src)).toThrow(message);
  });

  it('truthiness: false, null, 0, "" and [] are false', () => {
    for (const v of [false, null, 0, '', []]) expect(truthy(v)).toBe(false);
    for (const v of [true, 1, 'x', [0]]) expect(truthy(v)).toBe(true);
  });

  it('reads names only through the given function: no prototype or global access', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'globalThis', 'process']) {
      expect(run(`${name} == null`)).toBe(true);
    }
    expect(() => parseExpression('this.constructor("x")')).toThrow(ExpressionError);
    expect(() => parseExpression('eval("1")')).toThrow(/unknown function "eval"/);
  });

  it('lists the variables an expression reads', () => {
    expect(
      variablesOf(parseExpression("a.b > 1 and f in [c, 'x'] or len(d) == 0")).map((v) => v.name),
    ).toEqual(['a.b', 'f', 'c', 'd']);
  });
});

describe('expression language: syntax errors', () => {
  it.each([
    ['', /unexpected end/],
    ['1 +', /unexpected end/],
    ['(1', /expected "\)"/],
    ["'abc", /unterminated string/],
    ["'\\x'", /unknown escape/],
    ['a = 1', /unexpected character "="/],
    ['1 2', /unexpected text after/],
    ['len(1, 2)', /takes 1 argument/],
    ['and', /unexpected "and"/],
    ['s ~ n', /string literal pattern/],
    ['n > 3 == true', /unexpected text after/],
    ["s ~ '(a+)+'", /pattern refused/],
    ["s ~ '(\\\\d'", /pattern refused/],
  ])('%j is refused (%s)', (src, message) => {
    expect(() => parseExpression(src)).toThrow(ExpressionError);
    expect(() => parseExpression(src)).toThrow(message);
  });

  it('reports the offset of the problem', () => {
    try {
      parseExpression('n > 1 and (s == ');
      expect.unreachable();
    } catch (error) {
      expect((error as ExpressionError).at).toBe(16);
    }
  });
});

describe('expression language: hostile input stays bounded', () => {
  it('refuses deep nesting with an error, not a stack overflow', () => {
    for (const src of [
      `${'('.repeat(10_000)}1${')'.repeat(10_000)}`,
      `${'not '.repeat(10_000)}true`,
      `${'-'.repeat(10_000)}1`,
      `${'['.repeat(5_000)}${']'.repeat(5_000)}`,
      `${'len('.repeat(5_000)}'x'${')'.repeat(5_000)}`,
    ]) {
      expect(() => parseExpression(src.slice(0, MAX_SOURCE))).toThrow(ExpressionError);
    }
    expect(() => parseExpression(`${'('.repeat(MAX_DEPTH + 1)}1${')'.repeat(MAX_DEPTH + 1)}`)).toThrow(
      /nested deeper/,
    );
    expect(run(`${'('.repeat(MAX_DEPTH - 1)}1${')'.repeat(MAX_DEPTH - 1)}`)).toBe(1);
  });

  it('refuses huge sources and too many tokens', () => {
    expect(() => parseExpression(`'${'x'.repeat(1_000_000)}'`)).toThrow(/longer than/);
    expect(() => parseExpression(Array.from({ length: 600 }, () => '1').join('+'))).toThrow(/tokens/);
  });

  it('evaluates the longest allowed flat chain without trouble', () => {
    const src = Array.from({ length: 250 }, () => 'n').join('+');
    expect(run(src)).toBe(1250);
  });

  it('caps string growth', () => {
    const big = 'x'.repeat(3000);
    expect(() => evaluate(parseExpression('b + b'), () => big)).toThrow(/longer than/);
  });

  // Worst cases at the cost limit, on the longest subject that is matched at all. The test timeout is the
  // bound: vitest fails a synchronous test that runs past it.
  it.each(['\\d*x', '\\d+\\d{1,16}x', '(\\d+)?\\d{1,16}x', '[0-9]{1,64}\\d{1,64}x'])(
    'the admitted worst case %s stays fast on a 256-character subject',
    { timeout: 500 },
    (pattern) => {
      const e = parseExpression(`s ~ '${pattern.replaceAll('\\', '\\\\')}'`);
      expect(evaluate(e, () => '1'.repeat(256))).toBe(false);
    },
  );

  it('a regex never runs on a subject longer than 256 characters', () => {
    expect(evaluate(parseExpression("s ~ 'a'"), () => 'a'.repeat(300))).toBe(false);
    expect(evaluate(parseExpression("s ~ 'a'"), () => 'a'.repeat(256))).toBe(true);
  });

  it.each([
    '\\d+\\d+x',
    '(\\d+)?\\d*\\d{1,16}x',
    '(a|ab)*c',
    '(a+)+b',
    '(a*)*b',
    '(.*){2}',
    '(a)\\1',
    'a?'.repeat(30),
  ])('refuses the backtracking-prone pattern %s', (pattern) => {
    expect(() => parseExpression(`s ~ '${pattern.replaceAll('\\', '\\\\')}'`)).toThrow(/pattern refused/);
  });

  it.each([
    '^\\+?\\d{10,15}$',
    '^[^@ ]{1,64}@[^@ ]{1,64}$',
    '(operator|human|оператор)',
    '^\\d{6}$',
    '^[A-Z]{2}-\\d+$',
  ])('admits the everyday pattern %s', (pattern) => {
    expect(() => parseExpression(`s ~ '${pattern.replaceAll('\\', '\\\\')}'`)).not.toThrow();
  });

  it('random text never throws anything but ExpressionError, and what parses evaluates or fails cleanly', () => {
    const alphabet = fc.constantFrom(...'()[]\'"!~=<>+-*/%., andortruefalsenullin0123456789snxlen'.split(''));
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 80 }).map((cs) => cs.join('')),
        (src) => {
          let e: ReturnType<typeof parseExpression>;
          try {
            e = parseExpression(src);
          } catch (error) {
            expect(error).toBeInstanceOf(ExpressionError);
            return;
          }
          try {
            evaluate(e, read);
          } catch (error) {
            expect(error).toBeInstanceOf(ExpressionEvalError);
          }
        },
      ),
      { numRuns: 3000 },
    );
  });
});

describe('expression language: static type errors', () => {
  const types: Record<string, StaticType> = { name: 'string', count: 'number', flag: 'boolean' };
  const errorsOf = (src: string) => typeErrors(parseExpression(src), (n) => types[n] ?? 'any');

  it.each([
    ["'a' < 3", 'cannot compare string < number'],
    ['name + 1', 'cannot compute string + number'],
    ['count * name', 'cannot compute number * string'],
    ['-flag', 'cannot negate boolean'],
    ['flag > 1', 'cannot compare boolean > number'],
    ['count in 5', '"in" needs a list or a string on the right, got number'],
    ['lower(count)', 'lower() takes a string, got number'],
  ])('%s: %s', (src, message) => {
    expect(errorsOf(src)).toContain(message);
  });

  it.each([
    'count + 1 > 3',
    "name + '!' == 'x!'",
    'unknown > 3',
    'number(name) > 2',
    "flag and name in ['a']",
  ])('%s has no certain error', (src) => {
    expect(errorsOf(src)).toEqual([]);
  });
});
