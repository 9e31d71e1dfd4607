import type { PhoneServerFrame, PhoneTransferFailure, RecordingStatus } from '@hotline/protocol/agent-phone';
import type { ChatMessage, ChatServerFrame } from '@hotline/protocol/chat';
import type { QueueLive, ServerFrame } from '@hotline/protocol/routing';

/**
 * What arrives on the realtime WebSocket (`/api/ws`): the routing frames (`ready`, `event`, `pong`,
 * `error`), the supervisor's `queues` figures and the chat frames. The server is trusted but the
 * socket is not a typed channel, so every frame is checked for the fields this client reads before
 * anything else sees it; anything else is dropped.
 */
export type EventFrame = Extract<ServerFrame, { type: 'event' }>;
export type QueuesFrame = { type: 'queues'; items: QueueLive[] };
export type IncomingFrame = ServerFrame | QueuesFrame | ChatServerFrame | PhoneServerFrame;

/** A routing event as stored in the outbox (times are epoch milliseconds). */
export type RoutingEventPayload = EventFrame['event'];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;
const isSeq = (v: unknown): v is string => typeof v === 'string' && /^[0-9]{1,19}$/.test(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;

export function isChatMessage(v: unknown): v is ChatMessage {
  return (
    isObject(v) &&
    isString(v.id) &&
    isString(v.interactionId) &&
    isInt(v.seq) &&
    v.seq >= 1 &&
    isObject(v.author) &&
    isString(v.author.kind) &&
    isString(v.author.name) &&
    isString(v.visibility) &&
    isString(v.text) &&
    isString(v.createdAt)
  );
}

/** Parses one text frame; `null` for anything this client does not understand. */
export function parseFrame(text: string): IncomingFrame | null {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(v) || !isString(v.type)) return null;
  switch (v.type) {
    case 'ready':
      return isSeq(v.seq) ? { type: 'ready', seq: v.seq } : null;
    case 'event':
      return isSeq(v.seq) && isString(v.at) && isObject(v.event) && isString(v.event.type)
        ? { type: 'event', seq: v.seq, at: v.at, event: v.event as EventFrame['event'] }
        : null;
    case 'pong':
      return { type: 'pong' };
    case 'error':
      return isString(v.code) ? { type: 'error', code: v.code, message: String(v.message ?? '') } : null;
    case 'queues':
      return Array.isArray(v.items)
        ? { type: 'queues', items: v.items.filter(isObject) as QueueLive[] }
        : null;
    case 'chat.watching':
      return isString(v.interactionId) && isInt(v.lastSeq)
        ? {
            type: 'chat.watching',
            interactionId: v.interactionId,
            lastSeq: v.lastSeq,
            readByCustomerSeq: isInt(v.readByCustomerSeq) ? v.readByCustomerSeq : 0,
          }
        : null;
    case 'chat.message':
      return isChatMessage(v.message) ? { type: 'chat.message', message: v.message } : null;
    case 'chat.typing':
      return isString(v.interactionId) && typeof v.active === 'boolean'
        ? { type: 'chat.typing', interactionId: v.interactionId, active: v.active }
        : null;
    case 'chat.mark':
      return isString(v.interactionId) && (v.mark === 'delivered' || v.mark === 'read') && isInt(v.seq)
        ? { type: 'chat.mark', interactionId: v.interactionId, by: 'customer', mark: v.mark, seq: v.seq }
        : null;
    default:
      return v.type.startsWith('phone.') ? parsePhoneFrame(v) : null;
  }
}

const PHONE_STATES = ['connecting', 'connected', 'disconnected', 'failed', 'closed'];
const PHONE_MODES = ['idle', 'call', 'check'];
const TRANSFER_STATUSES: readonly string[] = ['dialling', 'connected', 'failed'];
const RECORDING_STATUSES: readonly string[] = [
  'recording',
  'available',
  'unavailable',
  'failed',
] satisfies RecordingStatus[];
const isNumberOrNull = (v: unknown) => v === null || typeof v === 'number';

/** The softphone's frames (`@hotline/protocol/agent-phone`). */
function parsePhoneFrame(v: Record<string, unknown>): PhoneServerFrame | null {
  switch (v.type) {
    case 'phone.answer':
      return isString(v.tabId) && isString(v.sdp)
        ? { type: 'phone.answer', tabId: v.tabId, sdp: v.sdp }
        : null;
    case 'phone.state':
      return isString(v.tabId) &&
        PHONE_STATES.includes(v.state as string) &&
        PHONE_MODES.includes(v.mode as string)
        ? {
            type: 'phone.state',
            tabId: v.tabId,
            state: v.state as Extract<PhoneServerFrame, { type: 'phone.state' }>['state'],
            mode: v.mode as Extract<PhoneServerFrame, { type: 'phone.state' }>['mode'],
            ...(isString(v.reason) ? { reason: v.reason } : {}),
          }
        : null;
    case 'phone.check-done': {
      const r = v.result;
      return isString(v.tabId) &&
        isObject(r) &&
        typeof r.micRmsDbfs === 'number' &&
        typeof r.micPeakDbfs === 'number' &&
        isNumberOrNull(r.micToneHz) &&
        typeof r.completed === 'boolean'
        ? {
            type: 'phone.check-done',
            tabId: v.tabId,
            result: {
              micRmsDbfs: r.micRmsDbfs,
              micPeakDbfs: r.micPeakDbfs,
              micToneHz: r.micToneHz as number | null,
              completed: r.completed,
            },
          }
        : null;
    }
    case 'phone.dtmf':
      return isString(v.tabId) && isString(v.digit) && typeof v.durationMs === 'number'
        ? { type: 'phone.dtmf', tabId: v.tabId, digit: v.digit, durationMs: v.durationMs }
        : null;
    case 'phone.recording':
      return isString(v.tabId) && RECORDING_STATUSES.includes(v.status as string)
        ? { type: 'phone.recording', tabId: v.tabId, status: v.status as RecordingStatus }
        : null;
    case 'phone.transfer':
      return isString(v.tabId) && isString(v.number) && TRANSFER_STATUSES.includes(v.status as string)
        ? {
            type: 'phone.transfer',
            tabId: v.tabId,
            number: v.number,
            status: v.status as Extract<PhoneServerFrame, { type: 'phone.transfer' }>['status'],
            ...(isString(v.code) ? { code: v.code as PhoneTransferFailure } : {}),
            ...(isString(v.message) ? { message: v.message } : {}),
          }
        : null;
    case 'phone.error':
      return (isString(v.tabId) || v.tabId === null) && isString(v.code)
        ? {
            type: 'phone.error',
            tabId: v.tabId as string | null,
            code: v.code as Extract<PhoneServerFrame, { type: 'phone.error' }>['code'],
            message: String(v.message ?? ''),
          }
        : null;
    default:
      return null;
  }
}

/** Compares two outbox sequence numbers (decimal strings up to 19 digits, beyond 2^53). */
export function compareSeq(a: string, b: string): number {
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * The delay before reconnect attempt `attempt` (0-based): exponential from 500 ms, capped at 5 s (an
 * agent must be back within seconds of a server restart), with jitter (½ to 1× of it) so that a restart
 * is not met by every browser at the same instant.
 */
export function reconnectDelay(attempt: number, random: number): number {
  const base = Math.min(5_000, 500 * 2 ** Math.min(attempt, 10));
  return Math.round(base * (0.5 + random / 2));
}
