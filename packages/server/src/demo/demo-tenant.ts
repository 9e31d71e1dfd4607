import { createQueueBody } from '@hotline/protocol/config';
import { createPhoneNumberBody, createTrunkBody } from '@hotline/protocol/trunks';
import { FlowStore } from '../flows/flow-store';
import { trunkStores } from '../sip/trunk-resources';
import { configStores } from '../stores/config-resources';
import type { Principal } from '../stores/principal';
import type { StoreDeps } from '../stores/resource-store';

/**
 * The demo set-up a first start gives the first tenant, so that a newcomer can phone Hotline at once:
 * a "Support" queue every agent belongs to (no required skills), a published voice menu, a trunk
 * that accepts SIP from this machine only (127.0.0.1/32, no password) and a number on it bound to the
 * menu. Dial `sip:<DEMO_NUMBER without +>@127.0.0.1:<SIP_PORT>` (baresip, a softphone), press 1, and
 * the owner's agent desktop rings once they are Ready.
 *
 * Everything is made through the same stores the admin pages use (validation, audit log), so the
 * demo is ordinary configuration: edit or delete it like any other.
 */
export const DEMO_NUMBER = '+12025550100';

export const demoFlow = {
  id: 'demo-ivr',
  version: 1,
  entry: 'welcome',
  nodes: {
    welcome: {
      verb: 'say',
      text: {
        ru: 'Здравствуйте! Это демонстрационная линия Хотлайн.',
        en: 'Hello! This is the Hotline demo line.',
      },
      next: { done: 'main' },
    },
    main: {
      verb: 'menu',
      prompt: {
        ru: 'Чтобы поговорить с оператором, нажмите 1. Чтобы узнать часы работы, нажмите 2.',
        en: 'To speak to an agent, press 1. For our opening hours, press 2.',
      },
      options: [
        { key: '1', label: { ru: 'Оператор', en: 'Agent' } },
        { key: '2', label: { ru: 'Часы работы', en: 'Opening hours' } },
      ],
      retries: 2,
      timeoutMs: 6000,
      invalidPrompt: { ru: 'Такого пункта нет.', en: 'That is not an option.' },
      noInputPrompt: { ru: 'Я вас не слышу.', en: 'I did not hear anything.' },
      next: { '1': 'queue', '2': 'hours', failed: 'goodbye' },
    },
    queue: { verb: 'enqueue', queue: 'Support', next: { error: 'goodbye' } },
    hours: {
      verb: 'say',
      text: {
        ru: 'Мы работаем круглосуточно, без выходных.',
        en: 'We are open around the clock, every day.',
      },
      next: { done: 'main' },
    },
    goodbye: {
      verb: 'say',
      text: { ru: 'Спасибо за звонок. До свидания.', en: 'Thank you for calling. Goodbye.' },
      next: { done: 'hang' },
    },
    hang: { verb: 'hangup' },
  },
};

export interface DemoSetup {
  readonly number: string;
  readonly queueId: string;
  readonly flowId: string;
  readonly trunkId: string;
}

/** Creates the demo configuration in the owner's tenant (call once, on the first start). */
export async function createDemoSetup(
  deps: StoreDeps,
  owner: { tenantId: string; userId: string },
  sipRealm: string,
): Promise<DemoSetup> {
  const principal: Principal = {
    tenantId: owner.tenantId,
    role: 'owner',
    kind: 'session',
    userId: owner.userId,
    apiKeyId: null,
  };
  const config = configStores(deps);
  const sip = trunkStores(deps, sipRealm);
  const flows = new FlowStore(deps);
  const queue = await config.queues.create(principal, createQueueBody.parse({ name: 'Support' }));
  const flow = await flows.create(principal, {
    name: 'Demo IVR',
    description: 'The demo line: a menu in front of the Support queue.',
  });
  await flows.saveDraft(principal, flow.id, demoFlow);
  await flows.publish(principal, flow.id);
  const trunk = await sip.trunks.create(
    principal,
    createTrunkBody.parse({ name: 'Demo: this machine', allowedCidrs: ['127.0.0.1/32'] }),
  );
  await sip.numbers.create(
    principal,
    createPhoneNumberBody.parse({
      number: DEMO_NUMBER,
      trunkId: trunk.id,
      description: 'Demo line (calls from this machine only)',
      flowId: flow.id,
    }),
  );
  return { number: DEMO_NUMBER, queueId: queue.id, flowId: flow.id, trunkId: trunk.id };
}
