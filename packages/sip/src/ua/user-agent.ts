import { randomBytes } from 'node:crypto';
import type { SipDefence } from '../defence/sip-defence';
import { decideChallenge, type Ha1Lookup } from '../defence/uniform-challenge';
import { type Dialog, dialogKey, requestDialogId, responseDialogId } from '../dialog/dialog';
import { type SessionTimerConfig, uasSessionTimer } from '../dialog/session-timer';
import { uriTarget } from '../dialog/uri-target';
import type { DigestAlgorithm } from '../digest';
import {
  firstHeaderValue,
  getContacts,
  getCSeq,
  getFrom,
  getTokens,
  headerValues,
  type SipHeader,
  type SipRequest,
  type SipResponse,
} from '../message';
import { newBranch, newCallId, newTag } from '../request';
import { createResponse } from '../response';
import { parseSdp } from '../sdp/parse-sdp';
import { sdpErrorStatus } from '../sdp/sdp-error';
import type { SdpSession } from '../sdp/sdp-model';
import type { ServerTransaction } from '../transaction/server-transaction';
import { defaultTiming, nodeTimers, type Timers, type Timing } from '../transaction/timing';
import type { IncomingRequest } from '../transaction/transaction-layer';
import { TransactionLayer } from '../transaction/transaction-layer';
import { NodeTransport, type NodeTransportOptions } from '../transport/node-transport';
import type { Flow, InboundMessage, SipTransport, Target, TransportProtocol } from '../transport/types';
import { formatUri, type Uri } from '../uri';
import type { CallBase } from './call-base';
import { type Credentials, DigestClient } from './digest-client';
import { IncomingCall } from './incoming-call';
import { OptionsPinger, type OptionsPingerOptions } from './options-pinger';
import { OutgoingCall, type OutgoingCallOptions } from './outgoing-call';
import { RegisterClient, type RegisterClientOptions } from './register-client';
import { Registrar, type RegistrarOptions } from './registrar';
import { ALLOW, type UaContext } from './ua-context';

/** Digest required from requests that start something (INVITE, REGISTER), RFC 3261 §22.1. */
export interface ServerAuthOptions {
  readonly realm: string;
  /** Secret of the stateless nonces (≥ 32 octets), shared by every process that verifies. */
  readonly nonceSecret: Uint8Array;
  /** Secret for the stand-in HA1 of unknown users (`decideChallenge`). */
  readonly unknownUserSecret: Uint8Array;
  readonly lookupHa1: Ha1Lookup;
  /** Default both. */
  readonly methods?: readonly ('INVITE' | 'REGISTER')[];
  /** Default 60 s; an older nonce with a right answer gets `stale=true`. */
  readonly nonceMaxAgeMs?: number;
  /** Default MD5 (RFC 8760 SHA-256 when the peers take it). */
  readonly algorithm?: DigestAlgorithm;
  /**
   * Sources let in without digest (trunks authenticated by IP allow-list): exact addresses, or a
   * predicate (CIDR blocks, a table that changes at run time). Called for every INVITE/REGISTER.
   */
  readonly trustedSources?: readonly string[] | ((ip: string) => boolean);
}

export interface UserAgentOptions {
  readonly transport: SipTransport;
  /** The host written in our Via and Contact: the address peers reach us at. */
  readonly host: string;
  /** Our listening ports, for Contact. */
  readonly ports: Readonly<Partial<Record<TransportProtocol, number>>>;
  /** User part of our Contact. Default `hotline`. */
  readonly user?: string;
  readonly timers?: Timers;
  readonly timing?: Partial<Timing>;
  /** Milliseconds since the epoch. Default `Date.now`. */
  readonly now?: () => number;
  /** [0, 1). Default `Math.random`. */
  readonly random?: () => number;
  /** Checked before any transaction exists (rate limits, bans, scanners). */
  readonly defence?: SipDefence;
  readonly auth?: ServerAuthOptions;
  /** Accept REGISTER into an in-memory binding table. Default off (REGISTER → 405). */
  readonly registrar?: RegistrarOptions | boolean;
  /** Session timers (RFC 4028); `null` (default) uses them only when the peer asks. */
  readonly sessionTimer?: SessionTimerConfig | null;
  /** User-Agent header value. Default `Hotline`. */
  readonly userAgentName?: string;
  /** A new incoming call; without a handler INVITEs get 480. */
  readonly onIncomingCall?: (call: IncomingCall) => void;
  /** Target for a URI whose host is a name (RFC 3263 is `dns/`, done by the caller). */
  readonly resolve?: (uri: Uri, fallback: TransportProtocol) => Target | null;
  readonly onError?: (error: unknown) => void;
  /** 100 Trying at once for every INVITE. Default true. */
  readonly sendTrying?: boolean;
}

/** What `UserAgent.listen` adds to `UserAgentOptions`: sockets bound for us. */
export type ListenOptions = Omit<UserAgentOptions, 'transport' | 'ports' | 'host'> &
  Pick<NodeTransportOptions, 'host' | 'advertisedHost' | 'udp' | 'tcp' | 'tls' | 'limits' | 'maxConnections'>;

export interface UserAgentStats {
  /** Requests the defence dropped or refused before any transaction. */
  blocked: number;
  challenged: number;
  incomingCalls: number;
  outgoingCalls: number;
}

/**
 * A SIP user agent (RFC 3261 §8, §12–§15) on a `TransactionLayer`: incoming and outgoing calls with
 * dialogs, server-side digest for INVITE and REGISTER, a small registrar, registration and OPTIONS
 * clients, and the defence gate in front of everything. Configuration comes in as plain objects; no
 * storage or server wiring here.
 *
 * Routing of a received request: defence → (ACK: the dialog it belongs to) → CANCEL: the INVITE it
 * cancels → To tag: the dialog (481 when none) → by method: INVITE (auth, session timer, SDP, then the
 * application), REGISTER (auth, registrar), OPTIONS (200), BYE (481), others 405.
 */
export class UserAgent {
  readonly layer: TransactionLayer;
  readonly stats: UserAgentStats = { blocked: 0, challenged: 0, incomingCalls: 0, outgoingCalls: 0 };
  readonly registrar: Registrar | null;
  readonly #dialogs = new Map<string, CallBase>();
  readonly #invites = new WeakMap<ServerTransaction, IncomingCall>();
  readonly #ctx: UaContext;
  readonly #reportError: (error: unknown) => void;
  #closeTransport: (() => Promise<void>) | null = null;

  constructor(private readonly o: UserAgentOptions) {
    this.#reportError =
      o.onError ?? ((e) => process.emitWarning(e instanceof Error ? e : new Error(String(e))));
    const timers = o.timers ?? nodeTimers;
    this.layer = new TransactionLayer({
      transport: o.transport,
      timers,
      ...(o.timing === undefined ? {} : { timing: o.timing }),
      onRequest: (incoming) => this.#onRequest(incoming),
      onStrayResponse: (response) => this.#onStrayResponse(response),
      onError: this.#reportError,
      newTag,
      ...(o.sendTrying === undefined ? {} : { sendTrying: o.sendTrying }),
    });
    const now = o.now ?? Date.now;
    this.registrar =
      o.registrar === undefined || o.registrar === false
        ? null
        : new Registrar(now, o.registrar === true ? {} : o.registrar);
    const user = o.user ?? 'hotline';
    const host = o.host.includes(':') ? `[${o.host}]` : o.host;
    const contacts: Partial<Record<TransportProtocol, string>> = {};
    for (const t of ['UDP', 'TCP', 'TLS'] as const) {
      const port = o.ports[t];
      if (port !== undefined) {
        contacts[t] = `<sip:${user}@${host}:${port}${t === 'UDP' ? '' : `;transport=${t.toLowerCase()}`}>`;
      }
    }
    const anyContact = contacts.UDP ?? contacts.TCP ?? contacts.TLS ?? `<sip:${user}@${host}>`;
    this.#ctx = {
      layer: this.layer,
      timers,
      timing: { ...defaultTiming, ...o.timing },
      now,
      random: o.random ?? Math.random,
      newBranch,
      newTag,
      newCallId: () => newCallId(o.host),
      sentBy: `${host}:${o.ports.UDP ?? o.ports.TCP ?? o.ports.TLS ?? 5060}`,
      contact: (t) => contacts[t] ?? anyContact,
      commonHeaders: [{ name: 'User-Agent', value: o.userAgentName ?? 'Hotline' }],
      sessionTimer: o.sessionTimer ?? null,
      registerDialog: (d, call) => this.#dialogs.set(dialogKey(d.id), call),
      forgetDialog: (d: Dialog) => {
        const key = dialogKey(d.id);
        this.#dialogs.delete(key);
      },
      resolve: (uri, fallback) => o.resolve?.(uri, fallback) ?? null,
      reportError: this.#reportError,
    };
  }

  /** Binds UDP/TCP/TLS sockets and starts a user agent on them. `close()` closes both. */
  static async listen(o: ListenOptions): Promise<UserAgent> {
    let ua: UserAgent | undefined;
    const transport = await NodeTransport.listen({
      host: o.host,
      ...(o.advertisedHost === undefined ? {} : { advertisedHost: o.advertisedHost }),
      ...(o.udp === undefined ? {} : { udp: o.udp }),
      ...(o.tcp === undefined ? {} : { tcp: o.tcp }),
      ...(o.tls === undefined ? {} : { tls: o.tls }),
      ...(o.limits === undefined ? {} : { limits: o.limits }),
      ...(o.maxConnections === undefined ? {} : { maxConnections: o.maxConnections }),
      onMessage: (m) => ua?.receive(m),
      ...(o.onError === undefined ? {} : { onError: o.onError }),
    });
    ua = new UserAgent({ ...o, transport, host: o.advertisedHost ?? o.host, ports: transport.ports });
    ua.#closeTransport = () => transport.close();
    return ua;
  }

  /** Our listening ports. */
  get ports(): Readonly<Partial<Record<TransportProtocol, number>>> {
    return this.o.ports;
  }

  /** Live dialogs (early and confirmed), for metrics and tests. */
  get dialogCount(): number {
    return this.#dialogs.size;
  }

  async close(): Promise<void> {
    await this.#closeTransport?.();
  }

  /** Wire the transport's messages here: the defence sees every request before the transaction layer. */
  receive(inbound: InboundMessage): void {
    const { message, flow } = inbound;
    if (message.kind === 'request' && this.o.defence !== undefined) {
      const verdict = this.o.defence.inspectRequest({
        sourceIp: flow.remote.address,
        userAgent: firstHeaderValue(message, 'User-Agent') ?? null,
        method: message.method,
      });
      if (verdict.action !== 'allow') {
        this.stats.blocked++;
        if (verdict.action === 'reject' && message.method !== 'ACK') {
          const reply = createResponse(message, verdict.status, { toTag: newTag() });
          this.o.transport.sendResponse(reply, flow, () => {});
        }
        return;
      }
    }
    this.layer.receive(inbound);
  }

  /** Places a call; listen to its events, then it runs on its own. */
  call(
    o: Omit<OutgoingCallOptions, 'target'> & {
      readonly target?: Target;
      readonly credentials?: Credentials;
    },
  ): OutgoingCall {
    const target = o.target ?? uriTarget(o.to) ?? this.#ctx.resolve(o.to, 'UDP');
    if (target === null) throw new Error(`no target for ${formatUri(o.to)}: pass one or a resolver`);
    const digest = o.credentials === undefined ? null : new DigestClient(o.credentials);
    const call = new OutgoingCall(this.#ctx, { ...o, target }, digest);
    this.stats.outgoingCalls++;
    call.start();
    return call;
  }

  register(o: RegisterClientOptions): RegisterClient {
    const client = new RegisterClient(this.#ctx, o);
    client.start();
    return client;
  }

  pinger(o: OptionsPingerOptions): OptionsPinger {
    return new OptionsPinger(this.#ctx, o);
  }

  // ---- received requests ------------------------------------------------------------------------

  #onRequest({ request, transaction: tx, cancels, flow }: IncomingRequest): void {
    if (tx === null) {
      const id = requestDialogId(request);
      if (id !== null) this.#dialogs.get(dialogKey(id))?.handleAck(request);
      return;
    }
    if (request.method === 'CANCEL') {
      if (cancels === null) {
        tx.respond(createResponse(request, 481, { toTag: newTag() }));
        return;
      }
      tx.respond(createResponse(request, 200, { toTag: newTag() }));
      const call = this.#invites.get(cancels);
      if (call !== undefined) call.handleCancel();
      else cancels.respond(createResponse(cancels.request, 487, { toTag: newTag() }));
      return;
    }
    const id = requestDialogId(request);
    if (id !== null) {
      const call = this.#dialogs.get(dialogKey(id));
      if (call !== undefined) call.handleRequest(request, tx);
      else if (request.method === 'OPTIONS') this.#answerOptions(request, tx);
      else tx.respond(createResponse(request, 481, { toTag: newTag() }));
      return;
    }
    const unsupported = getTokens(request, 'Require').filter((t) => t.toLowerCase() !== 'timer');
    if (unsupported.length > 0 && request.method !== 'CANCEL') {
      tx.respond(
        createResponse(request, 420, {
          toTag: newTag(),
          headers: [{ name: 'Unsupported', value: unsupported.join(', ') }],
        }),
      );
      return;
    }
    switch (request.method) {
      case 'INVITE':
        this.#onInvite(request, tx, flow);
        return;
      case 'REGISTER':
        this.#onRegister(request, tx, flow);
        return;
      case 'OPTIONS':
        this.#answerOptions(request, tx);
        return;
      case 'BYE':
        tx.respond(createResponse(request, 481, { toTag: newTag() }));
        return;
      default:
        tx.respond(
          createResponse(request, 405, { toTag: newTag(), headers: [{ name: 'Allow', value: ALLOW }] }),
        );
    }
  }

  /** OPTIONS to us (§11.2): 200 with what we support — the "is Hotline up" probe. */
  #answerOptions(request: SipRequest, tx: ServerTransaction): void {
    tx.respond(
      createResponse(request, 200, {
        toTag: newTag(),
        headers: [
          { name: 'Allow', value: ALLOW },
          { name: 'Accept', value: 'application/sdp' },
          { name: 'Supported', value: 'timer' },
        ],
      }),
    );
  }

  #onInvite(request: SipRequest, tx: ServerTransaction, flow: Flow): void {
    const user = this.#authenticate(request, tx, flow, 'INVITE');
    if (user === undefined) return;
    const reply = (status: number, headers: readonly SipHeader[] = []) =>
      tx.respond(createResponse(request, status, { toTag: newTag(), headers }));
    const contacts = getContacts(request);
    if (contacts === '*' || contacts.length === 0 || getFrom(request).tag === null) {
      reply(400);
      return;
    }
    const timer = uasSessionTimer(request, this.#ctx.sessionTimer);
    if (timer.kind === 'reject') {
      reply(422, timer.headers);
      return;
    }
    let offer: SdpSession | null = null;
    if (request.body.length > 0) {
      const parsed = parseSdp(request.body);
      if (!parsed.ok) {
        reply(sdpErrorStatus[parsed.code] ?? 400);
        return;
      }
      offer = parsed.session;
    }
    const onIncoming = this.o.onIncomingCall;
    if (onIncoming === undefined) {
      reply(480);
      return;
    }
    const call = new IncomingCall(this.#ctx, request, tx, flow, offer, timer, user);
    this.#invites.set(tx, call);
    this.stats.incomingCalls++;
    onIncoming(call);
  }

  #onRegister(request: SipRequest, tx: ServerTransaction, flow: Flow): void {
    if (this.registrar === null) {
      tx.respond(
        createResponse(request, 405, { toTag: newTag(), headers: [{ name: 'Allow', value: ALLOW }] }),
      );
      return;
    }
    if (this.#authenticate(request, tx, flow, 'REGISTER') === undefined) return;
    const outcome = this.registrar.register(request);
    tx.respond(createResponse(request, outcome.status, { toTag: newTag(), headers: outcome.headers }));
  }

  /**
   * Digest for INVITE/REGISTER when configured: the user name when accepted (`null` when not required),
   * `undefined` when a challenge went out. Failures feed the defence's bans.
   */
  #authenticate(
    request: SipRequest,
    tx: ServerTransaction,
    flow: Flow,
    method: 'INVITE' | 'REGISTER',
  ): string | null | undefined {
    const auth = this.o.auth;
    const ip = flow.remote.address;
    if (auth === undefined || !(auth.methods ?? ['INVITE', 'REGISTER']).includes(method)) return null;
    const trusted = auth.trustedSources;
    if (typeof trusted === 'function' ? trusted(ip) : trusted?.includes(ip)) return null;
    const decision = decideChallenge(
      {
        method: request.method,
        requestUri: formatUri(request.uri),
        authorization: headerValues(request, 'Authorization'),
      },
      {
        key: { secret: auth.nonceSecret, realm: auth.realm },
        now: this.#ctx.now(),
        nonceMaxAgeMs: auth.nonceMaxAgeMs ?? 60_000,
        nonceRandom: randomBytes(16),
        unknownUserSecret: auth.unknownUserSecret,
        ...(auth.algorithm === undefined ? {} : { algorithm: auth.algorithm }),
      },
      auth.lookupHa1,
    );
    if (decision.kind === 'accept') {
      this.o.defence?.authSucceeded(ip);
      return decision.username;
    }
    this.stats.challenged++;
    if (decision.authFailed) this.o.defence?.authFailed(ip);
    tx.respond(createResponse(request, decision.status, { toTag: newTag(), headers: [decision.header] }));
    return undefined;
  }

  /** A 2xx to an INVITE after its transaction ended (RFC 6026 Timer M passed): the dialog ACKs again. */
  #onStrayResponse(response: SipResponse): void {
    if (response.status < 200 || response.status >= 300 || getCSeq(response).method !== 'INVITE') return;
    const id = responseDialogId(response);
    if (id !== null) this.#dialogs.get(dialogKey(id))?.handleStray2xx(response);
  }
}
