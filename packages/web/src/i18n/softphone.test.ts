import { describe, expect, it } from 'vitest';
import { softphoneEn } from './softphone-en';
import { softphoneRu } from './softphone-ru';

/** The softphone's own namespace (see `setup.ts`): the same checks as `i18n.test.ts` for `translation`. */
function leaves(resource: object, prefix = ''): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(resource)) {
    const path = prefix ? `${prefix}.${key}` : key;
    if (value !== null && typeof value === 'object') for (const [k, v] of leaves(value, path)) out.set(k, v);
    else out.set(path, value);
  }
  return out;
}

describe('softphone translations', () => {
  const en = leaves(softphoneEn);
  const ru = leaves(softphoneRu);
  const placeholders = (text: unknown) =>
    [...String(text).matchAll(/{{\s*(\w+)\s*}}/g)].map((m) => m[1]).sort();

  it('have the same keys, non-empty, with the same placeholders', () => {
    expect([...ru.keys()].sort()).toEqual([...en.keys()].sort());
    for (const [key, text] of ru) {
      expect(typeof text === 'string' && text.trim() !== '', key).toBe(true);
      expect(placeholders(text), key).toEqual(placeholders(en.get(key)));
    }
  });

  it('name every phone error code and microphone problem', () => {
    expect(Object.keys(softphoneEn.error).sort()).toEqual(
      [
        'BAD_OFFER',
        'INTERNAL',
        'NOT_ON_CALL',
        'NO_COMMON_CODEC',
        'PHONE_BUSY',
        'PHONE_NOT_CONNECTED',
        'RATE_LIMITED',
        'RECORDING_FAILED',
        'RECORDING_NOT_ALLOWED',
        'TRANSFER_UNAVAILABLE',
        'VOICE_UNAVAILABLE',
      ].sort(),
    );
    expect(Object.keys(softphoneEn.mic).sort()).toEqual(['busy', 'denied', 'insecure', 'missing']);
  });
});
