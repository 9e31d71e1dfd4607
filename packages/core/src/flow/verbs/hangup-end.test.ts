import { describe, expect, it } from 'vitest';
import { millis } from '../../ports';
import { resume } from '../interpreter';
import { Conversation, single } from '../test-support';

describe('hangup and end', () => {
  it('hangup ends the flow with a hangup action', () => {
    const c = new Conversation(single({ verb: 'hangup' }, []), { channel: 'voice' });
    expect(c.action).toEqual({ type: 'hangup' });
    expect(c.step.state.status).toBe('ended');
  });

  it('end carries its outcome label; an ended flow refuses further events', () => {
    const sut = single({ verb: 'end', outcome: 'resolved' }, []);
    const c = new Conversation(sut);
    expect(c.action).toEqual({ type: 'end', reason: 'completed', outcome: 'resolved', error: null });
    const r = resume(sut, c.step.state, { type: 'input', value: 'hello?' }, { now: millis(0) });
    expect(r.refused?.code).toBe('FLOW_ENDED');
    expect(r.state).toBe(c.step.state);
  });
});
