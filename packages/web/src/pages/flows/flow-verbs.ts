/**
 * What the editor knows about each verb of the flow language (`packages/core/src/flow/README.md`):
 * its outcomes (the `next` keys it may have), a starting node for the palette, and the line of text
 * a node card shows. Pure; the validator on the server stays the judge of documents.
 */

export const verbs = [
  'say',
  'play',
  'menu',
  'gather',
  'condition',
  'business_hours',
  'http',
  'set',
  'enqueue',
  'transfer',
  'voicemail',
  'callback',
  'survey',
  'faq',
  'hangup',
  'end',
] as const;
export type Verb = (typeof verbs)[number];

export type FlowDoc = Record<string, unknown>;
export type NodeDoc = Record<string, unknown>;

export function isVerb(value: unknown): value is Verb {
  return typeof value === 'string' && (verbs as readonly string[]).includes(value);
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const fixedOutcomes: Record<Exclude<Verb, 'menu'>, readonly string[]> = {
  say: ['done'],
  play: ['done'],
  gather: ['ok', 'failed'],
  condition: ['true', 'false'],
  business_hours: ['open', 'closed', 'holiday'],
  http: ['ok', 'error'],
  set: ['done'],
  enqueue: ['error'],
  transfer: ['failed'],
  voicemail: ['done', 'failed'],
  callback: ['scheduled', 'failed'],
  survey: ['done', 'incomplete'],
  faq: ['answered', 'no_match'],
  hangup: [],
  end: [],
};

/**
 * The outcomes a node offers handles for: the verb's (a menu's: one per option key, then `failed`),
 * then any other key its `next` already has, so that an edge for an unknown outcome stays visible.
 */
export function outcomesOf(node: NodeDoc): string[] {
  const verb = node.verb;
  let own: string[] = [];
  if (verb === 'menu') {
    const options = Array.isArray(node.options) ? node.options : [];
    own = [
      ...options.map((o) => (isPlainObject(o) && typeof o.key === 'string' ? o.key : '')).filter(Boolean),
      'failed',
    ];
  } else if (isVerb(verb)) {
    own = [...fixedOutcomes[verb as Exclude<Verb, 'menu'>]];
  }
  const extra = isPlainObject(node.next) ? Object.keys(node.next).filter((k) => !own.includes(k)) : [];
  return [...new Set([...own, ...extra])];
}

/** Outcomes that need no edge (README: `business_hours.holiday` falls back to `closed`). */
export function isOptionalOutcome(verb: unknown, outcome: string): boolean {
  return verb === 'business_hours' && outcome === 'holiday';
}

/** A node as the palette adds it: the required fields with placeholder values, no edges yet. */
export function newNode(verb: Verb): NodeDoc {
  switch (verb) {
    case 'say':
      return { verb, text: { en: 'Hello!', ru: 'Здравствуйте!' } };
    case 'play':
      return { verb, audio: 'welcome.wav' };
    case 'menu':
      return {
        verb,
        prompt: { en: 'Press 1 or 2.', ru: 'Нажмите 1 или 2.' },
        options: [
          { key: '1', label: 'One' },
          { key: '2', label: 'Two' },
        ],
      };
    case 'gather':
      return { verb, prompt: 'Please type your answer.', into: 'answer', input: 'text' };
    case 'condition':
      return { verb, when: "input == 'yes'" };
    case 'business_hours':
      return { verb, calendar: '' };
    case 'http':
      return { verb, url: 'https://example.com/api', method: 'GET' };
    case 'set':
      return { verb, values: {} };
    case 'enqueue':
      return { verb, queue: '' };
    case 'transfer':
      return { verb, number: '+10000000000' };
    case 'voicemail':
      return { verb, mailbox: 'general' };
    case 'callback':
      return { verb, queue: '' };
    case 'survey':
      return { verb, questions: [{ id: 'score', prompt: 'Rate us from 1 to 5.', min: 1, max: 5 }] };
    case 'faq':
      return { verb };
    case 'hangup':
      return { verb };
    case 'end':
      return { verb, outcome: 'completed' };
  }
}

/** Mantine colour of a verb's badge, grouped by kind: talk, ask, decide, call out, hand over, stop. */
export const verbColor: Record<Verb, string> = {
  say: 'blue',
  play: 'blue',
  menu: 'violet',
  gather: 'violet',
  survey: 'violet',
  condition: 'yellow',
  business_hours: 'yellow',
  set: 'gray',
  http: 'cyan',
  faq: 'cyan',
  enqueue: 'green',
  transfer: 'green',
  callback: 'green',
  voicemail: 'green',
  hangup: 'red',
  end: 'red',
};

/** A `LocalText` (`"…"` or `{ru, en}`) in `language`, else the other one. */
export function localText(value: unknown, language: string): string {
  if (typeof value === 'string') return value;
  if (!isPlainObject(value)) return '';
  const own = value[language === 'ru' ? 'ru' : 'en'];
  const other = value[language === 'ru' ? 'en' : 'ru'];
  return typeof own === 'string' && own !== '' ? own : typeof other === 'string' ? other : '';
}

const str = (v: unknown) => (typeof v === 'string' ? v : v === undefined ? '' : JSON.stringify(v));

/** The one line of text a node card shows under its verb. */
export function summaryOf(node: NodeDoc, language: string): string {
  switch (node.verb) {
    case 'say':
      return localText(node.text, language);
    case 'play':
      return localText(node.text, language) || str(node.audio);
    case 'menu':
    case 'gather':
      return localText(node.prompt, language);
    case 'condition':
      return str(node.when);
    case 'business_hours':
      return str(node.calendar);
    case 'http':
      return `${str(node.method) || 'GET'} ${str(node.url)}`;
    case 'set':
      return isPlainObject(node.values) ? Object.keys(node.values).join(', ') : '';
    case 'enqueue':
    case 'callback':
      return str(node.queue);
    case 'transfer':
      return str(node.number ?? node.agent);
    case 'voicemail':
      return str(node.mailbox);
    case 'survey':
      return Array.isArray(node.questions)
        ? node.questions.map((q) => (isPlainObject(q) ? localText(q.prompt, language) : '')).join(' · ')
        : '';
    case 'faq':
      return str(node.question ?? 'input');
    case 'end':
      return str(node.outcome);
    default:
      return '';
  }
}
