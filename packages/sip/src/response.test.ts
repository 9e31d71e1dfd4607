import { describe, expect, it } from 'vitest';
import { getCSeq, getTo, getVias, headerValues } from './message';
import { createResponse } from './response';
import { serializeMessage } from './serializer';
import { makeRequest } from './test-support/messages';
import { cancelFor } from './transaction/requests';

describe('createResponse (§8.2.6)', () => {
  const request = makeRequest({
    sentBy: '192.0.2.1:5060;branch=z9hG4bKa, SIP/2.0/UDP 192.0.2.9',
    branch: null,
    extra: ['Timestamp: 54', 'Subject: x'],
  });

  it('copies Vias, From, To, Call-ID and CSeq, adds the To tag, drops the rest', () => {
    const sut = createResponse(request, 486, { toTag: 'abc' });
    expect(sut.reason).toBe('Busy Here');
    expect(getVias(sut).map((v) => v.host)).toEqual(['192.0.2.1', '192.0.2.9']);
    expect(getTo(sut).tag).toBe('abc');
    expect(getCSeq(sut)).toEqual({ seq: 1, method: 'INVITE' });
    expect(headerValues(sut, 'Subject')).toEqual([]);
    expect(headerValues(sut, 'Timestamp')).toEqual([]);
    expect(() => serializeMessage(sut)).not.toThrow();
  });

  it('keeps an existing To tag and copies Timestamp into a 100', () => {
    const inDialog = makeRequest({ toTag: 'old', extra: ['Timestamp: 54'] });
    expect(getTo(createResponse(inDialog, 200, { toTag: 'new' })).tag).toBe('old');
    expect(headerValues(createResponse(inDialog, 100), 'Timestamp')).toEqual(['54']);
  });
});

describe('cancelFor (§9.1)', () => {
  it('keeps Request-URI, top Via, From, To, Call-ID, Route and the CSeq number', () => {
    const invite = makeRequest({ cseq: 7, extra: ['Route: <sip:p.example.com;lr>', 'Subject: s'] });
    const sut = cancelFor(invite);
    expect(sut.method).toBe('CANCEL');
    expect(sut.uri).toEqual(invite.uri);
    expect(getVias(sut)).toEqual([getVias(invite)[0]]);
    expect(getCSeq(sut)).toEqual({ seq: 7, method: 'CANCEL' });
    expect(headerValues(sut, 'Route')).toEqual(['<sip:p.example.com;lr>']);
    expect(headerValues(sut, 'Subject')).toEqual([]);
  });
});
