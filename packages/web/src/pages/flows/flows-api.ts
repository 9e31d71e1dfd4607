import type { Page } from '@hotline/protocol/common';
import type { FlowTestRunRequest, FlowTestRunResult } from '@hotline/protocol/flow-test-run';
import type { Flow, FlowCreate, FlowDetail, FlowPatch, FlowVersion } from '@hotline/protocol/flows';
import { collection, pageQuery, request } from '../../api/http';

/** `/api/flows`: flows, their versions (draft → published → archived) and the test-run step. */
export const flows = {
  ...collection<Flow, FlowCreate, FlowPatch>('flows'),
  detail: (id: string) => request<FlowDetail>('GET', `/flows/${id}`),
  versions: (id: string) =>
    request<Page<FlowVersion>>('GET', `/flows/${id}/versions${pageQuery({ limit: 100, offset: 0 })}`),
  saveDraft: (id: string, document: Record<string, unknown>) =>
    request<FlowVersion>('PUT', `/flows/${id}/draft`, document),
  publish: (id: string) => request<FlowVersion>('POST', `/flows/${id}/publish`),
  testRun: (body: FlowTestRunRequest) => request<FlowTestRunResult>('POST', '/flows/test-run', body),
};
