import { compileFlow } from '@hotline/core/flow/validate-flow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock, uuidGen } from '../system';
import { createTestDatabase, engines, type TestDatabase } from '../testing/databases';
import { startTestServer, type TestServer } from '../testing/test-server';
import { FlowForNumber } from '../voice/flow-for-number';
import { createDemoSetup, DEMO_NUMBER, demoFlow } from './demo-tenant';

/** The demo line a first start creates: ordinary, valid configuration a call can reach. */
describe.each(engines)('demo set-up on %s', (engine) => {
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

  it('has a flow the validator accepts as is', () => {
    const compiled = compileFlow(demoFlow);
    expect(compiled.ok ? [] : compiled.issues).toEqual([]);
  });

  it('creates a queue, a published menu, a local trunk and the number bound to the menu', async () => {
    const t = await server.newTenant('Demo');
    const demo = await createDemoSetup(
      { db: server.db.kysely, clock: systemClock, ids: uuidGen },
      { tenantId: t.tenantId, userId: t.ownerId },
      'hotline',
    );
    expect(demo.number).toBe(DEMO_NUMBER);

    const flow = (await t.request({ method: 'GET', url: `/api/flows/${demo.flowId}` })).json();
    expect(flow.published).toMatchObject({ state: 'published', document: demoFlow });

    const numbers = (await t.request({ method: 'GET', url: '/api/phone-numbers' })).json();
    expect(numbers.items).toEqual([
      expect.objectContaining({ number: DEMO_NUMBER, trunkId: demo.trunkId, flowId: demo.flowId }),
    ]);
    const trunk = (await t.request({ method: 'GET', url: `/api/trunks/${demo.trunkId}` })).json();
    expect(trunk).toMatchObject({ enabled: true, allowedCidrs: ['127.0.0.1/32'], inboundUsername: null });
    const queue = (await t.request({ method: 'GET', url: `/api/queues/${demo.queueId}` })).json();
    expect(queue).toMatchObject({ name: 'Support', requiredSkills: [] });

    // The voice side finds the menu for the number (the same lookup an INVITE goes through).
    expect(await new FlowForNumber(server.db.kysely).lookup(t.tenantId, DEMO_NUMBER)).toBe(demo.flowId);
  });
});
