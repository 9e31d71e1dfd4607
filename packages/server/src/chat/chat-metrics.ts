import { Gauge, type Registry } from 'prom-client';
import type { ChatService } from './chat-service';

/** Chat figures on `/metrics`: open sockets and what the conversation log wrote (group commit). */
export function installChatMetrics(registry: Registry, chat: ChatService): void {
  const gauge = (name: string, help: string, read: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(read());
      },
    });
  gauge('hotline_chat_customer_sockets', 'widget sockets past hello', () => chat.hub.counts().customers);
  gauge('hotline_chat_watchers', 'conversations watched on agent sockets', () => chat.hub.counts().watchers);
  gauge(
    'hotline_chat_log_commits',
    'transactions the conversation log committed',
    () => chat.log.stats.flushes,
  );
  gauge('hotline_chat_log_messages', 'messages the conversation log stored', () => chat.log.stats.messages);
  gauge(
    'hotline_chat_log_flush_seconds',
    'time the conversation log spent in its transactions',
    () => chat.log.stats.flushMs / 1000,
  );
  gauge(
    'hotline_chat_log_longest_flush_seconds',
    'longest conversation log transaction since start',
    () => chat.log.stats.longestFlushMs / 1000,
  );
  gauge(
    'hotline_chat_log_largest_batch',
    'most messages in one conversation log transaction since start',
    () => chat.log.stats.largestBatch,
  );
}
