import { NavLink, ScrollArea, Text } from '@mantine/core';
import { useTranslation } from 'react-i18next';
import { Link, useLocation } from 'react-router-dom';
import type { Permissions } from '../auth/permissions';
import { appRoutes, type NavSection } from '../routes';

const sections: NavSection[] = ['work', 'admin'];

/** Links to the pages this role may open, grouped by section. */
export function Navbar({ can, onNavigate }: { can: Permissions; onNavigate: () => void }) {
  const { t } = useTranslation();
  const { pathname } = useLocation();
  return (
    <ScrollArea>
      {sections.map((section) => {
        const routes = appRoutes.filter((route) => route.section === section && route.allowed(can));
        if (routes.length === 0) return null;
        return (
          <nav key={section} aria-label={t(`nav.sections.${section}`)}>
            <Text size="xs" fw={700} c="dimmed" tt="uppercase" px="sm" pt="md" pb={4}>
              {t(`nav.sections.${section}`)}
            </Text>
            {routes.map((route) => (
              <NavLink
                key={route.path}
                component={Link}
                to={route.path}
                label={t(`nav.items.${route.label}`)}
                active={pathname.startsWith(route.path)}
                onClick={onNavigate}
                data-testid={`nav-${route.label}`}
              />
            ))}
          </nav>
        );
      })}
      {can.administer && (
        <NavLink
          mt="md"
          href="/docs"
          target="_blank"
          rel="noreferrer"
          label={t('nav.apiDocs')}
          description={t('nav.apiDocsHint')}
          data-testid="nav-api-docs"
        />
      )}
    </ScrollArea>
  );
}
