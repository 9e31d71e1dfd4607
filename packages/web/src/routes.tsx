import { lazy, type ReactNode, Suspense } from 'react';
import type { Permissions } from './auth/permissions';
import { DesktopPage } from './desktop/desktop-page';
import type { en } from './i18n/en';
import { ApiKeysPage } from './pages/api-keys-page';
import { AuditLogPage } from './pages/audit-log-page';
import { CalendarsPage } from './pages/calendars/calendars-page';
import { CallsPage } from './pages/calls/calls-page';
import { DispositionCodesPage } from './pages/disposition-codes-page';
import { NotReadyReasonsPage } from './pages/not-ready-reasons-page';
import { QueuesPage } from './pages/queues/queues-page';
import { SkillsPage } from './pages/skills-page';
import { TeamsPage } from './pages/teams-page';
import { PhoneNumbersPage } from './pages/trunks/phone-numbers-page';
import { TrunksPage } from './pages/trunks/trunks-page';
import { UsersPage } from './pages/users/users-page';
import { VoicemailPage } from './pages/voicemail/voicemail-page';
import { WidgetSettingsPage } from './pages/widget-settings/widget-settings-page';

/** Loaded on first visit: the flow editor brings the graph library, which nobody else needs. */
const FlowsPage = lazy(() => import('./pages/flows/flows-page').then((m) => ({ default: m.FlowsPage })));
const FlowEditorPage = lazy(() =>
  import('./pages/flows/flow-editor-page').then((m) => ({ default: m.FlowEditorPage })),
);
const KnowledgeBasePage = lazy(() =>
  import('./pages/knowledge-base/knowledge-base-page').then((m) => ({ default: m.KnowledgeBasePage })),
);

/** Loaded on first visit: it brings the chart library, which nobody else needs. */
const SupervisorPage = lazy(() =>
  import('./supervisor/supervisor-page').then((m) => ({ default: m.SupervisorPage })),
);

export type NavSection = keyof typeof en.nav.sections;

export interface AppRoute {
  path: string;
  label: keyof typeof en.nav.items;
  /** Navbar group; routes without one are reachable by URL only. */
  section?: NavSection;
  allowed: (can: Permissions) => boolean;
  element: ReactNode;
}

/**
 * Every page behind sign-in. The navbar and the router are both derived from this table, so a page is
 * never linked for a role that cannot open it. Areas: `/admin/*` configuration, `/desktop` the agent's
 * workspace, `/supervisor` real-time monitoring.
 */
export const appRoutes: AppRoute[] = [
  {
    path: '/desktop',
    label: 'desktop',
    section: 'work',
    allowed: (can) => can.agentDesktop,
    element: <DesktopPage />,
  },
  { path: '/admin/users', label: 'users', section: 'admin', allowed: viewConfig, element: <UsersPage /> },
  { path: '/admin/teams', label: 'teams', section: 'admin', allowed: viewConfig, element: <TeamsPage /> },
  { path: '/admin/skills', label: 'skills', section: 'admin', allowed: viewConfig, element: <SkillsPage /> },
  { path: '/admin/queues', label: 'queues', section: 'admin', allowed: viewConfig, element: <QueuesPage /> },
  {
    path: '/admin/not-ready-reasons',
    label: 'notReadyReasons',
    section: 'admin',
    allowed: viewConfig,
    element: <NotReadyReasonsPage />,
  },
  {
    path: '/admin/disposition-codes',
    label: 'dispositionCodes',
    section: 'admin',
    allowed: viewConfig,
    element: <DispositionCodesPage />,
  },
  {
    path: '/admin/calendars',
    label: 'calendars',
    section: 'admin',
    allowed: viewConfig,
    element: <CalendarsPage />,
  },
  {
    path: '/admin/trunks',
    label: 'trunks',
    section: 'admin',
    allowed: viewConfig,
    element: <TrunksPage />,
  },
  {
    path: '/admin/phone-numbers',
    label: 'phoneNumbers',
    section: 'admin',
    allowed: viewConfig,
    element: <PhoneNumbersPage />,
  },
  {
    path: '/admin/widget',
    label: 'widget',
    section: 'admin',
    allowed: viewConfig,
    element: <WidgetSettingsPage />,
  },
  {
    path: '/admin/flows',
    label: 'flows',
    section: 'admin',
    allowed: (can) => can.editConfig,
    element: (
      <Suspense fallback={null}>
        <FlowsPage />
      </Suspense>
    ),
  },
  {
    path: '/admin/flows/:id',
    label: 'flows',
    allowed: (can) => can.editConfig,
    element: (
      <Suspense fallback={null}>
        <FlowEditorPage />
      </Suspense>
    ),
  },
  {
    path: '/admin/knowledge-base',
    label: 'knowledgeBase',
    section: 'admin',
    allowed: (can) => can.editConfig,
    element: (
      <Suspense fallback={null}>
        <KnowledgeBasePage />
      </Suspense>
    ),
  },
  {
    path: '/admin/api-keys',
    label: 'apiKeys',
    section: 'admin',
    allowed: (can) => can.administer,
    element: <ApiKeysPage />,
  },
  {
    path: '/admin/audit-log',
    label: 'auditLog',
    section: 'admin',
    allowed: (can) => can.administer,
    element: <AuditLogPage />,
  },
  // Call detail records and recordings: the server's `calls.read` and `recordings.listen` (supervisor up).
  {
    path: '/calls',
    label: 'calls',
    section: 'work',
    allowed: viewConfig,
    element: <CallsPage />,
  },
  // Voicemail left by callers: the server's `recordings.listen` (supervisor up).
  {
    path: '/voicemail',
    label: 'voicemail',
    section: 'work',
    allowed: viewConfig,
    element: <VoicemailPage />,
  },
  // The navbar shows it in the Work section, after the desktop.
  {
    path: '/supervisor',
    label: 'supervisor',
    section: 'work',
    allowed: (can) => can.viewConfig,
    element: (
      <Suspense fallback={null}>
        <SupervisorPage />
      </Suspense>
    ),
  },
];

function viewConfig(can: Permissions): boolean {
  return can.viewConfig;
}

/**
 * Where a principal lands after sign-in or on an unknown URL: configuration for those who may see it
 * (admins and supervisors, who may also open the desktop from the navbar), otherwise the first page
 * they may open.
 */
export function homePath(can: Permissions): string {
  const landing =
    appRoutes.find((route) => route.section === 'admin' && route.allowed(can)) ??
    appRoutes.find((route) => route.section && route.allowed(can));
  return landing?.path ?? '/desktop';
}
