import type { FlowAction, FlowEvent } from '@hotline/core/flow/flow-types';
import { type InteractionId, interactionId, queueId, skillId } from '@hotline/core/ids';
import type { AttachmentDto, ChatMessage } from '@hotline/protocol/chat';
import type { Kysely, Transaction } from 'kysely';
import type { BotStart, ChatBot } from '../chat/chat-bot';
import type { ChatService } from '../chat/chat-service';
import type { Appended } from '../chat/conversation-log';
import type { Conversation } from '../chat/conversations';
import type { Database } from '../db/schema';
import { AppError } from '../errors';
import type { RoutingService } from '../routing/routing-service';
import {
  dueTimers,
  orphanChats,
  resolveTarget,
  runningChatSessions,
  runningSessionOf,
  seqOfClientId,
} from './chat-flow-queries';
import {
  closeInFlow,
  displayOf,
  type MessageToWrite,
  screenPopOf,
  systemMessage,
  writeMessages,
  writeScreenPop,
  writeTimer,
} from './chat-flow-writes';
import { type EgressPolicy, executeFlowHttp } from './flow-http';
import type { FlowSession, FlowSessionService, FlowSessionStep } from './flow-sessions';

/**
 * The chat bot: runs a flow session for a web chat conversation (`ChatBot` port).
 *
 * Each step is one transaction of `FlowSessionService` whose `StepOutcome` writes what the step shows
 * (the customer's message that moved it, the bot's lines with quick replies, the collect timer, the
 * interaction's end — `chat-flow-writes.ts`). Committed messages then go to the chat hub.
 *
 * Actions the bot carries out between steps: `say`/`play` continue at once; `http` is executed
 * (`flow-http.ts`, egress policy); `enqueue` enqueues the interaction through the router with the
 * screen pop (transcript, handed-over variables) written in the router's transaction; `transfer`,
 * `voicemail` and `callback` are voice features and report `error` on chat. A `collect` waits for the
 * customer's message (`input`) or its timer (`timeout`).
 *
 * Restart: every running chat session continues from its stored `pending` action (`recover`): a
 * `say` whose line is already stored continues, an `http` is sent again (at least once), an
 * `enqueue` is not repeated when the router already has the interaction, and collect timers are
 * re-armed from `flow_session_timers`. A conversation left `in_flow` without a running session (a
 * crash between creating it and the flow's first step, or a flow that failed) goes to its queue.
 *
 * Concurrency: the steps of one conversation run one after another in this process (a promise chain
 * per conversation); the session row lock in `FlowSessionService` guards the rest.
 */
export interface ChatFlowDeps {
  readonly db: Kysely<Database>;
  readonly clock: { now(): number };
  readonly ids: { next(): string };
  readonly flows: FlowSessionService;
  readonly routing: RoutingService;
  readonly chat: ChatService;
  readonly egress: EgressPolicy;
  readonly onError: (err: unknown) => void;
  /** The http verb (tests may replace it). */
  readonly http?: typeof executeFlowHttp;
}

/** Steps one conversation may take without the customer before the runner stops driving it. */
const MAX_AUTO_STEPS = 500;
/** Longest timer setTimeout takes; later ones re-arm when they fire early. */
const MAX_DELAY = 2_000_000_000;

export class ChatFlowRunner implements ChatBot {
  readonly #deps: ChatFlowDeps;
  readonly #chains = new Map<string, Promise<unknown>>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #work = new Set<Promise<unknown>>();
  readonly #abort = new AbortController();
  #closed = false;

  constructor(deps: ChatFlowDeps) {
    this.#deps = deps;
  }

  async canStart(tenantId: string, flowId: string): Promise<boolean> {
    const row = await this.#deps.db
      .selectFrom('flow_versions')
      .select('version')
      .where('tenant_id', '=', tenantId)
      .where('flow_id', '=', flowId)
      .where('state', '=', 'published')
      .executeTakeFirst();
    return row !== undefined;
  }

  async begin(start: BotStart): Promise<void> {
    const { tenantId, interactionId: id } = start;
    const contact: Record<string, string> = {};
    for (const k of ['name', 'email', 'phone'] as const) if (start.contact[k]) contact[k] = start.contact[k];
    let step: FlowSessionStep;
    try {
      step = await this.#serial(id, async () => {
        const language = start.language;
        const pending: ChatMessage[] = [];
        const s = await this.#deps.flows.start(
          tenantId,
          {
            flowId: start.flowId,
            interactionId: id,
            context: {
              channel: 'chat',
              language,
              caller: { ...(start.contact.name ? { name: start.contact.name } : {}), ...phone(start) },
              contact,
            },
          },
          (tx, s) => this.#outcome(tx, s, { tenantId, interactionId: id, language }, null, pending),
        );
        this.#committed(tenantId, id, s, pending);
        return s;
      });
    } catch (err) {
      this.#deps.onError(err);
      await this.#fallback(tenantId, id);
      return;
    }
    this.#spawn(this.#drive(tenantId, id, step));
  }

  async input(
    conv: Conversation,
    message: { clientId: string; text: string; attachment: AttachmentDto | null },
  ): Promise<Appended | null> {
    const { tenantId, interactionId: id } = conv;
    const result = await this.#serial(id, async () => {
      const session = await this.#running(tenantId, id);
      if (!session) return null;
      const earlier = await this.#byClientId(tenantId, id, message.clientId);
      if (earlier) return { appended: { message: earlier, duplicate: true }, step: null };
      const draft: MessageToWrite = {
        author: { kind: 'customer', userId: null, name: conv.customerName },
        text: message.text,
        clientId: message.clientId,
        attachment: message.attachment,
      };
      const target = { tenantId, interactionId: id, language: conv.language };
      const pending: ChatMessage[] = [];
      let step: FlowSessionStep | null = null;
      if (message.text.trim() !== '') {
        step = await this.#deps.flows.resume(
          tenantId,
          session.id,
          { type: 'input', value: message.text },
          (tx, s) => this.#outcome(tx, s, target, draft, pending),
        );
        if (step.refused) step = null;
      }
      if (step === null) {
        // Not for the flow now (an attachment, a message while it works, input it refuses): stored,
        // and a question still open is asked again so the customer is not left guessing.
        const repeat = session.lastAction.type === 'collect' ? displayOf(session.lastAction) : [];
        await this.#deps.db.transaction().execute(async (tx) => {
          pending.push(...(await writeMessages(tx, this.#deps.ids, this.#now(), target, [draft, ...repeat])));
        });
        this.#committed(tenantId, id, null, pending);
      } else {
        this.#committed(tenantId, id, step, pending);
      }
      const mine = pending.find((m) => m.clientId === message.clientId)!;
      return { appended: { message: mine, duplicate: false }, step };
    });
    if (result === null) return null;
    if (result.step) this.#spawn(this.#drive(tenantId, id, result.step));
    return result.appended;
  }

  async customerLeft(conv: Conversation): Promise<void> {
    const { tenantId, interactionId: id } = conv;
    await this.#serial(id, async () => {
      const session = await this.#running(tenantId, id);
      if (!session) return;
      const pending: ChatMessage[] = [];
      const target = { tenantId, interactionId: id, language: conv.language };
      const step = await this.#deps.flows.resume(tenantId, session.id, { type: 'hangup' }, (tx, s) =>
        this.#outcome(tx, s, target, null, pending),
      );
      this.#committed(tenantId, id, step.refused ? null : step, pending);
    });
  }

  /** Continues every running chat session after a restart (see the class comment). */
  async recover(): Promise<void> {
    const { db } = this.#deps;
    for (const t of await dueTimers(db)) this.#arm(t.tenantId, t.sessionId, t.interactionId, t.dueAt);
    for (const r of await runningChatSessions(db)) {
      const session = await this.#deps.flows.get(r.tenantId, r.sessionId);
      if (session.lastAction.type === 'collect') continue;
      const step: FlowSessionStep = { session, action: session.lastAction, visited: [] };
      this.#spawn(this.#drive(r.tenantId, r.interactionId, step));
    }
    for (const o of await orphanChats(db)) this.#spawn(this.#fallback(o.tenantId, o.interactionId));
  }

  /** Resolves when no bot work is in flight (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#work.size > 0) await Promise.allSettled([...this.#work]);
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#abort.abort();
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    await this.idle();
  }

  // ── Driving a session ─────────────────────────────────────────────────────

  async #drive(tenantId: string, id: string, first: FlowSessionStep): Promise<void> {
    let step = first;
    for (let n = 0; n < MAX_AUTO_STEPS && !this.#closed; n++) {
      if (step.session.status !== 'running') {
        if (step.action.type === 'end' && step.action.reason === 'error') await this.#fallback(tenantId, id);
        return;
      }
      const event = await this.#carryOut(tenantId, id, step);
      if (event === null || this.#closed) return;
      const conv = await this.#deps.chat.conversations.get(tenantId, id);
      const target = { tenantId, interactionId: id, language: conv.language };
      const next = await this.#serial(id, async () => {
        const pending: ChatMessage[] = [];
        try {
          const s = await this.#deps.flows.resume(tenantId, step.session.id, event, (tx, s) =>
            this.#outcome(tx, s, target, null, pending),
          );
          if (!s.refused) this.#committed(tenantId, id, s, pending);
          return s;
        } catch (err) {
          // The session ended meanwhile (the customer left during an http call): nothing to continue.
          if (err instanceof AppError && err.code === 'ILLEGAL_TRANSITION') return null;
          throw err;
        }
      });
      // Refused or ended: another path (a restart's recovery, the customer leaving) moved it on.
      if (next === null || next.refused) return;
      step = next;
    }
  }

  /** Does what the action asks; the event to resume with, or null when it waits for the customer. */
  async #carryOut(tenantId: string, id: string, step: FlowSessionStep): Promise<FlowEvent | null> {
    const action = step.action;
    switch (action.type) {
      case 'say':
      case 'play':
        return { type: 'done' };
      case 'http':
        return (this.#deps.http ?? executeFlowHttp)(action, this.#deps.egress, this.#abort.signal);
      case 'enqueue':
        return this.#enqueue(tenantId, id, step, action);
      case 'transfer':
      case 'voicemail':
      case 'callback':
        return { type: 'error', code: 'UNSUPPORTED_ON_CHAT', message: `${action.type} is a voice feature` };
      default:
        return null;
    }
  }

  /** The flow's hand-over: into the router with the screen pop, in the router's transaction. */
  async #enqueue(
    tenantId: string,
    id: string,
    step: FlowSessionStep,
    action: Extract<FlowAction, { type: 'enqueue' }>,
  ): Promise<FlowEvent> {
    const target = await resolveTarget(this.#deps.db, tenantId, action);
    if ('error' in target) return { type: 'error', code: 'INVALID_REFERENCE', message: target.error };
    const pop = screenPopOf(step.session.state, action.variables);
    const ix = interactionId(id) as InteractionId;
    try {
      await this.#deps.routing.execute(
        tenantId,
        (engine, at) => ({
          // Already there: a restart repeats the hand-over, the router must not get it twice.
          events: engine.interaction(ix)
            ? []
            : engine.enqueue(
                {
                  id: ix,
                  channel: 'chat',
                  queueId: queueId(target.queueId),
                  ...(action.priority === null ? {} : { priority: action.priority }),
                  skills: target.skills.map((s) => ({ skillId: skillId(s.skillId), minLevel: s.minLevel })),
                  from: 'in_flow',
                },
                at,
              ),
          result: undefined,
        }),
        (tx) => writeScreenPop(tx, tenantId, id, pop, this.#now()),
      );
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      return { type: 'error', code: err.code, message: err.message };
    }
    return { type: 'done' };
  }

  /**
   * A conversation the bot cannot serve (the flow failed to start or ended on an error, or no running
   * session after a crash): to its topic's queue; when even that fails, it ends with an apology.
   */
  async #fallback(tenantId: string, id: string): Promise<void> {
    const row = await this.#deps.db
      .selectFrom('interactions as i')
      .innerJoin('conversations as c', (j) =>
        j.onRef('c.tenant_id', '=', 'i.tenant_id').onRef('c.interaction_id', '=', 'i.id'),
      )
      .select(['i.state', 'i.queue_id', 'c.language'])
      .where('i.tenant_id', '=', tenantId)
      .where('i.id', '=', id)
      .executeTakeFirst();
    if (row?.state !== 'in_flow') return;
    const language = row.language === 'ru' ? 'ru' : 'en';
    const ix = interactionId(id) as InteractionId;
    await this.#serial(id, async () => {
      const pending: ChatMessage[] = [];
      const target = { tenantId, interactionId: id, language } as const;
      try {
        if (!row.queue_id) throw new AppError('INVALID_REFERENCE', 'no queue');
        const queue = row.queue_id;
        await this.#deps.routing.execute(
          tenantId,
          (engine, at) => ({
            events: engine.interaction(ix)
              ? []
              : engine.enqueue({ id: ix, channel: 'chat', queueId: queueId(queue), from: 'in_flow' }, at),
            result: undefined,
          }),
          async (tx) => {
            pending.push(
              ...(await writeMessages(tx, this.#deps.ids, this.#now(), target, [
                systemMessage('handover', language),
              ])),
            );
          },
        );
      } catch (err) {
        if (!(err instanceof AppError)) throw err;
        pending.length = 0;
        await this.#deps.db.transaction().execute(async (tx) => {
          const at = this.#now();
          if (await closeInFlow(tx, tenantId, id, 'closed', at))
            pending.push(
              ...(await writeMessages(tx, this.#deps.ids, at, target, [
                systemMessage('unavailable', language),
              ])),
            );
        });
      }
      this.#committed(tenantId, id, null, pending, true);
    });
  }

  // ── One step's writes and what follows the commit ─────────────────────────

  async #outcome(
    tx: Transaction<Database>,
    step: FlowSessionStep,
    target: { tenantId: string; interactionId: string; language: 'en' | 'ru' },
    customer: MessageToWrite | null,
    out: ChatMessage[],
  ): Promise<void> {
    const { tenantId, interactionId: id, language } = target;
    const at = this.#now();
    const drafts: MessageToWrite[] = customer ? [customer] : [];
    drafts.push(...displayOf(step.action));
    const action = step.action;
    let closeAs: 'closed' | 'abandoned' | null = null;
    if (action.type === 'hangup' || (action.type === 'end' && action.reason === 'completed')) {
      closeAs = 'closed';
      drafts.push(systemMessage('ended', language));
    } else if (action.type === 'end' && action.reason === 'caller_left') {
      closeAs = 'abandoned';
    }
    if (closeAs !== null) await closeInFlow(tx, tenantId, id, closeAs, at);
    out.push(...(await writeMessages(tx, this.#deps.ids, at, target, drafts)));
    const due = action.type === 'collect' ? new Date(at.getTime() + action.timeoutMs) : null;
    await writeTimer(tx, tenantId, step.session.id, due);
  }

  /** After a commit: messages to the hub, the log's seq cache dropped, timers and status updated. */
  #committed(
    tenantId: string,
    id: string,
    step: FlowSessionStep | null,
    messages: readonly ChatMessage[],
    leftBot = false,
  ): void {
    const { chat } = this.#deps;
    chat.log.forget(tenantId, id);
    if (messages.length > 0) chat.hub.publish(messages);
    const conv = chat.conversations.cached(id);
    if (step) {
      const action = step.action;
      if (action.type === 'collect' && step.session.status === 'running') {
        this.#arm(tenantId, step.session.id, id, this.#deps.clock.now() + action.timeoutMs);
      } else this.#disarm(step.session.id);
      if (step.session.status !== 'running') {
        const closed = action.type === 'hangup' || (action.type === 'end' && action.reason !== 'handed_over');
        // An error end goes to the queue (`#fallback`), so the conversation stays open for it.
        const ended = closed && !(action.type === 'end' && action.reason === 'error');
        if (conv && conv.tenantId === tenantId) {
          if (action.type !== 'end' || action.reason !== 'error') conv.inFlow = false;
          if (ended && conv.endedAt === null) conv.endedAt = this.#now();
        }
      }
    }
    if (leftBot && conv && conv.tenantId === tenantId) conv.inFlow = false;
    chat.hub.statusChanged(id);
  }

  // ── Timers ────────────────────────────────────────────────────────────────

  #arm(tenantId: string, sessionId: string, id: string, dueAt: number): void {
    if (this.#closed) return;
    this.#disarm(sessionId);
    const delay = Math.max(0, dueAt - this.#deps.clock.now());
    const timer = setTimeout(
      () => {
        this.#timers.delete(sessionId);
        if (delay >= MAX_DELAY) return this.#arm(tenantId, sessionId, id, dueAt);
        this.#spawn(this.#fire(tenantId, sessionId, id));
      },
      Math.min(delay, MAX_DELAY),
    );
    timer.unref?.();
    this.#timers.set(sessionId, timer);
  }

  #disarm(sessionId: string): void {
    const t = this.#timers.get(sessionId);
    if (t) clearTimeout(t);
    this.#timers.delete(sessionId);
  }

  async #fire(tenantId: string, sessionId: string, id: string): Promise<void> {
    const conv = await this.#deps.chat.conversations.get(tenantId, id);
    const target = { tenantId, interactionId: id, language: conv.language };
    const step = await this.#serial(id, async () => {
      // The timer row is the truth: gone or moved means a step already answered the question.
      const row = await this.#deps.db
        .selectFrom('flow_session_timers')
        .select('due_at')
        .where('tenant_id', '=', tenantId)
        .where('session_id', '=', sessionId)
        .executeTakeFirst();
      if (!row) return null;
      if (row.due_at.getTime() > this.#deps.clock.now() + 50) {
        this.#arm(tenantId, sessionId, id, row.due_at.getTime());
        return null;
      }
      const pending: ChatMessage[] = [];
      const s = await this.#deps.flows.resume(tenantId, sessionId, { type: 'timeout' }, (tx, s) =>
        this.#outcome(tx, s, target, null, pending),
      );
      if (s.refused) return null;
      this.#committed(tenantId, id, s, pending);
      return s;
    });
    if (step) await this.#drive(tenantId, id, step);
  }

  // ── Helpers ───────────────────────────────────────────────────────────────

  async #running(tenantId: string, id: string): Promise<FlowSession | null> {
    const sessionId = await runningSessionOf(this.#deps.db, tenantId, id);
    return sessionId ? this.#deps.flows.get(tenantId, sessionId) : null;
  }

  async #byClientId(tenantId: string, id: string, clientId: string): Promise<ChatMessage | undefined> {
    const seq = await seqOfClientId(this.#deps.db, tenantId, id, clientId);
    if (seq === null) return undefined;
    const [m] = await this.#deps.chat.log.read(tenantId, id, {
      after: seq - 1,
      limit: 1,
      visibilities: ['public'],
    });
    return m;
  }

  /** Runs `fn` after the conversation's earlier bot work (one step at a time per conversation). */
  #serial<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const run = (this.#chains.get(id) ?? Promise.resolve()).then(fn);
    const tail = run.catch(() => undefined);
    this.#chains.set(id, tail);
    void tail.then(() => {
      if (this.#chains.get(id) === tail) this.#chains.delete(id);
    });
    return run;
  }

  #spawn(p: Promise<unknown>): void {
    const tracked = p.catch((err) => this.#deps.onError(err));
    this.#work.add(tracked);
    void tracked.finally(() => this.#work.delete(tracked));
  }

  #now(): Date {
    return new Date(this.#deps.clock.now());
  }
}

function phone(start: BotStart): { number?: string } {
  return start.contact.phone ? { number: start.contact.phone } : {};
}
