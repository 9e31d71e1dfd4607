-- Flows (issue 6): IVR and chat-bot scenarios in the core's flow language, kept as numbered versions.
-- A flow has at most one draft (being edited) and one published version (what new sessions run);
-- publishing turns the draft into the published version and archives the previous one, in one
-- transaction. Versions are never deleted while their flow exists: running sessions keep theirs.

CREATE TABLE flows (
  id          uuid PRIMARY KEY,
  tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name        text NOT NULL,
  description text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  UNIQUE (tenant_id, id)
);
CREATE UNIQUE INDEX flows_name_uq ON flows (tenant_id, lower(name));

CREATE TABLE flow_versions (
  tenant_id    uuid NOT NULL,
  flow_id      uuid NOT NULL,
  -- 1, 2, 3 … per flow; a draft takes the next number when it is first saved and keeps it when
  -- published, so numbers only grow and a published number never changes meaning.
  version      integer NOT NULL CHECK (version >= 1),
  -- The flow JSON as saved (checked by core `validateFlow`); on publish its `version` field is set
  -- to the version number, so a running session's state names the version it belongs to.
  document     jsonb NOT NULL,
  state        text NOT NULL CHECK (state IN ('draft', 'published', 'archived')),
  -- The user or API key that saved the draft (no foreign key: the history outlives its authors).
  created_by   text,
  created_at   timestamptz NOT NULL,
  updated_at   timestamptz NOT NULL,
  published_at timestamptz,
  PRIMARY KEY (tenant_id, flow_id, version),
  FOREIGN KEY (tenant_id, flow_id) REFERENCES flows (tenant_id, id) ON DELETE CASCADE,
  CHECK ((state = 'draft') = (published_at IS NULL))
);
CREATE UNIQUE INDEX flow_versions_one_draft_uq ON flow_versions (tenant_id, flow_id) WHERE state = 'draft';
CREATE UNIQUE INDEX flow_versions_one_published_uq ON flow_versions (tenant_id, flow_id) WHERE state = 'published';
