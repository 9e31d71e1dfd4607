import type { KbArticle } from '@hotline/protocol/knowledge-base';
import { Badge, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PageRequest } from '../../api/http';
import { usePermissions } from '../../auth/use-permissions';
import { CrudPage } from '../../crud/crud-page';
import { type ArticleForm, ArticleFormFields, emptyArticleForm, toArticleBody } from './article-form';
import { knowledgeBase } from './knowledge-base-api';
import { TryQuestion } from './try-question';

const toForm = (article: KbArticle): ArticleForm => ({
  questions: article.questions.join('\n'),
  keywords: article.keywords.join(', '),
  answer: article.answer,
  language: article.language,
  enabled: article.enabled,
});

/** `/admin/knowledge-base`: the articles the flow FAQ step answers from, a search, and "try a question". */
export function KnowledgeBasePage() {
  const { t } = useTranslation('flows');
  const { editConfig } = usePermissions();
  const [search, setSearch] = useState('');
  const [q] = useDebouncedValue(search, 250);
  // The search term is part of the list's key, so every term has its own cached pages.
  const api = useMemo(
    () => ({
      ...knowledgeBase,
      key: [q ? `knowledge-base?q=${q}` : 'knowledge-base'] as const,
      list: (page: PageRequest) => knowledgeBase.search(page, q),
    }),
    [q],
  );
  return (
    <Stack gap="md">
      <div>
        <CrudPage
          api={api}
          testId="kb"
          title={t('knowledgeBase.title')}
          createLabel={t('knowledgeBase.create')}
          editLabel={t('knowledgeBase.edit')}
          editable={editConfig}
          modalSize="lg"
          columns={[
            {
              key: 'questions',
              header: t('knowledgeBase.questions'),
              render: (a: KbArticle) => (
                <Stack gap={0}>
                  <Text size="sm" fw={500}>
                    {a.questions[0]}
                  </Text>
                  {a.questions.length > 1 && (
                    <Text size="xs" c="dimmed">
                      +{a.questions.length - 1}
                    </Text>
                  )}
                </Stack>
              ),
            },
            {
              key: 'answer',
              header: t('knowledgeBase.answer'),
              render: (a: KbArticle) => (
                <Text size="sm" lineClamp={2}>
                  {a.answer}
                </Text>
              ),
            },
            {
              key: 'language',
              header: t('knowledgeBase.language'),
              render: (a: KbArticle) => a.language?.toUpperCase() ?? t('knowledgeBase.anyLanguage'),
            },
            {
              key: 'enabled',
              header: '',
              render: (a: KbArticle) => (
                <Badge variant="light" color={a.enabled ? 'teal' : 'gray'}>
                  {a.enabled ? t('knowledgeBase.enabled') : t('knowledgeBase.disabled')}
                </Badge>
              ),
            },
          ]}
          Form={ArticleFormFields}
          emptyForm={emptyArticleForm}
          toForm={toForm}
          toCreateBody={toArticleBody}
          toUpdateBody={toArticleBody}
          describe={(a) => a.questions[0] ?? a.id}
          toolbar={
            <TextInput
              w={280}
              placeholder={t('knowledgeBase.search')}
              aria-label={t('knowledgeBase.search')}
              value={search}
              onChange={(e) => setSearch(e.currentTarget.value)}
              data-testid="kb-search"
            />
          }
        />
      </div>
      <TryQuestion />
    </Stack>
  );
}
