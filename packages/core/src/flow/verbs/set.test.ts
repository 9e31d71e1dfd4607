import { describe, expect, it } from 'vitest';
import { Conversation, single } from '../test-support';

describe('set', () => {
  it('assigns in order, updates contact attributes, routing and language', () => {
    const sut = single(
      {
        verb: 'set',
        values: { n: '1', m: 'n + 1', 'contact.segment': "'vip'" },
        priority: 7,
        skills: [{ skill: 'billing', minLevel: 4 }],
        language: 'en',
      },
      ['done'],
      { n: { type: 'number' }, m: { type: 'number' } },
    );
    const c = new Conversation(sut, { channel: 'chat', language: 'ru' });
    expect(c.outcome).toBe('done');
    const s = c.step.state;
    expect(s.vars).toMatchObject({ n: 1, m: 2, 'contact.segment': 'vip' });
    expect(s.contactUpdates).toEqual({ segment: 'vip' });
    expect(s.routing).toEqual({ priority: 7, skills: [{ skill: 'billing', minLevel: 4 }] });
    expect(s.language).toBe('en');
  });

  it('refuses to store a list', () => {
    const c = new Conversation(single({ verb: 'set', values: { x: '[1, 2]' } }, ['done']));
    expect(c.action).toMatchObject({
      type: 'end',
      error: { code: 'EXPRESSION_FAILED', message: expect.stringMatching(/list/) },
    });
  });

  it('truncates strings at the engine limit', () => {
    const big = new Conversation(
      single({ verb: 'set', values: { x: 'big' } }, ['done'], { big: { type: 'string' } }),
      { channel: 'chat', variables: { big: 'y'.repeat(10_000) } },
    );
    expect((big.step.state.vars.x as string).length).toBe(4096);
  });
});
