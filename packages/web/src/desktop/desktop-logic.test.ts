import { describe, expect, it } from 'vitest';
import { opensTemplatesInComposer, sendsMessage, shortcutOf } from './shortcuts';
import { fillTemplate } from './template-render';
import {
  formatCountdown,
  formatDuration,
  keepSelection,
  offerDeadline,
  splitWork,
  stepSelection,
  type WorkItem,
} from './work-items';

const item = (id: string, phase: WorkItem['phase'], since: string): WorkItem => ({
  interactionId: id,
  channel: 'chat',
  phase,
  since,
  wrapUpUntil: null,
});

describe('work items', () => {
  const work = [
    item('w', 'wrap_up', '2030-01-01T00:00:01Z'),
    item('c2', 'connected', '2030-01-01T00:00:05Z'),
    item('o', 'offered', '2030-01-01T00:00:09Z'),
    item('c1', 'connected', '2030-01-01T00:00:02Z'),
  ];

  it('splits offers from the chat list, oldest first and wrap-ups last', () => {
    const { offers, open } = splitWork(work);
    expect(offers.map((w) => w.interactionId)).toEqual(['o']);
    expect(open.map((w) => w.interactionId)).toEqual(['c1', 'c2', 'w']);
  });

  it.each([
    [null, 1, 'c1'],
    ['c1', 1, 'c2'],
    ['w', 1, 'c1'],
    ['c1', -1, 'w'],
    ['gone', 1, 'c1'],
  ] as const)('steps from %s by %i to %s', (current, direction, expected) => {
    expect(stepSelection(splitWork(work).open, current, direction)).toBe(expected);
  });

  it('steps nowhere in an empty list', () => {
    expect(stepSelection([], 'x', 1)).toBeNull();
  });

  it('keeps a selection that still exists, else takes the first', () => {
    const { open } = splitWork(work);
    expect(keepSelection(open, 'c2')).toBe('c2');
    expect(keepSelection(open, 'gone')).toBe('c1');
    expect(keepSelection([], 'gone')).toBeNull();
  });

  it('takes the router’s offer deadline, else start plus the queue’s timeout', () => {
    const offer = item('o', 'offered', '2030-01-01T00:00:00.000Z');
    const start = Date.parse(offer.since);
    expect(offerDeadline(offer, new Map([['o', start + 7_000]]), 20)).toBe(start + 7_000);
    expect(offerDeadline(offer, new Map(), 20)).toBe(start + 20_000);
    expect(offerDeadline(offer, new Map(), undefined)).toBeNull();
  });

  it.each([
    [0, '0:00'],
    [-5_000, '0:00'],
    [7_999, '0:07'],
    [754_000, '12:34'],
    [3_723_000, '1:02:03'],
  ])('formats %i ms as %s', (ms, text) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it.each([
    [60_000, '1:00'],
    [59_001, '1:00'],
    [59_000, '0:59'],
    [1, '0:01'],
    [0, '0:00'],
    [-20, '0:00'],
  ])('counts %i ms down as %s', (ms, text) => {
    expect(formatCountdown(ms)).toBe(text);
  });
});

describe('shortcuts', () => {
  const key = (code: string, extra: Partial<Parameters<typeof shortcutOf>[0]> = {}) => ({
    code,
    key: '',
    altKey: true,
    ctrlKey: false,
    metaKey: false,
    shiftKey: false,
    ...extra,
  });

  it.each([
    ['KeyA', 'accept'],
    ['KeyD', 'decline'],
    ['ArrowDown', 'nextChat'],
    ['ArrowUp', 'previousChat'],
    ['KeyT', 'templates'],
    ['KeyC', 'close'],
    ['Slash', 'help'],
    ['KeyZ', null],
  ])('Alt+%s → %s on any layout', (code, action) => {
    expect(shortcutOf(key(code, { key: 'ф' }))).toBe(action);
  });

  it('needs Alt alone', () => {
    expect(shortcutOf(key('KeyA', { altKey: false }))).toBeNull();
    expect(shortcutOf(key('KeyA', { ctrlKey: true }))).toBeNull();
    expect(shortcutOf(key('KeyA', { shiftKey: true }))).toBeNull();
  });

  it('"/" opens templates only at the start of an empty composer', () => {
    const slash = key('Slash', { key: '/', altKey: false });
    expect(opensTemplatesInComposer(slash, '')).toBe(true);
    expect(opensTemplatesInComposer(slash, '  ')).toBe(true);
    expect(opensTemplatesInComposer(slash, 'and/or')).toBe(false);
  });

  it('Enter sends, Shift+Enter and IME composition do not', () => {
    const enter = key('Enter', { key: 'Enter', altKey: false });
    expect(sendsMessage(enter)).toBe(true);
    expect(sendsMessage({ ...enter, shiftKey: true })).toBe(false);
    expect(sendsMessage({ ...enter, isComposing: true })).toBe(false);
  });
});

describe('template variables', () => {
  it.each([
    ['Hello {{customer.name}}, I am {{agent.name}}.', 'Hello Carol, I am Ann.'],
    ['Hi {{ customer.name }}!', 'Hi Carol!'],
    ['Order {{order.id}} is on its way', 'Order {{order.id}} is on its way'],
    ['Dear {{customer.email}}', 'Dear {{customer.email}}'],
    ['no variables', 'no variables'],
  ])('%s', (body, expected) => {
    expect(fillTemplate(body, { 'customer.name': 'Carol', 'agent.name': 'Ann', 'customer.email': '' })).toBe(
      expected,
    );
  });

  it('inserts values literally (no pattern expansion, no HTML)', () => {
    expect(fillTemplate('{{customer.name}}', { 'customer.name': '$& <b>x</b>' })).toBe('$& <b>x</b>');
  });
});
