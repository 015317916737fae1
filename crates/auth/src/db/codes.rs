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

    /// Checks a code in constant time; the right, unexpired code is deleted (exactly once
    /// even under concurrent requests), a wrong one counts an attempt.
    pub async fn check_code(
        &self,
        sub: &str,
        purpose: &str,
        code_hash: &[u8],
        now: i64,
    ) -> Result<CodeCheck, sqlx::Error> {
        let row = sqlx::query(
            "SELECT code_hash, detail, attempts, expires_at FROM auth_codes WHERE sub = ? AND purpose = ?",
        )
        .bind(sub)
        .bind(purpose)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else {
            return Ok(CodeCheck::Missing);
        };
        let stored: Vec<u8> = row.try_get("code_hash")?;
        let detail: Option<String> = row.try_get("detail")?;
        let attempts: i64 = row.try_get("attempts")?;
        let expires_at: i64 = row.try_get("expires_at")?;
        if attempts >= MAX_CODE_ATTEMPTS {
            return Ok(CodeCheck::TooManyAttempts);
        }
        if now >= expires_at {
            return Ok(CodeCheck::Expired);
        }
        if !ct_eq(&stored, code_hash) {
            sqlx::query(
                "UPDATE auth_codes SET attempts = attempts + 1 WHERE sub = ? AND purpose = ?",
            )
            .bind(sub)
            .bind(purpose)
            .execute(&self.pool)
            .await?;
            return Ok(CodeCheck::Mismatch);
        }
        let deleted = sqlx::query(
            "DELETE FROM auth_codes WHERE sub = ? AND purpose = ? AND code_hash = ? \
             AND attempts < ?",
        )
        .bind(sub)
        .bind(purpose)
        .bind(code_hash)
        .bind(MAX_CODE_ATTEMPTS)
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
