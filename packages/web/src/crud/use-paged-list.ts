import type { Page } from '@hotline/protocol/common';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import type { PageRequest } from '../api/http';

export const PAGE_SIZE = 20;

/**
 * One page of a server-paginated list, 1-based. Keeps showing the previous page while the next loads, and
 * steps back when the current page empties (after deleting its last row).
 */
export function usePagedList<T>(key: readonly unknown[], fetchPage: (page: PageRequest) => Promise<Page<T>>) {
  const [page, setPage] = useState(1);
  const query = useQuery({
    queryKey: [...key, 'page', page],
    queryFn: () => fetchPage({ limit: PAGE_SIZE, offset: (page - 1) * PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });
  const data = query.data;
  useEffect(() => {
    if (data && data.items.length === 0 && data.total > 0 && page > 1) {
      setPage(Math.max(1, Math.ceil(data.total / PAGE_SIZE)));
    }
  }, [data, page]);
  return { page, setPage, query };
}

/** Every item of a small collection (for selects and id → name lookups); the API caps `limit` at 500. */
export function useAllItems<T>(key: readonly unknown[], fetchPage: (page: PageRequest) => Promise<Page<T>>) {
  return useAllItemsQuery(key, fetchPage).data?.items ?? [];
}

/**
 * The query behind {@link useAllItems}, for a page that must not show a form before its selects can name
 * their values (a select whose options have not arrived shows a stored id as blank).
 */
export function useAllItemsQuery<T>(
  key: readonly unknown[],
  fetchPage: (page: PageRequest) => Promise<Page<T>>,
) {
  return useQuery({
    queryKey: [...key, 'all'],
    queryFn: () => fetchPage({ limit: 500, offset: 0 }),
  });
}
