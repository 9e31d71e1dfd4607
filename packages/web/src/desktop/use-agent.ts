import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import type { RealtimeClient } from '../realtime/realtime-client';
import { useConnectionStatus, useRoutingEvents } from '../realtime/use-realtime';
import { type AgentState, agentApi } from './desktop-api';

/** Events that change what the agent holds or their state; others do not need a refetch. */
const AGENT_EVENTS = new Set([
  'agent.state_changed',
  'routing.offered',
  'routing.offer_withdrawn',
  'routing.accepted',
  'interaction.ended',
  'interaction.state_changed',
]);

/**
 * The agent's routing state: `GET /api/agent/me`, refreshed when a routing event for this agent
 * arrives (at most every 250 ms) or the socket comes back, and replaced by the answer of every
 * command (each answers the new state). Also remembers each offer's `expiresAt` from the event.
 */
export function useAgent(client: RealtimeClient | null) {
  const queryClient = useQueryClient();
  const state = useQuery({ queryKey: agentApi.key, queryFn: agentApi.me, refetchInterval: 60_000 });
  const [offerExpiry, setOfferExpiry] = useState<ReadonlyMap<string, number>>(new Map());
  const refetchTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const scheduleRefetch = () => {
    if (refetchTimer.current) return;
    refetchTimer.current = setTimeout(() => {
      refetchTimer.current = null;
      void queryClient.invalidateQueries({ queryKey: agentApi.key });
    }, 250);
  };
  useEffect(
    () => () => {
      if (refetchTimer.current) clearTimeout(refetchTimer.current);
    },
    [],
  );

  useRoutingEvents(client, (frame) => {
    const event = frame.event;
    if (event.type === 'routing.offered' && typeof event.expiresAt === 'number') {
      const id = String(event.interactionId);
      const expiresAt = event.expiresAt;
      setOfferExpiry((m) => new Map(m).set(id, expiresAt));
    }
    if (AGENT_EVENTS.has(event.type)) scheduleRefetch();
  });

  const status = useConnectionStatus(client);
  const wasLive = useRef(false);
  useEffect(() => {
    if (status === 'live' && !wasLive.current) void queryClient.invalidateQueries({ queryKey: agentApi.key });
    wasLive.current = status === 'live';
  }, [status, queryClient]);

  const command = useMutation({
    mutationFn: (run: () => Promise<AgentState>) => run(),
    onSuccess: (next) => queryClient.setQueryData(agentApi.key, next),
    onError: () => void queryClient.invalidateQueries({ queryKey: agentApi.key }),
  });

  return { state, offerExpiry, command };
}

/** The current time, re-read every `ms` (for clocks and countdowns). */
export function useNow(ms = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), ms);
    return () => clearInterval(timer);
  }, [ms]);
  return now;
}
