-- Knowledge base (issue 6): the question/answer articles the flow `faq` verb matches customer questions
-- against (core `flow/text-match.ts`). Matching happens in memory over a tenant's enabled articles, so
-- the table only needs to be read whole per tenant; the limits keep that bounded.

CREATE TABLE kb_articles (
  id         uuid PRIMARY KEY,
  tenant_id  uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  -- Ways customers ask it: a JSON array of 1–20 strings.
  questions  jsonb NOT NULL CHECK (
    jsonb_typeof(questions) = 'array' AND jsonb_array_length(questions) BETWEEN 1 AND 20
  ),
  -- Extra words matched like the questions: a JSON array of strings (at most 50).
  keywords   jsonb NOT NULL DEFAULT '[]' CHECK (
    jsonb_typeof(keywords) = 'array' AND jsonb_array_length(keywords) <= 50
  ),
  answer     text NOT NULL CHECK (length(answer) BETWEEN 1 AND 4000),
  -- The answer's language; NULL: any language.
  language   text CHECK (language IN ('ru', 'en')),
  enabled    boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL,
  updated_at timestamptz NOT NULL,
  UNIQUE (tenant_id, id)
);
CREATE INDEX kb_articles_tenant_idx ON kb_articles (tenant_id, created_at, id);
