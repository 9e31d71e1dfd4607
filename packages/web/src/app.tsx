import { Button, Center, Loader, Stack } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { LoginPage } from './auth/login-page';
import { useMe } from './auth/session';
import { ErrorAlert } from './crud/error-alert';
import { AppLayout } from './layout/app-layout';

/** Signed out → the login page at any URL; signed in → the shell, which keeps the URL that was asked for. */
export function App() {
  const { t } = useTranslation();
  const me = useMe();
  if (me.data === undefined) {
    return (
      <Center h="100vh">
        {me.error ? (
          <Stack align="center">
            <ErrorAlert error={me.error} />
            <Button onClick={() => void me.refetch()}>{t('common.retry')}</Button>
          </Stack>
        ) : (
          <Loader />
        )}
      </Center>
    );
  }
  return me.data ? <AppLayout me={me.data} /> : <LoginPage />;
}
