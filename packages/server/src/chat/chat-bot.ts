import type { AttachmentDto } from '@hotline/protocol/chat';
import type { Appended } from './conversation-log';
import type { Conversation } from './conversations';

/**
 * The web chat's port to a bot (`flows/chat-flow.ts` implements it): when the tenant's widget names
 * a flow, a new conversation is created `in_flow` and handed to the bot instead of the router; the
 * bot hands it to the router itself (the flow's `enqueue`) or ends it.
 */
export interface ChatBot {
  /** Whether new conversations can start in this flow now (it exists and has a published version). */
  canStart(tenantId: string, flowId: string): Promise<boolean>;
  /**
   * Starts the flow for a conversation just stored `in_flow`. Never leaves the customer stranded: when
   * the flow cannot start, the conversation goes to its topic's queue.
   */
  begin(start: BotStart): Promise<void>;
  /**
   * A customer's message (already validated and rate limited) while the conversation may be with the
   * bot. Stored and given to the flow as input; null when the bot no longer has the conversation
   * (then the caller appends it as usual).
   */
  input(
    conv: Conversation,
    message: { clientId: string; text: string; attachment: AttachmentDto | null },
  ): Promise<Appended | null>;
  /** The customer left while with the bot: the flow ends (`caller_left`), the interaction is abandoned. */
  customerLeft(conv: Conversation): Promise<void>;
}

export interface BotStart {
  readonly tenantId: string;
  readonly interactionId: string;
  readonly flowId: string;
  readonly language: 'en' | 'ru';
  readonly contact: { readonly name?: string; readonly email?: string; readonly phone?: string };
}
