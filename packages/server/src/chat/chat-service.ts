import { agentId, type InteractionId, interactionId } from '@hotline/core/ids';
import type { Millis } from '@hotline/core/ports';
import { can } from '@hotline/core/roles';
import type { RoutingEngine } from '@hotline/core/routing/routing-engine';
import type { RoutingEvent } from '@hotline/core/routing/routing-events';
import type { AttachmentDto, ChatMessage, ConversationStatus } from '@hotline/protocol/chat';
import type { AgentStateDto } from '@hotline/protocol/routing';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { AppError, forbidden, notFound } from '../errors';
import { agentStateDto, type TransferNote } from '../http/routes/routing';
import type { RoutingService } from '../routing/routing-service';
import type { OutboxEntry } from '../routing/routing-store';
import type { Principal } from '../stores/principal';
import type { ChatBot } from './chat-bot';
import { type ChatAccess, ChatHub, visibilitiesFor } from './chat-hub';
import { type Appended, ConversationLog } from './conversation-log';
import { ConversationStatusReader } from './conversation-status';
import { type Conversation, Conversations, endedStates } from './conversations';
import { type BucketPolicy, RateLimiter } from './rate-limiter';
import { renderTranscript } from './transcript';
import { WidgetIntake } from './widget-intake';

/**
 * Web chat on top of routing: the conversation log, who may read and write it, and what each side
 * is told live. One instance per server; the HTTP routes and both WebSocket gateways call it.
 *
 * Access to a conversation:
 * - the customer: through the visitor token of the visitor who started it (checked by the caller);
 * - an agent: while the router has it with them (offered: read; connected or wrap-up: read and
 *   write), and afterwards read-only if they were its last agent;
 * - a supervisor: always read, internal notes and whispers; public messages only after a take-over.
 * Anything else is NOT_FOUND, the same answer as for an id that does not exist.
 *
 * Ending: the customer ends → the router ends the interaction (connected → wrap-up for the agent;
 * waiting → abandoned). The agent ends, wraps up or the router gives up → the customer sees `ended`
 * (the routing events drive it). Transfers show the customer `queued` then `connected` again.
 */
export interface ChatLimits {
  /** Messages a visitor may send (all their sockets together). */
  readonly visitorMessages: BucketPolicy;
  /** Messages from one client address (all visitors behind it). */
  readonly addressMessages: BucketPolicy;
  /** Conversations and offline messages started from one client address. */
  readonly addressConversations: BucketPolicy;
}

export const defaultChatLimits: ChatLimits = {
  visitorMessages: { burst: 20, perSecond: 1 },
  addressMessages: { burst: 200, perSecond: 20 },
  addressConversations: { burst: 30, perSecond: 0.2 },
};

/** Events that can move queue positions of a tenant's waiting chats. */
const queueEvents = new Set(['interaction.queued', 'routing.accepted', 'interaction.state_changed']);

interface ChatDeps {
  readonly db: Kysely<Database>;
  readonly routing: RoutingService;
  readonly clock: { now(): number };
  readonly ids: { next(): string };
  readonly limits?: Partial<ChatLimits> | undefined;
  readonly onError: (err: unknown) => void;
}

export class ChatService {
  readonly log: ConversationLog;
  readonly hub: ChatHub;
  readonly intake: WidgetIntake;
  readonly conversations: Conversations;
  readonly status: ConversationStatusReader;
  readonly limits: ChatLimits;
  readonly visitorLimiter: RateLimiter;
  readonly addressLimiter: RateLimiter;
  readonly startLimiter: RateLimiter;
  readonly #deps: ChatDeps;
  readonly #unsubscribe: (() => void)[] = [];
  #bot: ChatBot | null = null;

  constructor(deps: ChatDeps) {
    this.#deps = deps;
    const { db, clock, ids, routing } = deps;
    this.limits = { ...defaultChatLimits, ...deps.limits };
    this.log = new ConversationLog({ db, clock, ids, onError: deps.onError });
    this.conversations = new Conversations(db);
    this.status = new ConversationStatusReader(db, routing, this.log, clock);
    this.hub = new ChatHub(this.status, deps.onError);
    this.intake = new WidgetIntake({ db, routing, clock, ids });
    this.visitorLimiter = new RateLimiter(this.limits.visitorMessages, clock);
    this.addressLimiter = new RateLimiter(this.limits.addressMessages, clock);
    this.startLimiter = new RateLimiter(this.limits.addressConversations, clock);
    this.#unsubscribe.push(
      this.log.onCommitted((_tenant, messages) => this.hub.publish(messages)),
      routing.subscribe((entries) => this.#onRouting(entries)),
    );
  }

  /** The chat bot new conversations start with when the widget names a flow (`flows/chat-flow.ts`). */
  attachBot(bot: ChatBot): void {
    this.#bot = bot;
    this.intake.bot = bot;
  }

  async close(): Promise<void> {
    for (const u of this.#unsubscribe) u();
    this.hub.close();
    await this.log.drain();
  }

  // ── Customer side ─────────────────────────────────────────────────────────

  /** Refuses a start from an address that started too many (RATE_LIMITED). */
  limitStart(address: string): void {
    if (!this.startLimiter.take(address)) throw rateLimited(this.startLimiter.retryAfterSeconds(address));
  }

  async statusOf(conv: Conversation): Promise<ConversationStatus> {
    return this.status.one(conv);
  }

  /** A customer's message; rate limited per visitor and per address. Repeats of a clientId are free. */
  async customerSend(
    conv: Conversation,
    visitorId: string,
    address: string,
    body: { clientId: string; text: string; attachmentId?: string | undefined },
  ): Promise<Appended> {
    if (body.text.trim().length === 0 && body.attachmentId === undefined) {
      throw new AppError('VALIDATION_FAILED', 'a message needs text or an attachment');
    }
    // The cached end (kept by routing events), not the router: a send never waits for routing commands.
    if (conv.endedAt !== null) throw conversationEnded();
    if (!this.visitorLimiter.take(visitorId)) {
      throw rateLimited(this.visitorLimiter.retryAfterSeconds(visitorId));
    }
    if (!this.addressLimiter.take(address)) {
      throw rateLimited(this.addressLimiter.retryAfterSeconds(address));
    }
    const attachment = body.attachmentId ? await this.#attachment(conv, body.attachmentId, 'customer') : null;
    if (conv.inFlow && this.#bot) {
      const answered = await this.#bot.input(conv, {
        clientId: body.clientId,
        text: body.text,
        attachment,
      });
      if (answered) return answered;
    }
    return this.log.append({
      tenantId: conv.tenantId,
      interactionId: conv.interactionId,
      author: { kind: 'customer', userId: null, name: conv.customerName },
      visibility: 'public',
      text: body.text,
      attachment,
      clientId: body.clientId,
    });
  }

  customerTyping(conv: Conversation, active: boolean): void {
    this.hub.toWatchers(conv.interactionId, {
      type: 'chat.typing',
      interactionId: conv.interactionId,
      active,
    });
  }

  async customerMark(conv: Conversation, mark: 'delivered' | 'read', seq: number): Promise<void> {
    const last = await this.log.lastSeq(conv.tenantId, conv.interactionId);
    const at = Math.min(seq, last);
    if (mark === 'read') await this.conversations.markRead(conv, 'customer', at);
    this.hub.toWatchers(conv.interactionId, {
      type: 'chat.mark',
      interactionId: conv.interactionId,
      by: 'customer',
      mark,
      seq: at,
    });
  }

  /** The customer leaves: connected → the agent's wrap-up; still waiting → abandoned. Idempotent. */
  async customerEnd(conv: Conversation): Promise<ConversationStatus> {
    if (conv.inFlow && this.#bot) await this.#bot.customerLeft(conv);
    const ix = interactionId(conv.interactionId) as InteractionId;
    const now = new Date(this.#deps.clock.now());
    await this.#deps.routing.execute(
      conv.tenantId,
      (engine, at) => {
        const view = engine.interaction(ix);
        let events: RoutingEvent[] = [];
        if (view?.state === 'connected') events = engine.end(ix, at);
        else if (view && ['queued', 'offered', 'callback_scheduled'].includes(view.state))
          events = engine.abandon(ix, at);
        return { events, result: undefined };
      },
      async (tx) => {
        await tx
          .updateTable('conversations')
          .set({ ended_at: now })
          .where('tenant_id', '=', conv.tenantId)
          .where('interaction_id', '=', conv.interactionId)
          .where('ended_at', 'is', null)
          .execute();
      },
    );
    if (conv.endedAt === null) conv.endedAt = now;
    const status = await this.statusOf(conv);
    this.hub.statusChanged(conv.interactionId);
    return status;
  }

  async rate(conv: Conversation, score: number, comment: string): Promise<ConversationStatus> {
    if (!(await this.#isEnded(conv))) {
      throw new AppError('ILLEGAL_TRANSITION', 'a chat is rated after it ends');
    }
    const updated = await this.#deps.db
      .updateTable('interactions')
      .set({ rating: score, rating_comment: comment })
      .where('tenant_id', '=', conv.tenantId)
      .where('id', '=', conv.interactionId)
      .where('rating', 'is', null)
      .executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) throw new AppError('DUPLICATE', 'this chat is already rated');
    conv.rated = true;
    return this.statusOf(conv);
  }

  /** Plain text, public messages only, with names and times (UTC). */
  async transcript(conv: Conversation): Promise<string> {
    const messages = await this.readAll(conv, 'customer');
    const row = await this.#deps.db
      .selectFrom('interactions as i')
      .innerJoin('tenants as t', 't.id', 'i.tenant_id')
      .select(['t.name', 'i.created_at'])
      .where('i.tenant_id', '=', conv.tenantId)
      .where('i.id', '=', conv.interactionId)
      .executeTakeFirstOrThrow();
    return renderTranscript({
      tenantName: row.name,
      startedAt: row.created_at,
      language: conv.language,
      messages,
    });
  }

  async readAll(conv: Conversation, access: ChatAccess | 'customer'): Promise<ChatMessage[]> {
    const out: ChatMessage[] = [];
    for (;;) {
      const page = await this.log.read(conv.tenantId, conv.interactionId, {
        after: out.at(-1)?.seq ?? 0,
        limit: 500,
        visibilities: visibilitiesFor(access),
      });
      out.push(...page);
      if (page.length < 500) return out;
    }
  }

  // ── Agent and supervisor side ─────────────────────────────────────────────

  /** What `p` may do with the conversation; NOT_FOUND when nothing (or it is not theirs to see). */
  async access(p: Principal, id: string): Promise<{ conv: Conversation; access: ChatAccess }> {
    const conv = await this.conversations.get(p.tenantId, id);
    if (can(p.role, 'supervisor.monitor')) {
      const mine = p.userId !== null && (await this.#holder(conv)) === p.userId;
      return { conv, access: mine ? 'assigned' : 'supervisor' };
    }
    if (!p.userId) throw notFound('conversation');
    const me = p.userId;
    const view = await this.#deps.routing.read(p.tenantId, (engine) =>
      engine.interaction(interactionId(id) as InteractionId),
    );
    if (view) {
      if (view.agentId === me) return { conv, access: 'assigned' };
      if (view.offeredTo.includes(agentId(me))) return { conv, access: 'offered' };
      throw notFound('conversation');
    }
    if ((await this.#holder(conv)) === me) return { conv, access: 'assigned' };
    throw notFound('conversation');
  }

  async agentRead(p: Principal, id: string, after: number, limit: number): Promise<ChatMessage[]> {
    const { conv, access } = await this.access(p, id);
    return this.log.read(conv.tenantId, conv.interactionId, {
      after,
      limit,
      visibilities: visibilitiesFor(access),
    });
  }

  /**
   * An agent's message. Public ones only from the agent the chat is connected to; internal notes
   * from that agent (also in wrap-up) or a supervisor.
   */
  async agentSend(
    p: Principal,
    id: string,
    body: {
      clientId: string;
      text: string;
      attachmentId?: string | undefined;
      visibility: 'public' | 'internal';
    },
  ): Promise<Appended> {
    const { conv, access } = await this.access(p, id);
    if (access === 'offered') throw forbidden('accept the chat first');
    const live = await this.#live(conv);
    if (body.visibility === 'public') {
      if (live?.agentId !== p.userId) {
        throw access === 'supervisor'
          ? forbidden('take the chat over to write to the customer')
          : conversationEnded();
      }
      if (live.state !== 'connected' || (await this.#isEnded(conv))) throw conversationEnded();
    }
    const attachment = body.attachmentId ? await this.#attachment(conv, body.attachmentId, 'agent') : null;
    const name = p.userId ? await this.status.agentName(p.tenantId, p.userId) : '';
    return this.log.append({
      tenantId: conv.tenantId,
      interactionId: conv.interactionId,
      author: { kind: access === 'supervisor' ? 'supervisor' : 'agent', userId: p.userId, name },
      visibility: body.visibility,
      text: body.text,
      attachment,
      clientId: body.clientId,
    });
  }

  /**
   * A transferring agent's note for whoever takes the chat next: an internal message under the
   * transferring agent's name (agents and supervisors see it, the customer never). `noteId` makes a
   * repeat store nothing new.
   */
  async transferNote(note: TransferNote): Promise<ChatMessage> {
    const appended = await this.log.append({
      tenantId: note.tenantId,
      interactionId: note.interactionId,
      author: { kind: 'agent', userId: note.from.userId, name: note.from.name },
      visibility: 'internal',
      text: note.note,
      attachment: null,
      clientId: `transfer-${note.noteId}`,
    });
    return appended.message;
  }

  /** A supervisor's note that only the agent handling the chat (and supervisors) see. */
  async whisper(p: Principal, id: string, body: { clientId: string; text: string }): Promise<Appended> {
    const { conv } = await this.access(p, id);
    if (!can(p.role, 'supervisor.monitor')) throw forbidden();
    if (!(await this.#live(conv))) throw conversationEnded();
    const name = p.userId ? await this.status.agentName(p.tenantId, p.userId) : '';
    return this.log.append({
      tenantId: conv.tenantId,
      interactionId: conv.interactionId,
      author: { kind: 'supervisor', userId: p.userId, name },
      visibility: 'whisper',
      text: body.text,
      attachment: null,
      clientId: body.clientId,
    });
  }

  /**
   * Take-over: the chat is transferred to the supervisor (same queue, exclusive for 10 minutes) and,
   * when the supervisor can take it at once, accepted in the same command. A supervisor who is
   * logged out or not ready is made ready first — taking a chat over is taking work. The previous
   * agent goes to wrap-up for it and loses access, like after any transfer.
   */
  async takeOver(p: Principal, id: string): Promise<AgentStateDto> {
    if (!p.userId) throw forbidden('a take-over needs a signed-in supervisor, not an API key');
    const { conv } = await this.access(p, id);
    const ix = interactionId(conv.interactionId) as InteractionId;
    const me = agentId(p.userId);
    return this.#deps.routing.execute(conv.tenantId, (engine, at) => {
      const view = engine.interaction(ix);
      if (view?.state !== 'connected' || !view.agentId) {
        throw new AppError('ILLEGAL_TRANSITION', 'only a connected chat can be taken over');
      }
      const self = engine.agentState(me);
      if (!self) throw forbidden('this user cannot take work (inactive)');
      if (view.agentId === me) return { events: [], result: agentStateDto(self) };
      const events = readyUp(engine, me, at);
      events.push(...engine.transfer(ix, { queueId: view.queueId, agentId: me, exclusiveMs: 600_000 }, at));
      const after = engine.interaction(ix);
      if (after?.state === 'offered' && after.offeredTo.includes(me))
        events.push(...engine.accept(me, ix, at));
      return { events, result: agentStateDto(engine.agentState(me)!) };
    });
  }

  async agentMark(p: Principal, id: string, mark: 'delivered' | 'read', seq: number): Promise<void> {
    const { conv } = await this.access(p, id);
    const last = await this.log.lastSeq(conv.tenantId, conv.interactionId);
    const at = Math.min(seq, last);
    if (mark === 'read') await this.conversations.markRead(conv, 'agent', at);
    this.hub.toCustomers(conv.interactionId, { type: 'mark', by: 'agent', mark, seq: at });
  }

  agentTyping(conv: Conversation, active: boolean): void {
    this.hub.toCustomers(conv.interactionId, { type: 'typing', active });
  }

  // ── Internals ─────────────────────────────────────────────────────────────

  async #live(conv: Conversation) {
    return this.#deps.routing.read(conv.tenantId, (engine) =>
      engine.interaction(interactionId(conv.interactionId) as InteractionId),
    );
  }

  async #isEnded(conv: Conversation): Promise<boolean> {
    if (conv.endedAt !== null) return true;
    const view = await this.#live(conv);
    return !view || endedStates.has(view.state);
  }

  /** The agent holding the chat now, or its last agent once it left the router. */
  async #holder(conv: Conversation): Promise<string | null> {
    const view = await this.#live(conv);
    if (view) return view.agentId;
    const row = await this.#deps.db
      .selectFrom('interactions')
      .select('agent_id')
      .where('tenant_id', '=', conv.tenantId)
      .where('id', '=', conv.interactionId)
      .executeTakeFirst();
    return row?.agent_id ?? null;
  }

  async #attachment(conv: Conversation, id: string, side: 'customer' | 'agent'): Promise<AttachmentDto> {
    const row = await this.#deps.db
      .selectFrom('attachments')
      .select(['id', 'file_name', 'mime', 'size', 'uploaded_by'])
      .where('tenant_id', '=', conv.tenantId)
      .where('interaction_id', '=', conv.interactionId)
      .where('id', '=', id)
      .executeTakeFirst();
    // The customer may only send what they uploaded; agents what anyone in the chat uploaded.
    if (!row || (side === 'customer' && row.uploaded_by !== 'customer')) {
      throw new AppError('INVALID_REFERENCE', 'unknown attachment');
    }
    return { id: row.id, fileName: row.file_name, mime: row.mime as AttachmentDto['mime'], size: row.size };
  }

  #onRouting(entries: readonly OutboxEntry[]): void {
    const ended = new Map<string, Set<string>>();
    const moved = new Set<string>();
    const touched = new Set<string>();
    for (const e of entries) {
      const p = e.payload as { type: string; interactionId?: string; to?: string };
      if (queueEvents.has(p.type)) moved.add(e.tenantId);
      if (!p.interactionId) continue;
      if (p.type === 'interaction.state_changed' && p.to && endedStates.has(p.to)) {
        const set = ended.get(e.tenantId) ?? new Set();
        set.add(p.interactionId);
        ended.set(e.tenantId, set);
      }
      if (this.hub.isLive(p.interactionId)) touched.add(p.interactionId);
    }
    const at = new Date(this.#deps.clock.now());
    const work = (async () => {
      for (const [tenantId, ids] of ended) await this.conversations.markEnded(tenantId, [...ids], at);
      for (const id of touched) {
        this.hub.statusChanged(id);
        await this.#recheckWatchers(id);
      }
      for (const t of moved) this.hub.queueMoved(t);
    })();
    work.catch(this.#deps.onError);
  }

  /** Routing moved a chat: watchers who lost it stop getting it; an offer accepted gains whispers. */
  async #recheckWatchers(id: string): Promise<void> {
    for (const w of this.hub.watchersOf(id)) {
      try {
        w.access = (await this.access(w.principal, id)).access;
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        this.hub.removeWatcher(w);
      }
    }
  }
}

/** Logs in and readies an agent for a take-over (no events when already ready). */
function readyUp(engine: RoutingEngine, me: ReturnType<typeof agentId>, at: Millis): RoutingEvent[] {
  const s = engine.agentState(me)!;
  const events: RoutingEvent[] = [];
  if (s.presence === 'logged_out') events.push(...engine.login(me, at));
  if (engine.agentState(me)!.presence !== 'ready') events.push(...engine.setReady(me, at));
  return events;
}

export const conversationEnded = () =>
  new AppError('CONVERSATION_ENDED', 'this chat has ended; nothing more can be sent to it');

export const rateLimited = (retryAfterSeconds: number) =>
  new AppError('RATE_LIMITED', 'too many messages; slow down', { retryAfterSeconds });
