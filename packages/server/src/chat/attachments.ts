import { createHash } from 'node:crypto';
import { type AttachmentDto, attachmentTypes, MAX_ATTACHMENT_BYTES } from '@hotline/protocol/chat';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { fileTypeFromBuffer } from 'file-type';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema';
import { AppError, notFound } from '../errors';
import type { Conversation } from './conversations';

/**
 * Files in a chat. The type is decided by the content (magic bytes, `file-type`), never by the name
 * or the declared content type: only `attachmentTypes` are accepted (else 415), at most
 * `MAX_ATTACHMENT_BYTES` (else 413). The stored name keeps the sender's base name with the extension
 * of what the file really is (a PNG sent as `scan.pdf` is stored as `scan.png`, image/png).
 *
 * Downloads are sent as attachments with `X-Content-Type-Options: nosniff`, so a browser never runs
 * or renders them in the Hotline origin.
 */
const extensionOf: Record<(typeof attachmentTypes)[number], string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'application/pdf': 'pdf',
};

/** Reads the multipart field `file` of `request`, checks it and stores it in the conversation. */
export async function storeUpload(
  db: Kysely<Database>,
  deps: { clock: { now(): number }; ids: { next(): string } },
  request: FastifyRequest,
  conv: Conversation,
  uploadedBy: string,
): Promise<AttachmentDto> {
  if (!request.isMultipart()) {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'send the file as multipart/form-data, field "file"');
  }
  let content: Buffer;
  let given: string;
  try {
    const part = await request.file({ limits: { fileSize: MAX_ATTACHMENT_BYTES, files: 1, fields: 5 } });
    if (part?.fieldname !== 'file') {
      throw new AppError('VALIDATION_FAILED', 'the multipart body needs a field "file"');
    }
    given = part.filename;
    content = await part.toBuffer();
  } catch (err) {
    if (err instanceof AppError) throw err;
    if ((err as { statusCode?: number }).statusCode === 413) {
      throw new AppError('PAYLOAD_TOO_LARGE', `files are at most ${MAX_ATTACHMENT_BYTES} bytes`);
    }
    throw new AppError('VALIDATION_FAILED', `malformed multipart body: ${(err as Error).message}`);
  }
  if (content.length === 0) throw new AppError('VALIDATION_FAILED', 'the file is empty');
  const detected = await fileTypeFromBuffer(content);
  const mime = detected?.mime as (typeof attachmentTypes)[number] | undefined;
  if (!mime || !attachmentTypes.includes(mime)) {
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      `only ${attachmentTypes.join(', ')} are accepted (decided by the content, not the name)`,
    );
  }
  const fileName = safeName(given, extensionOf[mime]);
  const id = deps.ids.next();
  await db
    .insertInto('attachments')
    .values({
      id,
      tenant_id: conv.tenantId,
      interaction_id: conv.interactionId,
      file_name: fileName,
      mime,
      size: content.length,
      sha256: createHash('sha256').update(content).digest('hex'),
      content,
      uploaded_by: uploadedBy,
      created_at: new Date(deps.clock.now()),
    })
    .execute();
  return { id, fileName, mime, size: content.length };
}

/**
 * Sends an attachment of the conversation. `customerOnly`: the customer may fetch what they uploaded
 * and what a public message carries, nothing else (an internal note's file stays internal).
 */
export async function sendAttachment(
  db: Kysely<Database>,
  reply: FastifyReply,
  conv: Conversation,
  attachmentId: string,
  customerOnly: boolean,
): Promise<FastifyReply> {
  const row = await db
    .selectFrom('attachments')
    .select(['file_name', 'mime', 'size', 'content', 'uploaded_by'])
    .where('tenant_id', '=', conv.tenantId)
    .where('interaction_id', '=', conv.interactionId)
    .where('id', '=', attachmentId)
    .executeTakeFirst();
  if (!row) throw notFound('attachment');
  if (customerOnly && row.uploaded_by !== 'customer') {
    const shared = await db
      .selectFrom('chat_messages')
      .select('id')
      .where('tenant_id', '=', conv.tenantId)
      .where('interaction_id', '=', conv.interactionId)
      .where('attachment_id', '=', attachmentId)
      .where('visibility', '=', 'public')
      .executeTakeFirst();
    if (!shared) throw notFound('attachment');
  }
  return reply
    .header('content-type', row.mime)
    .header('content-length', String(row.size))
    .header('x-content-type-options', 'nosniff')
    .header('cache-control', 'private, max-age=3600')
    .header('content-disposition', contentDisposition(row.file_name))
    .send(row.content);
}

function safeName(given: string | undefined, ext: string): string {
  const base = (given ?? '')
    .split(/[\\/]/)
    .pop()!
    // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is removed
    .replace(/[\u0000-\u001f\u007f"<>|:*?]/g, '')
    .trim();
  const stem = (base.includes('.') ? base.slice(0, base.lastIndexOf('.')) : base).slice(0, 120) || 'file';
  return `${stem}.${ext}`;
}

function contentDisposition(name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(name)}`;
}
