//! Queries only the admin actions need: user listings with dates, group listings, group
//! membership removal.

use sqlx::Row;

use crate::db::Db;

/// A user as the admin listings show it.
#[derive(Debug, Clone)]
pub(crate) struct ListedUser {
    pub sub: String,
    pub username: String,
    pub status: String,
    pub enabled: bool,
    pub created_at: i64,
    pub updated_at: i64,
    pub mfa_sms: bool,
    pub mfa_totp: bool,
    pub mfa_email: bool,
    pub mfa_preferred: Option<String>,
    pub attributes: Vec<(String, String)>,
}

/// A group row.
#[derive(Debug, Clone)]
pub(crate) struct GroupRow {
    pub name: String,
    pub precedence: Option<i64>,
    pub description: Option<String>,
    pub created_at: i64,
}

const COLUMNS: &str = "u.sub, u.username, u.status, u.enabled, u.created_at, u.updated_at, \
     u.mfa_sms, u.mfa_totp, u.mfa_email, u.mfa_preferred";

impl Db {
    async fn listed(
        &self,
        rows: Vec<sqlx::sqlite::SqliteRow>,
    ) -> Result<Vec<ListedUser>, sqlx::Error> {
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            let sub: String = r.try_get("sub")?;
            let attributes = self.attributes(&sub).await?;
            out.push(ListedUser {
                username: r.try_get("username")?,
                status: r.try_get("status")?,
                enabled: r.try_get("enabled")?,
                created_at: r.try_get("created_at")?,
                updated_at: r.try_get("updated_at")?,
                mfa_sms: r.try_get("mfa_sms")?,
                mfa_totp: r.try_get("mfa_totp")?,
                mfa_email: r.try_get("mfa_email")?,
                mfa_preferred: r.try_get("mfa_preferred")?,
                attributes,
                sub,
            });
        }
        Ok(out)
    }

    /// One user with dates and attributes.
    pub(crate) async fn listed_user(&self, sub: &str) -> Result<Option<ListedUser>, sqlx::Error> {
        let sql = format!("SELECT {COLUMNS} FROM auth_users u WHERE u.pool_id = ? AND u.sub = ?");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&self.pool_id)
            .bind(sub)
            .fetch_all(&self.pool)
            .await?;
        Ok(self.listed(rows).await?.into_iter().next())
    }

    /// Every user of the pool, by user name.
    pub(crate) async fn all_users(&self) -> Result<Vec<ListedUser>, sqlx::Error> {
        let sql =
            format!("SELECT {COLUMNS} FROM auth_users u WHERE u.pool_id = ? ORDER BY u.username");
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&self.pool_id)
            .fetch_all(&self.pool)
            .await?;
        self.listed(rows).await
    }

    /// The members of a group, by user name.
    pub(crate) async fn users_in_group(&self, group: &str) -> Result<Vec<ListedUser>, sqlx::Error> {
        let sql = format!(
            "SELECT {COLUMNS} FROM auth_users u JOIN auth_user_groups g ON g.sub = u.sub \
             WHERE u.pool_id = ? AND g.group_name = ? ORDER BY u.username"
        );
        let rows = sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&self.pool_id)
            .bind(group)
            .fetch_all(&self.pool)
            .await?;
        self.listed(rows).await
    }

    fn group_from(r: &sqlx::sqlite::SqliteRow) -> Result<GroupRow, sqlx::Error> {
        Ok(GroupRow {
            name: r.try_get("name")?,
            precedence: r.try_get("precedence")?,
            description: r.try_get("description")?,
            created_at: r.try_get("created_at")?,
        })
    }

    /// Every group of the pool, by name.
    pub(crate) async fn groups(&self) -> Result<Vec<GroupRow>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT name, precedence, description, created_at FROM auth_groups \
             WHERE pool_id = ? ORDER BY name",
        )
        .bind(&self.pool_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(Self::group_from).collect()
    }

    /// The groups of a user, best precedence first.
    pub(crate) async fn groups_of(&self, sub: &str) -> Result<Vec<GroupRow>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT g.name, g.precedence, g.description, g.created_at FROM auth_user_groups ug \
             JOIN auth_groups g ON g.pool_id = ug.pool_id AND g.name = ug.group_name \
             WHERE ug.sub = ? ORDER BY g.precedence IS NULL, g.precedence, g.name",
        )
        .bind(sub)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(Self::group_from).collect()
    }

    pub(crate) async fn remove_user_from_group(
        &self,
        sub: &str,
        group: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM auth_user_groups WHERE sub = ? AND group_name = ?")
            .bind(sub)
            .bind(group)
            .execute(&self.pool)
            .await?;
        Ok(())
    }
}
