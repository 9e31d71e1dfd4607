import { writeFileSync } from 'node:fs';
import { it } from 'vitest';
import { createTestDatabase } from '../testing/databases';
import { startTestServer } from '../testing/test-server';

it('probe', async () => {
  const tdb = await createTestDatabase('pglite');
  const s = await startTestServer(await tdb.open());
  const a = await s.newTenant();
  const doc = (await s.app.inject({ method: 'GET', url: '/api/openapi.json' })).json();
  writeFileSync('/tmp/probe/openapi.json', JSON.stringify(doc, null, 2));
  const out: string[] = [];
  const r = async (o: any) => {
    const res = await a.request(o);
    out.push(`${o.method} ${o.url} -> ${res.statusCode} ${res.body.slice(0, 300)}`);
    return res;
  };
  await r({
    method: 'POST',
    url: '/api/teams',
    payload: '{bad',
    headers: { 'content-type': 'application/json' },
  });
  await r({ method: 'POST', url: '/api/teams', payload: { name: 'x', description: 'y'.repeat(1_200_000) } });
  await r({ method: 'GET', url: '/api/teams/not-a-uuid' });
  await r({ method: 'POST', url: '/api/teams' });
  const noTok = await s.app.inject({ method: 'POST', url: '/api/teams', payload: { nope: 1 } });
  out.push(`noTok bad body -> ${noTok.statusCode} ${noTok.body}`);
  const noTok2 = await s.app.inject({ method: 'GET', url: '/api/teams/xyz' });
  out.push(`noTok bad id -> ${noTok2.statusCode} ${noTok2.body}`);
  const noTok3 = await s.app.inject({
    method: 'POST',
    url: '/api/teams',
    payload: 'y'.repeat(1_200_000),
    headers: { 'content-type': 'application/json' },
  });
  out.push(`noTok big -> ${noTok3.statusCode} ${noTok3.body}`);
  writeFileSync('/tmp/probe/out.txt', out.join('\n'));
  await s.app.close();
  await s.db.close();
  await tdb.drop();
});
