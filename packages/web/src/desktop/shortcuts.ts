/**
 * The desktop's keyboard shortcuts. Matched on `KeyboardEvent.code` (the physical key), because with
 * Alt held a Mac types "å" for A and a Russian layout types "ф": the key must work on any layout.
 */
export type ShortcutAction =
  | 'accept'
  | 'decline'
  | 'nextChat'
  | 'previousChat'
  | 'templates'
  | 'close'
  | 'help';

export interface KeyLike {
  code: string;
  key: string;
  altKey: boolean;
  ctrlKey: boolean;
  metaKey: boolean;
  shiftKey: boolean;
}

export const shortcuts: readonly { action: ShortcutAction; keys: string[]; code: string }[] = [
  { action: 'accept', keys: ['Alt', 'A'], code: 'KeyA' },
  { action: 'decline', keys: ['Alt', 'D'], code: 'KeyD' },
  { action: 'nextChat', keys: ['Alt', '↓'], code: 'ArrowDown' },
  { action: 'previousChat', keys: ['Alt', '↑'], code: 'ArrowUp' },
  { action: 'templates', keys: ['Alt', 'T'], code: 'KeyT' },
  { action: 'close', keys: ['Alt', 'C'], code: 'KeyC' },
  { action: 'help', keys: ['Alt', '/'], code: 'Slash' },
];

export function shortcutOf(event: KeyLike): ShortcutAction | null {
  if (!event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return null;
  return shortcuts.find((s) => s.code === event.code)?.action ?? null;
}

/** "/" typed into an empty composer opens the template picker instead of being typed. */
export function opensTemplatesInComposer(event: KeyLike, composerText: string): boolean {
  return event.key === '/' && !event.altKey && !event.ctrlKey && !event.metaKey && composerText.trim() === '';
}

/** Enter sends; Shift+Enter is a new line; an IME composition is never interrupted. */
export function sendsMessage(event: KeyLike & { isComposing?: boolean }): boolean {
  return event.key === 'Enter' && !event.shiftKey && !event.altKey && !event.ctrlKey && !event.isComposing;
}
