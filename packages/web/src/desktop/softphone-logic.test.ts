import type { PhoneServerFrame } from '@hotline/protocol/agent-phone';
import { describe, expect, it } from 'vitest';
import {
  dialableNumber,
  g711Codecs,
  initialSoftphone,
  keypadDigit,
  micProblemOf,
  newTabId,
  type SoftphoneAction,
  type SoftphoneState,
  softphoneReducer,
} from './softphone-logic';

const ME = 'tab-mine0000';
const OTHER = 'tab-other000';
const frame = (f: PhoneServerFrame, now = 1000): SoftphoneAction => ({
  type: 'frame',
  frame: f,
  tabId: ME,
  now,
});
const run = (...actions: SoftphoneAction[]): SoftphoneState =>
  actions.reduce(softphoneReducer, initialSoftphone);

describe('softphoneReducer', () => {
  it('goes off → starting → connecting → connected', () => {
    const s = run(
      { type: 'start' },
      frame({ type: 'phone.answer', tabId: ME, sdp: 'v=0' }),
      { type: 'answered' },
      { type: 'connection', state: 'connected' },
      frame({ type: 'phone.state', tabId: ME, state: 'connected', mode: 'idle' }),
    );
    expect(s.status).toBe('connected');
    expect(s.mode).toBe('idle');
  });

  it('reports a refused microphone and an offer the server refused', () => {
    expect(run({ type: 'start' }, { type: 'mic-failed', problem: 'denied' })).toMatchObject({
      status: 'off',
      mic: 'denied',
    });
    expect(
      run({ type: 'start' }, frame({ type: 'phone.error', tabId: ME, code: 'BAD_OFFER', message: '' })),
    ).toMatchObject({ status: 'failed', error: 'BAD_OFFER' });
    // someone else's error is not ours
    expect(
      run({ type: 'start' }, frame({ type: 'phone.error', tabId: OTHER, code: 'BAD_OFFER', message: '' }))
        .error,
    ).toBeNull();
  });

  it('times the call from when the server put the phone on it', () => {
    const connected = run(
      { type: 'start' },
      { type: 'answered' },
      { type: 'connection', state: 'connected' },
    );
    const onCall = softphoneReducer(
      connected,
      frame({ type: 'phone.state', tabId: ME, state: 'connected', mode: 'call' }, 5000),
    );
    expect(onCall.callSince).toBe(5000);
    const still = softphoneReducer(
      onCall,
      frame({ type: 'phone.state', tabId: ME, state: 'connected', mode: 'call' }, 9000),
    );
    expect(still.callSince).toBe(5000);
    const after = softphoneReducer(
      still,
      frame({ type: 'phone.state', tabId: ME, state: 'connected', mode: 'idle' }),
    );
    expect(after.callSince).toBeNull();
  });

  it('ignores the close of its own previous phone while re-offering, but not a failure later', () => {
    const restarting = run({ type: 'start' });
    const s = softphoneReducer(
      restarting,
      frame({ type: 'phone.state', tabId: ME, state: 'closed', mode: 'idle', reason: 'replaced' }),
    );
    expect(s.status).toBe('starting');
    const connected = run(
      { type: 'start' },
      { type: 'answered' },
      { type: 'connection', state: 'connected' },
    );
    expect(
      softphoneReducer(
        connected,
        frame({ type: 'phone.state', tabId: ME, state: 'closed', mode: 'idle', reason: 'socket-gone' }),
      ).status,
    ).toBe('failed');
    expect(
      softphoneReducer(
        connected,
        frame({ type: 'phone.state', tabId: ME, state: 'closed', mode: 'idle', reason: 'hangup' }),
      ).status,
    ).toBe('off');
  });

  it('steps aside when another tab takes the phone', () => {
    const connected = run(
      { type: 'start' },
      { type: 'answered' },
      { type: 'connection', state: 'connected' },
    );
    const s = softphoneReducer(
      connected,
      frame({ type: 'phone.state', tabId: OTHER, state: 'connecting', mode: 'idle' }),
    );
    expect(s.status).toBe('elsewhere');
    // and ignores the browser's own connection events from then on
    expect(softphoneReducer(s, { type: 'connection', state: 'failed' }).status).toBe('elsewhere');
  });

  it('keeps the audio check result and the keys the server heard (last 16)', () => {
    let s = run({ type: 'start' }, { type: 'answered' }, { type: 'connection', state: 'connected' });
    s = softphoneReducer(s, frame({ type: 'phone.state', tabId: ME, state: 'connected', mode: 'check' }));
    s = softphoneReducer(
      s,
      frame({
        type: 'phone.check-done',
        tabId: ME,
        result: { micRmsDbfs: -20, micPeakDbfs: -6, micToneHz: 1000, completed: true },
      }),
    );
    expect(s.mode).toBe('idle');
    expect(s.check?.micToneHz).toBe(1000);
    for (const d of '0123456789*#01234567')
      s = softphoneReducer(s, frame({ type: 'phone.dtmf', tabId: ME, digit: d, durationMs: 100 }));
    expect(s.keysHeard).toBe('456789*#01234567');
  });
});

describe('transfer to a number', () => {
  const connected = [
    { type: 'start' },
    { type: 'answered' },
    { type: 'connection', state: 'connected' },
    frame({ type: 'phone.state', tabId: ME, state: 'connected', mode: 'call' }),
  ] as SoftphoneAction[];
  const transfer = (status: 'dialling' | 'connected' | 'failed', code?: 'BUSY') =>
    frame({ type: 'phone.transfer', tabId: ME, number: '+74951117788', status, ...(code ? { code } : {}) });
  const phone = (mode: 'idle' | 'call') =>
    frame({ type: 'phone.state', tabId: ME, state: 'connected', mode });

  it('shows dialling, then connected while the phone is idle, and forgets it on the next call', () => {
    const done = run(...connected, transfer('dialling'), phone('idle'), transfer('connected'));
    expect(done).toMatchObject({
      mode: 'idle',
      transfer: { number: '+74951117788', status: 'connected', code: null },
    });
    expect(
      run(...connected, transfer('dialling'), phone('idle'), transfer('connected'), phone('call')).transfer,
    ).toBe(null);
  });

  it('keeps a failure on the call the caller came back to, until the next call', () => {
    // The phone is back on the call before the failure is reported.
    const back = run(
      ...connected,
      transfer('dialling'),
      phone('idle'),
      phone('call'),
      transfer('failed', 'BUSY'),
    );
    expect(back).toMatchObject({ mode: 'call', transfer: { status: 'failed', code: 'BUSY' } });
    expect(run(...connected, transfer('failed', 'BUSY'), phone('idle'), phone('call')).transfer).toBe(null);
  });

  it('ignores another tab’s transfer', () => {
    const other = { ...transfer('dialling'), tabId: OTHER } as SoftphoneAction;
    expect(run(...connected, other).transfer).toBe(null);
  });

  it('dials only what the server accepts as a number', () => {
    expect(dialableNumber('+7 (495) 111-77.88')).toBe('+74951117788');
    expect(dialableNumber('84951117788')).toBe(null);
    expect(dialableNumber('+0123')).toBe(null);
    expect(dialableNumber('+7 800 CALL NOW')).toBe(null);
    expect(dialableNumber('+1234567890123456')).toBe(null);
  });
});

describe('softphone helpers', () => {
  it('maps getUserMedia errors to what the agent must do', () => {
    expect(micProblemOf({ name: 'NotAllowedError' })).toBe('denied');
    expect(micProblemOf({ name: 'SecurityError' })).toBe('denied');
    expect(micProblemOf({ name: 'NotFoundError' })).toBe('missing');
    expect(micProblemOf({ name: 'NotReadableError' })).toBe('busy');
    expect(micProblemOf(new Error('x'))).toBe('missing');
  });

  it('accepts only keypad digits', () => {
    expect(['1', '0', '*', '#'].map(keypadDigit)).toEqual(['1', '0', '*', '#']);
    expect(['a', 'Enter', '12', ''].map(keypadDigit)).toEqual([null, null, null, null]);
  });

  it('makes tab ids the server accepts', () => {
    expect(newTabId()).toMatch(/^[A-Za-z0-9_-]{8,64}$/);
    expect(newTabId(() => 0)).toBe('tab-aaaaaaaaaaaaaaaa');
  });

  it('keeps G.711 and telephone-event/8000 only, PCMU first', () => {
    const caps = [
      { mimeType: 'audio/opus', clockRate: 48000 },
      { mimeType: 'audio/PCMA', clockRate: 8000 },
      { mimeType: 'audio/telephone-event', clockRate: 48000 },
      { mimeType: 'audio/PCMU', clockRate: 8000 },
      { mimeType: 'audio/telephone-event', clockRate: 8000 },
    ];
    expect(g711Codecs(caps).map((c) => `${c.mimeType}/${c.clockRate}`)).toEqual([
      'audio/PCMU/8000',
      'audio/PCMA/8000',
      'audio/telephone-event/8000',
    ]);
  });

  it('shows the recording of the current call only, and forgets it when the call ends', () => {
    const onCall = run(
      { type: 'start' },
      frame({ type: 'phone.answer', tabId: ME, sdp: 'v=0' }),
      frame({ type: 'phone.state', tabId: ME, state: 'connected', mode: 'call' }),
    );
    expect(onCall.recording).toBeNull();
    const available = softphoneReducer(
      onCall,
      frame({ type: 'phone.recording', tabId: ME, status: 'available' }),
    );
    expect(available.recording).toBe('available');
    const recording = softphoneReducer(
      available,
      frame({ type: 'phone.recording', tabId: ME, status: 'recording' }),
    );
    expect(recording.recording).toBe('recording');
    // another tab's frame, and a status while idle, change nothing
    expect(
      softphoneReducer(recording, frame({ type: 'phone.recording', tabId: OTHER, status: 'failed' }))
        .recording,
    ).toBe('recording');
    const idle = softphoneReducer(
      recording,
      frame({ type: 'phone.state', tabId: ME, state: 'connected', mode: 'idle' }),
    );
    expect(idle.recording).toBeNull();
    expect(
      softphoneReducer(idle, frame({ type: 'phone.recording', tabId: ME, status: 'recording' })).recording,
    ).toBeNull();
  });
});
