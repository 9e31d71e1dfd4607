/**
 * What an agent's browser needs before its offer: the ICE servers. With TURN configured (coturn), the
 * browser gets either the static credentials or, with coturn's `static-auth-secret`, a time-limited
 * username `expiry:userId` and password base64(HMAC-SHA1(secret, username)) — the "TURN REST API"
 * scheme coturn checks without any call back to us.
 */
import { createHmac } from 'node:crypto';
import type { PhoneConfig } from '@hotline/protocol/agent-phone';
import type { TurnConfig } from '../config';

export function phoneConfig(
  options: { enabled: boolean; turn: TurnConfig | undefined; ttlMs: number },
  userId: string,
  nowMs: number,
): PhoneConfig {
  const turn = options.turn;
  if (!options.enabled || !turn)
    return { enabled: options.enabled, iceServers: [], iceTransportPolicy: 'all' };
  const iceTransportPolicy = turn.relayOnly ? 'relay' : 'all';
  if (turn.kind === 'static')
    return {
      enabled: true,
      iceServers: [{ urls: [turn.url], username: turn.username, credential: turn.password }],
      iceTransportPolicy,
    };
  return {
    enabled: true,
    iceServers: [{ urls: [turn.url], ...turnRestCredential(turn.secret, userId, nowMs, options.ttlMs) }],
    iceTransportPolicy,
  };
}

export function turnRestCredential(
  secret: string,
  userId: string,
  nowMs: number,
  ttlMs: number,
): { username: string; credential: string } {
  const username = `${Math.floor((nowMs + ttlMs) / 1000)}:${userId}`;
  return { username, credential: createHmac('sha1', secret).update(username).digest('base64') };
}
