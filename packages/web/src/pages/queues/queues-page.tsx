import type { CreateQueueBody, Queue } from '@hotline/protocol/config';
import { Badge, Group, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { calendars, queues, skills } from '../../api/resources';
import { usePermissions } from '../../auth/use-permissions';
import { CrudPage } from '../../crud/crud-page';
import { withKeys } from '../../crud/keyed-rows';
import { useAllItems } from '../../crud/use-paged-list';
import { pickedSkills } from '../skill-levels-editor';
import { type QueueForm, QueueFormFields } from './queue-form';
import { defaultQueueVoice, queueVoiceApi } from './queue-voice-fields';

const emptyForm = (): QueueForm => ({
  name: '',
  strategy: 'longest_idle',
  priority: 0,
  requiredSkills: [],
  serviceLevelSeconds: 20,
  serviceLevelPercent: 80,
  wrapUpSeconds: 30,
  maxWaitSeconds: 600,
  offerTimeoutSeconds: 20,
  blocksOtherChannels: true,
  calendarId: null,
  voice: defaultQueueVoice(),
});

const toForm = async (queue: Queue): Promise<QueueForm> => ({
  name: queue.name,
  strategy: queue.strategy,
  priority: queue.priority,
  requiredSkills: withKeys(
    queue.requiredSkills.map(({ skillId, minLevel }) => ({ skillId, level: minLevel })),
  ),
  serviceLevelSeconds: queue.serviceLevelSeconds,
  serviceLevelPercent: queue.serviceLevelPercent,
  wrapUpSeconds: queue.wrapUpSeconds,
  maxWaitSeconds: queue.maxWaitSeconds,
  offerTimeoutSeconds: queue.offerTimeoutSeconds,
  blocksOtherChannels: queue.blocksOtherChannels,
  calendarId: queue.calendarId,
  voice: await queueVoiceApi.get(queue.id),
});

const toBody = ({ voice: _voice, ...form }: QueueForm): CreateQueueBody => ({
  ...form,
  name: form.name.trim(),
  requiredSkills: pickedSkills(form.requiredSkills).map(({ skillId, level }) => ({
    skillId,
    minLevel: level,
  })),
});

export function QueuesPage() {
  const { t } = useTranslation();
  const { editConfig } = usePermissions();
  const skillNames = new Map(useAllItems(skills.key, skills.list).map((skill) => [skill.id, skill.name]));
  const calendarNames = new Map(useAllItems(calendars.key, calendars.list).map((c) => [c.id, c.name]));
  return (
    <CrudPage
      api={queues}
      testId="queues"
      title={t('queues.title')}
      createLabel={t('queues.create')}
      editLabel={t('queues.edit')}
      editable={editConfig}
      modalSize="lg"
      columns={[
        { key: 'name', header: t('fields.name'), render: (queue: Queue) => queue.name },
        {
          key: 'strategy',
          header: t('queues.strategy'),
          render: (queue: Queue) => t(`strategies.${queue.strategy}`),
        },
        { key: 'priority', header: t('queues.priority'), render: (queue: Queue) => queue.priority },
        {
          key: 'skills',
          header: t('queues.requiredSkills'),
          render: (queue: Queue) => (
            <Group gap={4}>
              {queue.requiredSkills.map((required) => (
                <Badge key={required.skillId} variant="light" tt="none">
                  {t('queues.skillAtLevel', {
                    skill: skillNames.get(required.skillId) ?? '…',
                    level: required.minLevel,
                  })}
                </Badge>
              ))}
            </Group>
          ),
        },
        {
          key: 'serviceLevel',
          header: t('queues.serviceLevel'),
          render: (queue: Queue) =>
            t('queues.serviceLevelValue', {
              percent: queue.serviceLevelPercent,
              seconds: queue.serviceLevelSeconds,
            }),
        },
        {
          key: 'calendar',
          header: t('queues.calendar'),
          render: (queue: Queue) =>
            queue.calendarId ? (
              (calendarNames.get(queue.calendarId) ?? '…')
            ) : (
              <Text size="sm" c="dimmed">
                {t('queues.alwaysOpen')}
              </Text>
            ),
        },
      ]}
      Form={QueueFormFields}
      emptyForm={emptyForm}
      toForm={toForm}
      toCreateBody={toBody}
      toUpdateBody={toBody}
      afterSave={(saved, form) => queueVoiceApi.put(saved.id, form.voice)}
      describe={(queue) => queue.name}
    />
  );
}
