/**
 * Regular expressions written by flow authors run on customer input, so they must not be able to
 * backtrack for long (ReDoS). JavaScript has no regex timeout; instead a pattern is admitted only when
 * a bound on its backtracking is small for the subjects it may see:
 *
 * - no repeated group that itself holds a quantifier or an alternation (`(a+)+`, `(a|ab)*`; `(a+)?`
 *   is fine): these are exponential;
 * - no back-references (`\1`, `\k<name>`);
 * - the cost bound `MAX_SUBJECT · Π (range + 1)` over every quantifier whose count may vary (range =
 *   max − min; `*`, `+`, `{n,}` count MAX_SUBJECT) is at most `MAX_COST`: in practice one open-ended
 *   quantifier plus a few bounded ones (`^\+?\d{10,15}$`, `^[^@ ]{1,64}@[^@ ]{1,64}$`), not two open-ended;
 * - at most `MAX_PATTERN` characters; compiled with the `u` flag (strict syntax);
 * - and subjects longer than `MAX_SUBJECT` never match (`safeTest`).
 *
 * Measured worst cases at the limit take tens of milliseconds (expression.test.ts).
 */
export const MAX_PATTERN = 200;
export const MAX_SUBJECT = 256;
export const MAX_COST = 5_000_000;

export type SafeRegexResult =
  | { readonly ok: true; readonly regex: RegExp }
  | { readonly ok: false; readonly reason: string };

export function compileSafeRegex(pattern: string): SafeRegexResult {
  if (pattern.length > MAX_PATTERN) return { ok: false, reason: `longer than ${MAX_PATTERN} characters` };
  let regex: RegExp;
  try {
    regex = new RegExp(pattern, 'u');
  } catch (error) {
    return { ok: false, reason: error instanceof Error ? error.message : 'invalid pattern' };
  }
  const problem = backtrackingProblem(pattern);
  return problem === null ? { ok: true, regex } : { ok: false, reason: problem };
}

/** `regex.test(subject)`, except that an over-long subject is no match. */
export function safeTest(regex: RegExp, subject: string): boolean {
  return subject.length <= MAX_SUBJECT && regex.test(subject);
}

interface Group {
  risky: boolean;
}

function backtrackingProblem(p: string): string | null {
  const groups: Group[] = [{ risky: false }];
  let cost = MAX_SUBJECT;
  /** What the next quantifier applies to: a group that was risky, a plain atom, or nothing. */
  let last: 'risky-group' | 'atom' | 'none' = 'none';
  let i = 0;
  const markRisky = () => {
    for (const g of groups) g.risky = true;
  };
  while (i < p.length) {
    const c = p[i]!;
    if (c === '\\') {
      const n = p[i + 1] ?? '';
      if (/[1-9]/.test(n) || n === 'k') return 'back-references are not allowed';
      // \p{..}, \u{..}: skip the braces too.
      if ((n === 'p' || n === 'P' || n === 'u') && p[i + 2] === '{') {
        const close = p.indexOf('}', i + 2);
        i = close < 0 ? p.length : close + 1;
      } else i += 2;
      last = 'atom';
      continue;
    }
    if (c === '[') {
      i++;
      while (i < p.length && p[i] !== ']') i += p[i] === '\\' ? 2 : 1;
      i++;
      last = 'atom';
      continue;
    }
    if (c === '(') {
      groups.push({ risky: false });
      i++;
      if (p[i] === '?') {
        // (?:  (?=  (?!  (?<=  (?<!  (?<name>
        i++;
        if (p[i] === '<' && p[i + 1] !== '=' && p[i + 1] !== '!') {
          const close = p.indexOf('>', i);
          i = close < 0 ? p.length : close + 1;
        } else i += p[i] === '<' ? 2 : 1;
      }
      last = 'none';
      continue;
    }
    if (c === ')') {
      const g = groups.pop();
      if (!g || groups.length === 0) return 'unbalanced parenthesis';
      last = g.risky ? 'risky-group' : 'atom';
      i++;
      continue;
    }
    if (c === '|') {
      groups[groups.length - 1]!.risky = true;
      i++;
      last = 'none';
      continue;
    }
    if (c === '*' || c === '+' || c === '?' || c === '{') {
      let range = c === '?' ? 1 : MAX_SUBJECT;
      let end = i + 1;
      if (c === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(p.slice(i));
        if (!m) {
          // A literal brace (allowed without the u flag only, so this is unreachable after compiling).
          i++;
          last = 'atom';
          continue;
        }
        const min = Number(m[1]);
        range = m[2] === undefined ? 0 : m[3] === '' ? MAX_SUBJECT : Math.max(0, Number(m[3]) - min);
        end = i + m[0].length;
      }
      if (last === 'risky-group' && p.slice(i, end) !== '?') {
        return 'a repeated group may not contain a quantifier or |';
      }
      cost *= Math.min(range, MAX_SUBJECT) + 1;
      if (cost > MAX_COST) return 'too many or too wide quantifiers (it could backtrack for long)';
      markRisky();
      if (p[end] === '?') end++; // lazy
      i = end;
      last = 'none';
      continue;
    }
    i++;
    last = 'atom';
  }
  return groups.length === 1 ? null : 'unbalanced parenthesis';
}
