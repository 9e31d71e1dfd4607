import { SipSyntaxError, trimWsp } from './grammar';
import { headerKey } from './header-names';
import {
  type AuthHeader,
  type ChallengeHeaderName,
  type CredentialsHeaderName,
  parseAuthHeader,
} from './headers/auth';
import {
  type Contacts,
  type NameAddr,
  type Party,
  parseContacts,
  parseNameAddrList,
  parseParty,
} from './headers/name-addr';
import {
  type CallId,
  type CSeq,
  parseCallId,
  parseContentLength,
  parseCSeq,
  parseMaxForwards,
} from './headers/scalar';
import { parseViaList, type Via } from './headers/via';
import type { Uri } from './uri';

/**
 * The SIP message model. The header list is the truth: every header line in order, repeats kept, the
 * value unfolded (each fold became one SP) and trimmed, the name canonical (`header-names.ts`). Typed
 * views (Via, From, CSeq …) are read from it by the accessors below.
 *
 * Contract: for a message returned by `parseMessage`, every accessor here succeeds — the parser has
 * already validated each header that has a typed accessor and rejected the message otherwise. On a
 * message built by hand, an accessor throws `SipSyntaxError` for a missing mandatory or malformed header.
 */
export interface SipHeader {
  /** Canonical for known headers (`Call-ID`), as received for others. */
  readonly name: string;
  readonly value: string;
}

interface MessageBase {
  readonly headers: readonly SipHeader[];
  /** Exactly Content-Length octets (the rest of a datagram when it had none). A view on the input. */
  readonly body: Buffer;
}

export interface SipRequest extends MessageBase {
  readonly kind: 'request';
  /** Case-sensitive token; `RE%47IST%45R` is not REGISTER (RFC 4475 esc02). */
  readonly method: string;
  readonly uri: Uri;
}

export interface SipResponse extends MessageBase {
  readonly kind: 'response';
  /** 100–699. */
  readonly status: number;
  /** May be empty (RFC 4475 noreason). */
  readonly reason: string;
}

export type SipMessage = SipRequest | SipResponse;

/** Every value of the header `name` (any case or compact form), one per header line, in order. */
export function headerValues(msg: Pick<MessageBase, 'headers'>, name: string): string[] {
  const key = headerKey(name);
  const out: string[] = [];
  for (const h of msg.headers) if (headerKey(h.name) === key) out.push(h.value);
  return out;
}

export function firstHeaderValue(msg: Pick<MessageBase, 'headers'>, name: string): string | undefined {
  const key = headerKey(name);
  return msg.headers.find((h) => headerKey(h.name) === key)?.value;
}

function only(msg: MessageBase, name: string): string {
  const values = headerValues(msg, name);
  if (values.length !== 1) {
    throw new SipSyntaxError(`${values.length === 0 ? 'missing' : 'repeated'} ${name}`);
  }
  return values[0] ?? '';
}

function optional(msg: MessageBase, name: string): string | undefined {
  const values = headerValues(msg, name);
  if (values.length > 1) throw new SipSyntaxError(`repeated ${name}`);
  return values[0];
}

/** All Via values, topmost first, across header lines and comma lists. */
export function getVias(msg: MessageBase): Via[] {
  return headerValues(msg, 'Via').flatMap(parseViaList);
}

export function getTopVia(msg: MessageBase): Via {
  const first = firstHeaderValue(msg, 'Via');
  if (first === undefined) throw new SipSyntaxError('missing Via');
  return parseViaList(first)[0] as Via;
}

export const getFrom = (msg: MessageBase): Party => parseParty(only(msg, 'From'));
export const getTo = (msg: MessageBase): Party => parseParty(only(msg, 'To'));
export const getCallId = (msg: MessageBase): CallId => parseCallId(only(msg, 'Call-ID'));
export const getCSeq = (msg: MessageBase): CSeq => parseCSeq(only(msg, 'CSeq'));

export function getMaxForwards(msg: MessageBase): number | null {
  const v = optional(msg, 'Max-Forwards');
  return v === undefined ? null : parseMaxForwards(v);
}

export function getContentLength(msg: MessageBase): number | null {
  const v = optional(msg, 'Content-Length');
  return v === undefined ? null : parseContentLength(v);
}

/** All Contact values, or `*`. An empty array when there is no Contact. */
export function getContacts(msg: MessageBase): Contacts {
  const lists = headerValues(msg, 'Contact').map(parseContacts);
  if (lists.length === 1 && lists[0] === '*') return '*';
  if (lists.includes('*')) throw new SipSyntaxError('Contact: * mixed with addresses');
  return (lists as NameAddr[][]).flat();
}

/** Route or Record-Route values in order (name-addr form only, RFC 3261 §25.1). */
export function getRouteSet(msg: MessageBase, name: 'Route' | 'Record-Route'): NameAddr[] {
  return headerValues(msg, name).flatMap((v) => parseNameAddrList(v, true));
}

/** Each header line of an authentication header is one challenge or one set of credentials. */
export function getAuthHeaders(
  msg: MessageBase,
  name: ChallengeHeaderName | CredentialsHeaderName,
): AuthHeader[] {
  return headerValues(msg, name).map(parseAuthHeader);
}

/** Comma-separated tokens (Require, Proxy-Require, Supported, Unsupported, Allow …), in order. */
export function getTokens(msg: MessageBase, name: string): string[] {
  return headerValues(msg, name)
    .flatMap((v) => v.split(','))
    .map(trimWsp)
    .filter((t) => t !== '');
}
