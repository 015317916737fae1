//! Group commit: the single writer. Write statements are queued to one thread that owns a
//! SQLite connection of its own; it runs every statement waiting at that moment in one
//! `BEGIN IMMEDIATE` transaction and answers each caller after the commit. Under concurrency
//! many writes share one commit (several times the rate of one transaction per write); alone,
//! a write waits for nothing.
//!
//! The thread calls SQLite itself: a batch of any size costs one hand-off to it and one answer
//! per write, where running it through a pool connection took a round trip to that
//! connection's worker thread for `BEGIN`, each statement and `COMMIT` (each round trip a
//! thread wake-up, which on busy cores can wait for a scheduler slice).
//!
//! Each write is a single statement whose failure (a unique key, say) SQLite undoes on its own
//! without ending the transaction. Any other error rolls the batch back and replays its
//! statements one by one, so one bad write never fails its neighbours.

use std::sync::Arc;
use std::sync::mpsc;

use rusqlite::types::{ToSqlOutput, Value as SqlValue};
use rusqlite::{Connection, ErrorCode, TransactionBehavior};
use tokio::sync::{Mutex, oneshot};

use super::sql::Param;

/// The most statements one transaction takes.
const MAX_BATCH: usize = 256;

/// Prepared statements the writer keeps (a few per model: insert, update, delete).
const STATEMENT_CACHE: usize = 64;

/// Why a queued write failed.
#[derive(Debug)]
pub(crate) enum WriteError {
    /// A unique index refused the row (a duplicate primary key).
    Unique,
    /// The statement failed (SQLite's message).
    Db(String),
    /// The batch could not be committed (the message of the commit's error).
    Commit(String),
}

/// A statement's outcome: the first column of its first returned row, if any.
pub(crate) type WriteResult = Result<Option<String>, WriteError>;

struct Job {
    sql: String,
    params: Vec<Param>,
    reply: oneshot::Sender<WriteResult>,
}

/// The handle of the writer thread (dropping every handle ends the thread and closes its
/// connection).
#[derive(Debug, Clone)]
pub(crate) struct Writer {
    queue: mpsc::Sender<Job>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.sql)
    }
}

impl Writer {
    /// Start the writer thread on `conn`. `lock` is held for each batch (schema changes take
    /// it too).
    pub fn start(conn: Connection, lock: Arc<Mutex<()>>) -> std::io::Result<Writer> {
        conn.set_prepared_statement_cache_capacity(STATEMENT_CACHE);
        let (queue, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("stratus-doc-writer".into())
            .spawn(move || run(conn, &lock, &rx))?;
        Ok(Writer { queue })
    }

    /// Queue one statement for the next batch (now, not when the future is first polled); the
    /// future resolves once its batch is committed.
    pub fn submit(
        &self,
        sql: String,
        params: Vec<Param>,
    ) -> impl Future<Output = WriteResult> + use<> {
        let (reply, answer) = oneshot::channel();
        let sent = self.queue.send(Job { sql, params, reply });
        async move {
            sent.map_err(|_| WriteError::Commit("the writer has stopped".into()))?;
            answer
                .await
                .unwrap_or_else(|_| Err(WriteError::Commit("the writer has stopped".into())))
        }
    }
}

fn run(mut conn: Connection, lock: &Mutex<()>, rx: &mpsc::Receiver<Job>) {
    let mut batch: Vec<Job> = Vec::new();
    while let Ok(first) = rx.recv() {
        batch.push(first);
        let _guard = lock.blocking_lock();
        // Everything waiting now, with what came while a schema change held the lock.
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        if batch.len() == 1 {
            // Alone: one autocommit statement (atomic; it takes the write lock as it starts).
            one_by_one(&conn, &mut batch);
            continue;
        }
        match in_one_transaction(&mut conn, &batch) {
            Ok(results) => {
                for (job, result) in batch.drain(..).zip(results) {
                    let _ = job.reply.send(result);
                }
            }
            // Replay one by one (each statement its own transaction).
            Err(()) => one_by_one(&conn, &mut batch),
        }
    }
}

fn one_by_one(conn: &Connection, batch: &mut Vec<Job>) {
    for job in batch.drain(..) {
        let result = execute(conn, &job);
        let _ = job.reply.send(result);
    }
}

fn param(p: &Param) -> ToSqlOutput<'_> {
    match p {
        Param::Null => ToSqlOutput::Owned(SqlValue::Null),
        Param::Int(i) => ToSqlOutput::Owned(SqlValue::Integer(*i)),
        Param::Real(f) => ToSqlOutput::Owned(SqlValue::Real(*f)),
        Param::Text(s) => ToSqlOutput::Borrowed(rusqlite::types::ValueRef::Text(s.as_bytes())),
    }
}

fn execute(conn: &Connection, job: &Job) -> WriteResult {
    let run = || -> rusqlite::Result<Option<String>> {
        let mut stmt = conn.prepare_cached(&job.sql)?;
        let mut rows = stmt.query(rusqlite::params_from_iter(job.params.iter().map(param)))?;
        let first = match rows.next()? {
            Some(row) => row.get::<_, Option<String>>(0).ok().flatten(),
            None => None,
        };
        // Run the statement to its end (a key matches one row at most).
        while rows.next()?.is_some() {}
        Ok(first)
    };
    run().map_err(|e| match e.sqlite_error() {
        Some(f)
            if f.code == ErrorCode::ConstraintViolation
                && matches!(
                    f.extended_code,
                    rusqlite::ffi::SQLITE_CONSTRAINT_UNIQUE
                        | rusqlite::ffi::SQLITE_CONSTRAINT_PRIMARYKEY
                ) =>
        {
            WriteError::Unique
        }
        _ => WriteError::Db(e.to_string()),
    })
}

/// The results of all jobs, committed; `Err` when the batch must be replayed.
fn in_one_transaction(conn: &mut Connection, batch: &[Job]) -> Result<Vec<WriteResult>, ()> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|_| ())?;
    let mut results = Vec::with_capacity(batch.len());
    for job in batch {
        let result = execute(&tx, job);
        if matches!(result, Err(WriteError::Db(_)) | Err(WriteError::Commit(_))) {
            // Possibly a rolled-back transaction: start over statement by statement (dropping
            // `tx` rolls back what is left of it).
            return Err(());
        }
        results.push(result);
    }
    tx.commit().map(|()| results).map_err(|_| ())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn one_failing_statement_does_not_fail_its_batch() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::Store::open(dir.path()).await.unwrap();
        let pool = store.pool().clone();
        sqlx::query("CREATE TABLE t (k TEXT PRIMARY KEY)")
            .execute(&pool)
            .await
            .unwrap();
        let lock = Arc::new(Mutex::new(()));
        let writer = Writer::start(store.open_direct().unwrap(), lock.clone()).unwrap();
        let insert = |k: &str| {
            writer.submit(
                "INSERT INTO t (k) VALUES (?) RETURNING k".into(),
                vec![Param::Text(k.into())],
            )
        };
        // Queued while the writer waits for the lock, so they share a batch: a duplicate, an
        // error, and good rows.
        let held = lock.lock().await;
        let (a, dup, bad, b) = (
            insert("a"),
            insert("a"),
            writer.submit("INSERT INTO missing VALUES (1)".into(), Vec::new()),
            insert("b"),
        );
        drop(held);
        let (a, dup, bad, b) = tokio::join!(a, dup, bad, b);
        assert_eq!(a.unwrap(), Some("a".to_string()));
        assert!(matches!(dup, Err(WriteError::Unique)));
        assert!(matches!(bad, Err(WriteError::Db(m)) if m.contains("no such table")));
        assert_eq!(b.unwrap(), Some("b".to_string()));
        let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM t")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(n, 2);
    }
}
