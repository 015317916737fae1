-- One row describing this state directory: who it is and the data API key it hands out.
CREATE TABLE meta (
    id                 INTEGER PRIMARY KEY CHECK (id = 1),
    instance_id        TEXT    NOT NULL,
    created_at         INTEGER NOT NULL, -- unix seconds
    api_key            TEXT,
    api_key_created_at INTEGER,          -- unix seconds
    api_key_expires_at INTEGER           -- unix seconds
) STRICT;
