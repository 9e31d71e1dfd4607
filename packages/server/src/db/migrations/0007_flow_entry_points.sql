-- Flow entry points (issue 6): where a conversation meets a flow before (or instead of) an agent.
-- A phone number (DID) and the web chat widget name a flow of the same tenant; messenger accounts
-- (to come) bind theirs in flow_entry_points. A flow an entry point uses cannot be deleted (RESTRICT:
-- the API answers IN_USE); unbind it first.

ALTER TABLE phone_numbers ADD COLUMN flow_id uuid;
ALTER TABLE phone_numbers ADD CONSTRAINT phone_numbers_flow_fk
  FOREIGN KEY (tenant_id, flow_id) REFERENCES flows (tenant_id, id) ON DELETE RESTRICT;

-- The widget's flow is part of its settings document (`flowId`); this column mirrors it so the
-- database keeps the reference honest (same tenant, not deleted while bound).
ALTER TABLE widget_settings ADD COLUMN flow_id uuid;
ALTER TABLE widget_settings ADD CONSTRAINT widget_settings_flow_fk
  FOREIGN KEY (tenant_id, flow_id) REFERENCES flows (tenant_id, id) ON DELETE RESTRICT;

CREATE TABLE flow_entry_points (
  id          uuid PRIMARY KEY,
  tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  kind        text NOT NULL CHECK (kind IN ('messenger')),
  -- The account's address on its network (a bot name, a business number), as the adapter knows it.
  address     text NOT NULL CHECK (length(address) BETWEEN 1 AND 200),
  flow_id     uuid NOT NULL,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  UNIQUE (tenant_id, id),
  UNIQUE (tenant_id, kind, address),
  FOREIGN KEY (tenant_id, flow_id) REFERENCES flows (tenant_id, id) ON DELETE RESTRICT
);
CREATE INDEX flow_entry_points_flow_idx ON flow_entry_points (tenant_id, flow_id);

-- Bot messages on web chat: a menu's options shown as quick-reply buttons ([{key, label}]).
ALTER TABLE chat_messages ADD COLUMN buttons jsonb;

-- A running session waiting for input with a deadline (a menu or question's timeout): when it is
-- due. Written in the step's transaction, so a restarted server re-arms the timer from here.
CREATE TABLE flow_session_timers (
  tenant_id   uuid NOT NULL,
  session_id  uuid NOT NULL,
  due_at      timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, session_id),
  FOREIGN KEY (tenant_id, session_id) REFERENCES flow_sessions (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX flow_session_timers_due_idx ON flow_session_timers (due_at);
