-- Web chat: contacts and their identities, widget visitors, the conversation log (messages),
-- attachments, ratings, reply templates and the per-tenant widget settings.

-- A customer. Identities (below) decide who is the same person; email/phone here are the profile's
-- current values, shown and edited in the customer panel.
CREATE TABLE contacts (
  id          uuid PRIMARY KEY,
  tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name        text NOT NULL DEFAULT '',
  email       text,
  phone       text,
  attributes  jsonb NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  UNIQUE (tenant_id, id)
);
CREATE INDEX contacts_tenant_name_idx ON contacts (tenant_id, lower(name));

-- One row per way of recognising a contact: a normalised e-mail (lower case), phone (digits with a
-- leading +) or widget visitor id. The same identity always leads to the same contact.
CREATE TABLE contact_identities (
  tenant_id   uuid NOT NULL,
  contact_id  uuid NOT NULL,
  kind        text NOT NULL CHECK (kind IN ('email', 'phone', 'visitor')),
  value       text NOT NULL,
  created_at  timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, kind, value),
  FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX contact_identities_contact_idx ON contact_identities (tenant_id, contact_id);

ALTER TABLE interactions
  ADD COLUMN contact_id uuid,
  -- Customer satisfaction after a chat: 1–5 and an optional comment.
  ADD COLUMN rating integer CHECK (rating BETWEEN 1 AND 5),
  ADD COLUMN rating_comment text NOT NULL DEFAULT '',
  ADD CONSTRAINT interactions_contact_fk FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id);
CREATE INDEX interactions_contact_idx ON interactions (tenant_id, contact_id, created_at DESC);

-- A browser that opened the widget. The token (hlv_…) is stored as its SHA-256 only; it grants
-- access to this visitor's conversations and nothing else.
CREATE TABLE widget_visitors (
  id           uuid PRIMARY KEY,
  tenant_id    uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  token_hash   text NOT NULL UNIQUE,
  contact_id   uuid NOT NULL,
  created_at   timestamptz NOT NULL,
  last_seen_at timestamptz NOT NULL,
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, contact_id) REFERENCES contacts (tenant_id, id) ON DELETE CASCADE
);

-- Chat state beside the interaction row: who may read it as the customer, and how far each side read.
CREATE TABLE conversations (
  tenant_id              uuid NOT NULL,
  interaction_id         uuid NOT NULL,
  visitor_id             uuid,
  language               text NOT NULL DEFAULT 'en',
  last_seq               integer NOT NULL DEFAULT 0,
  read_by_customer_seq   integer NOT NULL DEFAULT 0,
  read_by_agent_seq      integer NOT NULL DEFAULT 0,
  ended_at               timestamptz,
  PRIMARY KEY (tenant_id, interaction_id),
  FOREIGN KEY (tenant_id, interaction_id) REFERENCES interactions (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, visitor_id) REFERENCES widget_visitors (tenant_id, id) ON DELETE SET NULL (visitor_id)
);
CREATE INDEX conversations_visitor_idx ON conversations (tenant_id, visitor_id);

-- Uploaded files, content in the row (limited to 10 MiB each by the API). `mime` is what the content
-- is (magic bytes), not what the name says.
CREATE TABLE attachments (
  id             uuid PRIMARY KEY,
  tenant_id      uuid NOT NULL,
  interaction_id uuid NOT NULL,
  file_name      text NOT NULL,
  mime           text NOT NULL,
  size           integer NOT NULL,
  sha256         text NOT NULL,
  content        bytea NOT NULL,
  uploaded_by    text NOT NULL,
  created_at     timestamptz NOT NULL,
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, interaction_id) REFERENCES interactions (tenant_id, id) ON DELETE CASCADE
);

-- The conversation log. `seq` numbers a conversation's messages 1, 2, 3 …; `client_id` is the
-- sender's idempotency key (a repeated send returns the stored message).
CREATE TABLE chat_messages (
  id             uuid PRIMARY KEY,
  tenant_id      uuid NOT NULL,
  interaction_id uuid NOT NULL,
  seq            integer NOT NULL,
  author_kind    text NOT NULL CHECK (author_kind IN ('customer', 'agent', 'supervisor', 'bot', 'system')),
  author_user_id uuid,
  author_name    text NOT NULL DEFAULT '',
  visibility     text NOT NULL CHECK (visibility IN ('public', 'internal', 'whisper')),
  text           text NOT NULL,
  attachment_id  uuid,
  client_id      text,
  created_at     timestamptz NOT NULL,
  UNIQUE (tenant_id, interaction_id, seq),
  UNIQUE (tenant_id, interaction_id, client_id),
  FOREIGN KEY (tenant_id, interaction_id) REFERENCES interactions (tenant_id, id) ON DELETE CASCADE,
  FOREIGN KEY (tenant_id, attachment_id) REFERENCES attachments (tenant_id, id)
);

-- Canned replies: shared by the tenant (owner_id NULL) or an agent's own.
CREATE TABLE reply_templates (
  id          uuid PRIMARY KEY,
  tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  owner_id    uuid,
  name        text NOT NULL,
  body        text NOT NULL,
  language    text,
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  FOREIGN KEY (tenant_id, owner_id) REFERENCES users (tenant_id, id) ON DELETE CASCADE
);
CREATE INDEX reply_templates_tenant_idx ON reply_templates (tenant_id, owner_id);

-- One widget configuration per tenant (protocol `widgetSettingsSchema`); absent means the defaults.
CREATE TABLE widget_settings (
  tenant_id   uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  settings    jsonb NOT NULL,
  updated_at  timestamptz NOT NULL
);
