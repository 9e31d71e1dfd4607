import type { IncomingCall } from '@hotline/sip/ua/incoming-call';
import { describe, expect, it } from 'vitest';
import { unicastTarget } from './rtp-target';
import { callerNumber } from './voice-service';

const from = (user: string | null) =>
  ({ from: { uri: { kind: 'sip', user } } }) as unknown as Pick<IncomingCall, 'from'>;

describe('inbound call parts', () => {
  it.each([
    ['79161234567', '+79161234567'],
    ['+79161234567', '+79161234567'],
    ['%2B7%20(916)%20123-45-67', '+79161234567'],
    ['4420794600;phone-context=x', '+4420794600'],
    ['anonymous', 'anonymous'],
    ['12', '12'],
    ['%E0%A4%A', '%E0%A4%A'],
    ['', 'anonymous'],
    [null, 'anonymous'],
  ])('reads the caller %j as %j', (user, expected) => {
    expect(callerNumber(from(user))).toBe(expected);
  });

  it('keeps a long caller id bounded', () => {
    expect(callerNumber(from('x'.repeat(500)))).toHaveLength(64);
  });

  it.each([
    ['127.0.0.1', true],
    ['203.0.113.9', true],
    ['0.0.0.0', true],
    ['224.0.0.1', false],
    ['239.255.255.250', false],
    ['255.255.255.255', false],
    ['2001:db8::1', true],
    ['ff02::1', false],
    ['carrier.example', true],
  ])('RTP target %s is unicast: %s', (address, ok) => {
    expect(unicastTarget(address)).toBe(ok);
  });
});
