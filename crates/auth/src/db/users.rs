//! Users, their attributes, groups, MFA settings and lockout counters.

use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::Db;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserStatus {
    Unconfirmed,
    Confirmed,
    ForceChangePassword,
    ResetRequired,
}

impl UserStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Unconfirmed => "UNCONFIRMED",
            Self::Confirmed => "CONFIRMED",
            Self::ForceChangePassword => "FORCE_CHANGE_PASSWORD",
            Self::ResetRequired => "RESET_REQUIRED",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "UNCONFIRMED" => Self::Unconfirmed,
            "CONFIRMED" => Self::Confirmed,
            "FORCE_CHANGE_PASSWORD" => Self::ForceChangePassword,
            "RESET_REQUIRED" => Self::ResetRequired,
            _ => return None,
        })
    }
}

/// Which second factors a user has turned on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MfaFlags {
    pub sms: bool,
    pub totp: bool,
    pub email: bool,
}

#[derive(Debug, Clone)]
pub struct UserRow {
    pub sub: String,
    pub username: String,
    pub status: UserStatus,
    pub enabled: bool,
    pub srp_salt: Option<String>,
    pub srp_verifier: Option<String>,
    pub password_hash: Option<String>,
    pub mfa: MfaFlags,
    /// `SMS_MFA`, `SOFTWARE_TOKEN_MFA` or `EMAIL_OTP`.
    pub mfa_preferred: Option<String>,
    pub totp_secret: Option<String>,
    pub totp_pending_secret: Option<String>,
    pub locked_until: i64,
}

const USER_COLUMNS: &str = "sub, username, status, enabled, srp_salt, srp_verifier, password_hash, \
     mfa_sms, mfa_totp, mfa_email, mfa_preferred, totp_secret, totp_pending_secret, locked_until";

fn user_from_row(r: &SqliteRow) -> Result<UserRow, sqlx::Error> {
    let status: String = r.try_get("status")?;
    Ok(UserRow {
        sub: r.try_get("sub")?,
        username: r.try_get("username")?,
        status: UserStatus::parse(&status).ok_or_else(|| sqlx::Error::ColumnDecode {
            index: "status".into(),
            source: format!("unknown user status {status:?}").into(),
        })?,
        enabled: r.try_get("enabled")?,
        srp_salt: r.try_get("srp_salt")?,
        srp_verifier: r.try_get("srp_verifier")?,
        password_hash: r.try_get("password_hash")?,
        mfa: MfaFlags {
            sms: r.try_get("mfa_sms")?,
            totp: r.try_get("mfa_totp")?,
            email: r.try_get("mfa_email")?,
        },
        mfa_preferred: r.try_get("mfa_preferred")?,
        totp_secret: r.try_get("totp_secret")?,
        totp_pending_secret: r.try_get("totp_pending_secret")?,
        locked_until: r.try_get("locked_until")?,
    })
}

/// Stamps the user's `updated_at` inside a transaction that changed their attributes.
async fn touch_user(
    tx: &mut sqlx::Transaction<'_, sqlx::Sqlite>,
    sub: &str,
    now: i64,
) -> Result<(), sqlx::Error> {
    sqlx::query("UPDATE auth_users SET updated_at = ? WHERE sub = ?")
        .bind(now)
        .bind(sub)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// What SignUp (and later AdminCreateUser) inserts.
#[derive(Debug, Clone)]
pub struct NewUser {
    pub sub: String,
    pub username: String,
    pub email_key: Option<String>,
    pub phone_key: Option<String>,
    pub status: UserStatus,
    pub srp_salt: Option<String>,
    pub srp_verifier: Option<String>,
    pub password_hash: Option<String>,
    /// Attributes other than `sub`, in the order given.
    pub attributes: Vec<(String, String)>,
}

/// Why an insert was refused.
#[derive(Debug)]
pub enum InsertUserError {
    /// The user name, email or phone identifier is taken.
    Taken,
    Db(sqlx::Error),
}

impl From<sqlx::Error> for InsertUserError {
    fn from(e: sqlx::Error) -> Self {
        match &e {
            sqlx::Error::Database(d) if d.is_unique_violation() => Self::Taken,
            _ => Self::Db(e),
        }
    }
}

impl Db {
    pub async fn insert_user(&self, u: &NewUser, now: i64) -> Result<(), InsertUserError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query(
            "INSERT INTO auth_users (sub, pool_id, username, email_key, phone_key, status, \
             srp_salt, srp_verifier, password_hash, created_at, updated_at) \
             VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(&u.sub)
        .bind(&self.pool_id)
        .bind(&u.username)
        .bind(&u.email_key)
        .bind(&u.phone_key)
        .bind(u.status.as_str())
        .bind(&u.srp_salt)
        .bind(&u.srp_verifier)
        .bind(&u.password_hash)
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        for (name, value) in &u.attributes {
            sqlx::query("INSERT INTO auth_user_attributes (sub, name, value) VALUES (?, ?, ?)")
                .bind(&u.sub)
                .bind(name)
                .bind(value)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn user_by_sub(&self, sub: &str) -> Result<Option<UserRow>, sqlx::Error> {
        let sql = format!("SELECT {USER_COLUMNS} FROM auth_users WHERE pool_id = ? AND sub = ?");
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&self.pool_id)
            .bind(sub)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| user_from_row(&r))
            .transpose()
    }

    /// The user a sign-in identifier names: the user name (case-insensitive), or the email /
    /// phone number when those are sign-in identifiers.
    pub async fn user_by_login(&self, login: &str) -> Result<Option<UserRow>, sqlx::Error> {
        let key = login.trim().to_lowercase();
        let sql = format!(
            "SELECT {USER_COLUMNS} FROM auth_users WHERE pool_id = ? \
             AND (username = ? OR email_key = ? OR phone_key = ?) \
             ORDER BY CASE WHEN username = ? THEN 0 ELSE 1 END LIMIT 1"
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&self.pool_id)
            .bind(&key)
            .bind(&key)
            .bind(&key)
            .bind(&key)
            .fetch_optional(&self.pool)
            .await?
            .map(|r| user_from_row(&r))
            .transpose()
    }

    /// Whether another user holds this email / phone identifier.
    pub async fn identifier_taken(
        &self,
        column: IdentifierColumn,
        key: &str,
        except_sub: &str,
    ) -> Result<bool, sqlx::Error> {
        let sql = format!(
            "SELECT 1 FROM auth_users WHERE pool_id = ? AND {} = ? AND sub <> ?",
            column.as_str()
        );
        Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(&self.pool_id)
            .bind(key)
            .bind(except_sub)
            .fetch_optional(&self.pool)
            .await?
            .is_some())
    }

    pub async fn set_identifier(
        &self,
        sub: &str,
        column: IdentifierColumn,
        key: Option<&str>,
        now: i64,
    ) -> Result<(), InsertUserError> {
        let sql = format!(
            "UPDATE auth_users SET {} = ?, updated_at = ? WHERE sub = ?",
            column.as_str()
        );
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(key)
            .bind(now)
            .bind(sub)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn delete_user(&self, sub: &str) -> Result<bool, sqlx::Error> {
        let deleted = sqlx::query("DELETE FROM auth_users WHERE pool_id = ? AND sub = ?")
            .bind(&self.pool_id)
            .bind(sub)
            .execute(&self.pool)
            .await?
            .rows_affected()
            == 1;
        self.delete_devices_of(sub).await?;
        Ok(deleted)
    }

    pub async fn set_enabled(&self, sub: &str, enabled: bool, now: i64) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE auth_users SET enabled = ?, updated_at = ? WHERE sub = ?")
            .bind(enabled)
            .bind(now)
            .bind(sub)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn set_status(
        &self,
        sub: &str,
        status: UserStatus,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE auth_users SET status = ?, updated_at = ? WHERE sub = ?")
            .bind(status.as_str())
            .bind(now)
            .bind(sub)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Replaces the password material and clears the failure counters.
    pub async fn set_password(
        &self,
        sub: &str,
        salt: &str,
        verifier: &str,
        hash: &str,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE auth_users SET srp_salt = ?, srp_verifier = ?, password_hash = ?, \
             failed_attempts = 0, locked_until = 0, updated_at = ? WHERE sub = ?",
        )
        .bind(salt)
        .bind(verifier)
        .bind(hash)
        .bind(now)
        .bind(sub)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    // ---- attributes --------------------------------------------------------------------

    /// Attributes (without `sub`) in the order they were first set.
    pub async fn attributes(&self, sub: &str) -> Result<Vec<(String, String)>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT name, value FROM auth_user_attributes WHERE sub = ? ORDER BY rowid",
        )
        .bind(sub)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((r.try_get("name")?, r.try_get("value")?)))
            .collect()
    }

    pub async fn set_attributes(
        &self,
        sub: &str,
        attrs: &[(String, String)],
        now: i64,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        for (name, value) in attrs {
            sqlx::query(
                "INSERT INTO auth_user_attributes (sub, name, value) VALUES (?, ?, ?) \
                 ON CONFLICT (sub, name) DO UPDATE SET value = excluded.value",
            )
            .bind(sub)
            .bind(name)
            .bind(value)
            .execute(&mut *tx)
            .await?;
        }
        touch_user(&mut tx, sub, now).await?;
        tx.commit().await
    }

    pub async fn delete_attributes(
        &self,
        sub: &str,
        names: &[String],
        now: i64,
    ) -> Result<(), sqlx::Error> {
        let mut tx = self.pool.begin().await?;
        for name in names {
            for table in ["auth_user_attributes", "auth_pending_attributes"] {
                let sql = format!("DELETE FROM {table} WHERE sub = ? AND name = ?");
                sqlx::query(sqlx::AssertSqlSafe(sql))
                    .bind(sub)
                    .bind(name)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        touch_user(&mut tx, sub, now).await?;
        tx.commit().await
    }

    pub async fn pending_attribute(
        &self,
        sub: &str,
        name: &str,
    ) -> Result<Option<String>, sqlx::Error> {
        sqlx::query_scalar("SELECT value FROM auth_pending_attributes WHERE sub = ? AND name = ?")
            .bind(sub)
            .bind(name)
            .fetch_optional(&self.pool)
            .await
    }

    pub async fn set_pending_attribute(
        &self,
        sub: &str,
        name: &str,
        value: Option<&str>,
    ) -> Result<(), sqlx::Error> {
        match value {
            Some(v) => {
                sqlx::query(
                    "INSERT INTO auth_pending_attributes (sub, name, value) VALUES (?, ?, ?) \
                     ON CONFLICT (sub, name) DO UPDATE SET value = excluded.value",
                )
                .bind(sub)
                .bind(name)
                .bind(v)
                .execute(&self.pool)
                .await?
            }
            None => {
                sqlx::query("DELETE FROM auth_pending_attributes WHERE sub = ? AND name = ?")
                    .bind(sub)
                    .bind(name)
                    .execute(&self.pool)
                    .await?
            }
        };
        Ok(())
    }

    // ---- groups ------------------------------------------------------------------------

    /// Creates the pool's groups from the definition (existing ones get the new precedence).
    pub async fn ensure_groups(
        &self,
        groups: &[(String, u32)],
        now: i64,
    ) -> Result<(), sqlx::Error> {
        for (name, precedence) in groups {
            sqlx::query(
                "INSERT INTO auth_groups (pool_id, name, precedence, created_at) VALUES (?, ?, ?, ?) \
                 ON CONFLICT (pool_id, name) DO UPDATE SET precedence = excluded.precedence",
            )
            .bind(&self.pool_id)
            .bind(name)
            .bind(i64::from(*precedence))
            .bind(now)
            .execute(&self.pool)
            .await?;
        }
        Ok(())
    }

    /// The user's group names, best precedence (lowest number) first.
    pub async fn user_groups(&self, sub: &str) -> Result<Vec<String>, sqlx::Error> {
        sqlx::query_scalar(
            "SELECT ug.group_name FROM auth_user_groups ug \
             LEFT JOIN auth_groups g ON g.pool_id = ug.pool_id AND g.name = ug.group_name \
             WHERE ug.sub = ? ORDER BY g.precedence IS NULL, g.precedence, ug.group_name",
        )
        .bind(sub)
        .fetch_all(&self.pool)
        .await
    }

    pub async fn group_exists(&self, group: &str) -> Result<bool, sqlx::Error> {
        Ok(
            sqlx::query("SELECT 1 FROM auth_groups WHERE pool_id = ? AND name = ?")
                .bind(&self.pool_id)
                .bind(group)
                .fetch_optional(&self.pool)
                .await?
                .is_some(),
        )
    }

    pub async fn add_user_to_group(&self, sub: &str, group: &str) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT OR IGNORE INTO auth_user_groups (sub, pool_id, group_name) VALUES (?, ?, ?)",
        )
        .bind(sub)
        .bind(&self.pool_id)
        .bind(group)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    // ---- MFA ---------------------------------------------------------------------------

    pub async fn set_mfa(
        &self,
        sub: &str,
        flags: MfaFlags,
        preferred: Option<&str>,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE auth_users SET mfa_sms = ?, mfa_totp = ?, mfa_email = ?, mfa_preferred = ?, \
             updated_at = ? WHERE sub = ?",
        )
        .bind(flags.sms)
        .bind(flags.totp)
        .bind(flags.email)
        .bind(preferred)
        .bind(now)
        .bind(sub)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn set_totp_pending(&self, sub: &str, secret: &str) -> Result<(), sqlx::Error> {
        sqlx::query("UPDATE auth_users SET totp_pending_secret = ? WHERE sub = ?")
            .bind(secret)
            .bind(sub)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Makes the pending secret the active one (after a verified code at `step`).
    pub async fn activate_totp(
        &self,
        sub: &str,
        secret: &str,
        step: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE auth_users SET totp_secret = ?, totp_pending_secret = NULL, totp_last_step = ? \
             WHERE sub = ?",
        )
        .bind(secret)
        .bind(step)
        .bind(sub)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Records that the TOTP code of `step` was used; false if it (or a later one) already was,
    /// so a code is accepted once (RFC 6238 §5.2).
    pub async fn use_totp_step(&self, sub: &str, step: i64) -> Result<bool, sqlx::Error> {
        Ok(sqlx::query(
            "UPDATE auth_users SET totp_last_step = ? WHERE sub = ? \
             AND (totp_last_step IS NULL OR totp_last_step < ?)",
        )
        .bind(step)
        .bind(sub)
        .bind(step)
        .execute(&self.pool)
        .await?
        .rows_affected()
            == 1)
    }

    // ---- lockout -----------------------------------------------------------------------

    /// Starts a password attempt: counts it as a failure up front (atomically, so parallel
    /// guesses cannot slip past the counter) and returns `false` without counting when the user
    /// is locked. A successful check then calls [`Db::reset_failures`].
    ///
    /// Cognito's policy: after 5 consecutive failures the user is locked for 1 s, doubling
    /// with each further failure up to ~15 minutes; the count starts over after 15 quiet
    /// minutes (see [`lockout_until`], which this SQL mirrors).
    pub async fn begin_attempt(&self, sub: &str, now: i64) -> Result<bool, sqlx::Error> {
        let count = "(CASE WHEN ?1 - last_failed_at > ?2 THEN 1 ELSE failed_attempts + 1 END)";
        let sql = format!(
            "UPDATE auth_users SET failed_attempts = {count}, last_failed_at = ?1, \
             locked_until = CASE WHEN {count} >= ?3 \
                 THEN ?1 + min(?2, 1 << min(20, {count} - ?3)) ELSE 0 END \
             WHERE sub = ?4 AND locked_until <= ?1"
        );
        Ok(sqlx::query(sqlx::AssertSqlSafe(sql))
            .bind(now)
            .bind(LOCKOUT_MAX_SECS)
            .bind(LOCKOUT_THRESHOLD)
            .bind(sub)
            .execute(&self.pool)
            .await?
            .rows_affected()
            == 1)
    }

    pub async fn reset_failures(&self, sub: &str) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE auth_users SET failed_attempts = 0, locked_until = 0 WHERE sub = ? \
             AND (failed_attempts <> 0 OR locked_until <> 0)",
        )
        .bind(sub)
        .execute(&self.pool)
        .await?;
        Ok(())
    }
}

/// Longest lockout (and the quiet period after which failures are forgotten).
pub const LOCKOUT_MAX_SECS: i64 = 15 * 60;
/// Failures allowed before the first lockout.
pub const LOCKOUT_THRESHOLD: i64 = 5;

/// When a user with `count` consecutive failures (the latest at `now`) may try again (the rule
/// [`Db::begin_attempt`] applies in SQL; kept here as its specification).
#[cfg(test)]
pub fn lockout_until(count: i64, now: i64) -> i64 {
    if count < LOCKOUT_THRESHOLD {
        return 0;
    }
    let exp = u32::try_from(count - LOCKOUT_THRESHOLD)
        .unwrap_or(u32::MAX)
        .min(20);
    now + (1i64 << exp).min(LOCKOUT_MAX_SECS)
}

/// Columns holding sign-in identifiers.
#[derive(Debug, Clone, Copy)]
pub enum IdentifierColumn {
    Email,
    Phone,
}

impl IdentifierColumn {
    fn as_str(self) -> &'static str {
        match self {
            Self::Email => "email_key",
            Self::Phone => "phone_key",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    async fn db_with_user() -> Db {
        let pool = sqlx::sqlite::SqlitePoolOptions::new()
            .max_connections(1)
            .connect("sqlite::memory:")
            .await
            .unwrap();
        crate::db::migrate(&pool).await.unwrap();
        let db = Db::new(pool, "us-east-1_x".into());
        let user = NewUser {
            sub: "s".into(),
            username: "u".into(),
            email_key: None,
            phone_key: None,
            status: UserStatus::Confirmed,
            srp_salt: None,
            srp_verifier: None,
            password_hash: None,
            attributes: vec![],
        };
        db.insert_user(&user, 0)
            .await
            .map_err(|_| "insert")
            .unwrap();
        db
    }

    async fn locked_until(db: &Db) -> i64 {
        sqlx::query_scalar("SELECT locked_until FROM auth_users WHERE sub = 's'")
            .fetch_one(&db.pool)
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn sql_lockout_follows_the_rule() {
        let db = db_with_user().await;
        let mut now = 1_000;
        for n in 1..=14 {
            assert!(db.begin_attempt("s", now).await.unwrap(), "attempt {n}");
            let until = locked_until(&db).await;
            assert_eq!(until, lockout_until(n, now), "after {n} failures");
            if until > now {
                // Locked: attempts are refused and not counted.
                assert!(!db.begin_attempt("s", until - 1).await.unwrap());
                now = until;
            }
        }
        // 15 quiet minutes later the count starts over.
        now += LOCKOUT_MAX_SECS + 1;
        assert!(db.begin_attempt("s", now).await.unwrap());
        assert_eq!(locked_until(&db).await, 0);
        db.reset_failures("s").await.unwrap();
        for _ in 0..4 {
            assert!(db.begin_attempt("s", now).await.unwrap());
        }
        assert_eq!(locked_until(&db).await, 0);
    }

    #[test]
    fn lockout_doubles_up_to_fifteen_minutes() {
        assert_eq!(lockout_until(4, 100), 0);
        assert_eq!(lockout_until(5, 100), 101);
        assert_eq!(lockout_until(6, 100), 102);
        assert_eq!(lockout_until(7, 100), 104);
        assert_eq!(lockout_until(14, 100), 100 + 512);
        assert_eq!(lockout_until(15, 100), 100 + 900);
        assert_eq!(lockout_until(1000, 100), 100 + 900);
    }
}
