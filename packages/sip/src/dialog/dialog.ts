import { getParam } from '../grammar';
import { formatNameAddr, type NameAddr } from '../headers/name-addr';
import {
  getCallId,
  getContacts,
  getCSeq,
  getFrom,
  getRouteSet,
  getTo,
  type SipHeader,
  type SipRequest,
  type SipResponse,
} from '../message';
import { createRequest } from '../request';
import { formatUri, type Uri } from '../uri';

/**
 * A dialog (RFC 3261 §12) as plain data and pure functions: its id, sequence numbers, remote target
 * and route set, and how in-dialog requests are built and checked. What a call does with it (the
 * INVITE session, re-INVITE, BYE, timers) lives in `ua/`; this module never sends or waits.
 */
export interface DialogId {
  readonly callId: string;
  readonly localTag: string;
  readonly remoteTag: string;
}

/** One string per dialog id, for maps (Call-ID and tags are compared exactly, §12). */
export const dialogKey = (id: DialogId): string => `${id.callId}\n${id.localTag}\n${id.remoteTag}`;

export type DialogState = 'early' | 'confirmed' | 'terminated';

export interface Dialog {
  readonly id: DialogId;
  readonly role: 'uac' | 'uas';
  readonly state: DialogState;
  /** From value of our requests (our URI, our tag). */
  readonly localParty: string;
  /** To value of our requests (the peer's URI and tag). */
  readonly remoteParty: string;
  /** CSeq of the last request we sent in the dialog; `null` until we send one (UAS, §12.1.1). */
  readonly localSeq: number | null;
  /** CSeq of the last request the peer sent; `null` until it sends one (UAC, §12.1.2). */
  readonly remoteSeq: number | null;
  /** Where our requests go: the peer's Contact, updated by target refreshes (§12.2). */
  readonly remoteTarget: Uri;
  /** Record-Route as the peer's requests must be routed, in the order our requests use it. */
  readonly routeSet: readonly NameAddr[];
  /** The INVITE was sent to a SIPS URI over TLS (§12.1.1). */
  readonly secure: boolean;
}

/** Thrown for messages that cannot start a dialog (no tag, no Contact): answer or drop them. */
export class DialogError extends Error {
  override readonly name = 'DialogError';
}

function firstContact(message: SipRequest | SipResponse): Uri {
  const contacts = getContacts(message);
  if (contacts === '*' || contacts[0] === undefined)
    throw new DialogError('no Contact to use as remote target');
  return contacts[0].uri;
}

function headerLine(message: SipRequest | SipResponse, name: string): string {
  const h = message.headers.find((x) => x.name === name);
  if (h === undefined) throw new DialogError(`no ${name}`);
  return h.value;
}

const withTag = (value: string, tag: string): string => `${value};tag=${tag}`;

/**
 * The UAC's dialog from a response with a To tag to the INVITE it sent (§12.1.2): route set from
 * Record-Route reversed, remote target from the response's Contact. 1xx → early, 2xx → confirmed.
 */
export function uacDialog(invite: SipRequest, response: SipResponse): Dialog {
  const to = getTo(response);
  const from = getFrom(invite);
  if (to.tag === null) throw new DialogError('response without To tag');
  if (from.tag === null) throw new DialogError('request without From tag');
  return {
    id: { callId: getCallId(invite), localTag: from.tag, remoteTag: to.tag },
    role: 'uac',
    state: response.status >= 200 ? 'confirmed' : 'early',
    localParty: headerLine(invite, 'From'),
    remoteParty: headerLine(response, 'To'),
    localSeq: getCSeq(invite).seq,
    remoteSeq: null,
    remoteTarget: firstContact(response),
    routeSet: getRouteSet(response, 'Record-Route').reverse(),
    secure: invite.uri.kind === 'sip' && invite.uri.scheme === 'sips',
  };
}

/**
 * The UAS's dialog for an INVITE it answers with tag `localTag` (§12.1.1): route set from Record-Route
 * in order, remote target from the request's Contact, remote sequence number from its CSeq.
 */
export function uasDialog(invite: SipRequest, localTag: string, state: DialogState = 'early'): Dialog {
  const from = getFrom(invite);
  if (from.tag === null) throw new DialogError('request without From tag');
  return {
    id: { callId: getCallId(invite), localTag, remoteTag: from.tag },
    role: 'uas',
    state,
    localParty: withTag(headerLine(invite, 'To'), localTag),
    remoteParty: headerLine(invite, 'From'),
    localSeq: null,
    remoteSeq: getCSeq(invite).seq,
    remoteTarget: firstContact(invite),
    routeSet: getRouteSet(invite, 'Record-Route'),
    secure: invite.uri.kind === 'sip' && invite.uri.scheme === 'sips',
  };
}

/** The id of the dialog an incoming request belongs to (its To tag is our tag), or `null` without one. */
export function requestDialogId(request: SipRequest): DialogId | null {
  const to = getTo(request);
  const from = getFrom(request);
  if (to.tag === null || from.tag === null) return null;
  return { callId: getCallId(request), localTag: to.tag, remoteTag: from.tag };
}

/** The id of the dialog a response to our request belongs to (From tag ours, To tag theirs). */
export function responseDialogId(response: SipResponse): DialogId | null {
  const to = getTo(response);
  const from = getFrom(response);
  if (to.tag === null || from.tag === null) return null;
  return { callId: getCallId(response), localTag: from.tag, remoteTag: to.tag };
}

export const confirm = (d: Dialog): Dialog => ({ ...d, state: 'confirmed' });
export const terminate = (d: Dialog): Dialog => ({ ...d, state: 'terminated' });

/** A target refresh (re-INVITE, its 2xx, UPDATE): the new Contact, if any, becomes the remote target. */
export function refreshTarget(d: Dialog, message: SipRequest | SipResponse): Dialog {
  const contacts = getContacts(message);
  if (contacts === '*' || contacts[0] === undefined) return d;
  return { ...d, remoteTarget: contacts[0].uri };
}

export type RemoteRequestCheck =
  | { readonly ok: true; readonly dialog: Dialog }
  | { readonly ok: false; readonly status: 500; readonly reason: string };

/**
 * §12.2.2: a request from the peer in this dialog. A CSeq lower than the last one is out of order → 500;
 * otherwise it becomes the remote sequence number. ACK and CANCEL carry the INVITE's number and do not
 * move it. A re-INVITE (and UPDATE) refreshes the remote target.
 */
export function receiveRequest(d: Dialog, request: SipRequest): RemoteRequestCheck {
  if (request.method === 'ACK' || request.method === 'CANCEL') return { ok: true, dialog: d };
  const seq = getCSeq(request).seq;
  if (d.remoteSeq !== null && seq <= d.remoteSeq) {
    return { ok: false, status: 500, reason: 'CSeq out of order' };
  }
  let next: Dialog = { ...d, remoteSeq: seq };
  if (request.method === 'INVITE' || request.method === 'UPDATE') next = refreshTarget(next, request);
  return { ok: true, dialog: next };
}

/**
 * §12.2.1.1 (with §16.12.1.1 loose routing): the Request-URI and Route values of our next request. A
 * route set starting with a loose router (`;lr`) keeps the remote target as Request-URI; a strict router
 * becomes the Request-URI and the remote target goes last in Route.
 */
export function nextHop(d: Dialog): { readonly uri: Uri; readonly routes: readonly string[] } {
  const [first, ...rest] = d.routeSet;
  if (first === undefined) return { uri: d.remoteTarget, routes: [] };
  if (first.uri.kind === 'sip' && getParam(first.uri.params, 'lr') !== undefined) {
    return { uri: d.remoteTarget, routes: d.routeSet.map(formatNameAddr) };
  }
  const routes = [...rest.map(formatNameAddr), `<${formatUri(d.remoteTarget)}>`];
  return { uri: first.uri, routes };
}

/**
 * Where our next request physically goes (§8.1.2): the first Route if any, else the Request-URI. A strict
 * route's URI is the Request-URI itself, so this is the first route either way.
 */
export function nextHopUri(d: Dialog): Uri {
  return d.routeSet[0]?.uri ?? d.remoteTarget;
}

export interface InDialogOptions {
  readonly branch: string;
  readonly sentBy: string;
  /** Our Contact (name-addr); every target refresh request must carry it. */
  readonly contact?: string;
  readonly headers?: readonly SipHeader[];
  readonly body?: Buffer;
  readonly contentType?: string;
}

/**
 * A new request in the dialog (§12.2.1.1): the local CSeq grows by one (from 1 when empty); Call-ID,
 * tags, Request-URI and Route from the dialog. ACK and CANCEL are built elsewhere (they reuse a CSeq).
 */
export function createInDialogRequest(
  d: Dialog,
  method: string,
  o: InDialogOptions,
): { readonly dialog: Dialog; readonly request: SipRequest } {
  const cseq = (d.localSeq ?? 0) + 1;
  const hop = nextHop(d);
  const request = createRequest({
    method,
    uri: hop.uri,
    from: d.localParty,
    to: d.remoteParty,
    callId: d.id.callId,
    cseq,
    branch: o.branch,
    sentBy: o.sentBy,
    routes: hop.routes,
    ...(o.contact === undefined ? {} : { contact: o.contact }),
    ...(o.headers === undefined ? {} : { headers: o.headers }),
    ...(o.body === undefined ? {} : { body: o.body }),
    ...(o.contentType === undefined ? {} : { contentType: o.contentType }),
  });
  return { dialog: { ...d, localSeq: cseq }, request };
}

/**
 * The ACK of a 2xx (§13.2.2.4): built by the UAC core, a new branch, the INVITE's CSeq number, routed
 * like any request in the dialog, carrying the INVITE's credentials. `body` answers an offer made in
 * the 2xx (an INVITE sent without SDP).
 */
export function ackFor2xx(
  d: Dialog,
  invite: SipRequest,
  o: { readonly branch: string; readonly sentBy: string; readonly body?: Buffer },
): SipRequest {
  const hop = nextHop(d);
  const credentials = invite.headers.filter(
    (h) => h.name === 'Authorization' || h.name === 'Proxy-Authorization',
  );
  return createRequest({
    method: 'ACK',
    uri: hop.uri,
    from: d.localParty,
    to: d.remoteParty,
    callId: d.id.callId,
    cseq: getCSeq(invite).seq,
    branch: o.branch,
    sentBy: o.sentBy,
    routes: hop.routes,
    headers: credentials,
    ...(o.body === undefined ? {} : { body: o.body }),
  });
}
