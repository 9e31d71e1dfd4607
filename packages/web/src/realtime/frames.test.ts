import { describe, expect, it } from 'vitest';
import { parseFrame } from './frames';

describe('parseFrame: the softphone’s transfer frames', () => {
  it('reads dialling, connected and failed with its code', () => {
    const base = { type: 'phone.transfer', tabId: 'tab-aaaaaaaa', number: '+74951117788' };
    expect(parseFrame(JSON.stringify({ ...base, status: 'dialling' }))).toEqual({
      ...base,
      status: 'dialling',
    });
    expect(parseFrame(JSON.stringify({ ...base, status: 'failed', code: 'BUSY', message: '486' }))).toEqual({
      ...base,
      status: 'failed',
      code: 'BUSY',
      message: '486',
    });
  });

  it('drops one without a number or with an unknown status', () => {
    expect(
      parseFrame(JSON.stringify({ type: 'phone.transfer', tabId: 'tab-aaaaaaaa', status: 'dialling' })),
    ).toBe(null);
    expect(
      parseFrame(
        JSON.stringify({
          type: 'phone.transfer',
          tabId: 'tab-aaaaaaaa',
          number: '+74951117788',
          status: 'ringing',
        }),
      ),
    ).toBe(null);
  });
});
