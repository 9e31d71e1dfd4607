import { describe, expect, it } from 'vitest';
import { Conversation, compile } from '../test-support';

const flow = (enqueue: Record<string, unknown>) =>
  compile({
    id: 'f',
    version: 1,
    entry: 'prep',
    variables: { topic: { type: 'string', default: 'refund' } },
    nodes: {
      prep: {
        verb: 'set',
        priority: 3,
        skills: [
          { skill: 'ru', minLevel: 2 },
          { skill: 'billing', minLevel: 5 },
        ],
        values: { 'contact.email': "'a@b.c'" },
        next: { done: 'q' },
      },
      q: { verb: 'enqueue', queue: 'support', ...enqueue, next: { error: 'sorry' } },
      sorry: { verb: 'end', outcome: 'no_queue' },
    },
  });

describe('enqueue', () => {
  it('hands over with the set priority and skills, merged with its own, plus variables and contact updates', () => {
    const c = new Conversation(
      flow({
        skills: [
          { skill: 'billing', minLevel: 7 },
          { skill: 'vip', minLevel: 1 },
        ],
      }),
      {
        channel: 'chat',
        language: 'en',
        caller: { number: '+100' },
      },
    );
    expect(c.action).toEqual({
      type: 'enqueue',
      queue: 'support',
      priority: 3,
      skills: [
        { skill: 'ru', minLevel: 2 },
        { skill: 'billing', minLevel: 7 },
        { skill: 'vip', minLevel: 1 },
      ],
      language: 'en',
      variables: { topic: 'refund', 'caller.number': '+100', 'contact.email': 'a@b.c' },
      contactUpdates: { email: 'a@b.c' },
    });
    c.done();
    expect(c.action).toEqual({ type: 'end', reason: 'handed_over', outcome: null, error: null });
    expect(c.step.state.status).toBe('ended');
  });

  it('its own priority wins; `variables` limits what the agent sees', () => {
    const c = new Conversation(flow({ priority: 9, variables: ['topic'] }));
    expect(c.action).toMatchObject({ priority: 9, variables: { topic: 'refund' } });
    expect(Object.keys((c.action as { variables: object }).variables)).toEqual(['topic']);
  });

  it('an error from the router takes the error edge', () => {
    const c = new Conversation(flow({}));
    c.send({ type: 'error', code: 'UNKNOWN_QUEUE' });
    expect(c.action).toMatchObject({ type: 'end', outcome: 'no_queue' });
  });
});
