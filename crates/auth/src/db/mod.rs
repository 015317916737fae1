//! The auth tables in the shared SQLite database: own, idempotent migrations (recorded in
//! `auth_migrations`, separate from the store's sqlx migrator) and typed access per concern.

mod codes;
mod devices;
mod sessions;
mod tokens;
mod users;

pub use codes::CodeCheck;
pub use devices::{DeviceRow, DeviceSecret};
pub use tokens::PoolKeys;
pub use users::{IdentifierColumn, InsertUserError, MfaFlags, NewUser, UserRow, UserStatus};

use sqlx::SqlitePool;

use crate::error::OpenError;

/// (version, SQL). Append only; never edit a shipped migration.
const MIGRATIONS: &[(i64, &str)] = &[
    (1, include_str!("../../migrations/0001_auth.sql")),
    (2, include_str!("../../migrations/0002_identity.sql")),
    (3, include_str!("../../migrations/0003_devices.sql")),
];

/// Applies the auth migrations that have not run yet. Safe to call concurrently and on every
/// start: every statement is `IF NOT EXISTS` and versions are recorded with `INSERT OR IGNORE`.
pub async fn migrate(pool: &SqlitePool) -> Result<(), OpenError> {
    sqlx::raw_sql(
        "CREATE TABLE IF NOT EXISTS auth_migrations (\
            version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
    )
    .execute(pool)
    .await?;
    for &(version, sql) in MIGRATIONS {
        let done: Option<i64> =
            sqlx::query_scalar("SELECT version FROM auth_migrations WHERE version = ?")
                .bind(version)
                .fetch_optional(pool)
                .await?;
        if done.is_some() {
            continue;
        }
        let mut tx = pool.begin().await?;
        sqlx::raw_sql(sql)
            .execute(&mut *tx)
            .await
            .map_err(|source| OpenError::Migrate { version, source })?;
        sqlx::query("INSERT OR IGNORE INTO auth_migrations (version, applied_at) VALUES (?, ?)")
            .bind(version)
            .bind(crate::clock::system_now())
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        tracing::debug!(version, "applied auth migration");
    }
    Ok(())
}

/// Typed access to one pool's rows.
#[derive(Debug, Clone)]
pub struct Db {
    pub(crate) pool: SqlitePool,
    pub(crate) pool_id: String,
}

impl Db {
    pub fn new(pool: SqlitePool, pool_id: String) -> Self {
        Self { pool, pool_id }
    }

    /// Deletes expired sessions and codes (housekeeping; correctness never depends on it
    /// because every read checks expiry).
    pub async fn purge_expired(&self, now: i64) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM auth_sessions WHERE expires_at <= ?")
            .bind(now)
            .execute(&self.pool)
            .await?;
        // Devices handed out but never confirmed by their client.
        sqlx::query("DELETE FROM auth_devices WHERE verifier_hex IS NULL AND created_at <= ?")
            .bind(now - 24 * 3600)
            .execute(&self.pool)
            .await?;
        // Expired codes are kept a week so that using one still answers ExpiredCodeException.
        sqlx::query("DELETE FROM auth_codes WHERE expires_at <= ?")
            .bind(now - 7 * 24 * 3600)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
