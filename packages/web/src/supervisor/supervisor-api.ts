import type { ChatMessage } from '@hotline/protocol/chat';
import type { AgentStateDto, QueueLive } from '@hotline/protocol/routing';
import { request } from '../api/http';
import type { Interaction } from '../desktop/desktop-api';
import type { RoutingExplanationResponse } from './explanation';

/** The supervisor's endpoints: live figures, the agent grid and its controls, live-chat actions. */
export const supervisorApi = {
  queuesKey: ['supervisor', 'queues'] as const,
  queues: () => request<{ items: QueueLive[] }>('GET', '/supervisor/queues'),
  agentsKey: ['supervisor', 'agents'] as const,
  agents: () => request<{ items: AgentStateDto[] }>('GET', '/supervisor/agents'),
  forceState: (agentId: string, state: 'not_ready' | 'logged_out') =>
    request<AgentStateDto>('PUT', `/supervisor/agents/${agentId}/state`, { state }),
  whisper: (interactionId: string, body: { clientId: string; text: string }) =>
    request<ChatMessage>('POST', `/supervisor/interactions/${interactionId}/whisper`, body),
  takeOver: (interactionId: string) =>
    request<unknown>('POST', `/supervisor/interactions/${interactionId}/take-over`),
  routingKey: (id: string) => ['interaction', id, 'routing'] as const,
  routing: (id: string) => request<RoutingExplanationResponse>('GET', `/interactions/${id}/routing`),
  interaction: (id: string) => request<Interaction>('GET', `/interactions/${id}`),
};
