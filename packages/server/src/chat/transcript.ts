import type { ChatMessage } from '@hotline/protocol/chat';

/**
 * A chat transcript for the customer to keep: plain text, the public messages only, each with its
 * author and time (UTC). Text is written as it was sent; the file is served as text/plain, so
 * nothing in it is ever interpreted as markup.
 */
const words = {
  en: {
    title: 'Chat with',
    started: 'Started',
    customer: 'You',
    attachment: 'attachment',
    times: 'Times in UTC',
  },
  ru: { title: 'Чат с', started: 'Начат', customer: 'Вы', attachment: 'вложение', times: 'Время UTC' },
} as const;

export function renderTranscript(input: {
  tenantName: string;
  startedAt: Date;
  language: 'en' | 'ru';
  messages: readonly ChatMessage[];
}): string {
  const w = words[input.language];
  const lines = [
    `${w.title} ${input.tenantName}`,
    `${w.started}: ${stamp(input.startedAt)} (${w.times})`,
    '',
  ];
  for (const m of input.messages) {
    if (m.visibility !== 'public') continue;
    const who = m.author.kind === 'customer' ? m.author.name || w.customer : m.author.name || m.author.kind;
    const time = stamp(new Date(m.createdAt));
    const text = m.text.replace(/\r\n?/g, '\n').split('\n').join('\n    ');
    if (text.length > 0) lines.push(`[${time}] ${who}: ${text}`);
    if (m.attachment) {
      lines.push(`[${time}] ${who}: (${w.attachment}: ${m.attachment.fileName}, ${m.attachment.size} B)`);
    }
  }
  return `${lines.join('\n')}\n`;
}

const stamp = (d: Date) => d.toISOString().slice(0, 19).replace('T', ' ');
