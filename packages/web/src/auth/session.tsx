import type { MeResponse } from '@hotline/protocol/auth';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useCallback, useEffect } from 'react';
import { ApiError } from '../api/http';
import { ME_KEY } from '../api/query-client';
import { auth } from '../api/resources';
import { adoptAccountLocale } from '../i18n/setup';

async function fetchMe(): Promise<MeResponse | null> {
  try {
    return await auth.me();
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return null;
    throw error;
  }
}

/**
 * The signed-in principal from `GET /api/auth/me`: `undefined` while loading, `null` when signed out.
 * The session itself lives in the HttpOnly cookie; nothing is kept in storage here.
 */
export function useMe() {
  const query = useQuery({ queryKey: ME_KEY, queryFn: fetchMe, staleTime: Number.POSITIVE_INFINITY });
  const locale = query.data?.user?.locale;
  useEffect(() => {
    if (locale) adoptAccountLocale(locale);
  }, [locale]);
  return query;
}

export function useLogin() {
  const client = useQueryClient();
  return useCallback(
    async (email: string, password: string) => {
      const session = await auth.login(email, password);
      const me: MeResponse = {
        kind: 'session',
        role: session.user.role,
        user: session.user,
        tenant: session.tenant,
      };
      client.setQueryData(ME_KEY, me);
    },
    [client],
  );
}

export function useLogout() {
  const client = useQueryClient();
  return useCallback(async () => {
    try {
      await auth.logout();
    } finally {
      // Whatever the server answered, this tab forgets the principal and every cached page. The `me`
      // query is updated in place, not removed: its observer would not notice a replacement.
      client.setQueryData(ME_KEY, null);
      client.removeQueries({ predicate: (query) => query.queryKey[0] !== ME_KEY[0] });
    }
  }, [client]);
}
