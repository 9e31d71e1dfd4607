import { describe, expect, it } from 'vitest';
import { en } from './en';
import { ru } from './ru';

/** Every leaf of a resource as `dotted.key → value`. */
function leaves(resource: object, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(resource)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === 'object') {
      for (const [leaf, text] of leaves(value, path)) out.set(leaf, text);
    } else {
      out.set(path, value);
    }
  }
  return out;
}

describe('UI translations', () => {
  const languages = { en: leaves(en), ru: leaves(ru) };

  it('have exactly the same keys in every language', () => {
    expect([...languages.ru.keys()].sort()).toEqual([...languages.en.keys()].sort());
  });

  it.each(Object.entries(languages))('%s has a non-empty string for every key', (_language, texts) => {
    const bad = [...texts].filter(([, text]) => typeof text !== 'string' || text.trim() === '');
    expect(bad).toEqual([]);
  });

  it.each(Object.entries(languages))('%s uses the same {{placeholders}} as English', (_language, texts) => {
    const placeholders = (text: unknown) =>
      [...String(text).matchAll(/{{\s*(\w+)\s*}}/g)].map((m) => m[1]).sort();
    for (const [key, text] of texts) {
      expect(placeholders(text), key).toEqual(placeholders(languages.en.get(key)));
    }
  });
});
