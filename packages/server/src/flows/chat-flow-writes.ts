import type { FlowAction, FlowState, Value } from '@hotline/core/flow/flow-types';
import type { AttachmentDto, ChatMessage } from '@hotline/protocol/chat';
import { sql, type Transaction } from 'kysely';
import type { Database } from '../db/schema';

/**
 * What a bot step writes to a web chat, inside the transaction that stores the step (so a message
 * and the flow state it came from commit together): the customer's message that moved the flow, the
 * bot's lines and quick replies, the collect timer, and the interaction's end.
 *
 * Seqs are taken with one `UPDATE conversations SET last_seq = last_seq + n … RETURNING`, so they stay
 * gap-free and unique beside the conversation log's own appends (whose cache the caller drops after
 * the commit: `ConversationLog.forget`).
 */
type Tx = Transaction<Database>;

export interface MessageToWrite {
  readonly author: ChatMessage['author'];
  readonly text: string;
  readonly clientId: string | null;
  readonly buttons?: readonly { readonly key: string; readonly label: string }[];
  readonly attachment?: AttachmentDto | null;
}

/** Stores messages in order; returns them as stored (for the hub, after the commit). */
export async function writeMessages(
  tx: Tx,
  ids: { next(): string },
  at: Date,
  target: { tenantId: string; interactionId: string },
  drafts: readonly MessageToWrite[],
): Promise<ChatMessage[]> {
  if (drafts.length === 0) return [];
  const row = await tx
    .updateTable('conversations')
    .set({ last_seq: sql<number>`last_seq + ${drafts.length}` })
    .where('tenant_id', '=', target.tenantId)
    .where('interaction_id', '=', target.interactionId)
    .returning('last_seq')
    .executeTakeFirstOrThrow();
  const first = row.last_seq - drafts.length + 1;
  const messages: ChatMessage[] = drafts.map((d, i) => ({
    id: ids.next(),
    interactionId: target.interactionId,
    seq: first + i,
    author: d.author,
    visibility: 'public',
    text: d.text,
    attachment: d.attachment ?? null,
    clientId: d.clientId,
    createdAt: at.toISOString(),
    ...(d.buttons && d.buttons.length > 0 ? { buttons: d.buttons.map((b) => ({ ...b })) } : {}),
  }));
  await tx
    .insertInto('chat_messages')
    .values(
      messages.map((m, i) => ({
        id: m.id,
        tenant_id: target.tenantId,
        interaction_id: target.interactionId,
        seq: m.seq,
        author_kind: m.author.kind,
        author_user_id: null,
        author_name: m.author.name,
        visibility: 'public' as const,
        text: m.text,
        attachment_id: drafts[i]!.attachment?.id ?? null,
        client_id: m.clientId,
        created_at: at,
        buttons: m.buttons ? JSON.stringify(m.buttons) : null,
      })),
    )
    .execute();
  return messages;
}

export const botAuthor: ChatMessage['author'] = { kind: 'bot', userId: null, name: '' };
const systemAuthor: ChatMessage['author'] = { kind: 'system', userId: null, name: '' };

/** What the customer sees of an action: the bot's line, a question with buttons, or nothing. */
export function displayOf(action: FlowAction): MessageToWrite[] {
  switch (action.type) {
    case 'say':
      return action.text.trim() ? [{ author: botAuthor, text: action.text, clientId: null }] : [];
    case 'play':
      return action.text?.trim() ? [{ author: botAuthor, text: action.text, clientId: null }] : [];
    case 'collect':
      if (action.prompt === null && action.choices.length === 0) return [];
      return [
        {
          author: botAuthor,
          text: action.prompt ?? '',
          clientId: null,
          buttons: action.mode === 'text' ? action.choices : [],
        },
      ];
    default:
      return [];
  }
}

const systemTexts = {
  ended: { en: 'The conversation has ended.', ru: 'Разговор завершён.' },
  handover: { en: 'Connecting you with an agent…', ru: 'Соединяем вас с оператором…' },
  unavailable: {
    en: 'Sorry, nobody can take the conversation now. Please write again later.',
    ru: 'Извините, сейчас никто не может ответить. Напишите, пожалуйста, позже.',
  },
} as const;

export function systemMessage(kind: keyof typeof systemTexts, language: 'en' | 'ru'): MessageToWrite {
  return { author: systemAuthor, text: systemTexts[kind][language], clientId: null };
}

/** Sets or clears the session's collect timer (a due time a restarted server re-arms). */
export async function writeTimer(
  tx: Tx,
  tenantId: string,
  sessionId: string,
  dueAt: Date | null,
): Promise<void> {
  await tx
    .deleteFrom('flow_session_timers')
    .where('tenant_id', '=', tenantId)
    .where('session_id', '=', sessionId)
    .execute();
  if (dueAt !== null) {
    await tx
      .insertInto('flow_session_timers')
      .values({ tenant_id: tenantId, session_id: sessionId, due_at: dueAt })
      .execute();
  }
}

/**
 * Ends an interaction the bot was serving (it is not in the router while `in_flow`): `closed` when the
 * flow finished, `abandoned` when the customer left. Only from `in_flow`, so a repeat changes nothing.
 */
export async function closeInFlow(
  tx: Tx,
  tenantId: string,
  interactionId: string,
  to: 'closed' | 'abandoned',
  at: Date,
): Promise<boolean> {
  const done = await tx
    .updateTable('interactions')
    .set({ state: to, closed_at: at, updated_at: at })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', interactionId)
    .where('state', '=', 'in_flow')
    .executeTakeFirst();
  if (Number(done.numUpdatedRows) === 0) return false;
  await tx
    .updateTable('conversations')
    .set({ ended_at: at })
    .where('tenant_id', '=', tenantId)
    .where('interaction_id', '=', interactionId)
    .where('ended_at', 'is', null)
    .execute();
  await tx
    .insertInto('interaction_events')
    .values({
      tenant_id: tenantId,
      interaction_id: interactionId,
      type: 'interaction.state_changed',
      at,
      data: JSON.stringify({ from: 'in_flow', to, cause: to }),
    })
    .execute();
  return true;
}

/** Most transcript lines and characters per line handed to the agent. */
const SCREEN_POP_LINES = 50;
const SCREEN_POP_CHARS = 500;

/** The screen pop's `bot` field: what the bot did, for the agent's offer card and customer panel. */
export interface BotScreenPop {
  readonly flowId: string;
  readonly transcript: readonly { from: 'bot' | 'customer'; text: string; at: string }[];
  readonly variables: Readonly<Record<string, Value>>;
}

export function screenPopOf(state: FlowState, variables: Readonly<Record<string, Value>>): BotScreenPop {
  const cut = (s: string) => (s.length > SCREEN_POP_CHARS ? `${s.slice(0, SCREEN_POP_CHARS - 1)}…` : s);
  return {
    flowId: state.flowId,
    transcript: state.transcript.slice(-SCREEN_POP_LINES).map((e) => ({
      from: e.from,
      text: cut(e.text),
      at: new Date(e.at).toISOString(),
    })),
    variables: Object.fromEntries(
      Object.entries(variables).map(([k, v]) => [k, typeof v === 'string' ? cut(v) : v]),
    ),
  };
}

/** Adds the bot's screen pop to the interaction's free-form `data` (beside topic, page …). */
export async function writeScreenPop(
  tx: Tx,
  tenantId: string,
  interactionId: string,
  pop: BotScreenPop,
  at: Date,
): Promise<void> {
  const row = await tx
    .selectFrom('interactions')
    .select('data')
    .where('tenant_id', '=', tenantId)
    .where('id', '=', interactionId)
    .executeTakeFirstOrThrow();
  const data = { ...(row.data as Record<string, unknown>), bot: pop };
  await tx
    .updateTable('interactions')
    .set({ data: JSON.stringify(data), updated_at: at })
    .where('tenant_id', '=', tenantId)
    .where('id', '=', interactionId)
    .execute();
}
