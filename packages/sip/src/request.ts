import { randomBytes } from 'node:crypto';
import { BRANCH_COOKIE } from './headers/via';
import type { SipHeader, SipRequest } from './message';
import type { Uri } from './uri';

/**
 * A request as a UAC core builds it (RFC 3261 §8.1.1): the mandatory headers in the usual order, then
 * the caller's. The top Via names a placeholder sent-by that the transport overwrites (§18.1.1).
 */
export interface RequestSpec {
  readonly method: string;
  readonly uri: Uri;
  /** Full header values: `<sip:a@b>;tag=x`. */
  readonly from: string;
  readonly to: string;
  readonly callId: string;
  readonly cseq: number;
  readonly branch: string;
  /** sent-by placeholder (host[:port]); the transport writes the real one. */
  readonly sentBy: string;
  readonly routes?: readonly string[];
  readonly contact?: string;
  readonly headers?: readonly SipHeader[];
  readonly body?: Buffer;
  /** `application/sdp` when a body is given and this is not. */
  readonly contentType?: string;
}

export function createRequest(s: RequestSpec): SipRequest {
  const headers: SipHeader[] = [
    { name: 'Via', value: `SIP/2.0/UDP ${s.sentBy};branch=${s.branch}` },
    { name: 'Max-Forwards', value: '70' },
  ];
  for (const r of s.routes ?? []) headers.push({ name: 'Route', value: r });
  headers.push(
    { name: 'From', value: s.from },
    { name: 'To', value: s.to },
    { name: 'Call-ID', value: s.callId },
    { name: 'CSeq', value: `${s.cseq} ${s.method}` },
  );
  if (s.contact !== undefined) headers.push({ name: 'Contact', value: s.contact });
  headers.push(...(s.headers ?? []));
  const body = s.body ?? Buffer.alloc(0);
  if (body.length > 0) headers.push({ name: 'Content-Type', value: s.contentType ?? 'application/sdp' });
  return { kind: 'request', method: s.method, uri: s.uri, headers, body };
}

/** Identifiers with enough randomness to be globally unique (§8.1.1.4, §8.1.1.7, §19.3). */
export const newBranch = (): string => `${BRANCH_COOKIE}${randomBytes(10).toString('hex')}`;
export const newTag = (): string => randomBytes(6).toString('hex');
export const newCallId = (host: string): string => `${randomBytes(12).toString('hex')}@${host}`;
