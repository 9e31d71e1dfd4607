import { describe, expect, it } from 'vitest';
import afterHoursFlow from '../../../../examples/flows/after-hours.flow.json';
import afterHoursScript from '../../../../examples/flows/after-hours.script.json';
import faqFlow from '../../../../examples/flows/faq-bot.flow.json';
import faqScript from '../../../../examples/flows/faq-bot.script.json';
import handoverFlow from '../../../../examples/flows/handover.flow.json';
import handoverScript from '../../../../examples/flows/handover.script.json';
import ivrFlow from '../../../../examples/flows/ivr-menu.flow.json';
import ivrScript from '../../../../examples/flows/ivr-menu.script.json';
import orderFlow from '../../../../examples/flows/order-status.flow.json';
import orderScript from '../../../../examples/flows/order-status.script.json';
import { differences, runScript } from './script-runner';
import wrongScript from './test-fixtures/order-status-wrong.script.json';

const examples: [string, unknown, unknown][] = [
  ['order-status', orderFlow, orderScript],
  ['handover', handoverFlow, handoverScript],
  ['after-hours', afterHoursFlow, afterHoursScript],
  ['ivr-menu', ivrFlow, ivrScript],
  ['faq-bot', faqFlow, faqScript],
];

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

describe('flow test runner', () => {
  it.each(examples)('examples/flows/%s plays as scripted', (_name, flow, script) => {
    const r = runScript(flow, script);
    expect(r.report.filter((l) => l.startsWith('✗'))).toEqual([]);
    expect(r.ok).toBe(true);
  });

  it('fails loudly with a readable diff when the conversation departs from the script', () => {
    const r = runScript(orderFlow, wrongScript);
    expect(r.ok).toBe(false);
    expect(r.unusable).toBeUndefined();
    expect(r.report).toEqual(
      expect.arrayContaining([
        '✗ step 4: the flow asked for something else',
        '    - text: expected "Order 123456 is shipped; expected on Friday.", got "Order 123456 is packed; expected on Friday."',
        '  path so far: greet → ask_order → lookup → known → tell',
      ]),
    );
  });

  it('the after-hours script fails when the clock says the office is open', () => {
    const r = runScript(afterHoursFlow, { ...clone(afterHoursScript), clock: '2025-03-03T10:00:00+03:00' });
    expect(r.ok).toBe(false);
    expect(r.report.join('\n')).toMatch(/step 1: .*\n.*\n.*\n {4}- type: expected "play", got "say"/);
  });

  it('the ivr script fails when the menu loses a retry', () => {
    const flow = clone(ivrFlow);
    flow.nodes.main.retries = 1;
    const r = runScript(flow, ivrScript);
    expect(r.ok).toBe(false);
    expect(r.report).toContain('    - type: expected "collect", got "say"');
    expect(r.report).toContain('  path so far: welcome → main → goodbye');
  });

  it('checks the path and the final variables', () => {
    const wrongPath = runScript(orderFlow, { ...clone(orderScript), path: ['greet', 'ask_order', 'tell'] });
    expect(wrongPath.report).toContain('✗ path: node 3 is "lookup", expected "tell"');
    const wrongVars = runScript(orderFlow, { ...clone(orderScript), variables: { order_status: 'lost' } });
    expect(wrongVars.report).toContain('    - variables.order_status: expected "lost", got "shipped"');
  });

  it('complains about steps after the end, a flow that did not end, and a missing answer', () => {
    const script = clone(orderScript);
    const extra = runScript(orderFlow, { ...script, steps: [...script.steps, { expect: { type: 'say' } }] });
    expect(extra.report).toContain('✗ step 7: the flow has ended, but the script has 1 more step(s)');
    const short = runScript(orderFlow, {
      ...script,
      steps: script.steps.slice(0, 2),
      path: undefined,
      variables: undefined,
    });
    expect(short.report.some((l) => l.includes('the script expects it to end'))).toBe(true);
    const noSend = runScript(orderFlow, {
      ...script,
      steps: [script.steps[0], { expect: { type: 'collect' } }, { expect: {} }],
    });
    expect(noSend.report).toContain('✗ step 2: the flow waits for "collect" input; the step needs "send"');
  });

  it('an invalid flow or script is unusable, with the validation issues listed', () => {
    const broken = clone(orderFlow);
    (broken.nodes.greet.next as Record<string, string>).done = 'nowhere';
    const r = runScript(broken, orderScript);
    expect(r).toMatchObject({ ok: false, unusable: true });
    expect(r.report).toContain('  DANGLING_EDGE at /nodes/greet/next/done: no node "nowhere"');
    expect(runScript(orderFlow, { steps: [] })).toMatchObject({ ok: false, unusable: true });
  });

  it('differences compares only the expected fields, arrays whole', () => {
    expect(differences({ a: 1, b: { c: [1, 2] } }, { a: 1, b: { c: [1, 2], d: 3 }, e: 4 }, '')).toEqual([]);
    expect(differences({ b: { c: [1, 2] } }, { b: { c: [1, 2, 3] } }, '')).toEqual([
      'b.c: expected [1,2], got [1,2,3]',
    ]);
    expect(differences({ a: null }, {}, '')).toEqual(['a: expected null, got undefined']);
  });
});
