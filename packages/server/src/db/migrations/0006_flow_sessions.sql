-- Flow sessions (issue 6): one running instance of a published flow version, driven by a channel.
-- The interpreter's state is stored after every step, in the same transaction as the step's outcome,
-- so a restarted server continues the conversation where it stopped. A session keeps the version it
-- started on for its whole life; a newer publish only changes which version new sessions take.

CREATE TABLE flow_sessions (
  id             uuid PRIMARY KEY,
  tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  flow_id        uuid NOT NULL,
  version        integer NOT NULL,
  channel        text NOT NULL,
  -- The interaction the flow serves, when the channel has one (a call, a chat); null for tests and
  -- flows started before an interaction exists.
  interaction_id uuid,
  -- core `FlowState` (plain JSON), as the interpreter returned it after the last step.
  state          jsonb NOT NULL,
  -- running: waits for the channel's next event; ended: the flow finished (completed, handed over,
  -- transferred, caller left); failed: it ended on a runtime error or the channel gave up on it.
  status         text NOT NULL CHECK (status IN ('running', 'ended', 'failed')),
  -- The action the channel must carry out (for a running session: the one waited on).
  last_action    jsonb NOT NULL,
  created_at     timestamptz NOT NULL,
  updated_at     timestamptz NOT NULL,
  ended_at       timestamptz,
  UNIQUE (tenant_id, id),
  -- Deleting a flow deletes its versions and with them its sessions.
  FOREIGN KEY (tenant_id, flow_id, version) REFERENCES flow_versions (tenant_id, flow_id, version)
    ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, interaction_id) REFERENCES interactions (tenant_id, id),
  CHECK ((status = 'running') = (ended_at IS NULL))
);
-- A channel finds the session of its call or chat by the interaction.
CREATE INDEX flow_sessions_interaction_idx ON flow_sessions (tenant_id, interaction_id)
  WHERE interaction_id IS NOT NULL;
