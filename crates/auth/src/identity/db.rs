//! `auth_identities` and `auth_credentials`.

use sqlx::Row;

use super::{Principal, PrincipalKind};
use crate::db::Db;

/// One identity of the identity pool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IdentityRow {
    pub identity_id: String,
    pub sub: Option<String>,
}

/// A credential row to insert.
#[derive(Debug, Clone)]
pub(crate) struct NewCredential<'a> {
    pub access_key_id: &'a str,
    pub kind: PrincipalKind,
    pub identity_id: Option<&'a str>,
    pub sub: Option<&'a str>,
    pub groups: &'a [String],
    pub role_group: Option<&'a str>,
    pub expires_at: Option<i64>,
}

impl Db {
    pub(crate) async fn identity(&self, id: &str) -> Result<Option<IdentityRow>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT identity_id, sub FROM auth_identities WHERE pool_id = ? AND identity_id = ?",
        )
        .bind(&self.pool_id)
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| {
            Ok(IdentityRow {
                identity_id: r.try_get("identity_id")?,
                sub: r.try_get("sub")?,
            })
        })
        .transpose()
    }

    pub(crate) async fn identity_of_sub(&self, sub: &str) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar("SELECT identity_id FROM auth_identities WHERE pool_id = ? AND sub = ?")
            .bind(&self.pool_id)
            .bind(sub)
            .fetch_optional(&self.pool)
            .await
    }

    /// Inserts an identity; for a user, returns the one that won a concurrent insert.
    pub(crate) async fn insert_identity(
        &self,
        id: &str,
        sub: Option<&str>,
        now: i64,
    ) -> Result<String, sqlx::Error> {
        sqlx::query(
            "INSERT INTO auth_identities (identity_id, pool_id, sub, created_at, last_used_at) \
             VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        )
        .bind(id)
        .bind(&self.pool_id)
        .bind(sub)
        .bind(now)
        .bind(now)
        .execute(&self.pool)
        .await?;
        match sub {
            Some(sub) => Ok(self
                .identity_of_sub(sub)
                .await?
                .unwrap_or_else(|| id.to_string())),
            None => Ok(id.to_string()),
        }
    }

    /// Links a guest identity to a user (only while it is still a guest).
    pub(crate) async fn link_identity(&self, id: &str, sub: &str) -> Result<bool, sqlx::Error> {
        let r = sqlx::query(
            "UPDATE auth_identities SET sub = ? WHERE pool_id = ? AND identity_id = ? AND sub IS NULL",
        )
        .bind(sub)
        .bind(&self.pool_id)
        .bind(id)
        .execute(&self.pool)
        .await;
        match r {
            Ok(r) => Ok(r.rows_affected() == 1),
            // The user already has another identity.
            Err(sqlx::Error::Database(d)) if d.is_unique_violation() => Ok(false),
            Err(e) => Err(e),
        }
    }

    pub(crate) async fn touch_identity(&self, id: &str, now: i64) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE auth_identities SET last_used_at = ? WHERE identity_id = ?")
            .bind(now)
            .bind(id)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub(crate) async fn insert_credential(
        &self,
        c: &NewCredential<'_>,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        let groups = serde_json::to_string(c.groups).unwrap_or_else(|_| "[]".into());
        sqlx::query(
            "INSERT INTO auth_credentials (access_key_id, pool_id, kind, identity_id, sub, groups, \
             role_group, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(c.access_key_id)
        .bind(&self.pool_id)
        .bind(c.kind.as_str())
        .bind(c.identity_id)
        .bind(c.sub)
        .bind(groups)
        .bind(c.role_group)
        .bind(now)
        .bind(c.expires_at)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A credential (expired ones included, so that they are refused as expired); for a
    /// user's credentials only while the user still exists and is enabled.
    pub(crate) async fn credential(
        &self,
        access_key_id: &str,
    ) -> Result<Option<Principal>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT c.access_key_id, c.kind, c.identity_id, c.sub, c.groups, c.role_group, \
             c.expires_at FROM auth_credentials c \
             LEFT JOIN auth_users u ON u.sub = c.sub \
             WHERE c.pool_id = ? AND c.access_key_id = ? \
             AND (c.sub IS NULL OR (u.sub IS NOT NULL AND u.enabled = 1))",
        )
        .bind(&self.pool_id)
        .bind(access_key_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(r) = row else {
            return Ok(None);
        };
        let kind: String = r.try_get("kind")?;
        let groups: String = r.try_get("groups")?;
        Ok(Some(Principal {
            access_key_id: r.try_get("access_key_id")?,
            kind: PrincipalKind::parse(&kind).ok_or_else(|| sqlx::Error::ColumnDecode {
                index: "kind".into(),
                source: format!("unknown credential kind {kind:?}").into(),
            })?,
            identity_id: r.try_get("identity_id")?,
            sub: r.try_get("sub")?,
            groups: serde_json::from_str(&groups).unwrap_or_default(),
            role_group: r.try_get("role_group")?,
            expires_at: r.try_get("expires_at")?,
        }))
    }

    /// The admin key id, if one was made.
    pub(crate) async fn admin_key(&self) -> Result<Option<(String, i64)>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT access_key_id, created_at FROM auth_credentials \
             WHERE pool_id = ? AND kind = 'admin' ORDER BY created_at, access_key_id LIMIT 1",
        )
        .bind(&self.pool_id)
        .fetch_optional(&self.pool)
        .await?;
        row.map(|r| Ok((r.try_get("access_key_id")?, r.try_get("created_at")?)))
            .transpose()
    }

    /// Deletes credentials that expired more than a day ago.
    pub(crate) async fn purge_credentials(&self, now: i64) -> Result<(), sqlx::Error> {
        sqlx::query(
            "DELETE FROM auth_credentials WHERE expires_at IS NOT NULL AND expires_at <= ?",
        )
        .bind(now - 24 * 3600)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}
