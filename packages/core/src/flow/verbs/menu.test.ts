import { describe, expect, it } from 'vitest';
import { Conversation, single } from '../test-support';

const menuNode = {
  verb: 'menu',
  prompt: { en: 'Orders 1, billing 2.', ru: 'Заказы 1, оплата 2.' },
  options: [
    { key: '1', label: { en: 'Orders', ru: 'Заказы' }, keywords: ['order', 'заказ'] },
    { key: '2', label: { en: 'Billing', ru: 'Оплата' }, keywords: ['invoice', 'счёт'] },
  ],
  into: 'choice',
  retries: 1,
  timeoutMs: 4000,
  invalidPrompt: { en: 'No such option.', ru: 'Нет такого пункта.' },
  noInputPrompt: { en: 'Are you there?', ru: 'Вы здесь?' },
};
const sut = single(menuNode, ['1', '2', 'failed']);

describe('menu', () => {
  it('voice: one DTMF digit, no buttons', () => {
    const c = new Conversation(sut, { channel: 'voice', language: 'en' });
    expect(c.action).toEqual({
      type: 'collect',
      mode: 'dtmf',
      prompt: 'Orders 1, billing 2.',
      language: 'en',
      timeoutMs: 4000,
      maxDigits: 1,
      finishOnKey: null,
      maxLength: 200,
      choices: [],
    });
    c.input('2');
    expect(c.outcome).toBe('2');
    expect(c.step.state.vars.choice).toBe('2');
  });

  it('voice: a label or keyword does not count, only the digit', () => {
    const c = new Conversation(sut, { channel: 'voice', language: 'en' });
    c.input('billing');
    expect(c.action).toMatchObject({ type: 'collect', prompt: 'No such option. Orders 1, billing 2.' });
  });

  it('chat: buttons; the key, the label or a keyword chooses', () => {
    const c = new Conversation(sut, { channel: 'chat', language: 'ru' });
    expect(c.action).toMatchObject({
      mode: 'text',
      maxDigits: null,
      choices: [
        { key: '1', label: 'Заказы' },
        { key: '2', label: 'Оплата' },
      ],
    });
    for (const [text, outcome] of [
      ['1', '1'],
      ['  оплата ', '2'],
      ['Orders', '1'],
      ['Где мой заказ?', '1'],
      ['пришёл СЧЕТ', '2'],
    ] as const) {
      const d = new Conversation(sut, { channel: 'chat', language: 'ru' });
      d.input(text);
      expect(d.outcome, text).toBe(outcome);
    }
  });

  it('a wrong answer then silence use up the retries and take failed', () => {
    const c = new Conversation(sut, { channel: 'voice', language: 'en' });
    c.input('9');
    expect(c.action).toMatchObject({ prompt: 'No such option. Orders 1, billing 2.' });
    expect(c.step.state.phase).toEqual({ attempt: 2 });
    c.send({ type: 'timeout' });
    expect(c.outcome).toBe('failed');
    expect(c.step.state.vars).not.toHaveProperty('choice');
  });

  it('silence first re-asks with the no-input prompt', () => {
    const c = new Conversation(sut, { channel: 'voice', language: 'en' });
    c.send({ type: 'timeout' });
    expect(c.action).toMatchObject({ prompt: 'Are you there? Orders 1, billing 2.' });
    c.input('1');
    expect(c.outcome).toBe('1');
  });

  it('with retries 0 the first wrong answer fails', () => {
    const c = new Conversation(single({ ...menuNode, retries: 0 }, ['1', '2', 'failed']), {
      channel: 'voice',
    });
    c.input('5');
    expect(c.outcome).toBe('failed');
  });
});
