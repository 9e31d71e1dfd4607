import type { SipMessage, SipRequest, SipResponse } from '../message';
import { parseMessage } from '../parser';
import type { Flow } from '../transport/types';

/** Parses lines joined with CRLF; throws when they do not parse (tests only). */
export function parse(lines: readonly string[], body = ''): SipMessage {
  const text = `${lines.join('\r\n')}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
  const result = parseMessage(Buffer.from(text));
  if (!result.ok) throw new Error(`test message does not parse: ${result.code} ${result.detail}`);
  return result.message;
}

export function request(lines: readonly string[], body = ''): SipRequest {
  const m = parse(lines, body);
  if (m.kind !== 'request') throw new Error('not a request');
  return m;
}

export function response(lines: readonly string[], body = ''): SipResponse {
  const m = parse(lines, body);
  if (m.kind !== 'response') throw new Error('not a response');
  return m;
}

export interface RequestSpec {
  readonly method?: string;
  readonly branch?: string | null;
  readonly sentBy?: string;
  readonly transport?: string;
  readonly callId?: string;
  readonly cseq?: number;
  readonly fromTag?: string | null;
  readonly toTag?: string | null;
  readonly uri?: string;
  readonly extra?: readonly string[];
}

/** A request in the shape a UAC sends. */
export function makeRequest(spec: RequestSpec = {}): SipRequest {
  const method = spec.method ?? 'INVITE';
  const branch = spec.branch === undefined ? 'z9hG4bKabc1' : spec.branch;
  const fromTag = spec.fromTag === undefined ? 'fromtag1' : spec.fromTag;
  const toTag = spec.toTag ?? null;
  return request([
    `${method} ${spec.uri ?? 'sip:bob@192.0.2.2'} SIP/2.0`,
    `Via: SIP/2.0/${spec.transport ?? 'UDP'} ${spec.sentBy ?? '192.0.2.1:5060'}${branch === null ? '' : `;branch=${branch}`}`,
    'Max-Forwards: 70',
    `From: <sip:alice@192.0.2.1>${fromTag === null ? '' : `;tag=${fromTag}`}`,
    `To: <sip:bob@192.0.2.2>${toTag === null ? '' : `;tag=${toTag}`}`,
    `Call-ID: ${spec.callId ?? 'call-1@192.0.2.1'}`,
    `CSeq: ${spec.cseq ?? 1} ${method}`,
    ...(spec.extra ?? []),
  ]);
}

/** A response to `req` as a peer would send it (all Vias, From, To with `toTag`, Call-ID, CSeq). */
export function makeResponse(req: SipRequest, status: number, toTag: string | null = 'totag9'): SipResponse {
  const copy = req.headers.filter((h) => ['Via', 'From', 'Call-ID', 'CSeq'].includes(h.name));
  const to = req.headers.find((h) => h.name === 'To')?.value ?? '';
  const toValue = toTag === null || to.includes('tag=') ? to : `${to};tag=${toTag}`;
  return response([
    `SIP/2.0 ${status} Whatever`,
    ...copy.map((h) => `${h.name}: ${h.value}`),
    `To: ${toValue}`,
  ]);
}

export const udpFlow: Flow = {
  transport: 'UDP',
  remote: { address: '192.0.2.1', port: 5060 },
  local: { address: '192.0.2.2', port: 5060 },
  connectionId: null,
};

export const tcpFlow: Flow = { ...udpFlow, transport: 'TCP', connectionId: 7 };
