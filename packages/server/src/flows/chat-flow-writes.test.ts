import type { FlowState } from '@hotline/core/flow/flow-types';
import { describe, expect, it } from 'vitest';
import { displayOf, screenPopOf, systemMessage } from './chat-flow-writes';

describe('what a bot step shows on web chat', () => {
  it('shows lines as the bot, a menu with its options as buttons, and nothing for silent actions', () => {
    expect(displayOf({ type: 'say', text: 'Hi', language: 'en' })).toEqual([
      { author: { kind: 'bot', userId: null, name: '' }, text: 'Hi', clientId: null },
    ]);
    expect(displayOf({ type: 'say', text: '  ', language: 'en' })).toEqual([]);
    expect(displayOf({ type: 'play', audio: 'a.wav', text: null, language: 'en' })).toEqual([]);
    const menu = displayOf({
      type: 'collect',
      mode: 'text',
      prompt: 'Pick one',
      language: 'en',
      timeoutMs: 1000,
      maxDigits: null,
      finishOnKey: null,
      maxLength: 100,
      choices: [
        { key: '1', label: 'Yes' },
        { key: '2', label: 'No' },
      ],
    });
    expect(menu).toMatchObject([
      {
        text: 'Pick one',
        buttons: [
          { key: '1', label: 'Yes' },
          { key: '2', label: 'No' },
        ],
      },
    ]);
    expect(
      displayOf({ type: 'http', method: 'GET', url: 'https://x', headers: {}, body: null, timeoutMs: 1 }),
    ).toEqual([]);
    expect(systemMessage('ended', 'ru').text).toBe('Разговор завершён.');
  });

  it('hands the agent a bounded transcript and the variables', () => {
    const transcript = Array.from({ length: 80 }, (_, i) => ({
      from: i % 2 ? ('customer' as const) : ('bot' as const),
      text: i === 79 ? 'z'.repeat(2_000) : `line ${i}`,
      node: 'n',
      at: Date.UTC(2026, 0, 1, 0, 0, i),
    }));
    const pop = screenPopOf({ flowId: 'f', transcript } as unknown as FlowState, {
      order_id: '42',
      ok: true,
      long: 'y'.repeat(600),
    });
    expect(pop.transcript).toHaveLength(50);
    expect(pop.transcript[0]).toEqual({ from: 'bot', text: 'line 30', at: '2026-01-01T00:00:30.000Z' });
    expect(pop.transcript.at(-1)!.text).toHaveLength(500);
    expect(pop.variables).toMatchObject({ order_id: '42', ok: true });
    expect(String(pop.variables.long)).toHaveLength(500);
  });
});
