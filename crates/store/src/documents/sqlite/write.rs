//! Writes. Each is one SQL statement run by the writer task (`batch`): `INSERT` for create,
//! `UPDATE … WHERE key AND condition RETURNING` for update, `DELETE … RETURNING` for delete.
//! Only a failed write reads the item again, to report it.

use sqlx::{AssertSqlSafe, Row};

use super::super::{Document, DocumentError, Filter};
use super::batch::WriteError;
use super::schema::ModelTable;
use super::sql::{Param, bind_all, compile_filter, key_condition};
use super::{SqliteDocumentStore, conditional, parse_doc};

/// `$."name"` (names with a `"` cannot be addressed and are refused).
fn path(model: &str, name: &str) -> Result<String, DocumentError> {
    if name.contains('"') || name.contains('\\') || name.is_empty() {
        return Err(DocumentError::InvalidKey {
            model: model.into(),
            reason: format!("attribute name {name:?} cannot be stored"),
        });
    }
    Ok(format!("$.\"{name}\""))
}

fn write_error(e: WriteError) -> DocumentError {
    match e {
        // Only an insert can hit the primary key index.
        WriteError::Unique => DocumentError::WriteFailed("duplicate key".into()),
        WriteError::Db(msg) => DocumentError::WriteFailed(msg),
        WriteError::Commit(msg) => DocumentError::WriteFailed(msg),
    }
}

fn condition_sql(condition: Option<&Filter>) -> Result<(String, Vec<Param>), DocumentError> {
    let mut params = Vec::new();
    let sql = match condition {
        Some(f) => compile_filter(f, &mut params)?,
        None => "1".into(),
    };
    Ok((sql, params))
}

impl SqliteDocumentStore {
    /// The stored item, read to report a failed write.
    async fn current(&self, t: &ModelTable, key: &Document) -> Option<Document> {
        let mut conn = self.pool.acquire().await.ok()?;
        Self::find(&mut conn, t, key, None)
            .await
            .ok()
            .flatten()
            .map(|(_, d, _)| d)
    }

    pub(super) async fn create_impl(
        &self,
        model: &str,
        item: Document,
        condition: Option<&Filter>,
    ) -> Result<Document, DocumentError> {
        let t = self.table(model)?;
        // Validates the key fields before anything is written.
        key_condition(model, &t.layout.primary_key, &item)?;
        let json = serde_json::to_string(&item)
            .map_err(|e| DocumentError::Corrupt(format!("item: {e}")))?;
        if let Some(f) = condition {
            // Evaluated against the absent item, the condition does not depend on the data.
            let (cond, params) = condition_sql(Some(f))?;
            let sql = format!("SELECT {cond} FROM (SELECT jsonb('{{}}') AS doc)");
            let holds: bool = bind_all(sqlx::query(AssertSqlSafe(sql)), &params)
                .fetch_one(&self.pool)
                .await?
                .try_get(0)?;
            if !holds {
                return Err(conditional(model, self.current(&t, &item).await));
            }
        }
        let sql = format!("INSERT INTO \"{}\" (doc) VALUES (jsonb(?))", t.table);
        match self.batch.submit(sql, vec![Param::Text(json)]).await {
            Ok(_) => Ok(item),
            Err(WriteError::Unique) => Err(conditional(model, self.current(&t, &item).await)),
            Err(e) => Err(write_error(e)),
        }
    }

    pub(super) async fn update_impl(
        &self,
        model: &str,
        key: &Document,
        mut changes: Document,
        condition: Option<&Filter>,
    ) -> Result<Document, DocumentError> {
        let t = self.table(model)?;
        for f in t.layout.primary_key.fields() {
            if let Some(v) = changes.remove(f)
                && Some(&v) != key.get(f)
            {
                return Err(DocumentError::ImmutableKey {
                    model: model.into(),
                    field: f.into(),
                });
            }
        }
        let mut params = Vec::new();
        let mut expr = "doc".to_string();
        let (removes, sets): (Vec<_>, Vec<_>) = changes.iter().partition(|(_, v)| v.is_null());
        if !sets.is_empty() {
            let mut args = String::new();
            for (name, value) in &sets {
                args.push_str(", ?, jsonb(?)");
                params.push(Param::Text(path(model, name)?));
                params.push(Param::Text(value.to_string()));
            }
            expr = format!("jsonb_set({expr}{args})");
        }
        if !removes.is_empty() {
            let mut args = String::new();
            for (name, _) in &removes {
                args.push_str(", ?");
                params.push(Param::Text(path(model, name)?));
            }
            expr = format!("jsonb_remove({expr}{args})");
        }
        let (key_sql, key_params) = key_condition(model, &t.layout.primary_key, key)?;
        let (cond, cond_params) = condition_sql(condition)?;
        params.extend(key_params);
        params.extend(cond_params);
        let sql = format!(
            "UPDATE \"{}\" SET doc = {expr} WHERE {key_sql} AND {cond} RETURNING json(doc)",
            t.table
        );
        match self.batch.submit(sql, params).await.map_err(write_error)? {
            Some(doc) => parse_doc(&doc),
            // A missing item, or a condition that does not hold.
            None => Err(conditional(model, self.current(&t, key).await)),
        }
    }

    pub(super) async fn delete_impl(
        &self,
        model: &str,
        key: &Document,
        condition: Option<&Filter>,
    ) -> Result<Document, DocumentError> {
        let t = self.table(model)?;
        let (key_sql, mut params) = key_condition(model, &t.layout.primary_key, key)?;
        let (cond, cond_params) = condition_sql(condition)?;
        params.extend(cond_params);
        let sql = format!(
            "DELETE FROM \"{}\" WHERE {key_sql} AND {cond} RETURNING json(doc)",
            t.table
        );
        match self.batch.submit(sql, params).await.map_err(write_error)? {
            Some(doc) => parse_doc(&doc),
            None => Err(conditional(model, self.current(&t, key).await)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_quoted_and_checked() {
        assert_eq!(
            path("M", "status#createdAt").unwrap(),
            "$.\"status#createdAt\""
        );
        assert!(path("M", "a\"b").is_err());
        assert!(path("M", "").is_err());
    }
}
