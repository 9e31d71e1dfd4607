import { describe, expect, it } from 'vitest';
import { verbs } from '../pages/flows/flow-verbs';
import { flowsEn } from './flow-editor-en';
import { flowsRu } from './flow-editor-ru';

/** Every leaf of a resource as `dotted.key → value`. */
function leaves(resource: object, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(resource)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === 'object') {
      for (const [leaf, text] of leaves(value, path)) out.set(leaf, text);
    } else out.set(path, value);
  }
  return out;
}

describe('flow editor translations (namespace "flows")', () => {
  const languages = { en: leaves(flowsEn), ru: leaves(flowsRu) };

  it('have exactly the same keys in both languages', () => {
    expect([...languages.ru.keys()].sort()).toEqual([...languages.en.keys()].sort());
  });

  it.each(Object.entries(languages))('%s has a non-empty string for every key', (_language, texts) => {
    expect([...texts].filter(([, text]) => typeof text !== 'string' || text.trim() === '')).toEqual([]);
  });

  it.each(Object.entries(languages))('%s uses the same {{placeholders}} as English', (_language, texts) => {
    const placeholders = (text: unknown) =>
      [...String(text).matchAll(/{{\s*(\w+)\s*}}/g)].map((m) => m[1]).sort();
    for (const [key, text] of texts)
      expect(placeholders(text), key).toEqual(placeholders(languages.en.get(key)));
  });

  it('names every verb of the flow language', () => {
    expect(Object.keys(flowsEn.flowEditor.verbs).sort()).toEqual([...verbs].sort());
  });
});
