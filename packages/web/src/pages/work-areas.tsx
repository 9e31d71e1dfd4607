import { useTranslation } from 'react-i18next';
import { PlaceholderPage } from './placeholder-page';

export function AgentDesktopPlaceholder() {
  const { t } = useTranslation();
  return <PlaceholderPage title={t('desktop.title')} text={t('desktop.comingSoon')} testId="agent-desktop" />;
}

export function SupervisorPlaceholder() {
  const { t } = useTranslation();
  return (
    <PlaceholderPage title={t('supervisor.title')} text={t('supervisor.comingSoon')} testId="supervisor" />
  );
}
