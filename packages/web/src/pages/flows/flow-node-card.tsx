import { Badge, Group, Paper, Text, Tooltip } from '@mantine/core';
import { Handle, type NodeProps, Position } from '@xyflow/react';
import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import type { FlowGraphNode } from './flow-graph';
import { isOptionalOutcome, isPlainObject, isVerb, summaryOf, verbColor } from './flow-verbs';

const HANDLE_SPACING = 64;
export const NODE_MIN_WIDTH = 230;

/** One flow node on the canvas: verb, id, its main text, and one outgoing handle per outcome. */
function FlowNodeCardView({ id, data, selected }: NodeProps<FlowGraphNode>) {
  const { t, i18n } = useTranslation('flows');
  const node = isPlainObject(data.node) ? data.node : {};
  const verb = node.verb;
  const known = isVerb(verb);
  const next = isPlainObject(node.next) ? node.next : {};
  const width = Math.max(NODE_MIN_WIDTH, data.outcomes.length * HANDLE_SPACING);
  const border = data.issue
    ? 'var(--mantine-color-red-6)'
    : selected
      ? 'var(--mantine-color-indigo-6)'
      : undefined;
  return (
    <Paper
      withBorder
      shadow={selected ? 'md' : 'xs'}
      radius="md"
      p={0}
      w={width}
      data-testid="flow-node"
      data-node-id={id}
      data-issue={data.issue ? 'true' : undefined}
      data-current={data.current ? 'true' : undefined}
      style={{
        borderColor: border,
        borderWidth: border ? 2 : undefined,
        boxShadow: data.current ? '0 0 0 4px var(--mantine-color-teal-3)' : undefined,
        background: 'var(--mantine-color-body)',
      }}
    >
      <Handle type="target" position={Position.Top} style={{ width: 10, height: 10 }} />
      <Group justify="space-between" gap={4} px="xs" pt={6} wrap="nowrap">
        <Badge size="sm" variant="light" color={known ? verbColor[verb] : 'red'} tt="none">
          {known ? t(`flowEditor.verbs.${verb}`) : String(verb ?? '?')}
        </Badge>
        <Group gap={4} wrap="nowrap">
          {data.entry && (
            <Badge size="xs" color="teal" data-testid="flow-node-start">
              {t('flowEditor.node.start')}
            </Badge>
          )}
          {data.onError && (
            <Badge size="xs" color="orange">
              {t('flowEditor.node.onError')}
            </Badge>
          )}
        </Group>
      </Group>
      <Text size="xs" ff="monospace" c="dimmed" px="xs" truncate>
        {id}
      </Text>
      <Text size="sm" px="xs" pb={data.outcomes.length > 0 ? 22 : 8} lineClamp={2} style={{ minHeight: 20 }}>
        {summaryOf(node, i18n.language)}
      </Text>
      {data.outcomes.map((outcome, i) => {
        const left = `${((i + 0.5) / data.outcomes.length) * 100}%`;
        const target = next[outcome];
        const missing = typeof target === 'string' ? null : isOptionalOutcome(verb, outcome) ? null : outcome;
        return (
          <div key={outcome}>
            <Tooltip label={typeof target === 'string' ? `${outcome} → ${target}` : outcome} withinPortal>
              <Text
                size="10px"
                fw={600}
                c={missing ? 'red' : 'dimmed'}
                style={{
                  position: 'absolute',
                  bottom: 6,
                  left,
                  transform: 'translateX(-50%)',
                  whiteSpace: 'nowrap',
                  maxWidth: HANDLE_SPACING - 4,
                  overflow: 'hidden',
                  textOverflow: 'ellipsis',
                }}
              >
                {outcome}
              </Text>
            </Tooltip>
            <Handle
              type="source"
              id={outcome}
              position={Position.Bottom}
              data-testid={`handle-${id}-${outcome}`}
              style={{
                left,
                width: 10,
                height: 10,
                background: missing ? 'var(--mantine-color-red-6)' : undefined,
              }}
            />
          </div>
        );
      })}
    </Paper>
  );
}

export const FlowNodeCard = memo(FlowNodeCardView);
