import { Paper, ScrollArea, Stack, Table, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';

/**
 * What the chat bot did before the hand-over (the interaction's `data.bot`, written by the server's
 * `flows/chat-flow-writes.ts`): the variables it handed over and its conversation with the customer.
 * The offer card shows the variables; the customer panel also the transcript.
 */
export interface BotPop {
  readonly transcript: readonly { from: 'bot' | 'customer'; text: string; at: string }[];
  readonly variables: Readonly<Record<string, string | number | boolean | null>>;
}

/** `data.bot` when it has the expected shape (it is free-form data), else null. */
export function botOf(data: Record<string, unknown> | undefined): BotPop | null {
  const bot = data?.bot as Partial<BotPop> | undefined;
  if (!bot || typeof bot !== 'object' || !Array.isArray(bot.transcript)) return null;
  if (typeof bot.variables !== 'object' || bot.variables === null) return null;
  return bot as BotPop;
}

const shown = (v: string | number | boolean | null) => (v === null ? '—' : String(v));

export function BotSummary({ bot, compact = false }: { bot: BotPop; compact?: boolean }) {
  const { t } = useTranslation();
  const vars = Object.entries(bot.variables).filter(([, v]) => v !== null && v !== '');
  return (
    <Paper withBorder p="xs" radius="sm" data-testid="bot-summary">
      <Text size="xs" fw={700} c="dimmed" tt="uppercase" mb={4}>
        {t('desktop.bot')}
      </Text>
      <Stack gap={4}>
        {vars.length > 0 && (
          <Table withRowBorders={false} verticalSpacing={1} fz="sm">
            <Table.Tbody>
              {(compact ? vars.slice(0, 4) : vars).map(([k, v]) => (
                <Table.Tr key={k}>
                  <Table.Td c="dimmed" w="40%">
                    {k}
                  </Table.Td>
                  <Table.Td style={{ overflowWrap: 'anywhere' }}>{shown(v)}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
        {compact ? null : (
          <ScrollArea.Autosize mah={220} type="auto">
            <Stack gap={2} data-testid="bot-transcript">
              {bot.transcript.map((line, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: a fixed list (written once at hand-over), never reordered
                <Text key={`${i}-${line.at}`} size="xs" style={{ overflowWrap: 'anywhere' }}>
                  <Text span fw={600} c={line.from === 'bot' ? 'indigo' : undefined}>
                    {line.from === 'bot' ? t('desktop.bot') : t('desktop.customer')}:
                  </Text>{' '}
                  {line.text}
                </Text>
              ))}
            </Stack>
          </ScrollArea.Autosize>
        )}
      </Stack>
    </Paper>
  );
}
