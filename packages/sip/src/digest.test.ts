import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  answerChallenge,
  type DigestAlgorithm,
  type DigestChallenge,
  digestHa1,
  digestResponse,
  firstSupportedChallenge,
  formatDigestChallenge,
  formatDigestCredentials,
  parseDigestChallenge,
  parseDigestCredentials,
} from './digest';
import { parseAuthHeader } from './headers/auth';

function challenge(header: string): DigestChallenge {
  const c = parseDigestChallenge(header);
  if (!c.ok) throw new Error(c.reason);
  return c.value;
}

describe('digest test vectors', () => {
  it('RFC 2617 §3.5: Mufasa, MD5, qop=auth', () => {
    const c = challenge(
      'Digest realm="testrealm@host.com", qop="auth,auth-int", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", opaque="5ccc069c403ebaf9f0171e9517f40e41"',
    );
    const sut = answerChallenge(c, {
      username: 'Mufasa',
      password: 'Circle Of Life',
      method: 'GET',
      uri: '/dir/index.html',
      cnonce: '0a4f113b',
      nonceCount: 1,
    });
    expect(sut).toMatchObject({ qop: 'auth', nc: '00000001', opaque: '5ccc069c403ebaf9f0171e9517f40e41' });
    expect(sut.response).toBe('6629fae49393a05397450978507c4ef1');
  });

  const rfc7616 = (algorithm: string) =>
    challenge(
      `Digest realm="http-auth@example.org", qop="auth, auth-int", algorithm=${algorithm}, nonce="7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v", opaque="FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS"`,
    );
  const mufasa = {
    username: 'Mufasa',
    password: 'Circle of Life',
    method: 'GET',
    uri: '/dir/index.html',
    cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
    nonceCount: 1,
  };

  it('RFC 7616 §3.9.1: Mufasa, MD5', () => {
    expect(answerChallenge(rfc7616('MD5'), mufasa).response).toBe('8ca523f5e9506fed4657c9700eebdbec');
  });

  it('RFC 7616 §3.9.1: Mufasa, SHA-256', () => {
    expect(answerChallenge(rfc7616('SHA-256'), mufasa).response).toBe(
      '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1',
    );
  });
});

describe('digestResponse', () => {
  const h = (alg: string, s: string | Buffer) => createHash(alg).update(s).digest('hex');
  const base = { nonce: 'n', method: 'INVITE', uri: 'sip:bob@b.com', nc: '00000002', cnonce: 'c' };

  it.each([
    ['MD5-sess', 'md5'],
    ['SHA-256-sess', 'sha256'],
    ['SHA-512-256-sess', 'sha512-256'],
  ] as const)('%s derives the session HA1 from nonce and cnonce', (algorithm, node) => {
    const ha1 = digestHa1(algorithm, 'u', 'r', 'p');
    expect(ha1).toBe(h(node, 'u:r:p'));
    const sess = h(node, `${ha1}:n:c`);
    const expected = h(node, `${sess}:n:00000002:c:auth:${h(node, 'INVITE:sip:bob@b.com')}`);
    expect(digestResponse({ ...base, algorithm, ha1, qop: 'auth' })).toBe(expected);
  });

  it('qop=auth-int covers the body', () => {
    const ha1 = digestHa1('MD5', 'u', 'r', 'p');
    const body = Buffer.from('v=0\r\n');
    const expected = h(
      'md5',
      `${ha1}:n:00000002:c:auth-int:${h('md5', `INVITE:sip:bob@b.com:${h('md5', body)}`)}`,
    );
    expect(digestResponse({ ...base, algorithm: 'MD5', ha1, qop: 'auth-int', body })).toBe(expected);
  });

  it('without qop it is RFC 2069 style', () => {
    const ha1 = digestHa1('MD5', 'u', 'r', 'p');
    const expected = h('md5', `${ha1}:n:${h('md5', 'INVITE:sip:bob@b.com')}`);
    expect(digestResponse({ ...base, algorithm: 'MD5', ha1, qop: null, nc: null, cnonce: null })).toBe(
      expected,
    );
  });
});

describe('challenges', () => {
  it('reads defaults: MD5, no qop, not stale', () => {
    expect(challenge('Digest realm="r", nonce="n"')).toEqual({
      realm: 'r',
      nonce: 'n',
      algorithm: 'MD5',
      qop: [],
      opaque: null,
      stale: false,
      domain: null,
    });
    expect(challenge('Digest realm="r", nonce="n", stale=TRUE, algorithm=sha-256').stale).toBe(true);
  });

  it.each([
    ['Basic realm="r"', 'another scheme'],
    ['Digest realm="r"', 'no nonce'],
    ['Digest realm="r", nonce="n", algorithm=SHA-1', 'unsupported algorithm'],
    ['Digest realm="r", nonce="n", algorithm=MD5-sess', '-sess without qop'],
    ['Digest realm=', 'malformed'],
  ])('refuses %s (%s)', (header) => {
    expect(parseDigestChallenge(header).ok).toBe(false);
  });

  it('picks the first challenge with an algorithm we implement (RFC 8760)', () => {
    const headers = [
      'Digest realm="r", nonce="1", algorithm=SHA-512',
      'Digest realm="r", nonce="2", algorithm=SHA-256',
      'Digest realm="r", nonce="3"',
    ].map(parseAuthHeader);
    expect(firstSupportedChallenge(headers)?.nonce).toBe('2');
    expect(firstSupportedChallenge([])).toBeNull();
  });

  it('formats so it reads back the same', () => {
    const c = challenge(
      'Digest realm="a \\"b\\"", domain="sip:x", nonce="n", opaque="o", stale=true, algorithm=SHA-256-sess, qop="auth,auth-int"',
    );
    expect(challenge(formatDigestChallenge(c))).toEqual(c);
  });
});

describe('credentials', () => {
  const good =
    'Digest username="bob", realm="r", nonce="n", uri="sip:b.com", response="6629fae49393a05397450978507c4ef1", qop=auth, nc=00000001, cnonce="c", opaque="o"';

  it('reads and formats credentials so they read back the same', () => {
    const c = parseDigestCredentials(good);
    expect(c).toMatchObject({
      ok: true,
      value: { username: 'bob', algorithm: 'MD5', qop: 'auth', nc: '00000001' },
    });
    if (!c.ok) return;
    expect(parseDigestCredentials(formatDigestCredentials(c.value))).toEqual(c);
  });

  it.each([
    [good.replace('uri="sip:b.com", ', ''), 'no uri'],
    [good.replace('6629fae4', '6629fae'), 'short response'],
    [good.replace('response="6629', 'response="x629'), 'non-hex response'],
    [good.replace(', nc=00000001', ''), 'qop without nc'],
    [good.replace('nc=00000001', 'nc=1'), 'short nc'],
    [good.replace(', cnonce="c"', ''), 'qop without cnonce'],
    [good.replace('qop=auth', 'qop=auth-conf'), 'unknown qop'],
    [`${good}, algorithm=SHA-256`, 'MD5-length response for SHA-256'],
    ['NoOneKnowsThisScheme opaque-data=here', 'another scheme'],
  ])('refuses %s (%s)', (header) => {
    expect(parseDigestCredentials(header).ok).toBe(false);
  });

  it('answers every algorithm with credentials that parse', () => {
    for (const algorithm of [
      'MD5',
      'MD5-sess',
      'SHA-256',
      'SHA-256-sess',
      'SHA-512-256',
      'SHA-512-256-sess',
    ] as DigestAlgorithm[]) {
      const c = challenge(`Digest realm="r", nonce="n", qop="auth", algorithm=${algorithm}`);
      const answer = answerChallenge(c, {
        username: 'u',
        password: 'p',
        method: 'REGISTER',
        uri: 'sip:r',
        cnonce: 'c',
        nonceCount: 255,
      });
      expect(answer.nc).toBe('000000ff');
      expect(parseDigestCredentials(formatDigestCredentials(answer))).toEqual({ ok: true, value: answer });
    }
  });
});
