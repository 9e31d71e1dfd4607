import { randomBytes } from 'node:crypto';
import { type InteractionId, interactionId, queueId, skillId } from '@hotline/core/ids';
import {
  attachmentTypes,
  MAX_ATTACHMENT_BYTES,
  MAX_MESSAGE_CHARS,
  type offlineMessageBody,
  type startConversationBody,
  type WidgetConfig,
  type WidgetSettings,
} from '@hotline/protocol/chat';
import type { Kysely, Transaction } from 'kysely';
import type { z } from 'zod';
import { sha256 } from '../auth/secrets';
import { resolveContact } from '../contacts/contact-identity';
import type { Database } from '../db/schema';
import { AppError, notFound } from '../errors';
import type { RoutingService } from '../routing/routing-service';
import { businessHoursAt, readWidgetSettings } from '../widget-settings/widget-settings-store';
import type { ChatBot } from './chat-bot';

/**
 * The widget's way in: its public configuration, a new conversation from the pre-chat form, an
 * offline message, and the visitor credential.
 *
 * A conversation is an interaction of channel `chat` created and enqueued through the routing
 * service in one transaction with its `conversations` row, the visitor, the contact and the first
 * message (if the form had one) — so a crash leaves either all of it or none.
 *
 * Visitor tokens (`hlv_…`) are 256 random bits, stored as SHA-256 only. A token grants its visitor's
 * conversations and nothing else; a valid token given again keeps the same visitor and contact.
 */
export interface Visitor {
  readonly id: string;
  readonly tenantId: string;
  readonly contactId: string;
}

export interface Tenant {
  readonly id: string;
  readonly name: string;
}

type StartBody = z.output<typeof startConversationBody>;
type OfflineBody = z.output<typeof offlineMessageBody>;

interface IntakeDeps {
  readonly db: Kysely<Database>;
  readonly routing: RoutingService;
  readonly clock: { now(): number };
  readonly ids: { next(): string };
}

export const newVisitorToken = () => `hlv_${randomBytes(32).toString('base64url')}`;

export class WidgetIntake {
  /** Set by `ChatService.attachBot`: conversations of a widget with a flow start with the bot. */
  bot: ChatBot | null = null;

  constructor(private readonly deps: IntakeDeps) {}

  /** The tenant of a widget slug; unknown slugs and disabled widgets are NOT_FOUND alike. */
  async tenant(slug: string): Promise<{ tenant: Tenant; settings: WidgetSettings }> {
    const row = await this.deps.db
      .selectFrom('tenants')
      .select(['id', 'name'])
      .where('slug', '=', slug)
      .executeTakeFirst();
    if (!row) throw notFound('widget');
    const settings = await this.settings(row.id);
    if (!settings.enabled) throw notFound('widget');
    return { tenant: row, settings };
  }

  /** The tenant's widget settings (crud-server's reader: defaults when never saved). */
  settings(tenantId: string): Promise<WidgetSettings> {
    return readWidgetSettings(this.deps.db, tenantId);
  }

  /** Whether `origin` may use the tenant's widget: any when the list is empty. */
  static originAllowed(settings: WidgetSettings, origin: string | undefined): boolean {
    if (origin === undefined || settings.allowedOrigins.length === 0) return true;
    return settings.allowedOrigins.some((o) => sameOrigin(o, origin));
  }

  async config(slug: string, lang: 'en' | 'ru'): Promise<WidgetConfig> {
    const { tenant, settings } = await this.tenant(slug);
    const topics = await this.#liveTopics(tenant.id, settings);
    let offlineReason: WidgetConfig['offlineReason'] = null;
    const hours = await businessHoursAt(this.deps.db, tenant.id, settings.calendarId, this.deps.clock.now());
    if (!hours.open) {
      offlineReason = 'closed';
    } else if (!(await this.#anyoneLoggedIn(tenant.id, topics))) {
      offlineReason = 'nobody_available';
    }
    return {
      tenantName: tenant.name,
      online: offlineReason === null,
      offlineReason,
      preChat: settings.preChat,
      topics: topics.map((t) => ({ key: t.key, label: t.label[lang] || t.label.en || t.key })),
      greeting: settings.greeting[lang] || settings.greeting.en,
      offlineMode: settings.offlineMode,
      limits: {
        maxMessageChars: MAX_MESSAGE_CHARS,
        maxAttachmentBytes: MAX_ATTACHMENT_BYTES,
        attachmentTypes: [...attachmentTypes],
      },
    };
  }

  /** The visitor of a token, or undefined for anything that is not a live `hlv_` token. */
  async visitor(token: string | undefined): Promise<Visitor | undefined> {
    if (!token?.startsWith('hlv_') || token.length > 200) return undefined;
    const row = await this.deps.db
      .selectFrom('widget_visitors')
      .select(['id', 'tenant_id', 'contact_id'])
      .where('token_hash', '=', sha256(token))
      .executeTakeFirst();
    return row ? { id: row.id, tenantId: row.tenant_id, contactId: row.contact_id } : undefined;
  }

  /** Starts a conversation from the pre-chat form. */
  async start(slug: string, body: StartBody): Promise<{ conversationId: string; visitorToken: string }> {
    const { tenant, settings } = await this.tenant(slug);
    checkPreChat(settings, body);
    return this.#open(tenant.id, settings, {
      name: body.name,
      email: body.email,
      phone: body.phone,
      topic: body.topic,
      message: body.message?.trim() ? body.message : undefined,
      language: body.language,
      page: body.page,
      visitorToken: body.visitorToken,
      callback: false,
    });
  }

  /** An offline message: the same conversation path, the message first, waiting for the next agent. */
  async offline(slug: string, body: OfflineBody): Promise<{ conversationId: string; visitorToken: string }> {
    const { tenant, settings } = await this.tenant(slug);
    return this.#open(tenant.id, settings, {
      name: body.name,
      email: body.email,
      phone: body.phone,
      topic: body.topic,
      message: body.message,
      language: body.language,
      page: undefined,
      visitorToken: undefined,
      callback: body.callback,
      offline: true,
    });
  }

  async #open(
    tenantId: string,
    settings: WidgetSettings,
    form: {
      name: string | undefined;
      email: string | undefined;
      phone: string | undefined;
      topic: string | undefined;
      message: string | undefined;
      language: 'en' | 'ru';
      page: string | undefined;
      visitorToken: string | undefined;
      callback: boolean;
      offline?: boolean;
    },
  ): Promise<{ conversationId: string; visitorToken: string }> {
    const topics = await this.#liveTopics(tenantId, settings);
    const topic = form.topic === undefined ? topics[0] : topics.find((t) => t.key === form.topic);
    if (!topic) {
      throw form.topic === undefined
        ? new AppError('NOT_FOUND', 'this widget has no topic to talk about yet')
        : new AppError('VALIDATION_FAILED', `unknown topic "${form.topic}"`);
    }
    const earlier = await this.visitor(form.visitorToken);
    const reuse = earlier && earlier.tenantId === tenantId ? earlier : undefined;
    const token = reuse ? form.visitorToken! : newVisitorToken();
    const visitorId = reuse?.id ?? this.deps.ids.next();
    const id = interactionId(this.deps.ids.next()) as InteractionId;
    const { clock, ids } = this.deps;
    const name = form.name?.trim() ?? '';
    const contact: Record<string, string> = {};
    if (name) contact.name = name;
    if (form.email) contact.email = form.email;
    if (form.phone) contact.phone = form.phone;
    const data: Record<string, string> = { topic: topic.key, language: form.language };
    if (form.page) data.page = form.page;
    if (form.offline) data.offline = form.callback ? 'callback' : 'message';
    // A live chat of a widget with a published flow starts with the bot (`in_flow`), not in the queue.
    const flowId =
      !form.offline &&
      settings.flowId !== null &&
      this.bot &&
      (await this.bot.canStart(tenantId, settings.flowId))
        ? settings.flowId
        : null;

    const store = async (tx: Transaction<Database>) => {
      const now = new Date(clock.now());
      const contactId = await resolveContact(tx, { clock, ids }, tenantId, {
        name,
        email: form.email,
        phone: form.phone,
        visitorId,
      });
      await upsertVisitor(tx, { tenantId, visitorId, token, contactId, now, reuse: reuse !== undefined });
      await tx
        .insertInto('interactions')
        .values({
          id,
          tenant_id: tenantId,
          channel: 'chat',
          state: flowId === null ? 'new' : 'in_flow',
          queue_id: topic.queueId,
          subject: subjectOf(topic.label.en || topic.key, form.message),
          contact: JSON.stringify(contact),
          data: JSON.stringify(data),
          contact_id: contactId,
          created_by: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      if (flowId !== null) {
        // The router records every other lifecycle step; this one happens before it sees the chat.
        await tx
          .insertInto('interaction_events')
          .values({
            tenant_id: tenantId,
            interaction_id: id,
            type: 'interaction.state_changed',
            at: now,
            data: JSON.stringify({ from: 'new', to: 'in_flow', cause: 'flow_started' }),
          })
          .execute();
      }
      await tx
        .insertInto('conversations')
        .values({
          tenant_id: tenantId,
          interaction_id: id,
          visitor_id: visitorId,
          language: form.language,
          last_seq: form.message ? 1 : 0,
        })
        .execute();
      if (form.message) {
        await tx
          .insertInto('chat_messages')
          .values({
            id: ids.next(),
            tenant_id: tenantId,
            interaction_id: id,
            seq: 1,
            author_kind: 'customer',
            author_user_id: null,
            author_name: name,
            visibility: 'public',
            text: form.message,
            attachment_id: null,
            client_id: null,
            created_at: now,
          })
          .execute();
      }
    };
    if (flowId !== null && this.bot) {
      await this.deps.db.transaction().execute(store);
      await this.bot.begin({
        tenantId,
        interactionId: id,
        flowId,
        language: form.language,
        contact: { ...contact },
      });
      return { conversationId: id, visitorToken: token };
    }
    await this.deps.routing.execute(
      tenantId,
      (engine, at) => ({
        events: engine.enqueue(
          {
            id,
            channel: 'chat',
            queueId: queueId(topic.queueId),
            skills: topic.skills.map((s) => ({ skillId: skillId(s.skillId), minLevel: s.minLevel })),
            callback: form.callback,
          },
          at,
        ),
        result: undefined,
      }),
      store,
    );
    return { conversationId: id, visitorToken: token };
  }

  /** Topics whose queue still exists (the settings are a JSON document, not foreign keys). */
  async #liveTopics(tenantId: string, settings: WidgetSettings): Promise<WidgetSettings['topics']> {
    if (settings.topics.length === 0) return [];
    const rows = await this.deps.db
      .selectFrom('queues')
      .select('id')
      .where('tenant_id', '=', tenantId)
      .where(
        'id',
        'in',
        settings.topics.map((t) => t.queueId),
      )
      .execute();
    const live = new Set(rows.map((r) => r.id));
    return settings.topics.filter((t) => live.has(t.queueId));
  }

  async #anyoneLoggedIn(tenantId: string, topics: WidgetSettings['topics']): Promise<boolean> {
    if (topics.length === 0) return false;
    return this.deps.routing.read(tenantId, (engine) =>
      topics.some((t) => {
        try {
          return engine.queueSnapshot(queueId(t.queueId)).loggedIn > 0;
        } catch {
          return false;
        }
      }),
    );
  }
}

function checkPreChat(settings: WidgetSettings, body: StartBody): void {
  const fields = { name: body.name, email: body.email, phone: body.phone } as const;
  for (const field of ['name', 'email', 'phone'] as const) {
    if (settings.preChat[field] === 'required' && !fields[field]) {
      throw new AppError('VALIDATION_FAILED', `${field} is required`, [
        { where: 'body', path: `/${field}`, message: 'required' },
      ]);
    }
  }
}

function subjectOf(topic: string, message: string | undefined): string {
  const first = message?.trim().replace(/\s+/g, ' ') ?? '';
  const text = first ? `${topic}: ${first}` : topic;
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
}

async function upsertVisitor(
  tx: Transaction<Database>,
  v: { tenantId: string; visitorId: string; token: string; contactId: string; now: Date; reuse: boolean },
): Promise<void> {
  if (v.reuse) {
    await tx
      .updateTable('widget_visitors')
      .set({ last_seen_at: v.now })
      .where('tenant_id', '=', v.tenantId)
      .where('id', '=', v.visitorId)
      .execute();
    return;
  }
  await tx
    .insertInto('widget_visitors')
    .values({
      id: v.visitorId,
      tenant_id: v.tenantId,
      token_hash: sha256(v.token),
      contact_id: v.contactId,
      created_at: v.now,
      last_seen_at: v.now,
    })
    .execute();
}

function sameOrigin(allowed: string, origin: string): boolean {
  try {
    return new URL(allowed).origin === new URL(origin).origin;
  } catch {
    return false;
  }
}
