/**
 * Reads the routing explanation of an interaction (`GET /api/interactions/:id/routing`) into what the
 * supervisor view shows: per decision the trigger, the pools looked at, the chosen agent and the
 * runners-up, and who was passed over and why; for a waiting interaction, why each agent of its
 * pools cannot take it. The server stores the engine's records as JSON; this reader is defensive
 * (unknown fields are ignored, unknown reasons are shown by their code) so an older or newer record
 * never breaks the view. Mirrors `core/routing/explanation.ts` without importing it (web → protocol only).
 */
export interface RoutingExplanationResponse {
  decisions: { at: string; trigger: string; chosen: string[]; explanation: unknown }[];
  waiting: unknown;
}

export type Reason =
  | { code: 'declined' }
  | { code: 'missing_skill'; skillId: string; level: number; required: number }
  | { code: 'reserved_for_other_agent'; agentId: string }
  | { code: 'logged_out' }
  | { code: 'not_ready'; reason: string | null }
  | { code: 'no_capacity' }
  | { code: 'blocked_by_exclusive_work' }
  | { code: 'other'; raw: string };

export interface Pool {
  queueId: string;
  relaxLevelsBy: number;
  members: number;
  available: number;
}

export interface Candidate {
  agentId: string;
  queueId: string;
  strategy: string;
  primary: number;
  skillMatch: number;
}

export interface Decision {
  at: string;
  trigger: string;
  chosen: string[];
  pools: Pool[];
  candidates: Candidate[];
  skipped: { agentId: string; reason: Reason }[];
  consideredInteractions: number;
}

export interface Waiting {
  queueId: string;
  stage: number;
  pools: Pool[];
  agents: { agentId: string; queueId: string; reason: Reason }[];
}

const obj = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {};
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

export function readReason(v: unknown): Reason {
  const r = obj(v);
  switch (r.code) {
    case 'declined':
    case 'logged_out':
    case 'no_capacity':
    case 'blocked_by_exclusive_work':
      return { code: r.code };
    case 'missing_skill':
      return {
        code: 'missing_skill',
        skillId: str(r.skillId),
        level: num(r.level),
        required: num(r.required),
      };
    case 'reserved_for_other_agent':
      return { code: 'reserved_for_other_agent', agentId: str(r.agentId) };
    case 'not_ready':
      return { code: 'not_ready', reason: typeof r.reason === 'string' ? r.reason : null };
    default:
      return { code: 'other', raw: typeof r.code === 'string' ? r.code : JSON.stringify(v) };
  }
}

function readPools(v: unknown): Pool[] {
  return arr(v).map((p) => {
    const o = obj(p);
    return {
      queueId: str(o.queueId),
      relaxLevelsBy: num(o.relaxLevelsBy),
      members: num(o.members),
      available: num(o.available),
    };
  });
}

export function readDecision(d: RoutingExplanationResponse['decisions'][number]): Decision {
  const e = obj(d.explanation);
  return {
    at: d.at,
    trigger: str(e.trigger) || d.trigger,
    chosen: arr(d.chosen).map(str).filter(Boolean),
    pools: readPools(e.pools),
    candidates: arr(e.candidates).map((c) => {
      const o = obj(c);
      return {
        agentId: str(o.agentId),
        queueId: str(o.queueId),
        strategy: str(o.strategy),
        primary: num(o.primary),
        skillMatch: num(o.skillMatch),
      };
    }),
    skipped: arr(e.skippedAgents).map((s) => {
      const o = obj(s);
      return { agentId: str(o.agentId), reason: readReason(o.reason) };
    }),
    consideredInteractions: arr(e.consideredInteractions).length,
  };
}

export function readWaiting(v: unknown): Waiting | null {
  if (typeof v !== 'object' || v === null) return null;
  const o = obj(v);
  return {
    queueId: str(o.queueId),
    stage: num(o.stage),
    pools: readPools(o.pools),
    agents: arr(o.agents).map((a) => {
      const x = obj(a);
      return { agentId: str(x.agentId), queueId: str(x.queueId), reason: readReason(x.reason) };
    }),
  };
}

/** Counts agents by reason, most common first: "3 not ready, 2 busy" reads faster than a list. */
export function reasonSummary(
  agents: readonly { reason: Reason }[],
): { code: Reason['code']; count: number }[] {
  const counts = new Map<Reason['code'], number>();
  for (const a of agents) counts.set(a.reason.code, (counts.get(a.reason.code) ?? 0) + 1);
  return [...counts]
    .map(([code, count]) => ({ code, count }))
    .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
}
