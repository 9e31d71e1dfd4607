import { describe, expect, it } from 'vitest';
import type { Capacity } from '../channels';
import { agentId, interactionId } from '../ids';
import { millis } from '../ports';
import * as sut from './agent-state';

const capacity: Capacity = { voice: 1, chat: 3, email: 5, sms: 0, messenger: 0, task: 1 };
const t = (n: number) => millis(n);
const ready = () =>
  sut.setReady(sut.login(sut.newAgentState(agentId('a1'), capacity, t(0)), t(1)).agent, t(2)).agent;
const chat = (n: number) => ({
  interactionId: interactionId(`c${n}`),
  channel: 'chat' as const,
  exclusive: false,
});
const call = (n: number) => ({
  interactionId: interactionId(`v${n}`),
  channel: 'voice' as const,
  exclusive: true,
});

describe('agent state', () => {
  it('logs in not ready, then ready; each change is a timestamped event', () => {
    const a0 = sut.newAgentState(agentId('a1'), capacity, t(0));
    const login = sut.login(a0, t(10));
    expect(login.agent.status).toBe('not_ready');
    expect(login.events).toEqual([
      {
        type: 'agent.state_changed',
        agentId: 'a1',
        from: 'logged_out',
        to: 'not_ready',
        presence: 'not_ready',
        reason: null,
        at: 10,
      },
    ]);
    const r = sut.setReady(login.agent, t(20));
    expect(r.agent.status).toBe('ready');
    expect(r.agent.statusSince).toBe(20);
    expect(sut.setReady(r.agent, t(30)).events).toEqual([]);
  });

  it('refuses ready or not-ready while logged out', () => {
    const a0 = sut.newAgentState(agentId('a1'), capacity, t(0));
    expect(() => sut.setReady(a0, t(1))).toThrow(expect.objectContaining({ code: 'ILLEGAL_TRANSITION' }));
    expect(() => sut.setNotReady(a0, 'lunch', t(1))).toThrow(
      expect.objectContaining({ code: 'ILLEGAL_TRANSITION' }),
    );
  });

  it('derives reserved, busy and wrap_up from the work held', () => {
    let a = ready();
    a = sut.offer(a, chat(1), t(3)).agent;
    expect(a.status).toBe('reserved');
    a = sut.accept(a, interactionId('c1'), t(4)).agent;
    expect(a.status).toBe('busy');
    a = sut.offer(a, chat(2), t(5)).agent;
    expect(a.status).toBe('busy');
    a = sut.withdrawOffer(a, interactionId('c2'), 'declined', t(6), 3).agent;
    a = sut.endWork(a, interactionId('c1'), t(10), 5_000).agent;
    expect(a.status).toBe('wrap_up');
    expect(a.work[0]).toMatchObject({ phase: 'wrap_up', wrapUpUntil: 5_010 });
    expect(a.handledCount).toBe(1);
    expect(a.busyMs).toBe(6);
    a = sut.finishWrapUp(a, interactionId('c1'), t(20)).agent;
    expect(a.status).toBe('ready');
    expect(a.idleSince).toBe(20);
  });

  it('counts capacity per channel and lets a call block every other channel', () => {
    let a = ready();
    expect(sut.freeSlots(a, 'chat')).toBe(3);
    a = sut.offer(a, chat(1), t(3)).agent;
    a = sut.offer(a, chat(2), t(3)).agent;
    expect(sut.freeSlots(a, 'chat')).toBe(1);
    expect(sut.freeSlots(a, 'voice')).toBe(1);
    a = sut.offer(a, call(1), t(4)).agent;
    expect(sut.freeSlots(a, 'chat')).toBe(0);
    expect(sut.freeSlots(a, 'email')).toBe(0);
    expect(sut.freeSlots(a, 'voice')).toBe(0);
    expect(() => sut.offer(a, chat(3), t(5))).toThrow(
      expect.objectContaining({ code: 'ILLEGAL_TRANSITION' }),
    );
    expect(sut.freeSlots(a, 'sms')).toBe(0);
  });

  it('offers nothing to an agent who is not ready, even with free capacity', () => {
    const a = sut.setNotReady(ready(), 'lunch', t(3)).agent;
    expect(a).toMatchObject({ status: 'not_ready', notReadyReason: 'lunch' });
    expect(sut.freeSlots(a, 'chat')).toBe(0);
  });

  it('shows busy during a call after asking for not ready, and not ready once the call ends', () => {
    let a = sut.accept(sut.offer(ready(), call(1), t(3)).agent, interactionId('v1'), t(4)).agent;
    const nr = sut.setNotReady(a, 'break', t(5));
    expect(nr.agent.status).toBe('busy');
    expect(nr.events).toMatchObject([{ from: 'busy', to: 'busy', reason: 'break' }]);
    a = sut.endWork(nr.agent, interactionId('v1'), t(6), 0).agent;
    expect(a.status).toBe('not_ready');
  });

  it('goes not ready ("missed") after N offers in a row time out; an answer resets the count', () => {
    let a = ready();
    a = sut.withdrawOffer(sut.offer(a, chat(1), t(3)).agent, interactionId('c1'), 'timeout', t(4), 2).agent;
    expect(a.missedInRow).toBe(1);
    a = sut.accept(sut.offer(a, chat(2), t(5)).agent, interactionId('c2'), t(6)).agent;
    expect(a.missedInRow).toBe(0);
    a = sut.withdrawOffer(sut.offer(a, chat(3), t(7)).agent, interactionId('c3'), 'timeout', t(8), 2).agent;
    a = sut.withdrawOffer(sut.offer(a, chat(4), t(9)).agent, interactionId('c4'), 'timeout', t(10), 2).agent;
    expect(a).toMatchObject({ presence: 'not_ready', notReadyReason: 'missed', status: 'busy' });
    // Declines never count as missed.
    let b = ready();
    for (let i = 0; i < 5; i++) {
      b = sut.withdrawOffer(
        sut.offer(b, chat(i), t(3)).agent,
        interactionId(`c${i}`),
        'declined',
        t(4),
        2,
      ).agent;
    }
    expect(b.presence).toBe('ready');
  });

  it('refuses to accept an offer the agent does not hold', () => {
    expect(() => sut.accept(ready(), interactionId('nope'), t(3))).toThrow(
      expect.objectContaining({ code: 'NOT_YOUR_OFFER' }),
    );
  });
});
