import { widgetSettingsSchema } from '@hotline/protocol/chat';
import { describe, expect, it } from 'vitest';
import { embedSnippet, originsOf, toBody, toForm, topicsWithoutQueue } from './widget-settings-form';

const queueId = '6f1d2a8e-0a4b-4c3e-9f5d-2b7c8e9a1d3f';
const skillId = '0b5e3c1a-7d2f-4e8b-a6c9-1f3d5e7a9b2c';

describe('widget settings form', () => {
  it('round-trips settings through the form', () => {
    const settings = widgetSettingsSchema.parse({
      allowedOrigins: ['https://shop.example', 'http://localhost:8080'],
      topics: [
        {
          key: 'billing',
          label: { en: 'Billing', ru: 'Счета' },
          queueId,
          skills: [{ skillId, minLevel: 3 }],
        },
      ],
      greeting: { en: 'Hi', ru: 'Привет' },
      offlineMode: 'callback',
    });
    const form = toForm(settings);
    expect(form.allowedOrigins).toBe('https://shop.example\nhttp://localhost:8080');
    expect(form.topics[0]).toMatchObject({ topicKey: 'billing', labelRu: 'Счета', queueId });
    expect(toBody(form)).toEqual(settings);
    expect(widgetSettingsSchema.parse(toBody(form))).toEqual(settings);
  });

  it('trims text, drops unpicked skill rows and reports topics without a queue', () => {
    const form = toForm(widgetSettingsSchema.parse({}));
    form.topics.push({
      key: 'r1',
      topicKey: ' sales ',
      labelEn: ' Sales ',
      labelRu: 'Продажи',
      queueId: null,
      skills: [{ key: 'r2', skillId: null, level: 2 }],
    });
    expect(topicsWithoutQueue(form)).toEqual([0]);
    form.topics[0]!.queueId = queueId;
    expect(topicsWithoutQueue(form)).toEqual([]);
    expect(toBody(form).topics).toEqual([
      { key: 'sales', label: { en: 'Sales', ru: 'Продажи' }, queueId, skills: [] },
    ]);
  });

  it('reads origins one per line, with commas or spaces, without trailing slashes', () => {
    expect(originsOf(' https://a.example/ \n\n https://b.example, http://c.example:8080 ')).toEqual([
      'https://a.example',
      'https://b.example',
      'http://c.example:8080',
    ]);
    expect(originsOf('  \n ')).toEqual([]);
  });

  it('builds the embed snippet', () => {
    expect(embedSnippet('https://hotline.example', 'acme')).toBe(
      '<script src="https://hotline.example/widget.js" data-tenant="acme" async></script>',
    );
    expect(embedSnippet('http://h', 'a"b<c')).toBe(
      '<script src="http://h/widget.js" data-tenant="a&quot;b&lt;c" async></script>',
    );
  });
});
