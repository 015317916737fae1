//! Tracked devices of the pool's users.

use sqlx::Row;
use sqlx::sqlite::SqliteRow;

use super::Db;

/// One tracked device.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRow {
    pub device_key: String,
    pub sub: String,
    pub group_key: String,
    pub salt_hex: Option<String>,
    pub verifier_hex: Option<String>,
    pub name: Option<String>,
    pub remembered: bool,
    pub created_at: i64,
    pub modified_at: i64,
    pub last_auth_at: i64,
}

/// What ConfirmDevice stores.
#[derive(Debug, Clone, Copy)]
pub struct DeviceSecret<'a> {
    pub salt_hex: &'a str,
    pub verifier_hex: &'a str,
    pub name: Option<&'a str>,
    pub remembered: bool,
}

impl DeviceRow {
    /// ConfirmDevice has given the device's verifier.
    pub fn confirmed(&self) -> bool {
        self.salt_hex.is_some() && self.verifier_hex.is_some()
    }

    fn from_row(r: &SqliteRow) -> Result<Self, sqlx::Error> {
        Ok(Self {
            device_key: r.try_get("device_key")?,
            sub: r.try_get("sub")?,
            group_key: r.try_get("group_key")?,
            salt_hex: r.try_get("salt_hex")?,
            verifier_hex: r.try_get("verifier_hex")?,
            name: r.try_get("name")?,
            remembered: r.try_get::<i64, _>("remembered")? != 0,
            created_at: r.try_get("created_at")?,
            modified_at: r.try_get("modified_at")?,
            last_auth_at: r.try_get("last_auth_at")?,
        })
    }
}

impl Db {
    pub async fn insert_device(
        &self,
        device_key: &str,
        sub: &str,
        group_key: &str,
        now: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO auth_devices (device_key, pool_id, sub, group_key, created_at, \
             modified_at, last_auth_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        )
        .bind(device_key)
        .bind(&self.pool_id)
        .bind(sub)
        .bind(group_key)
        .bind(now)
        .bind(now)
        .bind(now)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// A device of `sub` (`None` when unknown or someone else's).
    pub async fn device(
        &self,
        sub: &str,
        device_key: &str,
    ) -> Result<Option<DeviceRow>, sqlx::Error> {
        let row = sqlx::query(
            "SELECT device_key, sub, group_key, salt_hex, verifier_hex, name, remembered, \
             created_at, modified_at, last_auth_at FROM auth_devices \
             WHERE device_key = ? AND pool_id = ? AND sub = ?",
        )
        .bind(device_key)
        .bind(&self.pool_id)
        .bind(sub)
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(DeviceRow::from_row).transpose()
    }

    /// Stores the verifier of an unconfirmed device; false when the device is unknown or
    /// already confirmed.
    pub async fn confirm_device(
        &self,
        sub: &str,
        device_key: &str,
        secret: &DeviceSecret<'_>,
        now: i64,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE auth_devices SET salt_hex = ?, verifier_hex = ?, name = ?, remembered = ?, \
             modified_at = ? WHERE device_key = ? AND pool_id = ? AND sub = ? \
             AND verifier_hex IS NULL",
        )
        .bind(secret.salt_hex)
        .bind(secret.verifier_hex)
        .bind(secret.name)
        .bind(i64::from(secret.remembered))
        .bind(now)
        .bind(device_key)
        .bind(&self.pool_id)
        .bind(sub)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn set_device_remembered(
        &self,
        sub: &str,
        device_key: &str,
        remembered: bool,
        now: i64,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE auth_devices SET remembered = ?, modified_at = ? \
             WHERE device_key = ? AND pool_id = ? AND sub = ? AND verifier_hex IS NOT NULL",
        )
        .bind(i64::from(remembered))
        .bind(now)
        .bind(device_key)
        .bind(&self.pool_id)
        .bind(sub)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    pub async fn touch_device(&self, device_key: &str, now: i64) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE auth_devices SET last_auth_at = ? WHERE device_key = ? AND pool_id = ?",
        )
        .bind(now)
        .bind(device_key)
        .bind(&self.pool_id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub async fn delete_device(&self, sub: &str, device_key: &str) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "DELETE FROM auth_devices WHERE device_key = ? AND pool_id = ? AND sub = ?",
        )
        .bind(device_key)
        .bind(&self.pool_id)
        .bind(sub)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Deletes every device of a user (DeleteUser, AdminDeleteUser).
    pub async fn delete_devices_of(&self, sub: &str) -> Result<(), sqlx::Error> {
        sqlx::query("DELETE FROM auth_devices WHERE pool_id = ? AND sub = ?")
            .bind(&self.pool_id)
            .bind(sub)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Confirmed devices of a user, oldest first, from `offset`.
    pub async fn list_devices(
        &self,
        sub: &str,
        offset: i64,
        limit: i64,
    ) -> Result<Vec<DeviceRow>, sqlx::Error> {
        let rows = sqlx::query(
            "SELECT device_key, sub, group_key, salt_hex, verifier_hex, name, remembered, \
             created_at, modified_at, last_auth_at FROM auth_devices WHERE pool_id = ? \
             AND sub = ? AND verifier_hex IS NOT NULL ORDER BY created_at, device_key \
             LIMIT ? OFFSET ?",
        )
        .bind(&self.pool_id)
        .bind(sub)
        .bind(limit)
        .bind(offset)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(DeviceRow::from_row).collect()
    }
}
