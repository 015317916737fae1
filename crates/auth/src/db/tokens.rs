//! Per-pool keys and refresh tokens.

use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::Db;

/// The pool's signing key and secret.
#[derive(Clone)]
pub struct PoolKeys {
    pub kid: String,
    pub signing_key_pkcs8: Vec<u8>,
    pub secret: Vec<u8>,
}

impl std::fmt::Debug for PoolKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoolKeys")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone)]
pub struct RefreshRow {
    pub sub: String,
    pub client_id: String,
    pub origin_jti: String,
    pub device_key: Option<String>,
    pub auth_time: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

fn refresh_from_row(r: &SqliteRow) -> Result<RefreshRow, sqlx::Error> {
    Ok(RefreshRow {
        sub: r.try_get("sub")?,
        client_id: r.try_get("client_id")?,
        origin_jti: r.try_get("origin_jti")?,
        device_key: r.try_get("device_key")?,
        auth_time: r.try_get("auth_time")?,
        expires_at: r.try_get("expires_at")?,
        revoked_at: r.try_get("revoked_at")?,
    })
}

impl Db {
    pub async fn pool_keys(&self) -> Result<Option<PoolKeys>, sqlx::Error> {
        let row =
            sqlx::query("SELECT kid, signing_key_pkcs8, secret FROM auth_pools WHERE pool_id = ?")
                .bind(&self.pool_id)
                .fetch_optional(&self.pool)
                .await?;
        row.map(|r| {
            Ok(PoolKeys {
                kid: r.try_get("kid")?,
                signing_key_pkcs8: r.try_get("signing_key_pkcs8")?,
                secret: r.try_get("secret")?,
            })
        })
        .transpose()
    }

    /// Stores keys unless the pool already has some (a concurrent opener may have won).
    pub async fn insert_pool_keys(&self, keys: &PoolKeys, now: i64) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT OR IGNORE INTO auth_pools (pool_id, kid, signing_key_pkcs8, secret, created_at) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(&self.pool_id)
        .bind(&keys.kid)
        .bind(&keys.signing_key_pkcs8)
        .bind(&keys.secret)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    #[allow(clippy::too_many_arguments)]
    pub async fn insert_refresh(
        &self,
        token_hash: &[u8],
        sub: &str,
        client_id: &str,
        origin_jti: &str,
        device_key: Option<&str>,
        auth_time: i64,
        now: i64,
        expires_at: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO auth_refresh_tokens (token_hash, pool_id, sub, client_id, origin_jti, \
             device_key, auth_time, issued_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(token_hash)
        .bind(&self.pool_id)
        .bind(sub)
        .bind(client_id)
        .bind(origin_jti)
        .bind(device_key)
        .bind(auth_time)
        .bind(now)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn refresh_by_hash(
        &self,
        token_hash: &[u8],
    ) -> Result<Option<RefreshRow>, sqlx::Error> {
        sqlx::query(
            "SELECT sub, client_id, origin_jti, device_key, auth_time, expires_at, revoked_at \
             FROM auth_refresh_tokens WHERE token_hash = ? AND pool_id = ?",
        )
        .bind(token_hash)
        .bind(&self.pool_id)
        .fetch_optional(&self.pool)
        .await?
        .map(|r| refresh_from_row(&r))
        .transpose()
    }

    /// Revokes one refresh token (and so every token of its authentication).
    pub async fn revoke_refresh(&self, token_hash: &[u8], now: i64) -> Result<bool, sqlx::Error> {
        Ok(sqlx::query(
            "UPDATE auth_refresh_tokens SET revoked_at = ? WHERE token_hash = ? AND pool_id = ? \
             AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(token_hash)
        .bind(&self.pool_id)
        .execute(&self.pool)
        .await?
        .rows_affected()
            == 1)
    }

    /// Revokes every refresh token of a user (GlobalSignOut).
    pub async fn revoke_all_refresh(&self, sub: &str, now: i64) -> Result<u64, sqlx::Error> {
        Ok(sqlx::query(
            "UPDATE auth_refresh_tokens SET revoked_at = ? WHERE sub = ? AND revoked_at IS NULL",
        )
        .bind(now)
        .bind(sub)
        .execute(&self.pool)
        .await?
        .rows_affected())
    }

    /// Whether the authentication `origin_jti` is still live for `sub` (exists, not revoked).
    pub async fn origin_live(&self, origin_jti: &str, sub: &str) -> Result<bool, sqlx::Error> {
        Ok(sqlx::query(
            "SELECT 1 FROM auth_refresh_tokens WHERE origin_jti = ? AND sub = ? \
             AND revoked_at IS NULL",
        )
        .bind(origin_jti)
        .bind(sub)
        .fetch_optional(&self.pool)
        .await?
        .is_some())
    }
}
