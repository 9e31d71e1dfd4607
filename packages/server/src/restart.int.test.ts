import { afterAll, describe, expect, it } from 'vitest';
import { createTestDatabase, engines, type TestDatabase } from './testing/databases';
import { startTestServer } from './testing/test-server';

describe.each(engines)('restart on %s', (engine) => {
  const dbs: TestDatabase[] = [];
  afterAll(async () => {
    for (const d of dbs) await d.drop();
  });

  it('keeps every object, the sessions and the audit log across a restart', async () => {
    const tdb = await createTestDatabase(engine);
    dbs.push(tdb);
    const first = await startTestServer(await tdb.open());
    const a = await first.newTenant();
    const skill = (
      await a.request({ method: 'POST', url: '/api/skills', payload: { name: 'Billing' } })
    ).json();
    await a.request({
      method: 'POST',
      url: '/api/queues',
      payload: { name: 'Billing queue', requiredSkills: [{ skillId: skill.id, minLevel: 5 }] },
    });
    await a.request({
      method: 'POST',
      url: '/api/calendars',
      payload: { name: 'Office', timeZone: 'Europe/Moscow' },
    });
    const snapshot = async (s: typeof first) => {
      const out: Record<string, unknown> = {};
      for (const path of ['skills', 'queues', 'calendars', 'users', 'audit-log']) {
        out[path] = (
          await s.app.inject({
            method: 'GET',
            url: `/api/${path}`,
            headers: { authorization: `Bearer ${a.token}` },
          })
        ).json();
      }
      return out;
    };
    const before = await snapshot(first);
    await first.app.close();
    await first.db.close();

    const second = await startTestServer(await tdb.open());
    try {
      // The old session token still works, and so does the password.
      expect(await snapshot(second)).toEqual(before);
      const relogin = await second.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: a.email, password: a.password },
      });
      expect(relogin.statusCode).toBe(200);
      expect(await second.db.pending()).toEqual([]);
    } finally {
      await second.app.close();
      await second.db.close();
    }
  });
});
