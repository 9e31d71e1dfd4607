import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * `npm run flow:test -- FLOW SCRIPT` is what tenants put in their CI: it must exit 0 when the
 * conversation follows the script and non-zero, with a readable diff, when it does not.
 */
const root = join(import.meta.dirname, '../../../..');
const examples = join(root, 'examples/flows');

function flowTest(flow: string, script: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', join(root, 'scripts/flow-test.ts'), flow, script], {
    cwd: root,
    encoding: 'utf8',
    timeout: 60_000,
  });
}

describe('flow:test command', () => {
  const flows = readdirSync(examples).filter((f) => f.endsWith('.flow.json'));

  it('has the example flows the issue names', () => {
    expect(flows).toEqual(
      expect.arrayContaining([
        'order-status.flow.json',
        'handover.flow.json',
        'after-hours.flow.json',
        'ivr-menu.flow.json',
      ]),
    );
  });

  it.each(flows)('plays %s to the end of its script (exit 0)', (flow) => {
    const r = flowTest(join(examples, flow), join(examples, flow.replace('.flow.json', '.script.json')));
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });

  it('fails with a readable diff when the conversation differs (exit 1)', () => {
    const r = flowTest(
      join(examples, 'order-status.flow.json'),
      join(root, 'packages/core/src/flow/test-fixtures/order-status-wrong.script.json'),
    );
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).toContain('expected "Order 123456 is shipped; expected on Friday."');
  });

  it('refuses an unreadable file (exit 2)', () => {
    const r = flowTest(join(examples, 'missing.flow.json'), join(examples, 'order-status.script.json'));
    expect(r.status).toBe(2);
  });
});
