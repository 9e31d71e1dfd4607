import type { MeResponse } from '@hotline/protocol/auth';
import { AppShell } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { Navigate, Route, Routes } from 'react-router-dom';
import { permissionsOf } from '../auth/permissions';
import { useLogout } from '../auth/session';
import { appRoutes, homePath } from '../routes';
import { Header } from './header';
import { Navbar } from './navbar';

/** The signed-in shell: header, role-aware navbar and the pages this role may open. */
export function AppLayout({ me }: { me: MeResponse }) {
  const [navOpened, nav] = useDisclosure(false);
  const logout = useLogout();
  const can = permissionsOf(me.role);
  const home = homePath(can);
  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 250, breakpoint: 'sm', collapsed: { mobile: !navOpened } }}
      padding="lg"
    >
      <AppShell.Header>
        <Header
          me={me}
          navOpened={navOpened}
          onToggleNav={nav.toggle}
          onLogout={() => void logout().catch(() => {})}
        />
      </AppShell.Header>
      <AppShell.Navbar p="xs" data-testid="navbar">
        <Navbar can={can} onNavigate={nav.close} />
      </AppShell.Navbar>
      <AppShell.Main>
        <Routes>
          {appRoutes
            .filter((route) => route.allowed(can))
            .map((route) => (
              <Route key={route.path} path={route.path} element={route.element} />
            ))}
          <Route path="*" element={<Navigate to={home} replace />} />
        </Routes>
      </AppShell.Main>
    </AppShell>
  );
}
