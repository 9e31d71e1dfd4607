-- A flow's JSON is its source of truth and must come back exactly as saved (issue 6): the editor, a
-- tenant's git repository and `npm run flow:test` compare documents as text. jsonb normalises key
-- order (shorter keys first), so a saved document came back reordered; json keeps the text as given.
-- Nothing queries inside documents (they are parsed and compiled in the server), so nothing is lost.
ALTER TABLE flow_versions ALTER COLUMN document TYPE json USING document::json;
