import { headerKey } from '../header-names';
import type { Via } from '../headers/via';
import type { ParseLimits } from '../limits';
import { getTopVia, type SipMessage, type SipResponse } from '../message';
import { parseMessage } from '../parser';
import { createResponse } from '../response';
import type { Flow } from './types';
import { stampReceived } from './via-stamp';

/** What the transport does with the octets of one message. */
export type Decoded =
  | { readonly kind: 'message'; readonly message: SipMessage }
  /** A refused request that can be answered (`ParseFailure.reply`): send this response back. */
  | { readonly kind: 'reply'; readonly response: SipResponse; readonly reason: string }
  | { readonly kind: 'drop'; readonly reason: string };

export interface DecodeContext {
  readonly framing: 'datagram' | 'stream';
  readonly limits?: Partial<ParseLimits>;
  /** §18.1.2: a response whose top Via sent-by is not ours is discarded. */
  readonly isOurSentBy: (via: Via) => boolean;
  readonly newTag: () => string;
}

/**
 * One received message, never throwing: requests get `received`/`rport` on their top Via, responses
 * are checked against our sent-by, refusals become the parser's reply (e.g. 400) or a drop.
 */
export function decodeInbound(bytes: Buffer, flow: Flow, ctx: DecodeContext): Decoded {
  const parsed = parseMessage(bytes, { framing: ctx.framing, limits: ctx.limits ?? {} });
  if (!parsed.ok) {
    const reason = `${parsed.code}: ${parsed.detail}`;
    if (parsed.reply === undefined) return { kind: 'drop', reason };
    const headers = stampReceived(parsed.reply.headers, flow.remote);
    const hasTo = headers.some((h) => headerKey(h.name) === 'to');
    const response = createResponse({ headers }, parsed.reply.status, hasTo ? { toTag: ctx.newTag() } : {});
    return { kind: 'reply', response, reason };
  }
  const message = parsed.message;
  if (message.kind === 'response') {
    return ctx.isOurSentBy(getTopVia(message))
      ? { kind: 'message', message }
      : { kind: 'drop', reason: 'response whose top Via is not ours (§18.1.2)' };
  }
  return { kind: 'message', message: { ...message, headers: stampReceived(message.headers, flow.remote) } };
}
