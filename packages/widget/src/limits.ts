import type { WidgetConfig } from '@hotline/protocol/chat';

/**
 * The protocol's limits (`MAX_MESSAGE_CHARS`, `MAX_ATTACHMENT_BYTES`, `attachmentTypes`), used until
 * the configuration arrives — a resumed chat does not wait for it. Copied, not imported: the
 * protocol module builds zod schemas at load, which would put zod in the bundle; a unit test keeps
 * the copies equal. The server decides in any case.
 */
export const defaultLimits: WidgetConfig['limits'] = {
  maxMessageChars: 4_000,
  maxAttachmentBytes: 10 * 1024 * 1024,
  attachmentTypes: ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'application/pdf'],
};
