import type { FaqArticle } from '@hotline/core/flow/text-match';
import { bestFaqMatch, buildFaqIndex } from '@hotline/core/flow/text-match';
import type { Page } from '@hotline/protocol/common';
import {
  KB_LIMITS,
  type KbArticle,
  type KbArticleCreate,
  type KbArticlePatch,
  type KbArticlesQuery,
  type KbMatch,
  type KbMatchRequest,
} from '@hotline/protocol/knowledge-base';
import { type Kysely, type Selectable, sql, type Transaction } from 'kysely';
import type { Database, KbArticlesTable } from '../db/schema';
import { AppError, notFound } from '../errors';
import { recordAudit } from '../stores/audit-store';
import { translateDbError } from '../stores/db-errors';
import type { Principal } from '../stores/principal';
import type { StoreDeps } from '../stores/resource-store';

/** The audit log's entity type of an article. */
export const KB_ARTICLE_ENTITY = 'kb_article';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

type Db = Kysely<Database> | Transaction<Database>;
type Row = Selectable<KbArticlesTable>;

/** An article as the `faq` verb reads it, with the language of its answer (null: any). */
export interface KnowledgeBaseArticle extends FaqArticle {
  readonly answer: string;
  readonly language: 'ru' | 'en' | null;
}

/**
 * The tenant's enabled articles in the shape core `buildFaqIndex` takes, oldest first (the matcher
 * gives ties to the earlier article, so the order is stable). With `language`, only articles in that
 * language or in any language. Read whole: a tenant holds at most `KB_LIMITS.articles`.
 */
export async function readKnowledgeBase(
  db: Db,
  tenantId: string,
  opts: { language?: 'ru' | 'en' } = {},
): Promise<KnowledgeBaseArticle[]> {
  let query = db
    .selectFrom('kb_articles')
    .select(['id', 'questions', 'keywords', 'answer', 'language'])
    .where('tenant_id', '=', tenantId)
    .where('enabled', '=', true);
  const language = opts.language;
  if (language)
    query = query.where((eb) => eb.or([eb('language', '=', language), eb('language', 'is', null)]));
  const rows = await query.orderBy('created_at').orderBy('id').execute();
  return rows.map((r) => ({
    id: r.id,
    questions: r.questions,
    keywords: r.keywords,
    answer: r.answer,
    language: r.language,
  }));
}

/**
 * Knowledge-base articles of the principal's tenant: CRUD with an audit entry per change (in the same
 * transaction), a search, and the core matcher for "try a question". Every query is scoped by the
 * tenant; another tenant's article id behaves exactly like a missing one.
 */
export class KnowledgeBaseStore {
  constructor(private readonly deps: StoreDeps) {}

  async list(principal: Principal, query: KbArticlesQuery): Promise<Page<KbArticle>> {
    let base = this.deps.db.selectFrom('kb_articles').where('tenant_id', '=', principal.tenantId);
    if (query.q) {
      const like = `%${query.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      base = base.where((eb) =>
        eb.or([
          eb('answer', 'ilike', like),
          eb(sql<string>`questions::text`, 'ilike', like),
          eb(sql<string>`keywords::text`, 'ilike', like),
        ]),
      );
    }
    const [rows, count] = await Promise.all([
      base.selectAll().orderBy('created_at').orderBy('id').limit(query.limit).offset(query.offset).execute(),
      base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
    ]);
    return { items: rows.map(toArticle), total: Number(count.n), limit: query.limit, offset: query.offset };
  }

  async get(principal: Principal, id: string): Promise<KbArticle> {
    return toArticle(await this.#row(this.deps.db, principal.tenantId, id));
  }

  async create(principal: Principal, input: KbArticleCreate): Promise<KbArticle> {
    const id = this.deps.ids.next();
    const now = new Date(this.deps.clock.now());
    return this.#write(async (tx) => {
      // Serialises creates of one tenant, so the limit holds under concurrency.
      await tx.selectFrom('tenants').select('id').where('id', '=', principal.tenantId).forUpdate().execute();
      const count = await tx
        .selectFrom('kb_articles')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('tenant_id', '=', principal.tenantId)
        .executeTakeFirstOrThrow();
      if (Number(count.n) >= KB_LIMITS.articles) {
        throw new AppError(
          'VALIDATION_FAILED',
          `the knowledge base holds at most ${KB_LIMITS.articles} articles; delete some first`,
        );
      }
      await tx
        .insertInto('kb_articles')
        .values({
          id,
          tenant_id: principal.tenantId,
          questions: JSON.stringify(input.questions),
          keywords: JSON.stringify(input.keywords),
          answer: input.answer,
          language: input.language,
          enabled: input.enabled,
          created_at: now,
          updated_at: now,
        })
        .execute();
      const after = toArticle(await this.#row(tx, principal.tenantId, id));
      await this.#audit(tx, principal, now, 'create', id, null, after);
      return after;
    });
  }

  async update(principal: Principal, id: string, input: KbArticlePatch): Promise<KbArticle> {
    const now = new Date(this.deps.clock.now());
    return this.#write(async (tx) => {
      const before = toArticle(await this.#row(tx, principal.tenantId, id, true));
      await tx
        .updateTable('kb_articles')
        .set({
          ...(input.questions !== undefined && { questions: JSON.stringify(input.questions) }),
          ...(input.keywords !== undefined && { keywords: JSON.stringify(input.keywords) }),
          ...(input.answer !== undefined && { answer: input.answer }),
          ...(input.language !== undefined && { language: input.language }),
          ...(input.enabled !== undefined && { enabled: input.enabled }),
          updated_at: now,
        })
        .where('tenant_id', '=', principal.tenantId)
        .where('id', '=', id)
        .execute();
      const after = toArticle(await this.#row(tx, principal.tenantId, id));
      await this.#audit(tx, principal, now, 'update', id, before, after);
      return after;
    });
  }

  async remove(principal: Principal, id: string): Promise<void> {
    const now = new Date(this.deps.clock.now());
    await this.#write(async (tx) => {
      const before = toArticle(await this.#row(tx, principal.tenantId, id, true));
      await tx
        .deleteFrom('kb_articles')
        .where('tenant_id', '=', principal.tenantId)
        .where('id', '=', id)
        .execute();
      await this.#audit(tx, principal, now, 'delete', id, before, null);
    });
  }

  /**
   * The article the `faq` verb would pick for `question`, with its score: the best one even below the
   * threshold (so an admin sees how close it came), `matched` telling whether it reaches it.
   */
  async match(principal: Principal, input: KbMatchRequest): Promise<KbMatch> {
    const articles = await readKnowledgeBase(this.deps.db, principal.tenantId, {
      ...(input.language && { language: input.language }),
    });
    const best = bestFaqMatch(buildFaqIndex(articles), input.question, 0);
    if (!best) return { best: null, matched: false, threshold: input.threshold };
    const article = await this.get(principal, best.article.id);
    return {
      best: { article, score: best.score },
      matched: best.score >= input.threshold,
      threshold: input.threshold,
    };
  }

  async #row(db: Db, tenantId: string, id: string, forUpdate = false): Promise<Row> {
    if (!UUID.test(id)) throw notFound('article');
    let query = db
      .selectFrom('kb_articles')
      .selectAll()
      .where('tenant_id', '=', tenantId)
      .where('id', '=', id);
    if (forUpdate) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    if (!row) throw notFound('article');
    return row;
  }

  async #audit(
    tx: Transaction<Database>,
    principal: Principal,
    at: Date,
    action: 'create' | 'update' | 'delete',
    entityId: string,
    before: KbArticle | null,
    after: KbArticle | null,
  ): Promise<void> {
    await recordAudit(tx, principal, this.deps.ids.next(), at, {
      action,
      entityType: KB_ARTICLE_ENTITY,
      entityId,
      before,
      after,
    });
  }

  async #write<T>(fn: (tx: Transaction<Database>) => Promise<T>): Promise<T> {
    try {
      return await this.deps.db.transaction().execute(fn);
    } catch (error) {
      throw translateDbError(error, 'write', 'this article already exists');
    }
  }
}

function toArticle(r: Row): KbArticle {
  return {
    id: r.id,
    questions: r.questions,
    keywords: r.keywords,
    answer: r.answer,
    language: r.language,
    enabled: r.enabled,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}
