import type { KbMatch } from '@hotline/protocol/knowledge-base';
import { Badge, Button, Card, Group, Slider, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ErrorAlert } from '../../crud/error-alert';
import { knowledgeBase } from './knowledge-base-api';

/** "Try a question": the article the `faq` step would answer with, its score and the threshold. */
export function TryQuestion() {
  const { t } = useTranslation('flows');
  const [question, setQuestion] = useState('');
  const [threshold, setThreshold] = useState(0.5);
  const [result, setResult] = useState<KbMatch | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const find = async () => {
    setBusy(true);
    setError(null);
    try {
      setResult(await knowledgeBase.match(question, threshold));
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card withBorder data-testid="kb-try">
      <Stack gap="xs">
        <Text fw={600}>{t('knowledgeBase.tryTitle')}</Text>
        <Text size="xs" c="dimmed">
          {t('knowledgeBase.tryHint')}
        </Text>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void find();
          }}
        >
          <Group align="flex-end" wrap="nowrap">
            <TextInput
              style={{ flex: 1 }}
              placeholder={t('knowledgeBase.tryPlaceholder')}
              aria-label={t('knowledgeBase.tryTitle')}
              value={question}
              onChange={(e) => setQuestion(e.currentTarget.value)}
              data-testid="kb-try-question"
            />
            <Stack gap={0} w={160}>
              <Text size="xs">
                {t('knowledgeBase.threshold')}: {threshold.toFixed(2)}
              </Text>
              <Slider min={0} max={1} step={0.05} value={threshold} onChange={setThreshold} label={null} />
            </Stack>
            <Button type="submit" loading={busy} disabled={!question.trim()} data-testid="kb-try-submit">
              {t('knowledgeBase.try')}
            </Button>
          </Group>
        </form>
        <ErrorAlert error={error} />
        {result && !result.best && (
          <Text size="sm" c="dimmed" data-testid="kb-try-none">
            {t('knowledgeBase.noMatch')}
          </Text>
        )}
        {result?.best && (
          <Card withBorder bg={result.matched ? 'teal.0' : 'gray.0'} data-testid="kb-try-result">
            <Group gap="xs" mb={4}>
              <Badge color={result.matched ? 'teal' : 'gray'}>
                {result.matched ? t('knowledgeBase.matched') : t('knowledgeBase.belowThreshold')}
              </Badge>
              <Badge variant="light" data-testid="kb-try-score">
                {t('knowledgeBase.score', { score: result.best.score.toFixed(2) })}
              </Badge>
            </Group>
            <Text size="sm" fw={600}>
              {result.best.article.questions[0]}
            </Text>
            <Text size="sm" style={{ whiteSpace: 'pre-wrap' }}>
              {result.best.article.answer}
            </Text>
          </Card>
        )}
      </Stack>
    </Card>
  );
}
