import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { BlockList, isIP, type LookupFunction } from 'node:net';
import type { FlowAction, FlowEvent } from '@hotline/core/flow/flow-types';

/**
 * The flow `http` verb carried out for real: one JSON request to an external system with a deadline,
 * a reply size cap and an egress policy against SSRF (a flow author must not reach the database, the
 * cloud metadata service or anything else on our side of the network).
 *
 * Why node:http and not fetch: the address has to be checked where the socket connects. fetch
 * (undici) takes a custom DNS lookup only through an undici `Agent`, a package we do not ship;
 * node:http's `lookup` option is called at connect time, so the address we check is the address we
 * connect to (no DNS-rebinding window between a check and the request).
 */

/** Where flows may send requests. */
export interface EgressPolicy {
  /** Allow every address, private ones included (only for closed test setups). */
  readonly allowPrivate: boolean;
  /**
   * `host` or `host:port` (lower case; IPv6 in brackets) reachable even when they are or resolve to
   * private, loopback or link-local addresses: a company's own CRM on the internal network.
   */
  readonly allowHosts: readonly string[];
}

export const defaultEgressPolicy: EgressPolicy = { allowPrivate: false, allowHosts: [] };

/** The reply body limit; larger replies are an `error` (`TOO_LARGE`). */
export const MAX_RESPONSE_BYTES = 256 * 1024;
const MAX_REDIRECTS = 3;

/** Stable codes of the `error` events this module reports (also in `error.code`-free form to flows). */
export type FlowHttpErrorCode =
  | 'BAD_URL'
  | 'EGRESS_DENIED'
  | 'DNS_FAILED'
  | 'CONNECT_FAILED'
  | 'REDIRECT_REFUSED'
  | 'NOT_JSON'
  | 'BAD_JSON'
  | 'TOO_LARGE'
  | 'ABORTED';

class FlowHttpError extends Error {
  constructor(
    readonly code: FlowHttpErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Reads `HOTLINE_FLOW_HTTP_ALLOW`: a comma-separated list of `host` or `host:port` that flows may call
 * even on private addresses. Throws an Error naming the bad entry.
 */
export function parseEgressAllowList(value: string | undefined): EgressPolicy {
  const allowHosts: string[] = [];
  for (const raw of (value ?? '').split(',')) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    const m = /^(\[[0-9a-f:.]+\]|[a-z0-9._-]+)(?::(\d{1,5}))?$/.exec(entry);
    const port = m?.[2] === undefined ? null : Number(m[2]);
    if (!m || (port !== null && (port < 1 || port > 65_535)))
      throw new Error(`"${entry}" is not a host or host:port`);
    let hostname: string;
    try {
      // The same spelling the request's URL will have (`0x7f.1` → `127.0.0.1`, IPv6 compressed).
      hostname = new URL(`http://${m[1]}`).hostname;
    } catch {
      throw new Error(`"${entry}" is not a host or host:port`);
    }
    allowHosts.push(port === null ? hostname : `${hostname}:${port}`);
  }
  return { allowPrivate: false, allowHosts };
}

/** Addresses a flow must not reach unless allow-listed (IPv4-mapped IPv6 is matched by BlockList). */
const privateRanges = (() => {
  const b = new BlockList();
  const v4: [string, number][] = [
    ['0.0.0.0', 8],
    ['10.0.0.0', 8],
    ['100.64.0.0', 10],
    ['127.0.0.0', 8],
    ['169.254.0.0', 16],
    ['172.16.0.0', 12],
    ['192.0.0.0', 24],
    ['192.0.2.0', 24],
    ['192.168.0.0', 16],
    ['198.18.0.0', 15],
    ['198.51.100.0', 24],
    ['203.0.113.0', 24],
    ['224.0.0.0', 4],
    ['240.0.0.0', 4],
  ];
  for (const [a, p] of v4) b.addSubnet(a, p, 'ipv4');
  const v6: [string, number][] = [
    ['::', 128],
    ['::1', 128],
    ['64:ff9b::', 96],
    ['100::', 64],
    ['2001:db8::', 32],
    ['fc00::', 7],
    ['fe80::', 10],
    ['fec0::', 10],
    ['ff00::', 8],
  ];
  for (const [a, p] of v6) b.addSubnet(a, p, 'ipv6');
  return b;
})();

/** True for loopback, private, link-local, CGNAT, multicast, reserved and documentation addresses. */
export function isPrivateAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return privateRanges.check(address, family === 4 ? 'ipv4' : 'ipv6');
}

function allowListed(url: URL, policy: EgressPolicy): boolean {
  if (policy.allowPrivate) return true;
  const host = url.hostname.toLowerCase();
  const port = url.port === '' ? (url.protocol === 'https:' ? '443' : '80') : url.port;
  return policy.allowHosts.some((h) => h === host || h === `${host}:${port}`);
}

/** A lookup for node:http that refuses private addresses unless the URL's host is allow-listed. */
function guardedLookup(allowed: boolean): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { all: true, family: options.family ?? 0 })
      .then((addresses) => {
        if (addresses.length === 0) throw new FlowHttpError('DNS_FAILED', `${hostname} has no address`);
        // Every address must pass: the connection may try any of them.
        if (!allowed && addresses.some((a) => isPrivateAddress(a.address)))
          throw new FlowHttpError('EGRESS_DENIED', `${hostname} resolves to a private address`);
        if (options.all) callback(null, addresses);
        else {
          const first = addresses[0] as { address: string; family: number };
          callback(null, first.address, first.family);
        }
      })
      .catch((error: unknown) => {
        const e =
          error instanceof FlowHttpError ? error : new FlowHttpError('DNS_FAILED', `${hostname} not found`);
        callback(e as unknown as NodeJS.ErrnoException, '', 0);
      });
  };
}

/**
 * Performs a flow's `http` action and returns the event the interpreter expects: `http_response`
 * (status and parsed JSON body; null body for an empty reply or a non-JSON error status), `timeout`
 * when `action.timeoutMs` passes (the whole exchange, redirects included), or `error` with a
 * `FlowHttpErrorCode`. Never throws. `signal` aborts (server shutdown) → `error` `ABORTED`.
 */
export async function executeFlowHttp(
  action: Extract<FlowAction, { type: 'http' }>,
  policy: EgressPolicy,
  signal?: AbortSignal,
): Promise<FlowEvent> {
  const deadline = AbortSignal.timeout(action.timeoutMs);
  const combined = signal === undefined ? deadline : AbortSignal.any([deadline, signal]);
  try {
    let url = parseUrl(action.url);
    let method: string = action.method;
    let body = action.body;
    for (let hop = 0; ; hop++) {
      const reply = await send(url, method, action.headers, body, policy, combined);
      if (reply.redirect === undefined) return reply.event;
      if (hop >= MAX_REDIRECTS) throw new FlowHttpError('REDIRECT_REFUSED', 'too many redirects');
      const target = parseUrl(new URL(reply.redirect, url).toString());
      if (target.host !== url.host || target.protocol !== url.protocol)
        throw new FlowHttpError('REDIRECT_REFUSED', `redirect to another host (${target.host}) refused`);
      if (reply.status === 303 || ((reply.status === 301 || reply.status === 302) && method === 'POST')) {
        method = 'GET';
        body = null;
      }
      url = target;
    }
  } catch (error) {
    if (deadline.aborted) return { type: 'timeout' };
    if (signal?.aborted) return { type: 'error', code: 'ABORTED', message: 'request aborted' };
    if (error instanceof FlowHttpError) return { type: 'error', code: error.code, message: error.message };
    const cause = (error as { cause?: unknown }).cause;
    if (cause instanceof FlowHttpError) return { type: 'error', code: cause.code, message: cause.message };
    return { type: 'error', code: 'CONNECT_FAILED', message: describe(error) };
  }
}

function parseUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new FlowHttpError('BAD_URL', 'not a URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new FlowHttpError('BAD_URL', 'only http and https');
  if (url.username !== '' || url.password !== '')
    throw new FlowHttpError('BAD_URL', 'credentials in the URL are not allowed');
  return url;
}

interface Reply {
  readonly status: number;
  readonly event: FlowEvent;
  readonly redirect?: string;
}

/** Headers a flow may not set: they belong to the transport. */
const reservedHeaders = new Set([
  'host',
  'content-length',
  'transfer-encoding',
  'connection',
  'accept-encoding',
  'upgrade',
  'te',
  'trailer',
  'keep-alive',
  'proxy-authorization',
  'expect',
]);

async function send(
  url: URL,
  method: string,
  flowHeaders: Readonly<Record<string, string>>,
  body: string | null,
  policy: EgressPolicy,
  signal: AbortSignal,
): Promise<Reply> {
  const allowed = allowListed(url, policy);
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  // An IP literal skips DNS (node:net connects directly), so it is checked here.
  if (isIP(literal) !== 0 && !allowed && isPrivateAddress(literal))
    throw new FlowHttpError('EGRESS_DENIED', `${literal} is a private address`);
  const headers: Record<string, string> = { accept: 'application/json', 'user-agent': 'Hotline-Flow/1' };
  for (const [k, v] of Object.entries(flowHeaders))
    if (!reservedHeaders.has(k.toLowerCase())) headers[k.toLowerCase()] = v;
  headers['accept-encoding'] = 'identity';
  const payload = body === null ? undefined : Buffer.from(body, 'utf8');
  if (payload !== undefined) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(payload.length);
  }
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    const req = request(
      url,
      { method, headers, signal, lookup: guardedLookup(allowed), agent: false },
      resolve,
    );
    req.on('error', reject);
    req.end(payload);
  });
  const status = response.statusCode ?? 0;
  const location = response.headers.location;
  if (status >= 300 && status < 400 && status !== 304 && typeof location === 'string') {
    response.destroy();
    return { status, event: { type: 'error' }, redirect: location };
  }
  const text = await readCapped(response);
  const type = (response.headers['content-type'] ?? '').toLowerCase();
  const isJson = /^application\/([a-z0-9.+-]+\+)?json\b/.test(type);
  const ok = status >= 200 && status <= 299;
  if (text.length === 0) return { status, event: { type: 'http_response', status, body: null } };
  if (!isJson) {
    // A failed call is an `error` outcome anyway; its non-JSON page is not worth refusing loudly.
    if (!ok) return { status, event: { type: 'http_response', status, body: null } };
    throw new FlowHttpError('NOT_JSON', `reply is ${type === '' ? 'untyped' : type.split(';')[0]}, not JSON`);
  }
  try {
    return { status, event: { type: 'http_response', status, body: JSON.parse(text) as unknown } };
  } catch {
    if (!ok) return { status, event: { type: 'http_response', status, body: null } };
    throw new FlowHttpError('BAD_JSON', 'reply is not valid JSON');
  }
}

async function readCapped(response: IncomingMessage): Promise<string> {
  const encoding = (response.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity') {
    response.destroy();
    throw new FlowHttpError('NOT_JSON', `compressed reply (${encoding}) refused`);
  }
  const declared = Number(response.headers['content-length'] ?? '0');
  if (declared > MAX_RESPONSE_BYTES) {
    response.destroy();
    throw new FlowHttpError('TOO_LARGE', `reply over ${MAX_RESPONSE_BYTES} bytes`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_RESPONSE_BYTES) {
      response.destroy();
      throw new FlowHttpError('TOO_LARGE', `reply over ${MAX_RESPONSE_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function describe(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? `connection failed (${code})` : 'connection failed';
}
