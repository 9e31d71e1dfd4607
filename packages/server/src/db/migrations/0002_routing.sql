-- Routing: interactions and their lifecycle events, routing decisions with explanations, agent
-- presence and state history, and the outbox of domain events that realtime clients resume from.
-- Written together in one transaction per routing command (see routing/routing-store.ts).

ALTER TABLE queues
  ADD COLUMN offer_timeout_seconds integer NOT NULL DEFAULT 20,
  ADD COLUMN blocks_other_channels boolean NOT NULL DEFAULT true,
  ADD COLUMN expansion jsonb NOT NULL DEFAULT '[]',
  ADD COLUMN overflow jsonb NOT NULL DEFAULT '[]';

-- Interactions reference their disposition code within the same tenant.
ALTER TABLE disposition_codes ADD CONSTRAINT disposition_codes_tenant_id_uq UNIQUE (tenant_id, id);

CREATE TABLE interactions (
  id                 uuid PRIMARY KEY,
  tenant_id          uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  channel            text NOT NULL,
  state              text NOT NULL,
  queue_id           uuid,
  priority           integer NOT NULL DEFAULT 0,
  required_skills    jsonb NOT NULL DEFAULT '[]',
  -- Effective enqueue time (the order key; a callback keeps its original one) and the time it
  -- entered its current queue (expansion, overflow and wait figures count from there).
  enqueued_at        timestamptz,
  queued_at          timestamptz,
  -- Arrival order among equal keys; restored as is after a restart.
  route_seq          bigint,
  stage              integer NOT NULL DEFAULT 0,
  declined_by        jsonb NOT NULL DEFAULT '[]',
  preferred_agent_id uuid,
  preferred_until    timestamptz,
  not_before         timestamptz,
  agent_id           uuid,
  connected_at       timestamptz,
  subject            text NOT NULL DEFAULT '',
  contact            jsonb NOT NULL DEFAULT '{}',
  data               jsonb NOT NULL DEFAULT '{}',
  disposition_code_id uuid,
  notes              text NOT NULL DEFAULT '',
  created_by         text,
  created_at         timestamptz NOT NULL,
  updated_at         timestamptz NOT NULL,
  closed_at          timestamptz,
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, queue_id) REFERENCES queues (tenant_id, id),
  FOREIGN KEY (tenant_id, agent_id) REFERENCES users (tenant_id, id),
  FOREIGN KEY (tenant_id, disposition_code_id) REFERENCES disposition_codes (tenant_id, id)
);
CREATE INDEX interactions_open_idx ON interactions (tenant_id, state) WHERE closed_at IS NULL;
CREATE INDEX interactions_tenant_created_idx ON interactions (tenant_id, created_at DESC);

CREATE TABLE interaction_events (
  seq            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  interaction_id uuid NOT NULL,
  type           text NOT NULL,
  at             timestamptz NOT NULL,
  data           jsonb NOT NULL,
  FOREIGN KEY (tenant_id, interaction_id) REFERENCES interactions (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX interaction_events_ix_idx ON interaction_events (tenant_id, interaction_id, seq);

CREATE TABLE routing_decisions (
  seq            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id      uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  interaction_id uuid NOT NULL,
  at             timestamptz NOT NULL,
  queue_id       uuid NOT NULL,
  trigger        text NOT NULL,
  chosen         jsonb NOT NULL,
  explanation    jsonb NOT NULL,
  FOREIGN KEY (tenant_id, interaction_id) REFERENCES interactions (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX routing_decisions_ix_idx ON routing_decisions (tenant_id, interaction_id, seq);

-- Current presence of each agent (restored after a restart) and the full history of status changes.
CREATE TABLE agent_presence (
  tenant_id  uuid NOT NULL,
  user_id    uuid NOT NULL PRIMARY KEY,
  presence   text NOT NULL CHECK (presence IN ('logged_out', 'ready', 'not_ready')),
  reason     text,
  status     text NOT NULL,
  since      timestamptz NOT NULL,
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);

CREATE TABLE agent_state_events (
  seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  user_id    uuid NOT NULL,
  from_status text NOT NULL,
  to_status  text NOT NULL,
  presence   text NOT NULL,
  reason     text,
  at         timestamptz NOT NULL
);
CREATE INDEX agent_state_events_user_idx ON agent_state_events (tenant_id, user_id, seq);

-- Every domain event, in commit order, for realtime clients (resume after `seq`) and later consumers
-- (webhooks, reports). `agent_ids`: the agents it concerns (they receive it); supervisors receive all.
CREATE TABLE outbox (
  seq        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  at         timestamptz NOT NULL,
  type       text NOT NULL,
  agent_ids  jsonb NOT NULL DEFAULT '[]',
  payload    jsonb NOT NULL
);
CREATE INDEX outbox_tenant_seq_idx ON outbox (tenant_id, seq);
