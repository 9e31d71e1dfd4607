import type { Skill } from '@hotline/protocol/config';
import { Button, Group, Select, Stack, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { IntInput } from '../crud/int-input';
import { type Keyed, newKey } from '../crud/keyed-rows';

export interface SkillLevel {
  skillId: string | null;
  level: number;
}

interface SkillLevelsEditorProps {
  label: string;
  levelLabel: string;
  rows: Keyed<SkillLevel>[];
  skills: Skill[];
  onChange: (rows: Keyed<SkillLevel>[]) => void;
  testId: string;
}

/** Edits a list of (skill, level 1–10) pairs; each skill can be picked once. */
export function SkillLevelsEditor({
  label,
  levelLabel,
  rows,
  skills,
  onChange,
  testId,
}: SkillLevelsEditorProps) {
  const { t } = useTranslation();
  const update = (key: string, patch: Partial<SkillLevel>) =>
    onChange(rows.map((row) => (row.key === key ? { ...row, ...patch } : row)));
  const taken = (key: string) => new Set(rows.filter((row) => row.key !== key).map((row) => row.skillId));
  return (
    <Stack gap="xs" data-testid={testId}>
      <Text size="sm" fw={500}>
        {label}
      </Text>
      {rows.length === 0 && (
        <Text size="sm" c="dimmed">
          {t('skillLevels.none')}
        </Text>
      )}
      {rows.map((row, index) => (
        <Group key={row.key} gap="xs" align="flex-end" wrap="nowrap" data-testid={`${testId}-row`}>
          <Select
            flex={1}
            label={index === 0 ? t('skillLevels.skill') : undefined}
            aria-label={t('skillLevels.skill')}
            placeholder={t('skillLevels.pickSkill')}
            searchable
            required
            data={skills
              .filter((skill) => !taken(row.key).has(skill.id))
              .map((skill) => ({ value: skill.id, label: skill.name }))}
            value={row.skillId}
            onChange={(skillId) => update(row.key, { skillId })}
            nothingFoundMessage={t('skillLevels.noSkills')}
            data-testid={`${testId}-skill`}
          />
          <IntInput
            w={110}
            label={index === 0 ? levelLabel : undefined}
            aria-label={levelLabel}
            min={1}
            max={10}
            value={row.level}
            onChange={(level) => update(row.key, { level })}
            data-testid={`${testId}-level`}
          />
          <Button
            variant="subtle"
            color="red"
            onClick={() => onChange(rows.filter((other) => other.key !== row.key))}
            aria-label={t('common.remove')}
          >
            ×
          </Button>
        </Group>
      ))}
      <Group>
        <Button
          variant="light"
          size="xs"
          disabled={rows.length >= skills.length}
          onClick={() => onChange([...rows, { key: newKey(), skillId: null, level: 1 }])}
          data-testid={`${testId}-add`}
        >
          {t('skillLevels.add')}
        </Button>
      </Group>
    </Stack>
  );
}

/** Rows whose skill was picked, ready for the API. */
export function pickedSkills(rows: readonly SkillLevel[]): { skillId: string; level: number }[] {
  return rows.flatMap((row) => (row.skillId ? [{ skillId: row.skillId, level: row.level }] : []));
}
