-- Foundation: tenants, users, auth, configuration, audit.
-- Every tenant-owned row carries tenant_id, and references between tenant-owned rows are composite
-- (tenant_id, id) foreign keys, so the database itself refuses a link across tenants.

CREATE TABLE tenants (
  id          uuid PRIMARY KEY,
  name        text NOT NULL,
  slug        text NOT NULL UNIQUE,
  created_at  timestamptz NOT NULL
);

CREATE TABLE teams (
  id          uuid PRIMARY KEY,
  tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name        text NOT NULL,
  description text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  UNIQUE (tenant_id, id)
);
CREATE UNIQUE INDEX teams_name_uq ON teams (tenant_id, lower(name));

CREATE TABLE users (
  id            uuid PRIMARY KEY,
  tenant_id     uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  -- Login is by e-mail alone, so an address belongs to one user across all tenants.
  email         text NOT NULL,
  password_hash text NOT NULL,
  display_name  text NOT NULL,
  role          text NOT NULL CHECK (role IN ('owner', 'admin', 'supervisor', 'agent')),
  team_id       uuid,
  locale        text NOT NULL DEFAULT 'en',
  active        boolean NOT NULL DEFAULT true,
  capacity      jsonb NOT NULL,
  created_at    timestamptz NOT NULL,
  updated_at    timestamptz NOT NULL,
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, team_id) REFERENCES teams (tenant_id, id)
);
CREATE UNIQUE INDEX users_email_uq ON users (lower(email));
CREATE INDEX users_tenant_idx ON users (tenant_id, created_at);

CREATE TABLE sessions (
  token_hash   text PRIMARY KEY,
  tenant_id    uuid NOT NULL,
  user_id      uuid NOT NULL,
  created_at   timestamptz NOT NULL,
  expires_at   timestamptz NOT NULL,
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX sessions_user_idx ON sessions (user_id);
CREATE INDEX sessions_expiry_idx ON sessions (expires_at);

CREATE TABLE api_keys (
  id           uuid PRIMARY KEY,
  tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name         text NOT NULL,
  role         text NOT NULL CHECK (role IN ('owner', 'admin', 'supervisor', 'agent')),
  prefix       text NOT NULL,
  secret_hash  text NOT NULL UNIQUE,
  created_by   uuid,
  created_at   timestamptz NOT NULL,
  last_used_at timestamptz,
  revoked_at   timestamptz
);
CREATE INDEX api_keys_tenant_idx ON api_keys (tenant_id, created_at);

CREATE TABLE skills (
  id          uuid PRIMARY KEY,
  tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name        text NOT NULL,
  description text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  UNIQUE (tenant_id, id)
);
CREATE UNIQUE INDEX skills_name_uq ON skills (tenant_id, lower(name));

CREATE TABLE agent_skills (
  tenant_id uuid NOT NULL,
  user_id   uuid NOT NULL,
  skill_id  uuid NOT NULL,
  level     smallint NOT NULL CHECK (level BETWEEN 1 AND 10),
  PRIMARY KEY (user_id, skill_id),
  FOREIGN KEY (tenant_id, user_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, skill_id) REFERENCES skills (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX agent_skills_skill_idx ON agent_skills (skill_id);

CREATE TABLE calendars (
  id          uuid PRIMARY KEY,
  tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name        text NOT NULL,
  time_zone   text NOT NULL,
  weekly      jsonb NOT NULL,
  holidays    jsonb NOT NULL,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  UNIQUE (tenant_id, id)
);
CREATE UNIQUE INDEX calendars_name_uq ON calendars (tenant_id, lower(name));

CREATE TABLE queues (
  id                    uuid PRIMARY KEY,
  tenant_id             uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name                  text NOT NULL,
  strategy              text NOT NULL,
  priority              integer NOT NULL,
  service_level_seconds integer NOT NULL,
  service_level_percent integer NOT NULL,
  wrap_up_seconds       integer NOT NULL,
  max_wait_seconds      integer NOT NULL,
  calendar_id           uuid,
  created_at            timestamptz NOT NULL,
  updated_at            timestamptz NOT NULL,
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, calendar_id) REFERENCES calendars (tenant_id, id)
);
CREATE UNIQUE INDEX queues_name_uq ON queues (tenant_id, lower(name));

-- A skill that a queue requires cannot be deleted (RESTRICT): the queue would silently route wider.
CREATE TABLE queue_skills (
  tenant_id uuid NOT NULL,
  queue_id  uuid NOT NULL,
  skill_id  uuid NOT NULL,
  min_level smallint NOT NULL CHECK (min_level BETWEEN 1 AND 10),
  position  smallint NOT NULL,
  PRIMARY KEY (queue_id, skill_id),
  FOREIGN KEY (tenant_id, queue_id) REFERENCES queues (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, skill_id) REFERENCES skills (tenant_id, id) ON DELETE RESTRICT
);
CREATE INDEX queue_skills_skill_idx ON queue_skills (skill_id);

CREATE TABLE not_ready_reasons (
  id          uuid PRIMARY KEY,
  tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name        text NOT NULL,
  paid        boolean NOT NULL DEFAULT false,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL
);
CREATE UNIQUE INDEX not_ready_reasons_name_uq ON not_ready_reasons (tenant_id, lower(name));

CREATE TABLE disposition_codes (
  id          uuid PRIMARY KEY,
  tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  code        text NOT NULL,
  name        text NOT NULL,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL
);
CREATE UNIQUE INDEX disposition_codes_code_uq ON disposition_codes (tenant_id, lower(code));

CREATE TABLE audit_log (
  id          uuid PRIMARY KEY,
  -- Insertion order: entries written within the same millisecond still list in the order they happened.
  seq         bigint GENERATED ALWAYS AS IDENTITY,
  tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  at          timestamptz NOT NULL,
  actor_type  text NOT NULL,
  actor_id    text,
  action      text NOT NULL,
  entity_type text NOT NULL,
  entity_id   text NOT NULL,
  before      jsonb,
  after       jsonb
);
CREATE INDEX audit_log_tenant_idx ON audit_log (tenant_id, seq DESC);
CREATE INDEX audit_log_entity_idx ON audit_log (tenant_id, entity_type, entity_id);
