import { describe, expect, it } from 'vitest';
import { compileFlow, validateFlow } from './validate-flow';

const base = (nodes: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({
  id: 'f',
  version: 1,
  entry: 'a',
  nodes,
  ...extra,
});
const say = (text: string, to: string) => ({ verb: 'say', text, next: { done: to } });
const bye = { verb: 'hangup' };

/** Issues as `CODE path` strings, the way an editor would list them. */
const issuesOf = (flow: unknown) => validateFlow(flow).map((i) => `${i.code} ${i.path}`);

describe('validateFlow', () => {
  it('accepts a well-formed flow and compiles it', () => {
    const r = compileFlow(base({ a: say('hi', 'b'), b: bye }));
    expect(r.issues).toEqual([]);
    expect(r.ok && [...r.flow.nodes.keys()]).toEqual(['a', 'b']);
  });

  it('UNKNOWN_VERB: names the node and lists the known verbs', () => {
    const issues = validateFlow(base({ a: { verb: 'dance', next: { done: 'b' } }, b: bye }));
    expect(issues).toEqual([
      expect.objectContaining({
        code: 'UNKNOWN_VERB',
        path: '/nodes/a/verb',
        message: expect.stringContaining('say, play, menu'),
      }),
    ]);
  });

  it('DANGLING_EDGE: an edge, the entry or onError pointing at no node', () => {
    expect(issuesOf(base({ a: say('hi', 'nowhere') }))).toEqual(['DANGLING_EDGE /nodes/a/next/done']);
    expect(issuesOf(base({ b: bye }, { entry: 'start' }))).toEqual(['DANGLING_EDGE /entry']);
    expect(issuesOf(base({ a: bye }, { onError: 'oops' }))).toEqual(['DANGLING_EDGE /onError']);
  });

  it('UNREACHABLE_NODE: every node no path from the entry or onError reaches', () => {
    expect(issuesOf(base({ a: bye, lost: say('x', 'a'), lost2: say('y', 'lost') }))).toEqual([
      'UNREACHABLE_NODE /nodes/lost',
      'UNREACHABLE_NODE /nodes/lost2',
    ]);
    // The error handler counts as an entry.
    expect(issuesOf(base({ a: bye, handler: say('sorry', 'a') }, { onError: 'handler' }))).toEqual([]);
  });

  it('MISSING_FIELD: a required field of a verb, of a nested object, and of the flow', () => {
    expect(issuesOf(base({ a: { verb: 'say', next: { done: 'b' } }, b: bye }))).toEqual([
      'MISSING_FIELD /nodes/a/text',
    ]);
    expect(
      issuesOf(
        base({
          a: { verb: 'menu', prompt: 'p', options: [{ key: '1' }], next: { 1: 'b', failed: 'b' } },
          b: bye,
        }),
      ),
    ).toEqual(['MISSING_FIELD /nodes/a/options/0/label']);
    expect(issuesOf({ id: 'f', entry: 'a', nodes: { a: bye } })).toEqual(['MISSING_FIELD /version']);
    expect(issuesOf(base({ a: { next: {} } }))).toEqual(['MISSING_FIELD /nodes/a/verb']);
    expect(issuesOf(base({ a: { verb: 'set', next: { done: 'b' } }, b: bye }))).toEqual([
      'MISSING_FIELD /nodes/a/values',
    ]);
  });

  it('MISSING_EDGE and UNKNOWN_OUTCOME: edges must match the verb’s outcomes', () => {
    expect(
      issuesOf(base({ a: { verb: 'http', url: 'https://x.example/a', next: { ok: 'b' } }, b: bye })),
    ).toEqual(['MISSING_EDGE /nodes/a/next/error']);
    expect(
      issuesOf(base({ a: { verb: 'say', text: 'x', next: { done: 'b', maybe: 'b' } }, b: bye })),
    ).toEqual(['UNKNOWN_OUTCOME /nodes/a/next/maybe']);
    expect(issuesOf(base({ a: { verb: 'hangup', next: { done: 'a' } } }))).toEqual([
      'UNKNOWN_OUTCOME /nodes/a/next/done',
    ]);
    // business_hours: holiday is optional.
    expect(
      issuesOf(
        base({ a: { verb: 'business_hours', calendar: 'c', next: { open: 'b', closed: 'b' } }, b: bye }),
      ),
    ).toEqual([]);
  });

  it('LOOP_WITHOUT_EXIT: a cycle no edge leaves and no node of which ends the flow', () => {
    const issues = validateFlow(
      base({
        a: say('hello', 'menu'),
        menu: {
          verb: 'menu',
          prompt: 'press',
          options: [{ key: '1', label: 'again' }],
          next: { 1: 'again', failed: 'menu' },
        },
        again: say('once more', 'menu'),
      }),
    );
    expect(issues).toEqual([
      { code: 'LOOP_WITHOUT_EXIT', path: '/nodes/menu', message: expect.stringContaining('menu → again') },
    ]);
  });

  it('a loop with an exit, or through a node that can end the flow, is fine', () => {
    const counter = base(
      {
        a: { verb: 'set', values: { n: 'n + 1' }, next: { done: 'check' } },
        check: { verb: 'condition', when: 'n < 3', next: { true: 'a', false: 'b' } },
        b: bye,
      },
      { variables: { n: { type: 'number', default: 0 } } },
    );
    expect(issuesOf(counter)).toEqual([]);
    const retryAgent = base({
      a: { verb: 'enqueue', queue: 'q', next: { error: 'wait' } },
      wait: say('still trying', 'a'),
    });
    expect(issuesOf(retryAgent)).toEqual([]);
  });

  it('BAD_EXPRESSION: syntax errors in conditions, templates and patterns, with the offset', () => {
    const issues = validateFlow(
      base({
        a: { verb: 'condition', when: 'n >', next: { true: 'b', false: 'b' } },
        b: { verb: 'say', text: 'Hello {{ name', next: { done: 'c' } },
        c: {
          verb: 'gather',
          prompt: 'p',
          into: 'x',
          maxLength: 10,
          pattern: '(a+)+',
          next: { ok: 'd', failed: 'd' },
        },
        d: bye,
      }),
    );
    expect(issues.map((i) => `${i.code} ${i.path}`)).toEqual([
      'BAD_EXPRESSION /nodes/a/when',
      'BAD_EXPRESSION /nodes/b/text',
      'BAD_EXPRESSION /nodes/c/pattern',
    ]);
    expect(issues[0]!.message).toMatch(/unexpected end of expression \(at 3\)/);
  });

  it('WRONG_TYPE: JSON of the wrong type, a default of the wrong type, and certain type errors in expressions', () => {
    const issues = validateFlow(
      base(
        {
          a: { verb: 'gather', prompt: 'p', into: 'age', timeoutMs: '5000', next: { ok: 'b', failed: 'b' } },
          b: { verb: 'condition', when: 'name > 3', next: { true: 'c', false: 'c' } },
          c: { verb: 'say', text: ['not', 'a', 'text'], next: { done: 'd' } },
          d: bye,
        },
        { variables: { name: { type: 'string', default: 3 } } },
      ),
    );
    expect(issues.map((i) => `${i.code} ${i.path} ${i.message}`)).toEqual([
      'WRONG_TYPE /variables/name/default expected a string, got number',
      'WRONG_TYPE /nodes/a/timeoutMs expected an integer, got string',
      'WRONG_TYPE /nodes/b/when cannot compare string > number',
      'WRONG_TYPE /nodes/c/text expected a text or {"ru","en"}, got an array',
    ]);
  });

  it('UNKNOWN_VARIABLE, READ_ONLY_VARIABLE, UNKNOWN_FIELD, DUPLICATE and BAD_VALUE', () => {
    const issues = issuesOf(
      base({
        a: { verb: 'say', text: 'Hi {{custmer_name}}', next: { done: 'b' } },
        b: { verb: 'set', values: { 'caller.number': "'x'" }, next: { done: 'c' } },
        c: { verb: 'say', text: 'x', colour: 'red', next: { done: 'd' } },
        d: {
          verb: 'menu',
          prompt: 'p',
          options: [
            { key: '1', label: 'a' },
            { key: '1', label: 'b' },
          ],
          retries: 9,
          next: { 1: 'e', failed: 'e' },
        },
        e: bye,
      }),
    );
    expect(issues).toEqual([
      'READ_ONLY_VARIABLE /nodes/b/values/caller.number',
      'UNKNOWN_FIELD /nodes/c/colour',
      'BAD_VALUE /nodes/d/retries',
      'UNKNOWN_VARIABLE /nodes/a/text',
    ]);
    const dup = issuesOf(
      base({
        a: {
          verb: 'menu',
          prompt: 'p',
          options: [
            { key: '1', label: 'a' },
            { key: '1', label: 'b' },
          ],
          next: { 1: 'b', failed: 'b' },
        },
        b: bye,
      }),
    );
    expect(dup).toEqual(['DUPLICATE /nodes/a/options/1/key']);
  });

  it('variables written by any node, declared ones, builtins and contact attributes are known', () => {
    const flow = base(
      {
        a: { verb: 'gather', prompt: 'p', into: 'code', next: { ok: 'b', failed: 'b' } },
        b: {
          verb: 'say',
          text: '{{code}} {{caller.number}} {{contact.anything}} {{sys.hour}} {{declared}} {{survey.csat}}',
          next: { done: 'c' },
        },
        c: {
          verb: 'survey',
          questions: [{ id: 'csat', prompt: 'Rate us', min: 1, max: 5 }],
          next: { done: 'd', incomplete: 'd' },
        },
        d: bye,
      },
      { variables: { declared: { type: 'string' } } },
    );
    expect(issuesOf(flow)).toEqual([]);
  });

  it('escapes node ids in JSON Pointers', () => {
    expect(issuesOf(base({ a: say('x', 'a/b~c') }))).toEqual(['DANGLING_EDGE /nodes/a/next/done']);
    expect(issuesOf(base({ a: bye, 'x/y': bye }))).toEqual([
      'BAD_VALUE /nodes/x~1y',
      'UNREACHABLE_NODE /nodes/x~1y',
    ]);
  });

  it('reports every problem at once, not only the first', () => {
    const issues = issuesOf(base({ a: { verb: 'dance' }, b: { verb: 'say' }, c: say('x', 'zzz') }));
    expect(issues).toEqual([
      'UNKNOWN_VERB /nodes/a/verb',
      'MISSING_FIELD /nodes/b/text',
      'DANGLING_EDGE /nodes/c/next/done',
      'UNREACHABLE_NODE /nodes/b',
      'UNREACHABLE_NODE /nodes/c',
    ]);
  });

  it('survives hostile documents without throwing', () => {
    for (const doc of [
      null,
      42,
      'flow',
      [],
      { nodes: [] },
      { id: 'x', version: 1, entry: 'a', nodes: { a: null } },
    ]) {
      expect(validateFlow(doc).length).toBeGreaterThan(0);
    }
    const deep: Record<string, unknown> = {};
    let cur = deep;
    for (let i = 0; i < 5000; i++) cur = cur.x = {} as Record<string, unknown>;
    expect(
      issuesOf(
        base({
          a: { verb: 'http', url: 'https://x.example', body: deep, next: { ok: 'b', error: 'b' } },
          b: bye,
        }),
      ),
    ).toEqual(['TOO_LARGE /nodes/a/body/x/x/x/x/x/x/x/x/x/x/x']);
    const tooMany = Object.fromEntries(Array.from({ length: 1001 }, (_, i) => [`n${i}`, bye]));
    expect(issuesOf(base(tooMany))).toEqual(['TOO_LARGE /nodes']);
  });

  it('handles a 1000-node chain and a 1000-node cycle without deep recursion', () => {
    const chain: Record<string, unknown> = {};
    for (let i = 0; i < 999; i++) chain[`n${i}`] = say(`${i}`, `n${i + 1}`);
    chain.n999 = bye;
    expect(issuesOf(base(chain, { entry: 'n0' }))).toEqual([]);
    const ring: Record<string, unknown> = {};
    for (let i = 0; i < 1000; i++) ring[`n${i}`] = say(`${i}`, `n${(i + 1) % 1000}`);
    expect(issuesOf(base(ring, { entry: 'n0' }))).toEqual(['LOOP_WITHOUT_EXIT /nodes/n0']);
  });
});
