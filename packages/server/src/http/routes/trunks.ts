import { errorBodySchema, idParams, pageOf, paginationQuery } from '@hotline/protocol/common';
import * as t from '@hotline/protocol/trunks';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { AppError } from '../../errors';
import type { DialPlanStore } from '../../sip/dial-plan-store';
import { disabledStatus } from '../../sip/sip-service';
import { cidrList } from '../../sip/trunk-directory';
import type { StoredTrunk, TrunkStores } from '../../sip/trunk-resources';
import { principalOf } from '../authenticate';

/** What the trunk routes need from the SIP side; absent when SIP is off (statuses say `disabled`). */
export interface TrunkRuntime {
  statusOf(tenantId: string, trunkId: string): t.TrunkStatus;
  /** Applies configuration changes; resolves once the SIP side uses them. */
  reload(): Promise<void>;
}

export interface TrunkRouteDeps {
  stores: TrunkStores;
  dialPlans: DialPlanStore;
  sip: TrunkRuntime | null;
}

const errors = { 400: errorBodySchema, 401: errorBodySchema, 403: errorBodySchema, 404: errorBodySchema };
const read = { access: 'config.read' } as const;
const write = { access: 'config.write' } as const;

/** The schema checks the CIDR shape; `net.BlockList` has the last word (IPv6 details). */
function checkCidrs(cidrs: readonly string[] | undefined): void {
  if (cidrs === undefined) return;
  const { bad } = cidrList(cidrs);
  if (bad.length === 0) return;
  const issues = bad.map((cidr) => ({
    where: 'body',
    path: `/allowedCidrs/${cidrs.indexOf(cidr)}`,
    message: `not an IP address or CIDR block: ${cidr}`,
  }));
  throw new AppError(
    'VALIDATION_FAILED',
    `invalid body at ${issues[0]!.path}: ${issues[0]!.message}`,
    issues,
  );
}

/**
 * SIP trunks, their numbers (DIDs) and the tenant's outbound dial plan. Reads for any role with
 * `config.read`, changes for admins. Trunk passwords are write-only; every answer carries the trunk's
 * live status from this process's SIP side. After each change the SIP side reloads before the answer.
 */
export const trunkRoutes: FastifyPluginAsyncZod<TrunkRouteDeps> = async (app, { stores, dialPlans, sip }) => {
  const withStatus = (tenantId: string, trunk: StoredTrunk): t.Trunk => ({
    ...trunk,
    status: sip?.statusOf(tenantId, trunk.id) ?? disabledStatus('SIP_DISABLED'),
  });
  const applied = async () => sip?.reload();

  const tag = ['trunks'];
  app.get(
    '/api/trunks',
    {
      schema: {
        tags: tag,
        querystring: paginationQuery,
        response: { 200: pageOf(t.trunkSchema), ...errors },
      },
      config: read,
    },
    async (request) => {
      const principal = principalOf(request);
      const page = await stores.trunks.list(principal, request.query);
      return { ...page, items: page.items.map((trunk) => withStatus(principal.tenantId, trunk)) };
    },
  );
  app.post(
    '/api/trunks',
    {
      schema: {
        tags: tag,
        body: t.createTrunkBody,
        response: { 201: t.trunkSchema, ...errors, 409: errorBodySchema },
      },
      config: write,
    },
    async (request, reply) => {
      checkCidrs(request.body.allowedCidrs);
      const principal = principalOf(request);
      const trunk = await stores.trunks.create(principal, request.body);
      await applied();
      return reply.status(201).send(withStatus(principal.tenantId, trunk));
    },
  );
  app.get(
    '/api/trunks/:id',
    { schema: { tags: tag, params: idParams, response: { 200: t.trunkSchema, ...errors } }, config: read },
    async (request) => {
      const principal = principalOf(request);
      return withStatus(principal.tenantId, await stores.trunks.get(principal, request.params.id));
    },
  );
  app.patch(
    '/api/trunks/:id',
    {
      schema: {
        tags: tag,
        params: idParams,
        body: t.updateTrunkBody,
        response: { 200: t.trunkSchema, ...errors, 409: errorBodySchema },
      },
      config: write,
    },
    async (request) => {
      checkCidrs(request.body.allowedCidrs);
      const principal = principalOf(request);
      const trunk = await stores.trunks.update(principal, request.params.id, request.body);
      await applied();
      return withStatus(principal.tenantId, trunk);
    },
  );
  app.delete(
    '/api/trunks/:id',
    {
      schema: { tags: tag, params: idParams, response: { 204: z.null(), ...errors, 409: errorBodySchema } },
      config: write,
    },
    async (request, reply) => {
      await stores.trunks.remove(principalOf(request), request.params.id);
      await applied();
      return reply.status(204).send(null);
    },
  );

  const numbers = ['phone numbers'];
  app.get(
    '/api/phone-numbers',
    {
      schema: {
        tags: numbers,
        querystring: paginationQuery,
        response: { 200: pageOf(t.phoneNumberSchema), ...errors },
      },
      config: read,
    },
    (request) => stores.numbers.list(principalOf(request), request.query),
  );
  app.post(
    '/api/phone-numbers',
    {
      schema: {
        tags: numbers,
        body: t.createPhoneNumberBody,
        response: { 201: t.phoneNumberSchema, ...errors, 409: errorBodySchema },
      },
      config: write,
    },
    async (request, reply) => {
      const created = await stores.numbers.create(principalOf(request), request.body);
      await applied();
      return reply.status(201).send(created);
    },
  );
  app.get(
    '/api/phone-numbers/:id',
    {
      schema: { tags: numbers, params: idParams, response: { 200: t.phoneNumberSchema, ...errors } },
      config: read,
    },
    (request) => stores.numbers.get(principalOf(request), request.params.id),
  );
  app.patch(
    '/api/phone-numbers/:id',
    {
      schema: {
        tags: numbers,
        params: idParams,
        body: t.updatePhoneNumberBody,
        response: { 200: t.phoneNumberSchema, ...errors, 409: errorBodySchema },
      },
      config: write,
    },
    async (request) => {
      const updated = await stores.numbers.update(principalOf(request), request.params.id, request.body);
      await applied();
      return updated;
    },
  );
  app.delete(
    '/api/phone-numbers/:id',
    {
      schema: {
        tags: numbers,
        params: idParams,
        response: { 204: z.null(), ...errors, 409: errorBodySchema },
      },
      config: write,
    },
    async (request, reply) => {
      await stores.numbers.remove(principalOf(request), request.params.id);
      await applied();
      return reply.status(204).send(null);
    },
  );

  const plan = ['dial plan'];
  app.get(
    '/api/dial-plan',
    { schema: { tags: plan, response: { 200: t.dialPlanSchema, ...errors } }, config: read },
    (request) => dialPlans.get(principalOf(request)),
  );
  app.put(
    '/api/dial-plan',
    {
      schema: { tags: plan, body: t.putDialPlanBody, response: { 200: t.dialPlanSchema, ...errors } },
      config: write,
    },
    async (request) => {
      const saved = await dialPlans.put(principalOf(request), request.body);
      await applied();
      return saved;
    },
  );
};
