import type { InteractionState } from '@hotline/core/interaction/interaction-lifecycle';
import { describe, expect, it } from 'vitest';
import { AgentNumberTransfer, type DialResult, type HandOffSteps } from './number-transfer';

/** A call's side of the transfer, recording what it was asked to do; `dial` waits for the test. */
function steps() {
  const did: string[] = [];
  let answer: ((r: DialResult) => void) | null = null;
  let signal: AbortSignal | null = null;
  const sut: HandOffSteps = {
    releaseAgent: () => void did.push('release'),
    dial: (number, s) => {
      did.push(`dial ${number}`);
      signal = s;
      s.addEventListener('abort', () => did.push('dial aborted'));
      return new Promise((resolve) => {
        answer = resolve;
      });
    },
    handedOff: async () => void did.push('handed off'),
    bridgeBack: async (agentId) => void did.push(`back to ${agentId}`),
    apply: (to: InteractionState) => void did.push(`apply ${to}`),
  };
  return {
    sut,
    did,
    answer: (r: DialResult) => answer!(r),
    signal: () => signal!,
  };
}

const tick = () => new Promise((r) => setImmediate(r));

describe('AgentNumberTransfer', () => {
  it('answered: releases the agent first, hands the call off, then takes the router changes as moot', async () => {
    const s = steps();
    const transfer = new AgentNumberTransfer(s.sut, new AbortController().signal);
    const done = transfer.transfer('agent-1', '+74951117788');
    expect(transfer.dialling).toBe(true);
    s.answer({ ok: true, number: '+74951117788' });
    expect(await done).toEqual({ ok: true, number: '+74951117788' });
    expect(s.did).toEqual(['release', 'dial +74951117788', 'handed off']);
    expect(transfer.handedOff).toBe(true);
    expect(transfer.intercept('wrap_up')).toBe(true);
    expect(s.did).not.toContain('apply wrap_up');
  });

  it('busy: the caller goes back to the same agent, and the failure keeps its code', async () => {
    const s = steps();
    const transfer = new AgentNumberTransfer(s.sut, new AbortController().signal);
    const done = transfer.transfer('agent-1', '+74951117799');
    s.answer({ ok: false, code: 'BUSY', message: 'busy (486)' });
    expect(await done).toEqual({ ok: false, code: 'BUSY', message: 'busy (486)' });
    expect(s.did).toEqual(['release', 'dial +74951117799', 'back to agent-1']);
    expect(transfer.dialling).toBe(false);
    expect(transfer.intercept('wrap_up')).toBe(false);
  });

  it('no outbound calls on this server: FAILED, the agent gets the caller back', async () => {
    const s = steps();
    const transfer = new AgentNumberTransfer(s.sut, new AbortController().signal);
    const done = transfer.transfer('agent-1', '+74951117788');
    s.answer({ ok: false, code: 'UNAVAILABLE', message: 'not configured' });
    expect(await done).toMatchObject({ ok: false, code: 'FAILED' });
    expect(s.did.at(-1)).toBe('back to agent-1');
  });

  it('the router moves the call while the number rings: the dial is cancelled, then the move applies', async () => {
    const s = steps();
    const transfer = new AgentNumberTransfer(s.sut, new AbortController().signal);
    const done = transfer.transfer('agent-1', '+74951117788');
    expect(transfer.intercept('queued')).toBe(true);
    expect(s.signal().aborted).toBe(true);
    expect(s.did).not.toContain('apply queued'); // not while the number is still being put down
    s.answer({ ok: false, code: 'CANCELLED', message: 'cancelled' });
    expect(await done).toMatchObject({ ok: false, code: 'CALL_ENDED' });
    expect(s.did).toEqual(['release', 'dial +74951117788', 'dial aborted', 'apply queued']);
  });

  it('the call ends while the number rings: the dial gives up with it; CALL_ENDED', async () => {
    const s = steps();
    const call = new AbortController();
    const transfer = new AgentNumberTransfer(s.sut, call.signal);
    const done = transfer.transfer('agent-1', '+74951117788');
    call.abort();
    expect(s.signal().aborted).toBe(true);
    s.answer(null);
    expect(await done).toMatchObject({ ok: false, code: 'CALL_ENDED' });
    expect(s.did).not.toContain('back to agent-1');
  });

  it('one transfer at a time', async () => {
    const s = steps();
    const transfer = new AgentNumberTransfer(s.sut, new AbortController().signal);
    const first = transfer.transfer('agent-1', '+74951117788');
    expect(await transfer.transfer('agent-1', '+74951117799')).toMatchObject({ ok: false, code: 'FAILED' });
    await tick();
    expect(s.did.filter((d) => d.startsWith('dial'))).toEqual(['dial +74951117788']);
    s.answer({ ok: false, code: 'NO_ANSWER', message: 'no answer' });
    expect(await first).toMatchObject({ code: 'NO_ANSWER' });
  });
});
