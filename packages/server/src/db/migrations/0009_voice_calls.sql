-- Voice calls (issue 7): the facts of every phone call needed for the CDR, written as the call goes
-- (arrival, our answer, queue entry, agent answer, end), one row per SIP call. The interaction holds
-- the routing side (states, queue, agent); this row holds what only the phone side knows.

CREATE TABLE voice_calls (
  id             uuid PRIMARY KEY,
  tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  interaction_id uuid NOT NULL,
  -- The SIP Call-ID of the caller's dialog (carriers' ids are not unique across tenants).
  sip_call_id    text NOT NULL,
  direction      text NOT NULL DEFAULT 'inbound' CHECK (direction IN ('inbound', 'outbound')),
  -- E.164 when the caller's number parses as one, else the From user as sent (may be 'anonymous').
  from_number    text NOT NULL,
  to_number      text NOT NULL,
  -- The tenant's phone number the call came in on, and its trunk. No foreign keys: a CDR outlives
  -- the number and trunk configuration it was made through.
  did            text NOT NULL,
  trunk_id       uuid,
  codec          text,
  -- The flow session that served the call (null before it started or when none ran).
  flow_session_id uuid,
  arrived_at     timestamptz NOT NULL,
  -- When we answered (200 OK): the start of the caller's billable time.
  answered_at    timestamptz,
  queued_at      timestamptz,
  -- When an agent took the call, and who.
  agent_answered_at timestamptz,
  agent_id       uuid,
  ended_at       timestamptz,
  -- Who hung up: the caller (BYE, CANCEL), the system (flow end, overflow, error) or the agent.
  hangup_side    text CHECK (hangup_side IN ('caller', 'system', 'agent')),
  -- A stable code: BYE, CANCEL, FLOW_COMPLETED, FLOW_ERROR, OVERFLOW_CLOSE, MEDIA_ERROR, SHUTDOWN…
  hangup_cause   text,
  recording_path text,
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, interaction_id) REFERENCES interactions (tenant_id, id),
  CHECK ((hangup_side IS NULL) = (ended_at IS NULL))
);
CREATE INDEX voice_calls_interaction_idx ON voice_calls (tenant_id, interaction_id);
CREATE INDEX voice_calls_arrived_idx ON voice_calls (tenant_id, arrived_at);

-- How callers waiting in a queue are kept informed; no row: the defaults (announce position and
-- estimated wait every 45 s, the built-in music on hold).
CREATE TABLE voice_queue_settings (
  tenant_id             uuid NOT NULL,
  queue_id              uuid NOT NULL,
  -- 0: no announcements.
  announce_interval_sec integer NOT NULL DEFAULT 45 CHECK (announce_interval_sec = 0 OR announce_interval_sec BETWEEN 10 AND 3600),
  announce_position     boolean NOT NULL DEFAULT true,
  announce_wait         boolean NOT NULL DEFAULT true,
  -- A prompt file name in the tenant's prompts directory; null: the built-in music.
  music_prompt          text,
  PRIMARY KEY (tenant_id, queue_id),
  FOREIGN KEY (tenant_id, queue_id) REFERENCES queues (tenant_id, id) ON DELETE CASCADE
);
