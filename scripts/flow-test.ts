// Plays a scripted conversation against a flow: `npm run flow:test -- FLOW.json SCRIPT.json`.
// Exit 0: the conversation followed the script. Exit 1: it did not (a readable diff is printed).
// Exit 2: the flow is invalid, the script is malformed or a file cannot be read.
// Formats: packages/core/src/flow/README.md.
import { readFileSync } from 'node:fs';
import { runScript } from '@hotline/core/flow/script-runner';

function load(file: string): unknown {
  try {
    return JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    console.error(`cannot read ${file}: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  }
}

const [flowFile, scriptFile] = process.argv.slice(2);
if (!flowFile || !scriptFile) {
  console.error('usage: npm run flow:test -- FLOW.json SCRIPT.json');
  process.exit(2);
}
const result = runScript(load(flowFile), load(scriptFile));
const out = result.ok ? console.log : console.error;
out(`${scriptFile} against ${flowFile}`);
for (const line of result.report) out(line);
out(result.ok ? 'PASS' : 'FAIL');
process.exit(result.ok ? 0 : result.unusable ? 2 : 1);
