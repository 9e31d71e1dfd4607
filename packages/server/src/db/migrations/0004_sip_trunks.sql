-- SIP trunks (issue 5): per tenant, inbound by source allow-list and/or digest, outbound through a
-- proxy with optional registration and OPTIONS keep-alive; the numbers (DIDs) they bring in; and each
-- tenant's outbound dial plan.

CREATE TABLE sip_trunks (
  id                   uuid PRIMARY KEY,
  tenant_id            uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  name                 text NOT NULL,
  enabled              boolean NOT NULL DEFAULT true,
  -- CIDR blocks as text ("203.0.113.0/24"); matched in the server's trunk directory.
  allowed_cidrs        jsonb NOT NULL DEFAULT '[]',
  -- Inbound digest: the user name is unique over the installation (one realm for all tenants), and
  -- only HA1 = H(user:realm:password) is stored, per hash algorithm (MD5, SHA-256).
  inbound_username     text,
  inbound_ha1_md5      text,
  inbound_ha1_sha256   text,
  proxy                text,
  transport            text NOT NULL DEFAULT 'auto' CHECK (transport IN ('auto', 'udp', 'tcp', 'tls')),
  outbound_username    text,
  -- Needed in clear to answer the provider's challenges; never returned by the API.
  outbound_password    text,
  register             boolean NOT NULL DEFAULT false,
  register_expires_sec integer NOT NULL DEFAULT 3600 CHECK (register_expires_sec BETWEEN 60 AND 86400),
  keep_alive_sec       integer NOT NULL DEFAULT 30 CHECK (keep_alive_sec = 0 OR keep_alive_sec BETWEEN 5 AND 3600),
  created_at           timestamptz NOT NULL,
  updated_at           timestamptz NOT NULL,
  UNIQUE (tenant_id, id),
  CHECK ((inbound_username IS NULL) = (inbound_ha1_md5 IS NULL)),
  CHECK (NOT register OR proxy IS NOT NULL)
);
CREATE UNIQUE INDEX sip_trunks_name_uq ON sip_trunks (tenant_id, lower(name));
CREATE UNIQUE INDEX sip_trunks_inbound_username_uq ON sip_trunks (inbound_username);

-- A number belongs to one tenant in the whole installation (as on the public network), and to one
-- of that tenant's trunks; a trunk with numbers cannot be deleted (RESTRICT → IN_USE).
CREATE TABLE phone_numbers (
  id          uuid PRIMARY KEY,
  tenant_id   uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  number      text NOT NULL CHECK (number ~ '^\+[1-9][0-9]{1,14}$'),
  trunk_id    uuid NOT NULL,
  description text NOT NULL DEFAULT '',
  created_at  timestamptz NOT NULL,
  updated_at  timestamptz NOT NULL,
  UNIQUE (tenant_id, id),
  FOREIGN KEY (tenant_id, trunk_id) REFERENCES sip_trunks (tenant_id, id) ON DELETE RESTRICT
);
CREATE UNIQUE INDEX phone_numbers_number_uq ON phone_numbers (number);
CREATE INDEX phone_numbers_trunk_idx ON phone_numbers (tenant_id, trunk_id);

-- Absent row: the defaults (no outbound calls).
CREATE TABLE dial_plans (
  tenant_id             uuid PRIMARY KEY REFERENCES tenants (id) ON DELETE CASCADE,
  allowed_prefixes      jsonb NOT NULL,
  denied_prefixes       jsonb NOT NULL,
  max_concurrent_calls  integer NOT NULL CHECK (max_concurrent_calls >= 0),
  max_calls_per_minute  integer NOT NULL CHECK (max_calls_per_minute >= 0),
  updated_at            timestamptz NOT NULL
);
