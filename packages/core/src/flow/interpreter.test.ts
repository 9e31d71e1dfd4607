import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import orderFlow from '../../../../examples/flows/order-status.flow.json';
import { millis } from '../ports';
import type { FlowEvent, FlowState, FlowStep } from './flow-types';
import { resume, start } from './interpreter';
import { Conversation, compile, single, T0 } from './test-support';

const env = { now: millis(T0) };
const order = compile(orderFlow);
const conversation: FlowEvent[] = [
  { type: 'done' },
  { type: 'input', value: 'abc' },
  { type: 'input', value: '654321' },
  { type: 'http_response', status: 404, body: {} },
  { type: 'done' },
  { type: 'input', value: '123456' },
  { type: 'http_response', status: 200, body: { order: { status: 'packed', delivery: { eta: 'Friday' } } } },
  { type: 'done' },
];

function play(events: readonly FlowEvent[], store: (s: FlowState) => FlowState): FlowStep[] {
  const steps = [start(order, { channel: 'chat', language: 'en' }, env)];
  for (const e of events) steps.push(resume(order, store(steps[steps.length - 1]!.state), e, env));
  return steps;
}

const deepFreeze = <T>(v: T): T => {
  if (typeof v === 'object' && v !== null) {
    for (const x of Object.values(v)) deepFreeze(x);
    Object.freeze(v);
  }
  return v;
};

describe('interpreter: resumable', () => {
  it('a state stored as JSON text and read back (a restart at every step) continues identically', () => {
    const inMemory = play(conversation, (s) => s);
    const restarted = play(conversation, (s) => JSON.parse(JSON.stringify(s)));
    expect(restarted).toEqual(inMemory);
    expect(inMemory.map((s) => s.action.type)).toEqual([
      'say',
      'collect',
      'collect',
      'http',
      'say',
      'collect',
      'http',
      'say',
      'end',
    ]);
    expect(inMemory[inMemory.length - 1]!.state.vars).toMatchObject({
      order_id: '123456',
      order_status: 'packed',
    });
  });

  it('a state restored into a freshly compiled flow (a new process) continues the same way', () => {
    const before = play(conversation.slice(0, 3), (s) => s);
    const saved = JSON.stringify(before[before.length - 1]!.state);
    const newProcessFlow = compile(JSON.parse(JSON.stringify(orderFlow)));
    const next = resume(newProcessFlow, JSON.parse(saved), conversation[3]!, env);
    const reference = play(conversation.slice(0, 4), (s) => s);
    expect(next).toEqual(reference[reference.length - 1]);
  });

  it('is pure: the same inputs give the same outputs, and the given state is never changed', () => {
    const a = start(order, { channel: 'chat', language: 'en' }, env);
    const b = start(order, { channel: 'chat', language: 'en' }, env);
    expect(a).toEqual(b);
    const frozen = deepFreeze(
      JSON.parse(JSON.stringify(resume(order, a.state, { type: 'done' }, env).state)),
    );
    const copy = JSON.parse(JSON.stringify(frozen));
    resume(order, frozen, { type: 'input', value: '123456' }, env);
    expect(frozen).toEqual(copy);
  });

  it('keeps a transcript and the trail of nodes for the agent', () => {
    const steps = play(conversation.slice(0, 3), (s) => s);
    const s = steps[steps.length - 1]!.state;
    expect(s.transcript.map((t) => `${t.from}: ${t.text}`)).toEqual([
      'bot: Hi! I can tell you where your order is.',
      'bot: Please type your 6-digit order number.',
      'customer: abc',
      'bot: That does not look like an order number. Please type your 6-digit order number.',
      'customer: 654321',
    ]);
    expect(s.trail).toEqual(['greet', 'ask_order', 'lookup']);
    expect(s.pending).toEqual(steps[steps.length - 1]!.action);
  });
});

describe('interpreter: loops without input', () => {
  const spin = {
    id: 'spin',
    version: 1,
    entry: 'a',
    variables: { n: { type: 'number', default: 0 } },
    nodes: {
      a: { verb: 'set', values: { n: 'n + 1' }, next: { done: 'b' } },
      b: { verb: 'condition', when: 'n > -1', next: { true: 'a', false: 'c' } },
      c: { verb: 'hangup' },
    },
  };

  it('stops a flow that runs too many nodes without customer input (STEP_LIMIT)', () => {
    const step = start(compile(spin), { channel: 'voice' }, { ...env, limits: { maxStepsWithoutInput: 50 } });
    expect(step.action).toMatchObject({ type: 'end', reason: 'error', error: { code: 'STEP_LIMIT' } });
    expect(step.visited).toHaveLength(50);
    expect(step.state.status).toBe('ended');
  });

  it('sends runtime errors to onError, with error.code and error.node, at most three times', () => {
    const flow = compile({
      ...spin,
      onError: 'oops',
      nodes: {
        ...spin.nodes,
        oops: { verb: 'say', text: 'Sorry ({{error.code}} at {{error.node}})', next: { done: 'a' } },
      },
    });
    const c = new Conversation(flow, { channel: 'voice' }, { limits: { maxStepsWithoutInput: 20 } });
    expect(c.action).toEqual({ type: 'say', text: 'Sorry (STEP_LIMIT at a)', language: 'ru' });
    c.done();
    c.done();
    expect(c.action.type).toBe('say');
    c.done();
    expect(c.action).toMatchObject({ type: 'end', error: { code: 'STEP_LIMIT' } });
    expect(c.step.state.errorsHandled).toBe(3);
  });
});

describe('interpreter: hostile input never throws', () => {
  const sut = single({ verb: 'gather', prompt: 'Say something', input: 'text', into: 'x' }, ['ok', 'failed']);
  const waiting = start(sut, { channel: 'chat' }, env);

  it.each([
    [null, 'BAD_EVENT'],
    [{ type: 'explode' }, 'BAD_EVENT'],
    [{ type: 'input', value: 42 }, 'BAD_EVENT'],
    [{ type: 'http_response', status: 200.5 }, 'BAD_EVENT'],
    [{ type: 'done' }, 'UNEXPECTED_EVENT'],
    [{ type: 'http_response', status: 200, body: {} }, 'UNEXPECTED_EVENT'],
  ])('event %j is refused with %s and changes nothing', (event, code) => {
    const r = resume(sut, waiting.state, event as FlowEvent, env);
    expect(r.refused?.code).toBe(code);
    expect(r.state).toBe(waiting.state);
    expect(r.action).toEqual(waiting.action);
  });

  it('a state of another flow version is refused', () => {
    const other = compile({ id: 'test', version: 2, entry: 'a', nodes: { a: { verb: 'hangup' } } });
    expect(resume(other, waiting.state, { type: 'timeout' }, env).refused?.code).toBe('FLOW_MISMATCH');
  });

  it.each([
    ['not an object', 'garbage'],
    ['no format', { ...waiting.state, format: 2 }],
    ['unknown node', { ...waiting.state, node: 'nope' }],
    ['a variable holding an object', { ...waiting.state, vars: { x: { y: 1 } } }],
    ['bad routing', { ...waiting.state, routing: null }],
  ])('a corrupt state (%s) ends the flow with BAD_STATE', (_why, state) => {
    const r = resume(sut, state as unknown as FlowState, { type: 'timeout' }, env);
    expect(r.action).toMatchObject({ type: 'end', reason: 'error', error: { code: 'BAD_STATE' } });
  });

  it('a bad context ends the flow with BAD_CONTEXT', () => {
    expect(start(sut, { channel: 'pigeon' as 'chat' }, env).action).toMatchObject({
      error: { code: 'BAD_CONTEXT' },
    });
    expect(start(sut, null as never, env).action).toMatchObject({ error: { code: 'BAD_CONTEXT' } });
  });

  it('huge input is capped, and the caller hanging up ends the flow', () => {
    const r = resume(sut, waiting.state, { type: 'input', value: 'x'.repeat(1_000_000) }, env);
    expect(r.action).toMatchObject({ type: 'collect' }); // too long for maxLength: asked again
    expect((r.state.vars.input as string).length).toBe(4096);
    const gone = resume(sut, waiting.state, { type: 'hangup' }, env);
    expect(gone.action).toEqual({ type: 'end', reason: 'caller_left', outcome: null, error: null });
  });

  it('random events and states never throw', () => {
    const event = fc.oneof(
      fc.record({
        type: fc.constantFrom('done', 'input', 'timeout', 'http_response', 'error', 'hangup', 'x'),
      }),
      fc.record({ type: fc.constant('input'), value: fc.string({ maxLength: 300 }) }),
      fc.record({
        type: fc.constant('http_response'),
        status: fc.integer({ min: 0, max: 700 }),
        body: fc.jsonValue(),
      }),
      fc.anything(),
    );
    fc.assert(
      fc.property(fc.array(event, { maxLength: 12 }), fc.anything(), (events, junk) => {
        let step = start(order, { channel: 'voice', language: 'ru' }, env);
        for (const e of events) step = resume(order, step.state, e as FlowEvent, env);
        expect(['waiting', 'ended']).toContain(step.state.status);
        const broken = resume(
          order,
          { ...step.state, phase: junk, trail: junk } as FlowState,
          { type: 'timeout' },
          env,
        );
        expect(broken.action.type).toBeTypeOf('string');
      }),
      { numRuns: 500 },
    );
  });
});
