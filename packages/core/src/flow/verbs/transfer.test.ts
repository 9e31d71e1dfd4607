import { describe, expect, it } from 'vitest';
import { Conversation, single } from '../test-support';
import { validateFlow } from '../validate-flow';

describe('transfer', () => {
  it('to an external number: done ends the flow as transferred', () => {
    const c = new Conversation(single({ verb: 'transfer', number: '+74951112233' }, ['failed']), {
      channel: 'voice',
    });
    expect(c.action).toEqual({ type: 'transfer', to: { kind: 'number', number: '+74951112233' } });
    c.done();
    expect(c.action).toMatchObject({ type: 'end', reason: 'transferred' });
  });

  it('to an agent: an error or no answer takes failed', () => {
    for (const event of [{ type: 'error' }, { type: 'timeout' }] as const) {
      const c = new Conversation(single({ verb: 'transfer', agent: 'agent-7' }, ['failed']), {
        channel: 'voice',
      });
      expect(c.action).toEqual({ type: 'transfer', to: { kind: 'agent', agentId: 'agent-7' } });
      c.send(event);
      expect(c.outcome).toBe('failed');
    }
  });

  it('needs exactly one target and a plausible number', () => {
    const flow = (t: Record<string, unknown>) => ({
      id: 'f',
      version: 1,
      entry: 'a',
      nodes: { a: { verb: 'transfer', ...t, next: { failed: 'b' } }, b: { verb: 'hangup' } },
    });
    expect(validateFlow(flow({})).map((i) => i.code)).toEqual(['MISSING_FIELD']);
    expect(validateFlow(flow({ number: '+1555', agent: 'x' })).map((i) => i.code)).toEqual(['BAD_VALUE']);
    expect(validateFlow(flow({ number: '555-CALL-NOW' })).map((i) => `${i.code} ${i.path}`)).toEqual([
      'BAD_VALUE /nodes/a/number',
    ]);
  });
});
