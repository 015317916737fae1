use std::time::Duration;

use super::*;

#[tokio::test]
async fn open_creates_database_with_wal_and_meta() {
    let dir = tempfile::tempdir().unwrap();
    let state = dir.path().join("nested/state");
    let store = Store::open(&state).await.unwrap();
    assert_eq!(store.path(), state.join(DB_FILE));
    assert!(state.join(DB_FILE).is_file());

    let (mode,): (String,) = sqlx::query_as("PRAGMA journal_mode")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(mode, "wal");
    // 1 = NORMAL
    let (sync,): (i64,) = sqlx::query_as("PRAGMA synchronous")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(sync, 1);
    let (busy,): (i64,) = sqlx::query_as("PRAGMA busy_timeout")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(busy, 10_000);
    let (auto,): (i64,) = sqlx::query_as("PRAGMA wal_autocheckpoint")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(
        auto, 0,
        "commits never checkpoint; the background task does"
    );

    let meta = store.meta().await.unwrap();
    assert!(uuid::Uuid::parse_str(&meta.instance_id).is_ok());
    assert!(meta.created_at > 1_600_000_000);
    assert_eq!(store.api_key().await.unwrap(), None);
}

#[tokio::test]
async fn identity_and_api_key_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    let meta = store.meta().await.unwrap();
    let key = store
        .ensure_api_key(Duration::from_secs(7 * 86_400))
        .await
        .unwrap();
    assert!(key.key.starts_with("da2-"));
    assert_eq!(key.key.len(), 30);
    assert!(
        key.key[4..]
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    );
    assert_eq!(key.expires_at - key.created_at, 7 * 86_400);
    // Asking again returns the same key.
    let again = store.ensure_api_key(Duration::from_secs(60)).await.unwrap();
    assert_eq!(again, key);
    store.close().await;

    let reopened = Store::open(dir.path()).await.unwrap();
    assert_eq!(reopened.meta().await.unwrap(), meta);
    assert_eq!(reopened.api_key().await.unwrap(), Some(key.clone()));
    assert_eq!(
        reopened
            .ensure_api_key(Duration::from_secs(60))
            .await
            .unwrap(),
        key
    );
}

#[tokio::test]
async fn expired_api_key_is_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    let first = store.ensure_api_key(Duration::ZERO).await.unwrap();
    assert!(first.is_expired_at(first.created_at));
    let second = store
        .ensure_api_key(Duration::from_secs(3600))
        .await
        .unwrap();
    assert_ne!(first.key, second.key);
    assert_eq!(store.api_key().await.unwrap(), Some(second));
}

#[tokio::test]
async fn migrations_are_recorded_once() {
    let dir = tempfile::tempdir().unwrap();
    Store::open(dir.path()).await.unwrap().close().await;
    let store = Store::open(dir.path()).await.unwrap();
    let (count,): (i64,) = sqlx::query_as("SELECT count(*) FROM _sqlx_migrations")
        .fetch_one(store.pool())
        .await
        .unwrap();
    assert_eq!(count, i64::try_from(migrations::MIGRATIONS_LEN).unwrap());
}

#[test]
fn minted_keys_differ() {
    assert_ne!(mint_api_key(), mint_api_key());
}

#[tokio::test]
async fn the_background_task_checkpoints_the_wal() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    let db = store.path().to_path_buf();
    let size = || std::fs::metadata(&db).unwrap().len();
    sqlx::query("CREATE TABLE filler (x BLOB)")
        .execute(store.pool())
        .await
        .unwrap();
    let before = size();
    for _ in 0..64 {
        sqlx::query("INSERT INTO filler (x) VALUES (randomblob(8192))")
            .execute(store.pool())
            .await
            .unwrap();
    }
    // Commits only append to the WAL (automatic checkpoints are off): the pages reach the
    // database file when the store's own task checkpoints, within a few of its periods.
    let deadline = std::time::Instant::now() + Duration::from_secs(5);
    while size() < before + 64 * 8192 {
        assert!(
            std::time::Instant::now() < deadline,
            "no checkpoint: database file {} bytes (was {before})",
            size()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    store.close().await;
}

#[tokio::test]
async fn the_direct_connection_has_the_pools_settings() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    let conn = store.open_direct().unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    for (name, expected) in [
        ("synchronous", 1), // NORMAL
        ("busy_timeout", 10_000),
        ("foreign_keys", 1),
        ("wal_autocheckpoint", 0),
    ] {
        let direct: i64 = conn
            .query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
            .unwrap();
        let (pooled,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!("PRAGMA {name}")))
            .fetch_one(store.pool())
            .await
            .unwrap();
        assert_eq!((direct, pooled), (expected, expected), "{name}");
    }
}

#[tokio::test]
async fn close_checkpoints_the_wal_while_a_direct_connection_is_open() {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    let direct = store.open_direct().unwrap();
    direct
        .execute_batch("CREATE TABLE t (x BLOB); INSERT INTO t VALUES (randomblob(65536));")
        .unwrap();
    let wal = dir.path().join(format!("{DB_FILE}-wal"));
    assert!(std::fs::metadata(&wal).unwrap().len() > 65536);
    store.close().await;
    assert_eq!(std::fs::metadata(&wal).unwrap().len(), 0, "WAL truncated");
    // The direct connection still works and sees its writes.
    let n: i64 = direct
        .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
}
