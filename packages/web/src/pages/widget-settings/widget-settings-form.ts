import type { WidgetSettings } from '@hotline/protocol/chat';
import { type Keyed, newKey, withKeys } from '../../crud/keyed-rows';
import { pickedSkills, type SkillLevel } from '../skill-levels-editor';

/** One topic as edited; `topicKey` because `key` is the row's React key. */
export interface TopicForm {
  topicKey: string;
  labelEn: string;
  labelRu: string;
  queueId: string | null;
  skills: Keyed<SkillLevel>[];
}

/** The widget settings as the page edits them: origins as lines of text, rows with React keys. */
export interface WidgetSettingsForm {
  enabled: boolean;
  allowedOrigins: string;
  preChat: WidgetSettings['preChat'];
  topics: Keyed<TopicForm>[];
  calendarId: string | null;
  greeting: WidgetSettings['greeting'];
  offlineMode: WidgetSettings['offlineMode'];
  /** The chat bot's flow; kept as loaded (bound through the API; the page has no picker yet). */
  flowId: string | null;
}

export function toForm(settings: WidgetSettings): WidgetSettingsForm {
  return {
    enabled: settings.enabled,
    allowedOrigins: settings.allowedOrigins.join('\n'),
    preChat: { ...settings.preChat },
    topics: withKeys(
      settings.topics.map((topic) => ({
        topicKey: topic.key,
        labelEn: topic.label.en,
        labelRu: topic.label.ru,
        queueId: topic.queueId,
        skills: withKeys(topic.skills.map(({ skillId, minLevel }) => ({ skillId, level: minLevel }))),
      })),
    ),
    calendarId: settings.calendarId,
    greeting: { ...settings.greeting },
    offlineMode: settings.offlineMode,
    flowId: settings.flowId,
  };
}

export function emptyTopic(): Keyed<TopicForm> {
  return { key: newKey(), topicKey: '', labelEn: '', labelRu: '', queueId: null, skills: [] };
}

/** Topics the page must not send yet: each needs a queue. Indexes into `form.topics`. */
export function topicsWithoutQueue(form: WidgetSettingsForm): number[] {
  return form.topics.flatMap((topic, index) => (topic.queueId ? [] : [index]));
}

/** The PUT body; call only when `topicsWithoutQueue` is empty. Skill rows without a skill are dropped. */
export function toBody(form: WidgetSettingsForm): WidgetSettings {
  return {
    enabled: form.enabled,
    allowedOrigins: originsOf(form.allowedOrigins),
    preChat: { ...form.preChat },
    topics: form.topics.map((topic) => ({
      key: topic.topicKey.trim(),
      label: { en: topic.labelEn.trim(), ru: topic.labelRu.trim() },
      queueId: topic.queueId ?? '',
      skills: pickedSkills(topic.skills).map(({ skillId, level }) => ({ skillId, minLevel: level })),
    })),
    calendarId: form.calendarId,
    greeting: { en: form.greeting.en.trim(), ru: form.greeting.ru.trim() },
    offlineMode: form.offlineMode,
    flowId: form.flowId,
  };
}

/** One origin per line (commas and spaces also separate); blank lines ignored, a trailing `/` dropped. */
export function originsOf(text: string): string[] {
  return text
    .split(/[\s,]+/)
    .map((origin) => origin.trim().replace(/\/+$/, ''))
    .filter((origin) => origin !== '');
}

/** The tag a website pastes to show the chat (values escaped for an HTML attribute). */
export function embedSnippet(origin: string, tenantSlug: string): string {
  return `<script src="${attr(origin)}/widget.js" data-tenant="${attr(tenantSlug)}" async></script>`;
}

const attr = (value: string) =>
  value.replace(/[&"<>]/g, (c) => ({ '&': '&amp;', '"': '&quot;', '<': '&lt;', '>': '&gt;' })[c]!);
