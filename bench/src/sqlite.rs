//! The direct-SQLite reference: the same document inserted and read with sqlx (the driver the
//! store uses) on a database opened with the store's settings (`crates/store/src/lib.rs`: WAL,
//! `synchronous=NORMAL`, 10 s busy timeout, foreign keys on, a pool of 4 connections for reads),
//! one writer as in the store, 32 concurrent callers.
//!
//! Writes two ways: one autocommit `INSERT` per call through the single writer connection
//! (what direct SQLite with one writer does), and group commit (every insert waiting at that
//! moment in one `BEGIN IMMEDIATE` transaction, up to 256, as `stratus-store`'s writer does).

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use sqlx::{Connection, SqliteConnection};
use tokio::sync::{Mutex, mpsc, oneshot};

use crate::load::{Pass, closed, fixed_rate};

fn options(path: &Path) -> SqliteConnectOptions {
    SqliteConnectOptions::from_str("sqlite:")
        .expect("options")
        .filename(path)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .busy_timeout(Duration::from_secs(10))
        .foreign_keys(true)
}

/// The table: a JSON document with a primary key index on its `id`.
const TABLE: &str = "CREATE TABLE docs (id TEXT PRIMARY KEY, doc TEXT NOT NULL)";
const INSERT: &str = "INSERT INTO docs (id, doc) VALUES (?, ?)";
const SELECT: &str = "SELECT doc FROM docs WHERE id = ?";

pub struct Report {
    pub autocommit: Pass,
    pub grouped: Pass,
    pub gets: Pass,
    /// Open-loop passes of `rate_seconds` at half of each peak above.
    pub autocommit_half: Pass,
    pub grouped_half: Pass,
    pub gets_half: Pass,
}

/// Runs the passes of `n` operations each in fresh databases under `dir`, then the open-loop
/// passes at half of each measured peak. `doc(i)` is the document of item `i` (its id is
/// `id(i)`).
pub async fn run(
    dir: &Path,
    n: usize,
    concurrency: usize,
    rate_seconds: f64,
    id: fn(usize) -> String,
    doc: fn(usize) -> String,
) -> Report {
    // One autocommit statement per insert, through the one writer connection.
    let path = dir.join("autocommit.db");
    let mut conn = SqliteConnection::connect_with(&options(&path))
        .await
        .expect("open");
    sqlx::query(TABLE).execute(&mut conn).await.expect("table");
    let writer = Arc::new(Mutex::new(conn));
    let insert = |offset: usize| {
        let writer = writer.clone();
        move |i: usize| {
            let writer = writer.clone();
            async move {
                let mut conn = writer.lock().await;
                sqlx::query(INSERT)
                    .bind(id(offset + i))
                    .bind(doc(offset + i))
                    .execute(&mut *conn)
                    .await
                    .expect("insert");
            }
        }
    };
    let autocommit = closed(n, concurrency, None, insert(0)).await;
    let half = autocommit.rate() / 2.0;
    let autocommit_half = fixed_rate((half * rate_seconds) as usize, half, None, insert(n)).await;

    // Group commit through a writer task, then reads from a pool of 4.
    let path = dir.join("grouped.db");
    let pool = SqlitePoolOptions::new()
        .max_connections(4)
        .connect_with(options(&path))
        .await
        .expect("open");
    sqlx::query(TABLE).execute(&pool).await.expect("table");
    let queue = group_writer(pool.clone());
    let insert = |offset: usize| {
        let queue = queue.clone();
        move |i: usize| {
            let queue = queue.clone();
            async move {
                let (reply, done) = oneshot::channel();
                queue
                    .send((id(offset + i), doc(offset + i), reply))
                    .expect("writer");
                done.await.expect("writer");
            }
        }
    };
    let grouped = closed(n, concurrency, None, insert(0)).await;
    let half = grouped.rate() / 2.0;
    let grouped_half = fixed_rate((half * rate_seconds) as usize, half, None, insert(n)).await;
    let get = || {
        let pool = pool.clone();
        move |i: usize| {
            let pool = pool.clone();
            async move {
                let doc: String = sqlx::query_scalar(SELECT)
                    .bind(id(i % n))
                    .fetch_one(&pool)
                    .await
                    .expect("select");
                assert!(!doc.is_empty());
            }
        }
    };
    let gets = closed(n, concurrency, None, get()).await;
    let half = gets.rate() / 2.0;
    let gets_half = fixed_rate((half * rate_seconds) as usize, half, None, get()).await;
    pool.close().await;
    Report {
        autocommit,
        grouped,
        gets,
        autocommit_half,
        grouped_half,
        gets_half,
    }
}

type Job = (String, String, oneshot::Sender<()>);

fn group_writer(pool: SqlitePool) -> mpsc::UnboundedSender<Job> {
    let (tx, mut rx) = mpsc::unbounded_channel::<Job>();
    tokio::spawn(async move {
        let mut batch = Vec::new();
        while let Some(first) = rx.recv().await {
            batch.push(first);
            while batch.len() < 256 {
                match rx.try_recv() {
                    Ok(job) => batch.push(job),
                    Err(_) => break,
                }
            }
            if batch.len() == 1 {
                let (id, doc, reply) = batch.pop().expect("one job");
                sqlx::query(INSERT)
                    .bind(id)
                    .bind(doc)
                    .execute(&pool)
                    .await
                    .expect("insert");
                let _ = reply.send(());
                continue;
            }
            let mut tx = pool.begin_with("BEGIN IMMEDIATE").await.expect("begin");
            let mut replies = Vec::with_capacity(batch.len());
            for (id, doc, reply) in batch.drain(..) {
                sqlx::query(INSERT)
                    .bind(id)
                    .bind(doc)
                    .execute(&mut *tx)
                    .await
                    .expect("insert");
                replies.push(reply);
            }
            tx.commit().await.expect("commit");
            for r in replies {
                let _ = r.send(());
            }
        }
    });
    tx
}
