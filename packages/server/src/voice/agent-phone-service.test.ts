import type { MediaEvent } from '@hotline/media/worker/protocol';
import { MediaCommandError } from '@hotline/media/worker/typed-port';
import type { PhoneServerFrame, RecordingStatus } from '@hotline/protocol/agent-phone';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AgentPhoneService } from './agent-phone-service';
import type { NumberTransfer } from './agent-seam';
import type { MediaRuntime } from './media-runtime';

/** The media host as the service uses it, in memory: phones by id, events pushed by the test. */
function fakeMedia() {
  const phones = new Set<string>();
  const listeners = new Set<(e: MediaEvent) => void>();
  const host = {
    createAgentPhone: vi.fn(async (id: string, offer: string) => {
      if (!offer.startsWith('v=0')) throw new MediaCommandError('BAD_OFFER', 'nope');
      phones.add(id);
      return { answer: `answer-for-${id}`, worker: 0 };
    }),
    closeAgentPhone: vi.fn(async (id: string) => {
      if (!phones.delete(id)) throw new MediaCommandError('NO_SUCH_PHONE', id);
      return {};
    }),
    checkAgentPhone: vi.fn(async () => undefined),
    stopAgentPhoneCheck: vi.fn(async () => undefined),
    attachAgentPhone: vi.fn(async () => undefined),
    detachAgentPhone: vi.fn(async () => true),
  };
  const runtime = {
    host,
    address: '127.0.0.1',
    subscribe: (l: (e: MediaEvent) => void) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    stop: async () => {},
  } as unknown as MediaRuntime;
  return {
    runtime,
    host,
    phones,
    emit: (e: MediaEvent) => {
      for (const l of listeners) l(e);
    },
  };
}

function sink() {
  const frames: PhoneServerFrame[] = [];
  return { frames, send: (f: PhoneServerFrame) => frames.push(f) };
}

const log = { warn: () => {}, error: () => {} };
const KEY = AgentPhoneService.keyOf('t1', 'u1');
const TAB = 'tab-aaaaaaaa';

afterEach(() => {
  vi.useRealTimers();
});

async function connectedPhone(
  sut: AgentPhoneService,
  media: ReturnType<typeof fakeMedia>,
  s = sink(),
  tabId = TAB,
) {
  sut.connect(KEY, s);
  await sut.handle(KEY, { type: 'phone.offer', tabId, sdp: 'v=0 offer' }, s);
  const id = [...media.phones].at(-1)!;
  media.emit({ type: 'phone-state', phoneId: id, state: 'connected' });
  return { id, s };
}

describe('AgentPhoneService', () => {
  it('answers an offer and reports the state to every socket of the agent', async () => {
    const media = fakeMedia();
    const sut = new AgentPhoneService({ media: media.runtime, log });
    const other = sink();
    sut.connect(KEY, other);
    const { id, s } = await connectedPhone(sut, media);
    expect(s.frames[0]).toEqual({ type: 'phone.answer', tabId: TAB, sdp: `answer-for-${id}` });
    expect(other.frames.at(-1)).toEqual({
      type: 'phone.state',
      tabId: TAB,
      state: 'connected',
      mode: 'idle',
    });
    expect(other.frames.some((f) => f.type === 'phone.answer')).toBe(false); // only to the offering socket
    expect(sut.connectedPhone('t1', 'u1')).toBe(id);
  });

  it('replaces the phone on a new offer (another tab) and closes the old one', async () => {
    const media = fakeMedia();
    const sut = new AgentPhoneService({ media: media.runtime, log });
    const first = await connectedPhone(sut, media);
    const second = sink();
    sut.connect(KEY, second);
    await sut.handle(KEY, { type: 'phone.offer', tabId: 'tab-bbbbbbbb', sdp: 'v=0 again' }, second);
    expect(media.host.closeAgentPhone).toHaveBeenCalledWith(first.id);
    expect(first.s.frames).toContainEqual({
      type: 'phone.state',
      tabId: TAB,
      state: 'closed',
      mode: 'idle',
      reason: 'replaced',
    });
    expect(media.phones.size).toBe(1);
  });

  it('keeps the phone while sockets come and go, closes it after the grace period without any', async () => {
    vi.useFakeTimers();
    const media = fakeMedia();
    const sut = new AgentPhoneService({ media: media.runtime, log, graceMs: 1000 });
    const s = sink();
    const off = sut.connect(KEY, s);
    await sut.handle(KEY, { type: 'phone.offer', tabId: TAB, sdp: 'v=0' }, s);
    off();
    await vi.advanceTimersByTimeAsync(900);
    const back = sink();
    const off2 = sut.connect(KEY, back); // reconnected in time: told the state at once
    expect(back.frames[0]).toMatchObject({ type: 'phone.state', state: 'connecting' });
    await vi.advanceTimersByTimeAsync(2000);
    expect(media.phones.size).toBe(1);
    off2();
    await vi.advanceTimersByTimeAsync(1100);
    expect(media.phones.size).toBe(0);
  });

  it('closes at once when the session ends', async () => {
    const media = fakeMedia();
    const sut = new AgentPhoneService({ media: media.runtime, log });
    await connectedPhone(sut, media);
    sut.sessionEnded(KEY);
    await vi.waitFor(() => expect(media.phones.size).toBe(0));
  });

  it('answers with stable codes: bad offer, not connected, busy, voice off, too many offers', async () => {
    const media = fakeMedia();
    const sut = new AgentPhoneService({ media: media.runtime, log, offersPerMinute: 3 });
    const s = sink();
    sut.connect(KEY, s);
    const codes = () => s.frames.flatMap((f) => (f.type === 'phone.error' ? [f.code] : []));
    await sut.handle(KEY, { type: 'phone.offer', tabId: TAB, sdp: 'garbage' }, s);
    await sut.handle(KEY, { type: 'phone.check', tabId: TAB, action: 'start' }, s);
    const { id } = await connectedPhone(sut, media, s);
    await sut.attach('t1', 'u1', {} as never, 'agent');
    await sut.handle(KEY, { type: 'phone.check', tabId: TAB, action: 'start' }, s);
    await sut.handle(KEY, { type: 'phone.offer', tabId: TAB, sdp: 'v=0' }, s);
    await sut.handle(KEY, { type: 'phone.offer', tabId: TAB, sdp: 'v=0' }, s);
    expect(codes()).toEqual(['BAD_OFFER', 'PHONE_NOT_CONNECTED', 'PHONE_BUSY', 'RATE_LIMITED']);
    expect(media.host.attachAgentPhone).toHaveBeenCalledWith(id, {}, 'agent');

    const off = new AgentPhoneService({ media: undefined, log });
    const s2 = sink();
    await off.handle(KEY, { type: 'phone.offer', tabId: TAB, sdp: 'v=0' }, s2);
    expect(s2.frames).toEqual([
      {
        type: 'phone.error',
        tabId: TAB,
        code: 'VOICE_UNAVAILABLE',
        message: 'voice is not enabled on this server',
      },
    ]);
  });

  it('turns media events into frames: check result, keys, a connection that failed', async () => {
    const media = fakeMedia();
    const sut = new AgentPhoneService({ media: media.runtime, log });
    const { id, s } = await connectedPhone(sut, media);
    await sut.handle(KEY, { type: 'phone.check', tabId: TAB, action: 'start' }, s);
    media.emit({
      type: 'phone-check-done',
      phoneId: id,
      result: { framesHeard: 10, micRmsDbfs: -20, micPeakDbfs: -10, micToneHz: 1000, completed: true },
    });
    media.emit({
      type: 'phone-dtmf',
      phoneId: id,
      event: { legId: id, digit: '7', durationMs: 120, source: 'rfc4733' },
    });
    media.emit({
      type: 'phone-dtmf',
      phoneId: 'someone-else',
      event: { legId: 'x', digit: '9', durationMs: 1, source: 'rfc4733' },
    });
    media.emit({ type: 'phone-state', phoneId: id, state: 'failed' });
    media.emit({ type: 'phone-closed', phoneId: id, reason: 'connection failed' });
    const tail = s.frames.slice(-5);
    expect(tail).toEqual([
      {
        type: 'phone.check-done',
        tabId: TAB,
        result: { micRmsDbfs: -20, micPeakDbfs: -10, micToneHz: 1000, completed: true },
      },
      { type: 'phone.state', tabId: TAB, state: 'connected', mode: 'idle' },
      { type: 'phone.dtmf', tabId: TAB, digit: '7', durationMs: 120 },
      { type: 'phone.state', tabId: TAB, state: 'failed', mode: 'idle' },
      { type: 'phone.state', tabId: TAB, state: 'failed', mode: 'idle', reason: 'connection failed' },
    ]);
    expect(sut.connectedPhone('t1', 'u1')).toBeUndefined();
  });

  it('is the seam inbound calls use: accepting bridges the caller into the phone, the end unhooks it', async () => {
    const media = fakeMedia();
    const sut = new AgentPhoneService({ media: media.runtime, log });
    const { id, s } = await connectedPhone(sut, media);
    const steps: string[] = [];
    const call = {
      tenantId: 't1',
      interactionId: 'i1',
      callId: 'c1',
      caller: '+10000000000',
      did: '+20000000000',
      media: { connect: vi.fn(async (legs: string[]) => steps.push(`connect ${legs.join('+')}`)) },
      stopHold: vi.fn(async () => steps.push('stopHold')),
      resumeHold: vi.fn(async () => steps.push('resumeHold')),
      noteRecording: vi.fn(async () => {}),
    };
    media.host.attachAgentPhone.mockImplementation(async () => {
      steps.push('attach');
    });
    const seam = sut.voiceSeam();
    await seam.bridgeToAgent(call as never, 'u1');
    expect(steps).toEqual(['stopHold', 'attach', 'connect caller+agent']);
    expect(media.host.attachAgentPhone).toHaveBeenCalledWith(id, call.media, 'agent');
    expect(s.frames.at(-1)).toMatchObject({ type: 'phone.state', mode: 'call' });
    seam.onVoiceCallEnded(call as never);
    await vi.waitFor(() => expect(media.host.detachAgentPhone).toHaveBeenCalledWith(id));

    // an agent without a connected phone: the caller goes back on hold and the error says why
    steps.length = 0;
    await expect(seam.bridgeToAgent({ ...call, callId: 'c2' } as never, 'nobody')).rejects.toMatchObject({
      code: 'PHONE_NOT_CONNECTED',
    });
    expect(steps).toEqual(['stopHold', 'resumeHold']);
  });

  it("records on the agent's request and tells every tab the recording status", async () => {
    const media = fakeMedia();
    const sut = new AgentPhoneService({ media: media.runtime, log });
    const { s } = await connectedPhone(sut, media);
    const record = vi.fn(async (): Promise<RecordingStatus> => 'recording');
    const call = {
      tenantId: 't1',
      callId: 'c1',
      media: { connect: vi.fn(async () => {}) },
      stopHold: vi.fn(async () => {}),
      resumeHold: vi.fn(async () => {}),
      record,
    };
    const errorOf = () => s.frames.filter((f) => f.type === 'phone.error').at(-1);

    // no call bridged in yet: nothing to record
    await sut.handle(KEY, { type: 'phone.record', tabId: TAB }, s);
    expect(errorOf()).toMatchObject({ code: 'NOT_ON_CALL' });
    expect(record).not.toHaveBeenCalled();

    const seam = sut.voiceSeam();
    await seam.bridgeToAgent(call as never, 'u1');
    // the call's policy is known after the answer (on_demand: the agent may start it)
    seam.onRecording?.(call as never, 'available');
    expect(s.frames.at(-1)).toEqual({ type: 'phone.recording', tabId: TAB, status: 'available' });
    // a reconnecting socket learns it at once, after the phone's state
    const late = sink();
    sut.connect(KEY, late);
    expect(late.frames).toEqual([
      { type: 'phone.state', tabId: TAB, state: 'connected', mode: 'call' },
      { type: 'phone.recording', tabId: TAB, status: 'available' },
    ]);

    await sut.handle(KEY, { type: 'phone.record', tabId: TAB }, s);
    expect(record).toHaveBeenCalledWith('agent');
    expect(s.frames.at(-1)).toEqual({ type: 'phone.recording', tabId: TAB, status: 'recording' });
    expect(late.frames.at(-1)).toEqual({ type: 'phone.recording', tabId: TAB, status: 'recording' });

    // a queue that never records refuses; a recorder that cannot start says so
    record.mockResolvedValueOnce('unavailable');
    await sut.handle(KEY, { type: 'phone.record', tabId: TAB }, s);
    expect(errorOf()).toMatchObject({ code: 'RECORDING_NOT_ALLOWED' });
    record.mockResolvedValueOnce('failed');
    await sut.handle(KEY, { type: 'phone.record', tabId: TAB }, s);
    expect(errorOf()).toMatchObject({ code: 'RECORDING_FAILED' });
    expect(s.frames.filter((f) => f.type === 'phone.recording').at(-1)).toMatchObject({ status: 'failed' });

    // another tab's frame is not this phone's; a status for a call that is not bridged here is dropped
    await sut.handle(KEY, { type: 'phone.record', tabId: 'tab-bbbbbbbb' }, s);
    expect(errorOf()).toMatchObject({ code: 'NOT_ON_CALL', tabId: 'tab-bbbbbbbb' });
    const before = s.frames.length;
    seam.onRecording?.({ ...call, callId: 'other' } as never, 'recording');
    expect(s.frames.length).toBe(before);

    // the end of the call forgets it
    seam.onVoiceCallEnded(call as never);
    await sut.handle(KEY, { type: 'phone.record', tabId: TAB }, s);
    expect(errorOf()).toMatchObject({ code: 'NOT_ON_CALL', tabId: TAB });
  });

  it("passes the agent's keys on to the bridged call, never while idle", async () => {
    const media = fakeMedia();
    const sut = new AgentPhoneService({ media: media.runtime, log });
    const { id, s } = await connectedPhone(sut, media);
    const sendAgentDigit = vi.fn();
    const call = {
      tenantId: 't1',
      callId: 'c1',
      media: { connect: vi.fn(async () => {}) },
      stopHold: vi.fn(async () => {}),
      resumeHold: vi.fn(async () => {}),
      sendAgentDigit,
    };
    const key = (digit: string, durationMs: number) =>
      media.emit({
        type: 'phone-dtmf',
        phoneId: id,
        event: { legId: id, digit: digit as never, durationMs, source: 'rfc4733' },
      });
    key('1', 100); // no call yet: the desktop hears of it, nobody else
    const seam = sut.voiceSeam();
    await seam.bridgeToAgent(call as never, 'u1');
    key('7', 120);
    key('#', 20); // played on long enough for any IVR
    key('0', 60_000); // a key whose end was lost: not a minute of tone
    expect(sendAgentDigit.mock.calls).toEqual([
      ['7', 120],
      ['#', 100],
      ['0', 1000],
    ]);
    seam.onVoiceCallEnded(call as never);
    await vi.waitFor(() => expect(s.frames.at(-1)).toMatchObject({ type: 'phone.state', mode: 'idle' }));
    key('9', 100);
    expect(sendAgentDigit).toHaveBeenCalledTimes(3);
    expect(
      s.frames.filter((f) => f.type === 'phone.dtmf').map((f) => f.type === 'phone.dtmf' && f.digit),
    ).toEqual(['1', '7', '#', '0', '9']);
  });

  it('hands the bridged call to a number without holding up the agent, and reports how it went', async () => {
    const media = fakeMedia();
    const sut = new AgentPhoneService({ media: media.runtime, log });
    const { s } = await connectedPhone(sut, media);
    let settle: (r: NumberTransfer) => void = () => {};
    const transferToNumber = vi.fn(() => new Promise<NumberTransfer>((resolve) => (settle = resolve)));
    const base = {
      tenantId: 't1',
      callId: 'c1',
      media: { connect: vi.fn(async () => {}) },
      stopHold: vi.fn(async () => {}),
      resumeHold: vi.fn(async () => {}),
      sendAgentDigit: vi.fn(),
    };
    const errorOf = () => s.frames.filter((f) => f.type === 'phone.error').at(-1);
    const transfers = () => s.frames.filter((f) => f.type === 'phone.transfer');
    const send = () => sut.handle(KEY, { type: 'phone.transfer', tabId: TAB, number: '+74951117788' }, s);

    await send(); // no call on the phone
    expect(errorOf()).toMatchObject({ code: 'NOT_ON_CALL' });
    const seam = sut.voiceSeam();
    await seam.bridgeToAgent(base as never, 'u1'); // a call that cannot go out (a callback)
    await send();
    expect(errorOf()).toMatchObject({ code: 'TRANSFER_UNAVAILABLE' });
    seam.onVoiceCallEnded(base as never);

    await seam.bridgeToAgent({ ...base, callId: 'c2', transferToNumber } as never, 'u1');
    await send();
    expect(transferToNumber).toHaveBeenCalledWith('+74951117788');
    expect(transfers()).toEqual([
      { type: 'phone.transfer', tabId: TAB, number: '+74951117788', status: 'dialling' },
    ]);
    // While the number rings, the agent's other commands are served.
    await sut.handle(KEY, { type: 'phone.check', tabId: TAB, action: 'start' }, s);
    expect(errorOf()).toMatchObject({ code: 'PHONE_BUSY' });
    settle({ ok: false, code: 'BUSY', message: '486 Busy Here' });
    await vi.waitFor(() => expect(transfers()).toHaveLength(2));
    expect(transfers()[1]).toEqual({
      type: 'phone.transfer',
      tabId: TAB,
      number: '+74951117788',
      status: 'failed',
      code: 'BUSY',
      message: '486 Busy Here',
    });
    await send();
    settle({ ok: true, number: '+74951117788' });
    await vi.waitFor(() => expect(transfers().at(-1)).toMatchObject({ status: 'connected' }));
  });
});
