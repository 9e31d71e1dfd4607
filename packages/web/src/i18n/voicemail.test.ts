import { describe, expect, it } from 'vitest';
import { voicemailEn } from './voicemail-en';
import { voicemailRu } from './voicemail-ru';

/** The voicemail namespace (see `setup.ts`): the same checks as `i18n.test.ts` for `translation`. */
function leaves(resource: object, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(resource)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === 'object') for (const [k, v] of leaves(value, path)) out.set(k, v);
    else out.set(path, value);
  }
  return out;
}

describe('voicemail translations', () => {
  it('have the same keys, non-empty, with the same placeholders', () => {
    const en = leaves(voicemailEn);
    const ru = leaves(voicemailRu);
    const placeholders = (text: unknown) =>
      [...String(text).matchAll(/{{\s*(\w+)\s*}}/g)].map((m) => m[1]).sort();
    expect([...ru.keys()].sort()).toEqual([...en.keys()].sort());
    for (const [key, text] of ru) {
      expect(typeof text === 'string' && text.trim() !== '', key).toBe(true);
      expect(placeholders(text), key).toEqual(placeholders(en.get(key)));
    }
  });
});
