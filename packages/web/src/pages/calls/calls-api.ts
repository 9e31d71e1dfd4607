import type { CallOutcome, CallRecord } from '@hotline/protocol/calls';
import type { Page } from '@hotline/protocol/common';
import { type PageRequest, pageQuery, request } from '../../api/http';

export interface CallFilter {
  /** Local dates `YYYY-MM-DD` (the day from its start, the day to its end), or ''. */
  fromDate: string;
  toDate: string;
  number: string;
  queueId: string | null;
  agentId: string | null;
  outcome: CallOutcome | null;
}

export const emptyCallFilter: CallFilter = {
  fromDate: '',
  toDate: '',
  number: '',
  queueId: null,
  agentId: null,
  outcome: null,
};

/** The filter as the API's query parameters (dates as the local day's bounds in UTC). */
export function callQuery(filter: CallFilter): Record<string, string> {
  const q: Record<string, string> = {};
  const day = (date: string, plusDays: number) => {
    const [y, m, d] = date.split('-').map(Number);
    return new Date(y!, m! - 1, d! + plusDays).toISOString();
  };
  if (/^\d{4}-\d{2}-\d{2}$/.test(filter.fromDate)) q.from = day(filter.fromDate, 0);
  if (/^\d{4}-\d{2}-\d{2}$/.test(filter.toDate)) q.to = day(filter.toDate, 1);
  if (filter.number.trim() !== '') q.number = filter.number.trim();
  if (filter.queueId) q.queueId = filter.queueId;
  if (filter.agentId) q.agentId = filter.agentId;
  if (filter.outcome) q.outcome = filter.outcome;
  return q;
}

/** Call detail records (`/api/calls`); recordings stream from `recordingUrl`. */
export const callsApi = {
  key: ['calls'] as const,
  list: (page: PageRequest, filter: CallFilter) =>
    request<Page<CallRecord>>('GET', `/calls${pageQuery(page, callQuery(filter))}`),
  recordingUrl: (id: string, download = false) =>
    `/api/calls/${id}/recording${download ? '?download=1' : ''}`,
};

/** `m:ss` (or `h:mm:ss`) of whole seconds; '' for null. */
export function formatDuration(sec: number | null): string {
  if (sec === null) return '';
  const h = Math.floor(sec / 3600);
  const m = Math.floor((sec % 3600) / 60);
  const s = String(sec % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}
