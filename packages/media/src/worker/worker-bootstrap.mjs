// Loads the TypeScript worker entry named in workerData.entry. Workers do not inherit the parent's
// tsx loader on Node 20, so the entry is imported through tsx's API; a plain .js/.mjs entry (a build)
// is imported directly.
import { workerData } from 'node:worker_threads';

const entry = workerData.entry;
if (entry.endsWith('.ts')) {
  const { tsImport } = await import('tsx/esm/api');
  await tsImport(entry, import.meta.url);
} else {
  await import(entry);
}
