import { describe, expect, it } from 'vitest';
import { canonicalHeaderName, compactHeaderName, headerKey } from './header-names';

describe('header names', () => {
  it.each([
    ['a', 'Accept-Contact'],
    ['b', 'Referred-By'],
    ['c', 'Content-Type'],
    ['e', 'Content-Encoding'],
    ['f', 'From'],
    ['i', 'Call-ID'],
    ['I', 'Call-ID'],
    ['k', 'Supported'],
    ['l', 'Content-Length'],
    ['m', 'Contact'],
    ['o', 'Event'],
    ['r', 'Refer-To'],
    ['s', 'Subject'],
    ['t', 'To'],
    ['u', 'Allow-Events'],
    ['v', 'Via'],
    ['x', 'Session-Expires'],
    ['y', 'Identity'],
    ['cseq', 'CSeq'],
    ['CALL-ID', 'Call-ID'],
    ['www-authenticate', 'WWW-Authenticate'],
  ])('%s is %s', (name, canonical) => {
    expect(canonicalHeaderName(name)).toBe(canonical);
  });

  it('keeps unknown names as written but compares them case-insensitively', () => {
    expect(canonicalHeaderName('X-Custom')).toBe('X-Custom');
    expect(canonicalHeaderName('C%6Fntact')).toBe('C%6Fntact');
    expect(headerKey('x-CUSTOM')).toBe(headerKey('X-Custom'));
    expect(headerKey('m')).toBe(headerKey('CONTACT'));
  });

  it('finds the compact form of a name', () => {
    expect(compactHeaderName('call-id')).toBe('i');
    expect(compactHeaderName('CSeq')).toBeUndefined();
  });
});
