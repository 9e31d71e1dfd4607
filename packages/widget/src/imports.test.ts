import { describe, expect, it } from 'vitest';

/**
 * The bundle stays small because the widget takes only types from `@hotline/protocol`: its modules
 * build zod schemas when loaded, so one value import would put zod (~60 kB) into `widget.js`.
 * Biome's noRestrictedImports cannot tell type-only imports apart, hence this check.
 */
const sources = import.meta.glob<string>(['./**/*.ts', '!./**/*.test.ts'], {
  query: '?raw',
  import: 'default',
  eager: true,
});

const importStatements = (source: string) =>
  [...source.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)';/gms)].map((m) => ({
    statement: m[0],
    from: m[1]!,
  }));

describe('widget imports', () => {
  it('finds the sources', () => {
    expect(Object.keys(sources)).toContain('./main.ts');
    expect(Object.keys(sources).length).toBeGreaterThan(10);
  });

  it.each(Object.entries(sources))(
    '%s takes only types from the protocol and nothing else of ours',
    (_file, source) => {
      for (const { statement, from } of importStatements(source)) {
        if (from.startsWith('.')) continue;
        if (from.startsWith('@hotline/protocol/')) {
          expect(statement, statement).toMatch(/^import type /);
          continue;
        }
        throw new Error(`unexpected import from "${from}": the widget bundles nothing but its own code`);
      }
    },
  );
});
