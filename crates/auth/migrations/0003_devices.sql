-- stratus-auth: tracked devices (ConfirmDevice / DEVICE_SRP_AUTH). A device row is created when
-- a sign-in hands out NewDeviceMetadata; ConfirmDevice adds its SRP verifier (the client's random
-- device password is never sent, only g^x).

CREATE TABLE IF NOT EXISTS auth_devices (
    device_key TEXT PRIMARY KEY,
    pool_id TEXT NOT NULL,
    sub TEXT NOT NULL,
    group_key TEXT NOT NULL,
    -- Cognito-padded hex; NULL until ConfirmDevice.
    salt_hex TEXT,
    verifier_hex TEXT,
    name TEXT,
    remembered INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    modified_at INTEGER NOT NULL,
    last_auth_at INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS auth_devices_sub ON auth_devices (pool_id, sub, created_at);
