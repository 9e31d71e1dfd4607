import type { AttachmentDto, ChatMessage } from '@hotline/protocol/chat';
import { type Insertable, type Kysely, sql, type Transaction } from 'kysely';
import type { Database } from '../db/schema';
import { notFound } from '../errors';

/**
 * The conversation log: an append-only list of messages per conversation, numbered 1, 2, 3 … by
 * `seq` in the order stored.
 *
 * Group commit: appends wait a few milliseconds (`windowMs`) for company, then one transaction
 * stores them all; while it runs, new appends collect for the next one. So at 1,000 messages/s
 * the database sees a few hundred small transactions, not a thousand, and PGlite keeps up.
 *
 * Bounded latency: a transaction takes at most `maxBatch` appends (100), and the next one starts as
 * soon as the previous commits (no window then). An append thus waits at most `windowMs`, plus the
 * transaction running when it came, plus the queued batches ahead of it, plus its own. `maxBatch`
 * bounds each of these: on PGlite a transaction runs on this thread (~0.3 ms a message), so after a
 * hiccup a backlog goes out as several short transactions, with sockets served between them (the
 * dialect yields to the event loop before each), not as one long stall.
 *
 * Ordering and concurrency: one flush runs at a time, so appends to a conversation are serialised
 * and seqs are gap-free. Each conversation's last seq is cached after its first append; the cache
 * is the truth because one process owns a tenant's chats (as it owns its routing). A failed flush
 * drops the cache of the conversations it touched, and the next append reads them again.
 *
 * Idempotency: an append with a `clientId` already stored in the conversation resolves to the stored
 * message (`duplicate: true`) — also when the same `clientId` arrives twice in one batch.
 */
export interface MessageDraft {
  readonly tenantId: string;
  readonly interactionId: string;
  readonly author: ChatMessage['author'];
  readonly visibility: ChatMessage['visibility'];
  readonly text: string;
  /** Already checked to belong to this conversation. */
  readonly attachment: AttachmentDto | null;
  readonly clientId: string | null;
}

export interface Appended {
  readonly message: ChatMessage;
  readonly duplicate: boolean;
}

export type CommittedListener = (tenantId: string, messages: readonly ChatMessage[]) => void;

interface Pending {
  readonly draft: MessageDraft;
  readonly resolve: (a: Appended) => void;
  readonly reject: (err: unknown) => void;
}

interface LogDeps {
  readonly db: Kysely<Database>;
  readonly clock: { now(): number };
  readonly ids: { next(): string };
  /** How long the first append of a batch waits for others (default 2 ms). */
  readonly windowMs?: number;
  /** Most appends in one transaction (default 100). */
  readonly maxBatch?: number;
  readonly onError?: (err: unknown) => void;
}

const CACHE_LIMIT = 100_000;
const key = (tenantId: string, interactionId: string) => `${tenantId}/${interactionId}`;

export class ConversationLog {
  readonly #deps: LogDeps;
  readonly #windowMs: number;
  readonly #maxBatch: number;
  #pending: Pending[] = [];
  #timer: NodeJS.Timeout | null = null;
  #flushing: Promise<void> | null = null;
  /** Last stored seq per conversation (see the class comment). */
  readonly #lastSeq = new Map<string, number>();
  readonly #listeners = new Set<CommittedListener>();
  /**
   * Transactions and messages written, for the bench and metrics; with the largest batch and the
   * longest and total time a flush's transaction took (ms), which bound what an append waits.
   */
  readonly stats = { flushes: 0, messages: 0, largestBatch: 0, longestFlushMs: 0, flushMs: 0 };

  constructor(deps: LogDeps) {
    this.#deps = deps;
    this.#windowMs = deps.windowMs ?? 2;
    this.#maxBatch = deps.maxBatch ?? 100;
  }

  /** Called after each commit with the new messages (not duplicates), in seq order per conversation. */
  onCommitted(listener: CommittedListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  append(draft: MessageDraft): Promise<Appended> {
    return new Promise<Appended>((resolve, reject) => {
      this.#pending.push({ draft, resolve, reject });
      this.#schedule();
    });
  }

  /** The last stored seq of a conversation (0 when empty). */
  async lastSeq(tenantId: string, interactionId: string): Promise<number> {
    const cached = this.#lastSeq.get(key(tenantId, interactionId));
    if (cached !== undefined) return cached;
    const row = await this.#deps.db
      .selectFrom('conversations')
      .select('last_seq')
      .where('tenant_id', '=', tenantId)
      .where('interaction_id', '=', interactionId)
      .executeTakeFirst();
    if (!row) throw notFound('conversation');
    return row.last_seq;
  }

  /** Messages after `after` of the given visibilities, oldest first. */
  async read(
    tenantId: string,
    interactionId: string,
    opts: { after: number; limit: number; visibilities: readonly ChatMessage['visibility'][] },
  ): Promise<ChatMessage[]> {
    const rows = await selectMessages(this.#deps.db, tenantId)
      .where('m.interaction_id', '=', interactionId)
      .where('m.seq', '>', opts.after)
      .where('m.visibility', 'in', [...opts.visibilities])
      .orderBy('m.seq')
      .limit(opts.limit)
      .execute();
    return rows.map(toMessage);
  }

  /** Resolves when everything appended so far is stored (or failed). */
  async drain(): Promise<void> {
    while (this.#pending.length > 0 || this.#flushing) {
      if (this.#timer) {
        clearTimeout(this.#timer);
        this.#timer = null;
        this.#startFlush();
      }
      await this.#flushing;
    }
  }

  /** Forgets a conversation's cached seq (it ended; the next append, if any, reads it again). */
  forget(tenantId: string, interactionId: string): void {
    this.#lastSeq.delete(key(tenantId, interactionId));
  }

  #schedule(): void {
    if (this.#flushing || this.#timer) return;
    if (this.#pending.length >= this.#maxBatch) {
      this.#startFlush();
      return;
    }
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.#startFlush();
    }, this.#windowMs);
  }

  #startFlush(): void {
    const batch = this.#pending.splice(0, this.#maxBatch);
    this.#flushing = this.#flush(batch).finally(() => {
      this.#flushing = null;
      if (this.#pending.length > 0) {
        // Whatever arrived during the flush has waited long enough: go at once.
        if (this.#timer) clearTimeout(this.#timer);
        this.#timer = null;
        this.#startFlush();
      }
    });
  }

  async #flush(batch: Pending[]): Promise<void> {
    if (batch.length === 0) return;
    let written: Written;
    const began = performance.now();
    try {
      written = await this.#deps.db.transaction().execute((tx) => this.#write(tx, batch));
    } catch (err) {
      for (const p of batch) this.#lastSeq.delete(key(p.draft.tenantId, p.draft.interactionId));
      if (batch.length === 1) {
        batch[0]!.reject(err);
        return;
      }
      // One bad append must not fail its neighbours: store them one by one.
      for (const p of batch) await this.#flush([p]);
      return;
    }
    const took = performance.now() - began;
    this.stats.flushMs += took;
    this.stats.longestFlushMs = Math.max(this.stats.longestFlushMs, took);
    this.stats.largestBatch = Math.max(this.stats.largestBatch, batch.length);
    if (this.#lastSeq.size > CACHE_LIMIT) this.#lastSeq.clear();
    for (const [k, seq] of written.seqs) this.#lastSeq.set(k, seq);
    this.stats.flushes++;
    const fresh = new Map<string, ChatMessage[]>();
    for (const p of batch) {
      const r = written.out.get(p)!;
      if (r instanceof Error || r.duplicate) continue;
      const list = fresh.get(p.draft.tenantId) ?? [];
      list.push(r.message);
      fresh.set(p.draft.tenantId, list);
    }
    for (const [tenantId, messages] of fresh) {
      this.stats.messages += messages.length;
      for (const listener of this.#listeners) {
        try {
          listener(tenantId, messages);
        } catch (err) {
          this.#deps.onError?.(err);
        }
      }
    }
    for (const p of batch) {
      const r = written.out.get(p)!;
      if (r instanceof Error) p.reject(r);
      else p.resolve(r);
    }
  }

  /** Assigns seqs and stores one batch; the seq cache is updated by the caller after the commit. */
  async #write(tx: Transaction<Database>, batch: Pending[]): Promise<Written> {
    const out = new Map<Pending, Appended | Error>();
    const seqs = new Map<string, number>();
    const changed = new Set<string>();
    const rows: Insertable<Database['chat_messages']>[] = [];
    const now = new Date(this.#deps.clock.now());
    const byTenant = new Map<string, Pending[]>();
    for (const p of batch) {
      const list = byTenant.get(p.draft.tenantId) ?? [];
      list.push(p);
      byTenant.set(p.draft.tenantId, list);
    }
    for (const [tenantId, list] of byTenant) {
      const convIds = [...new Set(list.map((p) => p.draft.interactionId))];
      for (const id of convIds) {
        const cached = this.#lastSeq.get(key(tenantId, id));
        if (cached !== undefined) seqs.set(key(tenantId, id), cached);
      }
      const unknown = convIds.filter((id) => !seqs.has(key(tenantId, id)));
      if (unknown.length > 0) {
        const found = await tx
          .selectFrom('conversations')
          .select(['interaction_id', 'last_seq'])
          .where('tenant_id', '=', tenantId)
          .where('interaction_id', 'in', unknown)
          .execute();
        for (const r of found) seqs.set(key(tenantId, r.interaction_id), r.last_seq);
      }
      // Messages already stored (or stored earlier in this batch) under a clientId.
      const stored = new Map<string, ChatMessage>();
      const withClientId = list.filter((p) => p.draft.clientId !== null);
      if (withClientId.length > 0) {
        const found = await selectMessages(tx, tenantId)
          .where('m.interaction_id', 'in', [...new Set(withClientId.map((p) => p.draft.interactionId))])
          .where('m.client_id', 'in', [...new Set(withClientId.map((p) => p.draft.clientId!))])
          .execute();
        for (const r of found) stored.set(`${r.interaction_id}/${r.client_id}`, toMessage(r));
      }
      for (const p of list) {
        const d = p.draft;
        const k = key(tenantId, d.interactionId);
        const last = seqs.get(k);
        if (last === undefined) {
          out.set(p, notFound('conversation'));
          continue;
        }
        const idemKey = d.clientId === null ? null : `${d.interactionId}/${d.clientId}`;
        const earlier = idemKey === null ? undefined : stored.get(idemKey);
        if (earlier) {
          out.set(p, { message: earlier, duplicate: true });
          continue;
        }
        const message: ChatMessage = {
          id: this.#deps.ids.next(),
          interactionId: d.interactionId,
          seq: last + 1,
          author: d.author,
          visibility: d.visibility,
          text: d.text,
          attachment: d.attachment,
          clientId: d.clientId,
          createdAt: now.toISOString(),
        };
        seqs.set(k, message.seq);
        changed.add(k);
        if (idemKey !== null) stored.set(idemKey, message);
        out.set(p, { message, duplicate: false });
        rows.push({
          id: message.id,
          tenant_id: tenantId,
          interaction_id: d.interactionId,
          seq: message.seq,
          author_kind: d.author.kind,
          author_user_id: d.author.userId,
          author_name: d.author.name,
          visibility: d.visibility,
          text: d.text,
          attachment_id: d.attachment?.id ?? null,
          client_id: d.clientId,
          created_at: now,
        });
      }
    }
    if (rows.length > 0) {
      await tx.insertInto('chat_messages').values(rows).execute();
      const values = [...changed].map((k) => {
        const [tenantId, interactionId] = k.split('/') as [string, string];
        return sql`(${tenantId}::uuid, ${interactionId}::uuid, ${seqs.get(k)!}::int)`;
      });
      await sql`UPDATE conversations AS c SET last_seq = v.seq
        FROM (VALUES ${sql.join(values)}) AS v(tenant_id, interaction_id, seq)
        WHERE c.tenant_id = v.tenant_id AND c.interaction_id = v.interaction_id`.execute(tx);
    }
    return { out, seqs };
  }
}

interface Written {
  readonly out: Map<Pending, Appended | Error>;
  /** Last seq of every conversation the batch touched, to cache after the commit. */
  readonly seqs: Map<string, number>;
}

type Db = Kysely<Database> | Transaction<Database>;

function selectMessages(db: Db, tenantId: string) {
  return db
    .selectFrom('chat_messages as m')
    .leftJoin('attachments as a', (j) =>
      j.onRef('a.tenant_id', '=', 'm.tenant_id').onRef('a.id', '=', 'm.attachment_id'),
    )
    .select([
      'm.id',
      'm.interaction_id',
      'm.seq',
      'm.author_kind',
      'm.author_user_id',
      'm.author_name',
      'm.visibility',
      'm.text',
      'm.client_id',
      'm.created_at',
      'm.buttons',
      'a.id as a_id',
      'a.file_name as a_file_name',
      'a.mime as a_mime',
      'a.size as a_size',
    ])
    .where('m.tenant_id', '=', tenantId);
}

type MessageRow = Awaited<ReturnType<ReturnType<typeof selectMessages>['execute']>>[number];

function toMessage(r: MessageRow): ChatMessage {
  return {
    id: r.id,
    interactionId: r.interaction_id,
    seq: r.seq,
    author: { kind: r.author_kind, userId: r.author_user_id, name: r.author_name },
    visibility: r.visibility,
    text: r.text,
    attachment: r.a_id
      ? {
          id: r.a_id,
          fileName: r.a_file_name ?? '',
          mime: r.a_mime as AttachmentDto['mime'],
          size: r.a_size ?? 0,
        }
      : null,
    clientId: r.client_id,
    createdAt: r.created_at.toISOString(),
    ...(r.buttons ? { buttons: r.buttons } : {}),
  };
}
