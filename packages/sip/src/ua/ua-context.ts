import type { Dialog } from '../dialog/dialog';
import type { SessionTimerConfig } from '../dialog/session-timer';
import type { SipHeader } from '../message';
import type { Timers, Timing } from '../transaction/timing';
import type { TransactionLayer } from '../transaction/transaction-layer';
import type { Target, TransportProtocol } from '../transport/types';
import type { CallBase } from './call-base';

/**
 * What calls, clients and the registrar need from the user agent that owns them: the transaction
 * layer, the clock, identifiers, and the table of dialogs. Internal to `ua/`: applications use
 * `UserAgent`.
 */
export interface UaContext {
  readonly layer: TransactionLayer;
  readonly timers: Timers;
  readonly timing: Timing;
  /** Milliseconds since the epoch. */
  readonly now: () => number;
  /** [0, 1), for back-offs. */
  readonly random: () => number;
  readonly newBranch: () => string;
  readonly newTag: () => string;
  readonly newCallId: () => string;
  /** sent-by placeholder for our Vias (the transport writes the real one). */
  readonly sentBy: string;
  /** Our Contact (name-addr) for requests and responses going over `transport`. */
  contact(transport: TransportProtocol): string;
  /** Added to every request and response we originate (User-Agent/Server, Allow, Supported). */
  readonly commonHeaders: readonly SipHeader[];
  readonly sessionTimer: SessionTimerConfig | null;
  /** The call owns the dialog now (early or confirmed); requests with its id go to it. */
  registerDialog(dialog: Dialog, call: CallBase): void;
  forgetDialog(dialog: Dialog): void;
  /** A target for a URI host that is not an IP (no DNS in `ua/`): the configured resolver, or null. */
  resolve(uri: import('../uri').Uri, fallback: TransportProtocol): Target | null;
  readonly reportError: (error: unknown) => void;
}

export const ALLOW = 'INVITE, ACK, BYE, CANCEL, OPTIONS, REGISTER';
