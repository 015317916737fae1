//! [`DocumentStore`] on SQLite: the shared pool of [`Store`] for reads and schema changes, and
//! one writer thread with a connection of its own that commits the writes waiting at each
//! moment together (group commit, see `batch`), so writers queue in the process instead of
//! spinning on SQLite's busy handler.

mod batch;
mod query;
mod schema;
mod sql;
mod write;

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use serde_json::Value;
use sqlx::sqlite::SqlitePool;
use sqlx::{AssertSqlSafe, Row, Sqlite, Transaction};
use stratus_spec::data::DataSchema;

use super::token::TokenSigner;
use super::{
    DocFuture, Document, DocumentError, DocumentStore, Filter, ModelLayout, Page, QueryRequest,
    SchemaReport, layouts_for,
};
use crate::Store;
use schema::ModelTable;
use sql::{bind_all, compile_filter, key_condition};

/// The SQLite document store. Cheap to share behind an `Arc`.
#[derive(Debug)]
pub struct SqliteDocumentStore {
    pool: SqlitePool,
    /// Held by each write batch and by schema changes.
    writer: Arc<tokio::sync::Mutex<()>>,
    batch: batch::Writer,
    tables: RwLock<HashMap<String, Arc<ModelTable>>>,
    signer: TokenSigner,
}

impl SqliteDocumentStore {
    /// Open the document store of `store`: load the layouts applied earlier (so stored models
    /// can be read before [`DocumentStore::ensure_schema`] runs) and the `nextToken` secret
    /// (minted on first use and kept in the `meta` row).
    pub async fn open(store: &Store) -> Result<SqliteDocumentStore, DocumentError> {
        let pool = store.pool().clone();
        let minted: [u8; 32] = rand::random();
        sqlx::query(
            "UPDATE meta SET next_token_secret = ? WHERE id = 1 AND next_token_secret IS NULL",
        )
        .bind(minted.to_vec())
        .execute(&pool)
        .await?;
        let secret: Vec<u8> = sqlx::query_scalar("SELECT next_token_secret FROM meta WHERE id = 1")
            .fetch_one(&pool)
            .await?;
        let mut conn = pool.acquire().await?;
        let tables = schema::load(&mut conn)
            .await?
            .into_iter()
            .map(|(k, v)| (k, Arc::new(v)))
            .collect();
        drop(conn);
        let writer = Arc::new(tokio::sync::Mutex::new(()));
        let direct = store
            .open_direct()
            .map_err(|e| DocumentError::WriteFailed(format!("cannot open the writer: {e}")))?;
        let batch = batch::Writer::start(direct, writer.clone())
            .map_err(|e| DocumentError::WriteFailed(format!("cannot start the writer: {e}")))?;
        Ok(SqliteDocumentStore {
            batch,
            pool,
            writer,
            tables: RwLock::new(tables),
            signer: TokenSigner::new(secret),
        })
    }

    fn table(&self, model: &str) -> Result<Arc<ModelTable>, DocumentError> {
        let tables = self
            .tables
            .read()
            .map_err(|_| DocumentError::Corrupt("layout lock poisoned".into()))?;
        tables
            .get(model)
            .cloned()
            .ok_or_else(|| DocumentError::UnknownModel(model.into()))
    }

    async fn begin_write(&self) -> Result<Transaction<'static, Sqlite>, DocumentError> {
        Ok(self.pool.begin_with("BEGIN IMMEDIATE").await?)
    }

    async fn ensure_schema_impl(&self, data: &DataSchema) -> Result<SchemaReport, DocumentError> {
        let layouts = layouts_for(data)?;
        let _writer = self.writer.lock().await;
        let mut tx = self.begin_write().await?;
        let report = schema::apply(&mut tx, &layouts, crate::now_unix().unwrap_or(0)).await?;
        let loaded = schema::load(&mut tx).await?;
        tx.commit().await?;
        let mut tables = self
            .tables
            .write()
            .map_err(|_| DocumentError::Corrupt("layout lock poisoned".into()))?;
        *tables = loaded.into_iter().map(|(k, v)| (k, Arc::new(v))).collect();
        Ok(report)
    }

    async fn layouts_impl(&self) -> Result<Vec<ModelLayout>, DocumentError> {
        let tables = self
            .tables
            .read()
            .map_err(|_| DocumentError::Corrupt("layout lock poisoned".into()))?;
        let mut out: Vec<ModelLayout> = tables.values().map(|t| t.layout.clone()).collect();
        out.sort_by(|a, b| a.model.cmp(&b.model));
        Ok(out)
    }

    /// The stored item with `key` (`seq`, document, whether `condition` holds on it).
    async fn find(
        conn: &mut sqlx::SqliteConnection,
        t: &ModelTable,
        key: &Document,
        condition: Option<&Filter>,
    ) -> Result<Option<(i64, Document, bool)>, DocumentError> {
        let (key_sql, mut params) = key_condition(&t.layout.model, &t.layout.primary_key, key)?;
        let mut cond_params = Vec::new();
        let cond = match condition {
            Some(f) => compile_filter(f, &mut cond_params)?,
            None => "1".into(),
        };
        cond_params.append(&mut params);
        let sql = format!(
            "SELECT seq, json(doc), {cond} FROM \"{}\" WHERE {key_sql}",
            t.table
        );
        let row = bind_all(sqlx::query(AssertSqlSafe(sql)), &cond_params)
            .fetch_optional(&mut *conn)
            .await?;
        let Some(row) = row else { return Ok(None) };
        let seq: i64 = row.try_get(0)?;
        let doc: String = row.try_get(1)?;
        let holds: bool = row.try_get(2)?;
        Ok(Some((seq, parse_doc(&doc)?, holds)))
    }

    async fn batch_get_impl(
        &self,
        model: &str,
        keys: &[Document],
    ) -> Result<Vec<Option<Document>>, DocumentError> {
        let t = self.table(model)?;
        // One connection and one prepared (cached) statement for all keys.
        let mut conn = self.pool.acquire().await?;
        let mut out = Vec::with_capacity(keys.len());
        for key in keys {
            out.push(
                Self::find(&mut conn, &t, key, None)
                    .await?
                    .map(|(_, d, _)| d),
            );
        }
        Ok(out)
    }

    async fn get_impl(
        &self,
        model: &str,
        key: &Document,
    ) -> Result<Option<Document>, DocumentError> {
        let t = self.table(model)?;
        let mut conn = self.pool.acquire().await?;
        Ok(Self::find(&mut conn, &t, key, None)
            .await?
            .map(|(_, d, _)| d))
    }
}

fn conditional(model: &str, current: Option<Document>) -> DocumentError {
    DocumentError::ConditionalCheckFailed {
        model: model.into(),
        current: current.map(Box::new),
    }
}

fn parse_doc(json: &str) -> Result<Document, DocumentError> {
    match serde_json::from_str(json) {
        Ok(Value::Object(m)) => Ok(m),
        _ => Err(DocumentError::Corrupt(json.chars().take(80).collect())),
    }
}

impl DocumentStore for SqliteDocumentStore {
    fn ensure_schema<'a>(&'a self, schema: &'a DataSchema) -> DocFuture<'a, SchemaReport> {
        Box::pin(self.ensure_schema_impl(schema))
    }

    fn layouts(&self) -> DocFuture<'_, Vec<ModelLayout>> {
        Box::pin(self.layouts_impl())
    }

    fn create<'a>(
        &'a self,
        model: &'a str,
        item: Document,
        condition: Option<&'a Filter>,
    ) -> DocFuture<'a, Document> {
        Box::pin(self.create_impl(model, item, condition))
    }

    fn get<'a>(&'a self, model: &'a str, key: &'a Document) -> DocFuture<'a, Option<Document>> {
        Box::pin(self.get_impl(model, key))
    }

    fn batch_get<'a>(
        &'a self,
        model: &'a str,
        keys: &'a [Document],
    ) -> DocFuture<'a, Vec<Option<Document>>> {
        Box::pin(self.batch_get_impl(model, keys))
    }

    fn update<'a>(
        &'a self,
        model: &'a str,
        key: &'a Document,
        changes: Document,
        condition: Option<&'a Filter>,
    ) -> DocFuture<'a, Document> {
        Box::pin(self.update_impl(model, key, changes, condition))
    }

    fn delete<'a>(
        &'a self,
        model: &'a str,
        key: &'a Document,
        condition: Option<&'a Filter>,
    ) -> DocFuture<'a, Document> {
        Box::pin(self.delete_impl(model, key, condition))
    }

    fn query<'a>(&'a self, model: &'a str, request: &'a QueryRequest) -> DocFuture<'a, Page> {
        Box::pin(self.query_impl(model, request))
    }
}
