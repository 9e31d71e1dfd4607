import { describe, expect, it, vi } from 'vitest';
import type { AgentPhoneSeam } from './agent-seam';
import { InboundCall } from './inbound-call';

/** An inbound call with nothing behind it but what the recorder's failure touches. */
function call() {
  const seam = {
    onVoiceOffer: () => {},
    onVoiceOfferWithdrawn: () => {},
    bridgeToAgent: async () => {},
    onVoiceCallEnded: () => {},
    onRecording: vi.fn(),
  } satisfies AgentPhoneSeam;
  const errors: { fields: object; message: string }[] = [];
  const sip = { on: () => {}, hangUp: vi.fn() };
  const sut = new InboundCall(
    {
      seam: () => seam,
      log: {
        info: () => {},
        warn: () => {},
        error: (fields: object, message: string) => errors.push({ fields, message }),
      },
    } as never,
    {
      callId: 'c1',
      tenantId: 't1',
      interactionId: 'i1',
      sipCallId: 's1',
      caller: '+1',
      did: '+2',
      trunkId: 'k1',
      codec: 'PCMU',
    },
    sip as never,
    {} as never,
  );
  return { sut, seam, sip, errors };
}

describe('InboundCall: a recorder that cannot write', () => {
  it('is logged and reported to the agent, and the call goes on', async () => {
    const { sut, seam, sip, errors } = call();
    sut.onMediaEvent({ type: 'record-error', callId: 'c1', message: 'ENOSPC: no space left on device' });
    expect(errors).toEqual([
      expect.objectContaining({
        message: 'call recording failed; the call goes on unrecorded',
        fields: expect.objectContaining({ callId: 'c1', message: 'ENOSPC: no space left on device' }),
      }),
    ]);
    expect(seam.onRecording).toHaveBeenCalledWith(sut.handle, 'failed');
    expect(sip.hangUp).not.toHaveBeenCalled();
    expect(sut.phase).not.toBe('ended');
    // the agent's "Record" learns it failed rather than starting a second file
    await expect(sut.handle.record('agent')).resolves.toBe('failed');
  });
});
