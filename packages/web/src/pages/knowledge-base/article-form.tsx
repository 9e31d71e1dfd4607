import { KB_LIMITS } from '@hotline/protocol/knowledge-base';
import { Select, Switch, Textarea, TextInput } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import type { EntityFormProps } from '../../crud/entity-modal';

export interface ArticleForm {
  /** One question per line. */
  questions: string;
  /** Comma separated. */
  keywords: string;
  answer: string;
  language: 'en' | 'ru' | null;
  enabled: boolean;
}

export const emptyArticleForm = (): ArticleForm => ({
  questions: '',
  keywords: '',
  answer: '',
  language: null,
  enabled: true,
});

export function toArticleBody(form: ArticleForm) {
  return {
    questions: form.questions
      .split('\n')
      .map((q) => q.trim())
      .filter(Boolean),
    keywords: form.keywords
      .split(',')
      .map((k) => k.trim())
      .filter(Boolean),
    answer: form.answer.trim(),
    language: form.language,
    enabled: form.enabled,
  };
}

/** The article modal's fields: the ways customers ask, extra keywords, the answer, its language. */
export function ArticleFormFields({ value, onChange }: EntityFormProps<ArticleForm>) {
  const { t } = useTranslation('flows');
  return (
    <>
      <Textarea
        label={t('knowledgeBase.questions')}
        description={t('knowledgeBase.questionsHint')}
        required
        autosize
        minRows={3}
        maxRows={10}
        value={value.questions}
        onChange={(e) => onChange({ questions: e.currentTarget.value })}
        data-testid="kb-questions"
      />
      <TextInput
        label={t('knowledgeBase.keywords')}
        description={t('knowledgeBase.keywordsHint')}
        value={value.keywords}
        onChange={(e) => onChange({ keywords: e.currentTarget.value })}
        data-testid="kb-keywords"
      />
      <Textarea
        label={t('knowledgeBase.answer')}
        required
        autosize
        minRows={3}
        maxRows={12}
        maxLength={KB_LIMITS.answerLength}
        value={value.answer}
        onChange={(e) => onChange({ answer: e.currentTarget.value })}
        data-testid="kb-answer"
      />
      <Select
        label={t('knowledgeBase.language')}
        data={[
          { value: 'any', label: t('knowledgeBase.anyLanguage') },
          { value: 'en', label: 'English' },
          { value: 'ru', label: 'Русский' },
        ]}
        value={value.language ?? 'any'}
        onChange={(v) => onChange({ language: v === 'en' || v === 'ru' ? v : null })}
        allowDeselect={false}
        data-testid="kb-language"
      />
      <Switch
        label={t('knowledgeBase.enabled')}
        checked={value.enabled}
        onChange={(e) => onChange({ enabled: e.currentTarget.checked })}
        data-testid="kb-enabled"
      />
    </>
  );
}
