import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import type { Database } from '../db/schema';
import { notFound } from '../errors';

/**
 * The chat state beside an interaction (`conversations` row plus what the widget needs from the
 * interaction row), cached per process. Read marks and the end time are written through; the cache
 * never holds anything the database does not.
 */
export interface Conversation {
  readonly tenantId: string;
  readonly interactionId: string;
  readonly visitorId: string | null;
  readonly language: 'en' | 'ru';
  /** The customer's name from the pre-chat form ('' when not given). */
  readonly customerName: string;
  readByCustomerSeq: number;
  readByAgentSeq: number;
  rated: boolean;
  /**
   * When the chat ended for the customer; kept current by the routing events (`markEnded`), so the
   * message path can check it without asking the router.
   */
  endedAt: Date | null;
  /** With the bot (interaction `in_flow`); the bot clears it when it hands over or ends the chat. */
  inFlow: boolean;
}

const CACHE_LIMIT = 50_000;
/** Interaction states after which the customer's chat is over. */
export const endedStates: ReadonlySet<string> = new Set([
  'wrap_up',
  'closed',
  'abandoned',
  'missed',
  'voicemail',
  'transferred',
]);

export class Conversations {
  readonly #cache = new Map<string, Conversation>();

  constructor(private readonly db: Kysely<Database>) {}

  /** The tenant's conversation, or NOT_FOUND (also for another tenant's id or a non-chat interaction). */
  async get(tenantId: string, interactionId: string): Promise<Conversation> {
    const cached = this.#cache.get(interactionId);
    if (cached) {
      if (cached.tenantId !== tenantId) throw notFound('conversation');
      return cached;
    }
    const row = await this.db
      .selectFrom('conversations as c')
      .innerJoin('interactions as i', (j) =>
        j.onRef('i.tenant_id', '=', 'c.tenant_id').onRef('i.id', '=', 'c.interaction_id'),
      )
      .select([
        'c.visitor_id',
        'c.language',
        'c.read_by_customer_seq',
        'c.read_by_agent_seq',
        'c.ended_at',
        'i.contact',
        'i.rating',
        'i.closed_at',
        'i.state',
      ])
      .where('c.tenant_id', '=', tenantId)
      .where('c.interaction_id', '=', interactionId)
      .executeTakeFirst();
    if (!row) throw notFound('conversation');
    const conv: Conversation = {
      tenantId,
      interactionId,
      visitorId: row.visitor_id,
      language: row.language === 'ru' ? 'ru' : 'en',
      customerName: row.contact.name ?? '',
      readByCustomerSeq: row.read_by_customer_seq,
      readByAgentSeq: row.read_by_agent_seq,
      rated: row.rating !== null,
      // A chat whose interaction closed while no process recorded its end (a crash) is over too.
      endedAt: row.ended_at ?? row.closed_at ?? (endedStates.has(row.state) ? new Date(0) : null),
      inFlow: row.state === 'in_flow',
    };
    if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
    this.#cache.set(interactionId, conv);
    return conv;
  }

  /** Records a read mark (never moves back). */
  async markRead(conv: Conversation, by: 'customer' | 'agent', seq: number): Promise<void> {
    const current = by === 'customer' ? conv.readByCustomerSeq : conv.readByAgentSeq;
    if (seq <= current) return;
    if (by === 'customer') conv.readByCustomerSeq = seq;
    else conv.readByAgentSeq = seq;
    const column = by === 'customer' ? 'read_by_customer_seq' : 'read_by_agent_seq';
    await this.db
      .updateTable('conversations')
      .set({ [column]: sql<number>`greatest(${sql.ref(column)}, ${seq})` })
      .where('tenant_id', '=', conv.tenantId)
      .where('interaction_id', '=', conv.interactionId)
      .execute();
  }

  /** Marks conversations ended (those already ended keep their time). */
  async markEnded(tenantId: string, interactionIds: readonly string[], at: Date): Promise<void> {
    if (interactionIds.length === 0) return;
    for (const id of interactionIds) {
      const c = this.#cache.get(id);
      if (c && c.tenantId === tenantId && c.endedAt === null) c.endedAt = at;
    }
    await this.db
      .updateTable('conversations')
      .set({ ended_at: at })
      .where('tenant_id', '=', tenantId)
      .where('interaction_id', 'in', [...interactionIds])
      .where('ended_at', 'is', null)
      .execute();
  }

  /** Whether the interaction id is a known chat of the tenant (cached ones only; no query). */
  cached(interactionId: string): Conversation | undefined {
    return this.#cache.get(interactionId);
  }
}
