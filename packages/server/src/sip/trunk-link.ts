import type { TrunkStatus } from '@hotline/protocol/trunks';
import type { ResolveResult, SipTransport } from '@hotline/sip/dns/sip-target-resolver';
import type { Target } from '@hotline/sip/transport/types';
import type { OptionsPinger, PeerStatus } from '@hotline/sip/ua/options-pinger';
import type { RegisterClient, RegistrationState } from '@hotline/sip/ua/register-client';
import type { UserAgent } from '@hotline/sip/ua/user-agent';
import { parseUri, type SipUri } from '@hotline/sip/uri';
import type { DirectoryTrunk } from './trunk-directory';

export interface TrunkLinkDeps {
  readonly ua: UserAgent;
  /** RFC 3263 resolution of the proxy URI (never throws). */
  readonly resolve: (uri: SipUri) => Promise<ResolveResult>;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  /** Overrides every trunk's keep-alive interval (tests). */
  readonly keepAliveIntervalMs?: number;
  /** After a DNS failure, resolve again this much later. Default 30 s. */
  readonly resolveRetryMs?: number;
  readonly onChange: (trunk: DirectoryTrunk, status: TrunkStatus, previous: TrunkStatus) => void;
}

/** The outbound side of one trunk: proxy resolution, registration and keep-alive, and their status. */
export class TrunkLink {
  #status: TrunkStatus;
  #pinger: OptionsPinger | null = null;
  #register: RegisterClient | null = null;
  #registration: RegistrationState | 'off' = 'off';
  #ping: PeerStatus = 'unknown';
  #lastCode: number | null = null;
  #dnsProblem: string | null = null;
  #retry: NodeJS.Timeout | null = null;
  #stopped = false;
  #target: Target | null = null;
  #host: string | null = null;

  constructor(
    readonly trunk: DirectoryTrunk,
    private readonly deps: TrunkLinkDeps,
  ) {
    this.#status = { state: 'unknown', since: null, lastCode: null, registration: 'off', detail: null };
  }

  get status(): TrunkStatus {
    return this.#status;
  }

  /**
   * Where outbound calls through this trunk go, once the proxy resolved: the first RFC 3263 target
   * (the one keep-alive and registration use) and the proxy's host part for Request-URIs.
   */
  get route(): { readonly target: Target; readonly host: string } | null {
    return this.#target === null || this.#host === null ? null : { target: this.#target, host: this.#host };
  }

  /** The proxy as a SIP URI (`sip:host[:port][;transport=x]`), or null when it is not one. */
  static proxyUri(trunk: Pick<DirectoryTrunk, 'proxy' | 'transport'>): SipUri | null {
    if (trunk.proxy === null) return null;
    const transport = trunk.transport === 'auto' ? '' : `;transport=${trunk.transport}`;
    try {
      const uri = parseUri(`sip:${trunk.proxy.replace(/\.$/, '')}${transport}`);
      return uri.kind === 'sip' ? uri : null;
    } catch {
      return null;
    }
  }

  start(): void {
    void this.#connect();
  }

  /** Stops keep-alive and registration (unregistering with Expires: 0). */
  stop(): void {
    this.#stopped = true;
    if (this.#retry) clearTimeout(this.#retry);
    this.#pinger?.stop();
    this.#register?.stop();
  }

  async #connect(): Promise<void> {
    const { trunk } = this;
    const uri = TrunkLink.proxyUri(trunk);
    if (uri === null) return this.#update();
    const resolved = await this.deps.resolve(uri);
    if (this.#stopped) return;
    if (!resolved.ok || resolved.targets.length === 0) {
      this.#dnsProblem = resolved.ok ? 'DNS_NOT_FOUND' : resolved.code;
      this.#update();
      this.#retry = setTimeout(() => void this.#connect(), this.deps.resolveRetryMs ?? 30_000);
      this.#retry.unref();
      return;
    }
    this.#dnsProblem = null;
    const first = resolved.targets[0]!;
    const target: Target = {
      transport: first.transport.toUpperCase() as Uppercase<SipTransport>,
      address: first.address,
      port: first.port,
    };
    const host = uri.port === null ? uri.host : `${uri.host}:${uri.port}`;
    this.#target = target;
    this.#host = host;
    if (trunk.register) {
      const user = trunk.outboundUsername ?? 'hotline';
      this.#registration = 'registering';
      const client = this.deps.ua.register({
        registrar: parseUri(`sip:${uri.host}`),
        aor: parseUri(`sip:${user}@${uri.host}`),
        target,
        expires: trunk.registerExpiresSec,
        ...(trunk.outboundUsername !== null && trunk.outboundPassword !== null
          ? { credentials: { username: trunk.outboundUsername, password: trunk.outboundPassword } }
          : {}),
      });
      client.on('registered', () => {
        this.#registration = 'registered';
        this.#lastCode = 200;
        this.#update();
      });
      client.on('failed', (status) => {
        this.#registration = 'failed';
        this.#lastCode = status;
        this.#update();
      });
      this.#register = client;
    }
    if (trunk.keepAliveSec > 0) {
      const pinger = this.deps.ua.pinger({
        uri: parseUri(`sip:${host}`),
        target,
        intervalMs: this.deps.keepAliveIntervalMs ?? trunk.keepAliveSec * 1000,
      });
      pinger.on('status', (status, code) => {
        this.#ping = status;
        this.#lastCode = code;
        this.#update();
      });
      pinger.start();
      this.#pinger = pinger;
    }
    this.#update();
  }

  /** Up: the keep-alive answers (and the registration, when asked for, holds). Down: either fails. */
  #update(): void {
    let state: TrunkStatus['state'] = 'unknown';
    let detail: string | null = null;
    if (this.#dnsProblem !== null) {
      state = 'down';
      detail = this.#dnsProblem;
    } else if (this.#ping === 'down') {
      state = 'down';
      detail = this.#lastCode === 408 ? 'KEEPALIVE_TIMEOUT' : 'KEEPALIVE_FAILED';
    } else if (this.#registration === 'failed') {
      state = 'down';
      detail = 'REGISTER_FAILED';
    } else if (
      (this.#ping === 'up' || this.trunk.keepAliveSec === 0) &&
      (this.#registration === 'registered' || !this.trunk.register) &&
      (this.#ping === 'up' || this.#registration === 'registered')
    ) {
      state = 'up';
    }
    const registration =
      this.#registration === 'idle' || this.#registration === 'unregistered' ? 'off' : this.#registration;
    const previous = this.#status;
    const changed = state !== previous.state;
    const next: TrunkStatus = {
      state,
      since: changed ? new Date(this.deps.now()).toISOString() : previous.since,
      lastCode: this.#lastCode,
      registration,
      detail,
    };
    this.#status = next;
    if (changed || registration !== previous.registration || detail !== previous.detail) {
      this.deps.onChange(this.trunk, next, previous);
    }
  }
}
