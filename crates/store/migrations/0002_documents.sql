-- The document store (crates/store/src/documents): the secret that signs list/query
-- `nextToken`s, and the layout applied for each model (its table, primary key and indexes), so a
-- reload with a changed schema can tell what changed.
ALTER TABLE meta ADD COLUMN next_token_secret BLOB;

CREATE TABLE doc_models (
    model      TEXT    PRIMARY KEY,
    table_name TEXT    NOT NULL UNIQUE,
    layout     TEXT    NOT NULL, -- JSON: ModelLayout
    updated_at INTEGER NOT NULL  -- unix seconds
) STRICT;
