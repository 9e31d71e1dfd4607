import { describe, expect, it } from 'vitest';
import { newClientId } from './ids';

describe('newClientId', () => {
  it('fits the protocol clientId pattern (8–64 of A–Z a–z 0–9 _ -)', () => {
    for (let i = 0; i < 200; i += 1) expect(newClientId()).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('uses base64url for bytes that would be + and / in base64', () => {
    expect(newClientId((bytes) => bytes.fill(0xff))).toBe('_____________________w');
    expect(newClientId((bytes) => bytes.fill(0xfb))).toBe('-_v7-_v7-_v7-_v7-_v7-w');
  });

  it('does not repeat', () => {
    const ids = new Set(Array.from({ length: 1000 }, () => newClientId()));
    expect(ids.size).toBe(1000);
  });
});
