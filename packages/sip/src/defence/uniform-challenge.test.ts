import { describe, expect, it } from 'vitest';
import {
  answerChallenge,
  type DigestAlgorithm,
  digestHa1,
  formatDigestCredentials,
  parseDigestChallenge,
} from '../digest';
import { type DigestCheck, type DigestVerdict, verifyDigest } from '../digest-server';
import { type ChallengePolicy, decideChallenge } from './uniform-challenge';

const T0 = 1_700_000_000_000;
const key = { secret: Buffer.alloc(32, 1), realm: 'pbx.hotline.example' };
const policy = (now = T0, nonceRandom = Buffer.alloc(16, 9)): ChallengePolicy => ({
  key,
  now,
  nonceMaxAgeMs: 60_000,
  nonceRandom,
  unknownUserSecret: Buffer.alloc(32, 2),
});
const users: Record<string, string> = { alice: 'correct horse' };
const lookup = (username: string, algorithm: DigestAlgorithm) =>
  users[username] === undefined ? null : digestHa1(algorithm, username, key.realm, users[username]!);

/** A client answering our challenge as `username` with `password`. */
function credentialsFor(username: string, password: string, now = T0, method = 'REGISTER') {
  const first = decideChallenge(
    { method, requestUri: 'sip:pbx.hotline.example', authorization: [] },
    policy(now),
    lookup,
  );
  if (first.kind !== 'challenge') throw new Error('expected a challenge');
  const challenge = parseDigestChallenge(first.header.value);
  if (!challenge.ok) throw new Error(challenge.reason);
  return formatDigestCredentials(
    answerChallenge(challenge.value, {
      username,
      password,
      method,
      uri: 'sip:pbx.hotline.example',
      cnonce: 'c0ffee',
      nonceCount: 1,
    }),
  );
}

const request = (authorization: string[], method = 'REGISTER') => ({
  method,
  requestUri: 'sip:pbx.hotline.example',
  authorization,
});

describe('decideChallenge', () => {
  it('challenges a request without credentials (401, WWW-Authenticate, MD5, qop=auth)', () => {
    const d = decideChallenge(request([]), policy(), lookup);
    expect(d).toMatchObject({ kind: 'challenge', status: 401, reason: 'NO_CREDENTIALS', authFailed: false });
    if (d.kind !== 'challenge') return;
    expect(d.header.name).toBe('WWW-Authenticate');
    expect(d.header.value).toMatch(
      /^Digest realm="pbx\.hotline\.example", nonce="[\w-]+", algorithm=MD5, qop="auth"$/,
    );
  });

  it('accepts the right password', () => {
    expect(decideChallenge(request([credentialsFor('alice', 'correct horse')]), policy(), lookup)).toEqual({
      kind: 'accept',
      username: 'alice',
    });
  });

  it('answers an unknown user exactly as a known user with a wrong password', () => {
    const wrong = decideChallenge(request([credentialsFor('alice', 'guess')]), policy(), lookup);
    const unknown = decideChallenge(request([credentialsFor('bob', 'guess')]), policy(), lookup);
    expect(wrong).toMatchObject({ kind: 'challenge', status: 401, reason: 'REJECTED', authFailed: true });
    expect(unknown).toEqual(wrong);
  });

  it('verifies a digest for unknown users too (same work), with a stand-in HA1 of the right length', () => {
    const seen: DigestCheck[] = [];
    const spy = (c: DigestCheck): DigestVerdict => {
      seen.push(c);
      return verifyDigest(c);
    };
    decideChallenge(request([credentialsFor('alice', 'guess')]), policy(), lookup, spy);
    decideChallenge(request([credentialsFor('bob', 'guess')]), policy(), lookup, spy);
    decideChallenge(request([credentialsFor('carol', 'guess')]), policy(), lookup, spy);
    expect(seen).toHaveLength(3);
    expect(seen.map((c) => c.ha1.length)).toEqual([32, 32, 32]);
    expect(new Set(seen.map((c) => c.ha1)).size).toBe(3);
  });

  it('never lets an unknown user in, even if the verifier said yes', () => {
    const d = decideChallenge(request([credentialsFor('bob', 'x')]), policy(), lookup, () => ({ ok: true }));
    expect(d).toMatchObject({ kind: 'challenge', reason: 'REJECTED' });
  });

  it('says stale=true only for a known user whose only fault is an expired nonce', () => {
    const old = credentialsFor('alice', 'correct horse', T0 - 120_000);
    const stale = decideChallenge(request([old]), policy(), lookup);
    expect(stale).toMatchObject({ kind: 'challenge', reason: 'STALE', authFailed: false });
    expect(stale.kind === 'challenge' && stale.header.value).toContain('stale=true');
    const unknownOld = decideChallenge(
      request([credentialsFor('bob', 'correct horse', T0 - 120_000)]),
      policy(),
      lookup,
    );
    const wrongOld = decideChallenge(
      request([credentialsFor('alice', 'nope', T0 - 120_000)]),
      policy(),
      lookup,
    );
    expect(unknownOld).toEqual(wrongOld);
    expect(wrongOld.kind === 'challenge' && wrongOld.header.value).not.toContain('stale');
  });

  it('uses 407 and Proxy-Authenticate when asked, and ignores credentials for other realms', () => {
    const d = decideChallenge(
      request(
        [credentialsFor('alice', 'correct horse').replace('pbx.hotline.example', 'elsewhere')],
        'INVITE',
      ),
      { ...policy(), status: 407 },
      lookup,
    );
    expect(d).toMatchObject({
      kind: 'challenge',
      status: 407,
      reason: 'NO_CREDENTIALS',
      header: { name: 'Proxy-Authenticate' },
    });
  });

  it('treats garbage Authorization values as no credentials, without throwing', () => {
    for (const junk of [
      '',
      'Basic YWxhZGRpbjpvcGVuc2VzYW1l',
      'Digest',
      'Digest username="a", realm=',
      '\u0000'.repeat(10),
    ]) {
      expect(decideChallenge(request([junk]), policy(), lookup)).toMatchObject({
        kind: 'challenge',
        reason: 'NO_CREDENTIALS',
      });
    }
  });
});
