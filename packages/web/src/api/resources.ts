import type { MeResponse, SessionResponse } from '@hotline/protocol/auth';
import type { WidgetSettings } from '@hotline/protocol/chat';
import type { Page, Role } from '@hotline/protocol/common';
import type {
  AgentSkill,
  ApiKey,
  AuditEntry,
  Calendar,
  CreateCalendarBody,
  CreateQueueBody,
  CreateUserBody,
  DispositionCode,
  NotReadyReason,
  Queue,
  Skill,
  Team,
  UpdateUserBody,
  User,
} from '@hotline/protocol/config';
import { collection, type PageRequest, pageQuery, request } from './http';

/** Typed endpoints of the Hotline API, one object per resource; bodies follow `@hotline/protocol`. */
export const auth = {
  me: () => request<MeResponse>('GET', '/auth/me'),
  login: (email: string, password: string) =>
    request<SessionResponse>('POST', '/auth/login', { email, password }),
  logout: () => request<void>('POST', '/auth/logout'),
};

interface NamedBody {
  name: string;
  description: string;
}

export const users = {
  ...collection<User, CreateUserBody, UpdateUserBody>('users'),
  skills: (id: string) => request<{ items: AgentSkill[] }>('GET', `/users/${id}/skills`),
  setSkills: (id: string, skills: AgentSkill[]) =>
    request<{ items: AgentSkill[] }>('PUT', `/users/${id}/skills`, skills),
};
export const teams = collection<Team, NamedBody>('teams');
export const skills = collection<Skill, NamedBody>('skills');
export const queues = collection<Queue, CreateQueueBody>('queues');
export const notReadyReasons = collection<NotReadyReason, { name: string; paid: boolean }>(
  'not-ready-reasons',
);
export const dispositionCodes = collection<DispositionCode, { code: string; name: string }>(
  'disposition-codes',
);
export const calendars = collection<Calendar, CreateCalendarBody>('calendars');

export const apiKeys = {
  key: ['api-keys'] as const,
  list: (page: PageRequest) => request<Page<ApiKey>>('GET', `/api-keys${pageQuery(page)}`),
  create: (body: { name: string; role: Role }) =>
    request<{ apiKey: ApiKey; secret: string }>('POST', '/api-keys', body),
  revoke: (id: string) => request<void>('DELETE', `/api-keys/${id}`),
};

export interface AuditFilter {
  entityType?: string;
  entityId?: string;
}
export const auditLog = {
  key: ['audit-log'] as const,
  list: (page: PageRequest, filter: AuditFilter) => {
    const extra: Record<string, string> = {};
    if (filter.entityType) extra.entityType = filter.entityType;
    if (filter.entityId) extra.entityId = filter.entityId;
    return request<Page<AuditEntry>>('GET', `/audit-log${pageQuery(page, extra)}`);
  },
};

/** The tenant's website widget: one settings document (`GET`/`PUT /api/widget-settings`). */
export const widgetSettings = {
  key: ['widget-settings'] as const,
  get: () => request<WidgetSettings>('GET', '/widget-settings'),
  put: (body: WidgetSettings) => request<WidgetSettings>('PUT', '/widget-settings', body),
};
