import type { FlowIssueDto } from '@hotline/protocol/flows';
import { Badge, Stack, Text, UnstyledButton } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { nodeOfPath } from './flow-document';

/** The validator's issues `{code, path, message}`; clicking one selects the node its path points into. */
export function IssuesList(props: { issues: FlowIssueDto[] | null; onSelectNode: (id: string) => void }) {
  const { t } = useTranslation('flows');
  if (props.issues === null) {
    return (
      <Text size="sm" c="dimmed" data-testid="issues-hint">
        {t('flowEditor.issues.hint')}
      </Text>
    );
  }
  if (props.issues.length === 0) {
    return (
      <Text size="sm" c="teal" data-testid="issues-none">
        {t('flowEditor.issues.none')}
      </Text>
    );
  }
  return (
    <Stack gap={6} data-testid="issues-list">
      <Text size="sm" fw={600} c="red">
        {t('flowEditor.issues.count', { count: props.issues.length })}
      </Text>
      {props.issues.map((issue) => {
        const node = nodeOfPath(issue.path);
        return (
          <UnstyledButton
            key={`${issue.code}:${issue.path}:${issue.message}`}
            onClick={() => node && props.onSelectNode(node)}
            disabled={!node}
            data-testid="issue"
            data-node={node ?? undefined}
            style={{
              borderLeft: '3px solid var(--mantine-color-red-6)',
              paddingLeft: 8,
              cursor: node ? 'pointer' : 'default',
            }}
          >
            <Badge size="xs" color="red" variant="light" tt="none">
              {issue.code}
            </Badge>
            <Text size="xs" ff="monospace" c="dimmed">
              {issue.path || '/'}
            </Text>
            <Text size="sm">{issue.message}</Text>
          </UnstyledButton>
        );
      })}
    </Stack>
  );
}
