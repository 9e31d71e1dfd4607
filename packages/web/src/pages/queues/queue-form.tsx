import { type QueueStrategy, queueStrategies } from '@hotline/protocol/config';
import { Select, SimpleGrid, Switch } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { calendars, skills } from '../../api/resources';
import type { EntityFormProps } from '../../crud/entity-modal';
import { IntInput } from '../../crud/int-input';
import type { Keyed } from '../../crud/keyed-rows';
import { NameField } from '../../crud/name-field';
import { useAllItems } from '../../crud/use-paged-list';
import { type SkillLevel, SkillLevelsEditor } from '../skill-levels-editor';
import { QueueVoiceFields, type QueueVoiceForm } from './queue-voice-fields';

export interface QueueForm {
  name: string;
  strategy: QueueStrategy;
  priority: number;
  requiredSkills: Keyed<SkillLevel>[];
  serviceLevelSeconds: number;
  serviceLevelPercent: number;
  wrapUpSeconds: number;
  maxWaitSeconds: number;
  offerTimeoutSeconds: number;
  blocksOtherChannels: boolean;
  calendarId: string | null;
  voice: QueueVoiceForm;
}

export function QueueFormFields({ value, onChange }: EntityFormProps<QueueForm>) {
  const { t } = useTranslation();
  const skillList = useAllItems(skills.key, skills.list);
  const calendarList = useAllItems(calendars.key, calendars.list);
  return (
    <>
      <NameField value={value.name} onChange={(name) => onChange({ name })} autoFocus />
      <SimpleGrid cols={2}>
        <Select
          label={t('queues.strategy')}
          required
          allowDeselect={false}
          data={queueStrategies.map((strategy) => ({ value: strategy, label: t(`strategies.${strategy}`) }))}
          value={value.strategy}
          onChange={(strategy) => strategy && onChange({ strategy: strategy as QueueStrategy })}
          data-testid="field-strategy"
        />
        <IntInput
          label={t('queues.priority')}
          description={t('queues.priorityHint')}
          min={0}
          max={100}
          value={value.priority}
          onChange={(priority) => onChange({ priority })}
          data-testid="field-priority"
        />
      </SimpleGrid>
      <SkillLevelsEditor
        label={t('queues.requiredSkills')}
        levelLabel={t('queues.minLevel')}
        rows={value.requiredSkills}
        skills={skillList}
        onChange={(requiredSkills) => onChange({ requiredSkills })}
        testId="required-skills"
      />
      <SimpleGrid cols={2}>
        <IntInput
          label={t('queues.serviceLevelSeconds')}
          min={1}
          max={86_400}
          value={value.serviceLevelSeconds}
          onChange={(serviceLevelSeconds) => onChange({ serviceLevelSeconds })}
          data-testid="field-sl-seconds"
        />
        <IntInput
          label={t('queues.serviceLevelPercent')}
          min={1}
          max={100}
          suffix="%"
          value={value.serviceLevelPercent}
          onChange={(serviceLevelPercent) => onChange({ serviceLevelPercent })}
          data-testid="field-sl-percent"
        />
        <IntInput
          label={t('queues.wrapUpSeconds')}
          min={0}
          max={3_600}
          value={value.wrapUpSeconds}
          onChange={(wrapUpSeconds) => onChange({ wrapUpSeconds })}
          data-testid="field-wrap-up"
        />
        <IntInput
          label={t('queues.maxWaitSeconds')}
          min={0}
          max={7 * 86_400}
          value={value.maxWaitSeconds}
          onChange={(maxWaitSeconds) => onChange({ maxWaitSeconds })}
          data-testid="field-max-wait"
        />
        <IntInput
          label={t('queues.offerTimeoutSeconds')}
          description={t('queues.offerTimeoutHint')}
          min={1}
          max={600}
          value={value.offerTimeoutSeconds}
          onChange={(offerTimeoutSeconds) => onChange({ offerTimeoutSeconds })}
          data-testid="field-offer-timeout"
        />
        <Switch
          mt="xl"
          label={t('queues.blocksOtherChannels')}
          checked={value.blocksOtherChannels}
          onChange={(event) => onChange({ blocksOtherChannels: event.currentTarget.checked })}
          data-testid="field-blocks-other-channels"
        />
      </SimpleGrid>
      <Select
        label={t('queues.calendar')}
        description={t('queues.calendarHint')}
        placeholder={t('queues.alwaysOpen')}
        clearable
        data={calendarList.map((calendar) => ({ value: calendar.id, label: calendar.name }))}
        value={value.calendarId}
        onChange={(calendarId) => onChange({ calendarId })}
        data-testid="field-calendar"
      />
      <QueueVoiceFields
        value={value.voice}
        onChange={(patch) => onChange({ voice: { ...value.voice, ...patch } })}
      />
    </>
  );
}
