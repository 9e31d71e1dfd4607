import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock, uuidGen } from '../system';
import { createTestDatabase, engines, type TestDatabase } from '../testing/databases';
import { startTestServer, type TestServer } from '../testing/test-server';
import { ConversationLog, type MessageDraft } from './conversation-log';
import { chatTenant, startChat } from './testing/chat-kit';

/** The group commit's bounds, against both engines. */
describe.each(engines)('conversation log on %s', (engine) => {
  let tdb: TestDatabase;
  let server: TestServer;

  beforeAll(async () => {
    tdb = await createTestDatabase(engine);
    server = await startTestServer(await tdb.open());
  });
  afterAll(async () => {
    await server?.app.close();
    await server?.db.close();
    await tdb?.drop();
  });

  it('stores a burst in transactions of at most maxBatch, with gap-free seqs, each clientId once', async () => {
    const { t, slug } = await chatTenant(server);
    const chat = await startChat(server, slug);
    const sut = new ConversationLog({ db: server.db.kysely, clock: systemClock, ids: uuidGen, maxBatch: 3 });
    const draft = (i: number): MessageDraft => ({
      tenantId: t.tenantId,
      interactionId: chat.conversationId,
      author: { kind: 'customer', userId: null, name: 'Ivan' },
      visibility: 'public',
      text: `message ${i}`,
      attachment: null,
      clientId: `c${i}`,
    });
    const before = await sut.lastSeq(t.tenantId, chat.conversationId);

    const stored = await Promise.all(Array.from({ length: 10 }, (_, i) => sut.append(draft(i))));

    expect(stored.map((a) => a.message.seq)).toEqual(Array.from({ length: 10 }, (_, i) => before + i + 1));
    expect(stored.every((a) => !a.duplicate)).toBe(true);
    expect(sut.stats.largestBatch).toBeLessThanOrEqual(3);
    expect(sut.stats.flushes).toBeGreaterThanOrEqual(4);
    const again = await sut.append(draft(4));
    expect(again).toMatchObject({ duplicate: true, message: { seq: before + 5, text: 'message 4' } });
    const read = await sut.read(t.tenantId, chat.conversationId, {
      after: before,
      limit: 100,
      visibilities: ['public'],
    });
    expect(read.map((m) => m.text)).toEqual(Array.from({ length: 10 }, (_, i) => `message ${i}`));
  });
});
