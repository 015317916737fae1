//! Embedded persistence for one Stratus instance: a SQLite database under the state directory
//! (`<state>/stratus.db`), opened with the settings PocketBase and TrailBase use (WAL,
//! `synchronous=NORMAL`, a 10 s busy timeout; WAL checkpoints from a background task rather
//! than inside commits) and migrated on open.
//!
//! It holds the instance's identity, the data API key and, in [`documents`], the items of the
//! data models; other services add their tables as further migrations.

pub mod documents;
mod migrations;

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};

/// File name of the database inside the state directory.
pub const DB_FILE: &str = "stratus.db";

/// How long a writer waits for the lock before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// How often the background task checkpoints the WAL. SQLite's automatic checkpoint (every
/// 1,000 pages) runs inside the commit that crosses the threshold, so one request in a
/// thousand pages waited for a checkpoint and its fsyncs; the store turns it off and
/// checkpoints from its own task instead (`PASSIVE`: it never takes the writer's lock). Often:
/// the writer's WAL appends still wait on the file system while a checkpoint fsyncs, for a time
/// that grows with what the checkpoint writes, so small checkpoints make short stalls (measured
/// in BENCHMARKS.md, "Data": at half the peak create rate, p99 6.3 ms at 500 ms, 5.6 ms here).
const CHECKPOINT_EVERY: Duration = Duration::from_millis(100);

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("cannot create state directory {path}: {source}")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot open database {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: sqlx::Error,
    },
    #[error("cannot migrate database {path}: {source}")]
    Migrate {
        path: PathBuf,
        #[source]
        source: sqlx::migrate::MigrateError,
    },
    #[error("database error: {0}")]
    Query(#[from] sqlx::Error),
    #[error("the system clock is before 1970")]
    Clock,
}

/// The identity of this instance, created once with the database.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct InstanceMeta {
    /// A random UUID minted when the state directory was first opened.
    pub instance_id: String,
    /// Unix seconds.
    pub created_at: i64,
}

/// The API key the data API accepts (AppSync format `da2-` + 26 lowercase alphanumerics).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ApiKey {
    pub key: String,
    /// Unix seconds.
    pub created_at: i64,
    /// Unix seconds.
    pub expires_at: i64,
}

impl ApiKey {
    pub fn is_expired_at(&self, now_unix: i64) -> bool {
        now_unix >= self.expires_at
    }
}

/// An open state database. Cheap to clone (the pool is shared).
#[derive(Debug, Clone)]
pub struct Store {
    pool: SqlitePool,
    path: PathBuf,
}

impl Store {
    /// Open (creating if needed) `<state_dir>/stratus.db`, apply migrations and make sure the
    /// instance identity exists.
    pub async fn open(state_dir: &Path) -> Result<Store, StoreError> {
        std::fs::create_dir_all(state_dir).map_err(|source| StoreError::CreateDir {
            path: state_dir.to_path_buf(),
            source,
        })?;
        let path = state_dir.join(DB_FILE);
        let options = SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Normal)
            .busy_timeout(BUSY_TIMEOUT)
            .foreign_keys(true)
            .pragma("wal_autocheckpoint", "0");
        let pool = SqlitePoolOptions::new()
            .max_connections(4)
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Open {
                path: path.clone(),
                source,
            })?;
        migrations::migrator()
            .run(&pool)
            .await
            .map_err(|source| StoreError::Migrate {
                path: path.clone(),
                source,
            })?;
        let store = Store { pool, path };
        store.init_meta().await?;
        store.spawn_checkpointer();
        Ok(store)
    }

    /// Checkpoints the WAL every [`CHECKPOINT_EVERY`] off the request path, until the pool is
    /// closed (or the runtime that opened the store stops).
    fn spawn_checkpointer(&self) {
        let pool = self.pool.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(CHECKPOINT_EVERY);
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            loop {
                tick.tick().await;
                if pool.is_closed() {
                    return;
                }
                if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
                    .execute(&pool)
                    .await
                {
                    if pool.is_closed() {
                        return;
                    }
                    tracing::warn!(error = %e, "WAL checkpoint failed");
                }
            }
        });
    }

    /// A connection of its own to the database, with the pool's settings, for a thread that
    /// calls SQLite itself (the document store's writer) instead of sending each statement to
    /// a pool connection's worker thread.
    pub(crate) fn open_direct(&self) -> rusqlite::Result<rusqlite::Connection> {
        let conn = rusqlite::Connection::open_with_flags(
            &self.path,
            rusqlite::OpenFlags::SQLITE_OPEN_READ_WRITE | rusqlite::OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )?;
        // The journal mode belongs to the file (WAL since `open`); the rest is per connection,
        // as `open` sets it on the pool's.
        conn.busy_timeout(BUSY_TIMEOUT)?;
        conn.pragma_update(None, "synchronous", "NORMAL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.pragma_update(None, "wal_autocheckpoint", 0)?;
        Ok(conn)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The connection pool, for the services that add their own tables.
    pub fn pool(&self) -> &SqlitePool {
        &self.pool
    }

    async fn init_meta(&self) -> Result<(), StoreError> {
        sqlx::query("INSERT OR IGNORE INTO meta (id, instance_id, created_at) VALUES (1, ?, ?)")
            .bind(uuid::Uuid::new_v4().to_string())
            .bind(now_unix()?)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The instance identity.
    pub async fn meta(&self) -> Result<InstanceMeta, StoreError> {
        let (instance_id, created_at): (String, i64) =
            sqlx::query_as("SELECT instance_id, created_at FROM meta WHERE id = 1")
                .fetch_one(&self.pool)
                .await?;
        Ok(InstanceMeta {
            instance_id,
            created_at,
        })
    }

    /// The stored API key, whether or not it has expired.
    pub async fn api_key(&self) -> Result<Option<ApiKey>, StoreError> {
        let row: (Option<String>, Option<i64>, Option<i64>) = sqlx::query_as(
            "SELECT api_key, api_key_created_at, api_key_expires_at FROM meta WHERE id = 1",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(match row {
            (Some(key), Some(created_at), Some(expires_at)) => Some(ApiKey {
                key,
                created_at,
                expires_at,
            }),
            _ => None,
        })
    }

    /// The API key: the stored one while it is valid, otherwise a newly minted one valid for
    /// `ttl` (which replaces it). The key is minted once and kept across restarts.
    pub async fn ensure_api_key(&self, ttl: Duration) -> Result<ApiKey, StoreError> {
        let now = now_unix()?;
        if let Some(key) = self.api_key().await?
            && !key.is_expired_at(now)
        {
            return Ok(key);
        }
        let ttl_secs = i64::try_from(ttl.as_secs()).unwrap_or(i64::MAX);
        let minted = ApiKey {
            key: mint_api_key(),
            created_at: now,
            expires_at: now.saturating_add(ttl_secs),
        };
        // Only replace a key that is (still) expired or missing, so two processes racing here
        // agree on one key.
        let replaced = sqlx::query(
            "UPDATE meta SET api_key = ?, api_key_created_at = ?, api_key_expires_at = ? \
             WHERE id = 1 AND (api_key IS NULL OR api_key_expires_at <= ?)",
        )
        .bind(&minted.key)
        .bind(minted.created_at)
        .bind(minted.expires_at)
        .bind(now)
        .execute(&self.pool)
        .await?
        .rows_affected();
        if replaced == 1 {
            tracing::debug!(expires_at = minted.expires_at, "minted a new data API key");
            return Ok(minted);
        }
        self.api_key()
            .await?
            .ok_or(StoreError::Query(sqlx::Error::RowNotFound))
    }

    /// Checkpoint the WAL into the database file, then close the pool (waits for connections
    /// to be returned). A document store's writer connection may outlive the pool; it holds
    /// nothing uncommitted.
    pub async fn close(&self) {
        if let Err(e) = sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
            .execute(&self.pool)
            .await
        {
            tracing::warn!(error = %e, "final WAL checkpoint failed");
        }
        self.pool.close().await;
    }
}

fn now_unix() -> Result<i64, StoreError> {
    let secs = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_err(|_| StoreError::Clock)?
        .as_secs();
    i64::try_from(secs).map_err(|_| StoreError::Clock)
}

/// `da2-` followed by 26 random lowercase alphanumerics, as AppSync's keys look.
fn mint_api_key() -> String {
    const ALPHABET: &[u8; 36] = b"abcdefghijklmnopqrstuvwxyz0123456789";
    let mut key = String::with_capacity(30);
    key.push_str("da2-");
    for _ in 0..26 {
        let i: usize = rand::random_range(0..ALPHABET.len());
        key.push(char::from(ALPHABET[i]));
    }
    key
}

#[cfg(test)]
mod tests;
