import { Paper, Text, Title } from '@mantine/core';

/** Stands in for an area that is planned but not built yet, so routing and navigation already work. */
export function PlaceholderPage({ title, text, testId }: { title: string; text: string; testId: string }) {
  return (
    <Paper withBorder p="xl" radius="md" maw={640} data-testid={testId}>
      <Title order={2} mb="sm">
        {title}
      </Title>
      <Text c="dimmed">{text}</Text>
    </Paper>
  );
}
