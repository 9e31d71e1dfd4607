import { describe, expect, it } from 'vitest';
import { answerChallenge, type DigestAlgorithm, digestHa1 } from './digest';
import { checkNonce, createNonce, type NonceKey, verifyDigest } from './digest-server';

const key: NonceKey = { secret: Buffer.alloc(32, 7), realm: 'hotline.example', context: '192.0.2.10' };
const random = Buffer.alloc(16, 0xab);
const T0 = 1_700_000_000_000;
const age = (now: number) => ({ now, maxAgeMs: 30_000 });

describe('nonces', () => {
  it('is deterministic in its inputs and fresh until it expires', () => {
    const sut = createNonce(key, T0, random);
    expect(sut).toBe(createNonce(key, T0, random));
    expect(sut).toMatch(/^[A-Za-z0-9_-]{54}$/);
    expect(checkNonce(key, sut, age(T0))).toBe('fresh');
    expect(checkNonce(key, sut, age(T0 + 30_000))).toBe('fresh');
    expect(checkNonce(key, sut, age(T0 + 30_001))).toBe('stale');
  });

  it('is invalid when tampered with, or checked for another realm, context or secret', () => {
    const sut = createNonce(key, T0, random);
    const flipped = `${sut.slice(0, 10)}${sut[10] === 'A' ? 'B' : 'A'}${sut.slice(11)}`;
    expect(checkNonce(key, flipped, age(T0))).toBe('invalid');
    expect(checkNonce({ ...key, realm: 'other' }, sut, age(T0))).toBe('invalid');
    expect(checkNonce({ ...key, context: '192.0.2.11' }, sut, age(T0))).toBe('invalid');
    expect(checkNonce({ ...key, secret: Buffer.alloc(32, 8) }, sut, age(T0))).toBe('invalid');
    for (const junk of ['', 'abc', `${sut}A`, sut.replace(/.$/, '*'), 'dcd98b7102dd2f0e8b11d0f600bfb0c093']) {
      expect(checkNonce(key, junk, age(T0)), junk).toBe('invalid');
    }
  });

  it('refuses nonces from the future beyond the allowed skew', () => {
    const sut = createNonce(key, T0 + 5_000, random);
    expect(checkNonce(key, sut, age(T0))).toBe('invalid');
    expect(checkNonce(key, sut, { ...age(T0), maxSkewMs: 5_000 })).toBe('fresh');
  });

  it('demands exactly 16 random octets', () => {
    expect(() => createNonce(key, T0, Buffer.alloc(8))).toThrow(RangeError);
  });
});

describe('verifyDigest', () => {
  function scenario(algorithm: DigestAlgorithm = 'SHA-256', password = 'secret', body?: Buffer) {
    const nonce = createNonce(key, T0, random);
    const credentials = answerChallenge(
      {
        realm: key.realm,
        nonce,
        algorithm,
        qop: body ? ['auth-int'] : ['auth'],
        opaque: null,
        stale: false,
        domain: null,
      },
      {
        username: 'alice',
        password,
        method: 'REGISTER',
        uri: 'sip:hotline.example',
        cnonce: 'cn',
        nonceCount: 1,
        ...(body ? { body } : {}),
      },
    );
    return {
      credentials,
      method: 'REGISTER',
      key,
      age: age(T0 + 1_000),
      ha1: digestHa1(algorithm, 'alice', key.realm, 'secret'),
      requestUri: 'sip:hotline.example',
      ...(body ? { body } : {}),
    };
  }

  it.each(['MD5', 'MD5-sess', 'SHA-256', 'SHA-256-sess', 'SHA-512-256'] as DigestAlgorithm[])(
    'accepts a correct %s answer',
    (algorithm) => {
      expect(verifyDigest(scenario(algorithm))).toEqual({ ok: true });
    },
  );

  it('accepts qop=auth-int only with the same body', () => {
    const check = scenario('SHA-256', 'secret', Buffer.from('v=0\r\n'));
    expect(verifyDigest(check)).toEqual({ ok: true });
    expect(verifyDigest({ ...check, body: Buffer.from('v=1\r\n') })).toEqual({
      ok: false,
      reason: 'RESPONSE_MISMATCH',
    });
  });

  it('refuses a wrong password, method or realm', () => {
    expect(verifyDigest(scenario('SHA-256', 'guess'))).toEqual({ ok: false, reason: 'RESPONSE_MISMATCH' });
    expect(verifyDigest({ ...scenario(), method: 'INVITE' })).toEqual({
      ok: false,
      reason: 'RESPONSE_MISMATCH',
    });
    expect(verifyDigest({ ...scenario(), key: { ...key, realm: 'x' } })).toEqual({
      ok: false,
      reason: 'REALM_MISMATCH',
    });
  });

  it('says stale only when the answer is otherwise right', () => {
    const late = { now: T0 + 60_000, maxAgeMs: 30_000 };
    expect(verifyDigest({ ...scenario(), age: late })).toEqual({ ok: false, reason: 'NONCE_STALE' });
    expect(verifyDigest({ ...scenario('SHA-256', 'guess'), age: late })).toEqual({
      ok: false,
      reason: 'RESPONSE_MISMATCH',
    });
  });

  it('refuses a nonce it did not issue, a different digest-uri, and answers without qop', () => {
    const s = scenario();
    const forged = {
      ...s.credentials,
      nonce: createNonce({ ...key, secret: Buffer.alloc(32, 1) }, T0, random),
    };
    expect(verifyDigest({ ...s, credentials: forged })).toEqual({ ok: false, reason: 'NONCE_INVALID' });
    expect(verifyDigest({ ...s, requestUri: 'sip:other.example' })).toEqual({
      ok: false,
      reason: 'URI_MISMATCH',
    });
    const noQop = { ...s.credentials, qop: null, nc: null, cnonce: null };
    expect(verifyDigest({ ...s, credentials: noQop })).toEqual({ ok: false, reason: 'QOP_REQUIRED' });
  });

  it('accepts RFC 2069-style answers when the policy allows them', () => {
    const nonce = createNonce(key, T0, random);
    const credentials = answerChallenge(
      { realm: key.realm, nonce, algorithm: 'MD5', qop: [], opaque: null, stale: false, domain: null },
      {
        username: 'alice',
        password: 'secret',
        method: 'INVITE',
        uri: 'sip:x',
        cnonce: 'unused',
        nonceCount: 1,
      },
    );
    expect(credentials).toMatchObject({ qop: null, nc: null, cnonce: null });
    const check = {
      credentials,
      method: 'INVITE',
      key,
      age: age(T0),
      ha1: digestHa1('MD5', 'alice', key.realm, 'secret'),
    };
    expect(verifyDigest(check)).toEqual({ ok: false, reason: 'QOP_REQUIRED' });
    expect(verifyDigest({ ...check, requireQop: false })).toEqual({ ok: true });
  });
});
