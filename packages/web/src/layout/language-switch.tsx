import { locales } from '@hotline/protocol/common';
import { SegmentedControl } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { chooseLanguage } from '../i18n/setup';

/** EN / RU. The labels are language codes, the same in every UI language. */
export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <SegmentedControl
      size="xs"
      aria-label={t('language.label')}
      value={i18n.resolvedLanguage ?? i18n.language}
      onChange={chooseLanguage}
      data={locales.map((locale) => ({ value: locale, label: locale.toUpperCase() }))}
      data-testid="language-switch"
    />
  );
}
