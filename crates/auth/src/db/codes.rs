//! One-time codes (sign-up confirmation, password reset, attribute verification), stored as
//! keyed hashes, single use, expiring, with a cap on wrong guesses.

use sqlx::Row;

use super::Db;
use crate::crypto::ct_eq;

/// Wrong guesses allowed per code before it is burnt.
pub const MAX_CODE_ATTEMPTS: i64 = 5;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeCheck {
    /// Right code, now consumed; with the detail stored alongside it.
    Ok(Option<String>),
    Mismatch,
    Expired,
    /// No code was issued (or it was used already).
    Missing,
    /// Too many wrong guesses: the code is burnt until a new one is requested.
    TooManyAttempts,
}

impl Db {
    /// Stores a new code for `(sub, purpose)`, replacing any earlier one.
    pub async fn put_code(
        &self,
        sub: &str,
        purpose: &str,
        code_hash: &[u8],
        detail: Option<&str>,
        now: i64,
        ttl_secs: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO auth_codes (sub, purpose, code_hash, detail, attempts, created_at, \
             expires_at) VALUES (?, ?, ?, ?, 0, ?, ?) ON CONFLICT (sub, purpose) DO UPDATE SET \
             code_hash = excluded.code_hash, detail = excluded.detail, attempts = 0, \
             created_at = excluded.created_at, expires_at = excluded.expires_at",
        )
        .bind(sub)
        .bind(purpose)
        .bind(code_hash)
        .bind(detail)
        .bind(now)
        .bind(now + ttl_secs)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Checks a code in constant time. Every check first spends one of the code's attempts
    /// (atomically, so parallel guesses cannot exceed [`MAX_CODE_ATTEMPTS`]); the right,
    /// unexpired code is then deleted, exactly once even under concurrent requests.
    pub async fn check_code(
        &self,
        sub: &str,
        purpose: &str,
        code_hash: &[u8],
        now: i64,
    ) -> Result<CodeCheck, sqlx::Error> {
        let spent = sqlx::query(
            "UPDATE auth_codes SET attempts = attempts + 1 WHERE sub = ? AND purpose = ? \
             AND attempts < ? AND expires_at > ? RETURNING code_hash, detail",
        )
        .bind(sub)
        .bind(purpose)
        .bind(MAX_CODE_ATTEMPTS)
        .bind(now)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = spent else {
            // Why not: no code, an expired one, or one burnt by wrong guesses.
            let row = sqlx::query(
                "SELECT attempts, expires_at FROM auth_codes WHERE sub = ? AND purpose = ?",
            )
            .bind(sub)
            .bind(purpose)
            .fetch_optional(&self.pool)
            .await?;
            return Ok(match row {
                None => CodeCheck::Missing,
                Some(r) if r.try_get::<i64, _>("attempts")? >= MAX_CODE_ATTEMPTS => {
                    CodeCheck::TooManyAttempts
                }
                Some(_) => CodeCheck::Expired,
            });
        };
        let stored: Vec<u8> = row.try_get("code_hash")?;
        let detail: Option<String> = row.try_get("detail")?;
        if !ct_eq(&stored, code_hash) {
            return Ok(CodeCheck::Mismatch);
        }
        let deleted =
            sqlx::query("DELETE FROM auth_codes WHERE sub = ? AND purpose = ? AND code_hash = ?")
                .bind(sub)
                .bind(purpose)
                .bind(code_hash)
                .execute(&self.pool)
                .await?
                .rows_affected();
        Ok(if deleted == 1 {
            CodeCheck::Ok(detail)
        } else {
            CodeCheck::Missing
        })
    }
}
