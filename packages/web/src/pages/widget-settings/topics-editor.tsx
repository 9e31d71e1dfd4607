import type { Queue, Skill } from '@hotline/protocol/config';
import { Button, Card, Group, Select, SimpleGrid, Stack, Text, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { Keyed } from '../../crud/keyed-rows';
import { SkillLevelsEditor } from '../skill-levels-editor';
import { emptyTopic, type TopicForm } from './widget-settings-form';

interface TopicsEditorProps {
  topics: Keyed<TopicForm>[];
  queues: Queue[];
  skills: Skill[];
  onChange: (topics: Keyed<TopicForm>[]) => void;
  readOnly: boolean;
}

/** The pre-chat topics: each routes to a queue, optionally with required skills. The first is the default. */
export function TopicsEditor({ topics, queues, skills, onChange, readOnly }: TopicsEditorProps) {
  const { t } = useTranslation();
  const update = (key: string, patch: Partial<TopicForm>) =>
    onChange(topics.map((topic) => (topic.key === key ? { ...topic, ...patch } : topic)));
  const moveUp = (index: number) => {
    const next = [...topics];
    [next[index - 1], next[index]] = [next[index]!, next[index - 1]!];
    onChange(next);
  };
  return (
    <Stack gap="sm" data-testid="widget-topics">
      <div>
        <Text fw={500}>{t('widgetSettings.topics')}</Text>
        <Text size="sm" c="dimmed">
          {t('widgetSettings.topicsHint')}
        </Text>
      </div>
      {topics.length === 0 && (
        <Text size="sm" c="orange" data-testid="widget-no-topics">
          {t('widgetSettings.noTopics')}
        </Text>
      )}
      {topics.map((topic, index) => (
        <Card key={topic.key} withBorder padding="sm" data-testid="widget-topic">
          <Stack gap="xs">
            <SimpleGrid cols={{ base: 1, sm: 2 }}>
              <TextInput
                label={t('widgetSettings.topicKey')}
                description={t('widgetSettings.topicKeyHint')}
                required
                maxLength={40}
                value={topic.topicKey}
                onChange={(e) => update(topic.key, { topicKey: e.currentTarget.value })}
                data-testid="widget-topic-key"
              />
              <Select
                label={t('widgetSettings.queue')}
                placeholder={t('widgetSettings.pickQueue')}
                required
                searchable
                allowDeselect={false}
                data={queues.map((queue) => ({ value: queue.id, label: queue.name }))}
                value={topic.queueId}
                onChange={(queueId) => update(topic.key, { queueId })}
                error={topic.queueId ? undefined : t('widgetSettings.queueRequired')}
                data-testid="widget-topic-queue"
              />
              <TextInput
                label={t('widgetSettings.labelEn')}
                maxLength={500}
                value={topic.labelEn}
                onChange={(e) => update(topic.key, { labelEn: e.currentTarget.value })}
                data-testid="widget-topic-label-en"
              />
              <TextInput
                label={t('widgetSettings.labelRu')}
                maxLength={500}
                value={topic.labelRu}
                onChange={(e) => update(topic.key, { labelRu: e.currentTarget.value })}
                data-testid="widget-topic-label-ru"
              />
            </SimpleGrid>
            <SkillLevelsEditor
              label={t('widgetSettings.skills')}
              levelLabel={t('widgetSettings.minLevel')}
              rows={topic.skills}
              skills={skills}
              onChange={(rows) => update(topic.key, { skills: rows })}
              testId="widget-topic-skills"
            />
            {!readOnly && (
              <Group justify="flex-end" gap="xs">
                {index > 0 && (
                  <Button variant="subtle" size="xs" onClick={() => moveUp(index)}>
                    {t('widgetSettings.moveUp')}
                  </Button>
                )}
                <Button
                  variant="subtle"
                  color="red"
                  size="xs"
                  onClick={() => onChange(topics.filter((other) => other.key !== topic.key))}
                  data-testid="widget-topic-remove"
                >
                  {t('widgetSettings.removeTopic')}
                </Button>
              </Group>
            )}
          </Stack>
        </Card>
      ))}
      {!readOnly && (
        <Group>
          <Button
            variant="light"
            size="xs"
            disabled={topics.length >= 30}
            onClick={() => onChange([...topics, emptyTopic()])}
            data-testid="widget-topic-add"
          >
            {t('widgetSettings.addTopic')}
          </Button>
        </Group>
      )}
    </Stack>
  );
}
