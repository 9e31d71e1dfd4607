-- The agents of a phone call, in order (CDR segments). A transfer hands the call from one agent to
-- the next: each agent who talked to the caller gets a row with when they were connected and when
-- they let go, so talk time, "handled by" filters and reports count every agent, not only the first.
-- `voice_calls.agent_id` / `agent_answered_at` stay: the agent who answered first (the call's answer).

CREATE TABLE voice_call_agents (
  tenant_id    uuid NOT NULL,
  call_id      uuid NOT NULL,
  -- 1: the agent who answered; 2: the one the call was transferred to; …
  seq          smallint NOT NULL CHECK (seq >= 1),
  agent_id     uuid NOT NULL,
  -- The queue the agent took the call from (a transfer to another queue changes it). No foreign key:
  -- a CDR outlives the queue.
  queue_id     uuid,
  connected_at timestamptz NOT NULL,
  ended_at     timestamptz,
  -- `transferred`: the agent handed the call on; `call_ended`: the call ended while they had it.
  end_reason   text CHECK (end_reason IN ('transferred', 'call_ended')),
  PRIMARY KEY (tenant_id, call_id, seq),
  FOREIGN KEY (tenant_id, call_id) REFERENCES voice_calls (tenant_id, id) ON DELETE CASCADE,
  CHECK ((end_reason IS NULL) = (ended_at IS NULL)),
  CHECK (ended_at IS NULL OR ended_at >= connected_at)
);
CREATE INDEX voice_call_agents_agent_idx ON voice_call_agents (tenant_id, agent_id);

-- Calls recorded before this table: their one agent, as far as the row knows.
INSERT INTO voice_call_agents (tenant_id, call_id, seq, agent_id, queue_id, connected_at, ended_at, end_reason)
SELECT c.tenant_id, c.id, 1, c.agent_id, i.queue_id, c.agent_answered_at,
       CASE WHEN c.ended_at IS NULL THEN NULL ELSE GREATEST(c.ended_at, c.agent_answered_at) END,
       CASE WHEN c.ended_at IS NULL THEN NULL ELSE 'call_ended' END
FROM voice_calls c
JOIN interactions i ON i.tenant_id = c.tenant_id AND i.id = c.interaction_id
WHERE c.agent_id IS NOT NULL AND c.agent_answered_at IS NOT NULL;
