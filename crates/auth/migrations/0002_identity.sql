-- stratus-auth: the identity pool (identities and the temporary AWS credentials issued to them)
-- and the sandbox admin credentials.
--
-- No secret is stored here: a credential's SecretKey and SessionToken are derived from the
-- pool secret (auth_pools.secret) and the AccessKeyId with HMAC-SHA256, so SigV4 verification
-- recomputes them; a row only binds the key to who may use it and until when.

CREATE TABLE IF NOT EXISTS auth_identities (
    identity_id TEXT PRIMARY KEY,
    pool_id TEXT NOT NULL,
    -- The user's sub for authenticated identities; NULL for guests.
    sub TEXT,
    created_at INTEGER NOT NULL,
    last_used_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS auth_identities_sub ON auth_identities (pool_id, sub)
    WHERE sub IS NOT NULL;

CREATE TABLE IF NOT EXISTS auth_credentials (
    access_key_id TEXT PRIMARY KEY,
    pool_id TEXT NOT NULL,
    -- 'admin', 'authenticated' or 'unauthenticated'.
    kind TEXT NOT NULL,
    identity_id TEXT,
    sub TEXT,
    -- JSON array of the user's groups when issued.
    groups TEXT NOT NULL DEFAULT '[]',
    -- The group whose role the credentials carry (AuthSpec::preferred_group), if any.
    role_group TEXT,
    created_at INTEGER NOT NULL,
    -- NULL for the admin credentials (they do not expire).
    expires_at INTEGER
);
CREATE INDEX IF NOT EXISTS auth_credentials_expiry ON auth_credentials (expires_at);
CREATE INDEX IF NOT EXISTS auth_credentials_kind ON auth_credentials (pool_id, kind);
