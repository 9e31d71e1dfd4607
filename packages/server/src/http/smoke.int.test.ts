import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, engines, type TestDatabase } from '../testing/databases';
import { startTestServer, type TestServer } from '../testing/test-server';

describe.each(engines)('smoke on %s', (engine) => {
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

  it('creates and lists a queue', async () => {
    const a = await server.newTenant();
    const skill = await a.request({ method: 'POST', url: '/api/skills', payload: { name: 'English' } });
    expect(skill.statusCode).toBe(201);
    const q = await a.request({
      method: 'POST',
      url: '/api/queues',
      payload: { name: 'Support', requiredSkills: [{ skillId: skill.json().id, minLevel: 3 }] },
    });
    expect(q.statusCode, q.body).toBe(201);
    const list = await a.request({ method: 'GET', url: '/api/queues' });
    expect(list.json().items[0].requiredSkills).toEqual([{ skillId: skill.json().id, minLevel: 3 }]);
  });
});
