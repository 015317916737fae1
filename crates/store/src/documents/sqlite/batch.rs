//! Group commit: the single writer. Write statements are queued to one task, which runs every
//! statement waiting at that moment in one `BEGIN IMMEDIATE` transaction and answers each
//! caller after the commit. Under concurrency many writes share one commit (several times the
//! rate of one transaction per write); alone, a write waits for nothing.
//!
//! Each write is a single statement whose failure (a unique key, say) SQLite undoes on its own
//! without ending the transaction. Any other error rolls the batch back and replays its
//! statements one by one, so one bad write never fails its neighbours.

use std::sync::Arc;

use sqlx::sqlite::SqlitePool;
use sqlx::{AssertSqlSafe, Row, Sqlite, Transaction};
use tokio::sync::{Mutex, mpsc, oneshot};

use super::sql::{Param, bind_all};

/// The most statements one transaction takes.
const MAX_BATCH: usize = 256;

/// Why a queued write failed.
#[derive(Debug)]
pub(crate) enum WriteError {
    /// A unique index refused the row (a duplicate primary key).
    Unique,
    Db(sqlx::Error),
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

/// The handle of the writer task (dropping every handle ends the task).
#[derive(Debug, Clone)]
pub(crate) struct Writer {
    queue: mpsc::UnboundedSender<Job>,
}

impl std::fmt::Debug for Job {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.sql)
    }
}

impl Writer {
    /// Start the writer task. `lock` is held for each batch (schema changes take it too).
    pub fn start(pool: SqlitePool, lock: Arc<Mutex<()>>) -> Writer {
        let (queue, rx) = mpsc::unbounded_channel();
        tokio::spawn(run(pool, lock, rx));
        Writer { queue }
    }

    /// Run one statement in the next batch; returns once its batch is committed.
    pub async fn submit(&self, sql: String, params: Vec<Param>) -> WriteResult {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send(Job { sql, params, reply })
            .map_err(|_| WriteError::Commit("the writer has stopped".into()))?;
        answer
            .await
            .unwrap_or_else(|_| Err(WriteError::Commit("the writer has stopped".into())))
    }
}

async fn run(pool: SqlitePool, lock: Arc<Mutex<()>>, mut rx: mpsc::UnboundedReceiver<Job>) {
    let mut batch: Vec<Job> = Vec::new();
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        let _guard = lock.lock().await;
        if batch.len() == 1 {
            // Alone: one autocommit statement (atomic; it takes the write lock as it starts).
            one_by_one(&pool, &mut batch).await;
            continue;
        }
        match in_one_transaction(&pool, &batch).await {
            Ok(results) => {
                for (job, result) in batch.drain(..).zip(results) {
                    let _ = job.reply.send(result);
                }
            }
            // Replay one by one (each statement its own transaction).
            Err(()) => one_by_one(&pool, &mut batch).await,
        }
    }
}

async fn one_by_one(pool: &SqlitePool, batch: &mut Vec<Job>) {
    for job in batch.drain(..) {
        let result = match pool.acquire().await {
            Ok(mut conn) => execute(&mut conn, &job).await,
            Err(e) => Err(WriteError::Db(e)),
        };
        let _ = job.reply.send(result);
    }
}

async fn execute(conn: &mut sqlx::SqliteConnection, job: &Job) -> WriteResult {
    let q = bind_all(sqlx::query(AssertSqlSafe(job.sql.clone())), &job.params);
    match q.fetch_optional(&mut *conn).await {
        Ok(Some(row)) => Ok(row.try_get::<Option<String>, _>(0).ok().flatten()),
        Ok(None) => Ok(None),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Err(WriteError::Unique),
        Err(e) => Err(WriteError::Db(e)),
    }
}

/// The results of all jobs, committed; `Err` when the batch must be replayed.
async fn in_one_transaction(pool: &SqlitePool, batch: &[Job]) -> Result<Vec<WriteResult>, ()> {
    let mut tx: Transaction<'static, Sqlite> =
        pool.begin_with("BEGIN IMMEDIATE").await.map_err(|_| ())?;
    let mut results = Vec::with_capacity(batch.len());
    for job in batch {
        let result = execute(&mut tx, job).await;
        if matches!(result, Err(WriteError::Db(_)) | Err(WriteError::Commit(_))) {
            // Possibly a rolled-back transaction: start over statement by statement.
            let _ = tx.rollback().await;
            return Err(());
        }
        results.push(result);
    }
    match tx.commit().await {
        Ok(()) => Ok(results),
        Err(_) => Err(()),
    }
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
        let writer = Writer::start(pool.clone(), Arc::new(Mutex::new(())));
        let insert = |k: &str| {
            writer.submit(
                "INSERT INTO t (k) VALUES (?) RETURNING k".into(),
                vec![Param::Text(k.into())],
            )
        };
        // Queued together, so they share a batch: a duplicate, an error, and good rows.
        let (a, dup, bad, b) = tokio::join!(
            insert("a"),
            insert("a"),
            writer.submit("INSERT INTO missing VALUES (1)".into(), Vec::new()),
            insert("b"),
        );
        assert_eq!(a.unwrap(), Some("a".to_string()));
        assert!(matches!(dup, Err(WriteError::Unique)));
        assert!(matches!(bad, Err(WriteError::Db(_))));
        assert_eq!(b.unwrap(), Some("b".to_string()));
        let (n,): (i64,) = sqlx::query_as("SELECT count(*) FROM t")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!(n, 2);
    }
}
