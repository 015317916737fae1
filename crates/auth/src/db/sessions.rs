//! Sign-in sessions between challenges: stored by hash, taken (deleted) when used.

use sqlx::Row;

use super::Db;

impl Db {
    pub async fn put_session(
        &self,
        id_hash: &[u8],
        state: &str,
        now: i64,
        expires_at: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO auth_sessions (id_hash, pool_id, state, created_at, expires_at) \
             VALUES (?, ?, ?, ?, ?)",
        )
        .bind(id_hash)
        .bind(&self.pool_id)
        .bind(state)
        .bind(now)
        .bind(expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Removes and returns a live session's state (`None` if unknown, used or expired). The
    /// delete is atomic, so two requests can never both use one session.
    pub async fn take_session(
        &self,
        id_hash: &[u8],
        now: i64,
    ) -> Result<Option<(String, i64)>, sqlx::Error> {
        let row = sqlx::query(
            "DELETE FROM auth_sessions WHERE id_hash = ? AND pool_id = ? \
             RETURNING state, expires_at",
        )
        .bind(id_hash)
        .bind(&self.pool_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let expires_at: i64 = row.try_get("expires_at")?;
        if now >= expires_at {
            return Ok(None);
        }
        Ok(Some((row.try_get("state")?, expires_at)))
    }
}
