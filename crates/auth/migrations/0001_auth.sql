-- stratus-auth: user pools (one row per pool id), users and everything hanging off them.
-- Times are Unix seconds. Secrets that must be checked but never read back are stored hashed.

CREATE TABLE IF NOT EXISTS auth_pools (
    pool_id TEXT PRIMARY KEY,
    -- RS256 signing key, PKCS#8 DER, created once per pool and kept.
    kid TEXT NOT NULL,
    signing_key_pkcs8 BLOB NOT NULL,
    -- HMAC key for code hashes and the stand-in SRP parameters of unknown users.
    secret BLOB NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS auth_users (
    sub TEXT PRIMARY KEY,
    pool_id TEXT NOT NULL,
    -- Cognito's user name: the sub when users sign in with email/phone, else the given name
    -- (lower-cased: sign-in is case-insensitive).
    username TEXT NOT NULL,
    -- Lower-cased email / phone when they are sign-in identifiers (unique per pool).
    email_key TEXT,
    phone_key TEXT,
    status TEXT NOT NULL,
    enabled INTEGER NOT NULL DEFAULT 1,
    -- SRP verifier (Cognito padHex) and argon2id PHC string; NULL for passwordless users.
    srp_salt TEXT,
    srp_verifier TEXT,
    password_hash TEXT,
    mfa_sms INTEGER NOT NULL DEFAULT 0,
    mfa_totp INTEGER NOT NULL DEFAULT 0,
    mfa_email INTEGER NOT NULL DEFAULT 0,
    mfa_preferred TEXT,
    totp_secret TEXT,
    totp_pending_secret TEXT,
    totp_last_step INTEGER,
    failed_attempts INTEGER NOT NULL DEFAULT 0,
    last_failed_at INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS auth_users_username ON auth_users (pool_id, username);
CREATE UNIQUE INDEX IF NOT EXISTS auth_users_email ON auth_users (pool_id, email_key)
    WHERE email_key IS NOT NULL;
CREATE UNIQUE INDEX IF NOT EXISTS auth_users_phone ON auth_users (pool_id, phone_key)
    WHERE phone_key IS NOT NULL;

CREATE TABLE IF NOT EXISTS auth_user_attributes (
    sub TEXT NOT NULL REFERENCES auth_users (sub) ON DELETE CASCADE,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (sub, name)
);

-- Changes to email / phone_number held back until verified (keepOriginal).
CREATE TABLE IF NOT EXISTS auth_pending_attributes (
    sub TEXT NOT NULL REFERENCES auth_users (sub) ON DELETE CASCADE,
    name TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (sub, name)
);

CREATE TABLE IF NOT EXISTS auth_groups (
    pool_id TEXT NOT NULL,
    name TEXT NOT NULL,
    precedence INTEGER,
    description TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (pool_id, name)
);

CREATE TABLE IF NOT EXISTS auth_user_groups (
    sub TEXT NOT NULL REFERENCES auth_users (sub) ON DELETE CASCADE,
    pool_id TEXT NOT NULL,
    group_name TEXT NOT NULL,
    PRIMARY KEY (sub, group_name)
);

-- One live code per user and purpose; a new code replaces the old one.
CREATE TABLE IF NOT EXISTS auth_codes (
    sub TEXT NOT NULL REFERENCES auth_users (sub) ON DELETE CASCADE,
    purpose TEXT NOT NULL,
    code_hash BLOB NOT NULL,
    -- What the code confirms (the attribute it was sent to / the address being verified).
    detail TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    PRIMARY KEY (sub, purpose)
);

-- Sign-in sessions between challenges (Cognito's `Session`), stored by hash, single use.
CREATE TABLE IF NOT EXISTS auth_sessions (
    id_hash BLOB PRIMARY KEY,
    pool_id TEXT NOT NULL,
    state TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS auth_sessions_expiry ON auth_sessions (expires_at);

-- Refresh tokens by hash. Access and id tokens carry `origin_jti`; revoking the row revokes
-- every token minted from that authentication.
CREATE TABLE IF NOT EXISTS auth_refresh_tokens (
    token_hash BLOB PRIMARY KEY,
    pool_id TEXT NOT NULL,
    sub TEXT NOT NULL REFERENCES auth_users (sub) ON DELETE CASCADE,
    client_id TEXT NOT NULL,
    origin_jti TEXT NOT NULL UNIQUE,
    device_key TEXT,
    auth_time INTEGER NOT NULL,
    issued_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    revoked_at INTEGER
);
CREATE INDEX IF NOT EXISTS auth_refresh_tokens_sub ON auth_refresh_tokens (sub);
