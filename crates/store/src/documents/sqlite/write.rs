//! Writes. Each is one SQL statement (an autocommit statement takes SQLite's write lock when it
//! starts, so it is atomic and free of snapshot upgrades): `INSERT` for create, `UPDATE … WHERE
//! key AND condition RETURNING` for update, `DELETE … RETURNING` for delete. Only a failed
//! write reads the item again, to report it. Writers of this store queue on an async mutex
//! (the single writer), so they never spin on SQLite's busy handler.

use sqlx::{AssertSqlSafe, Row};

use super::super::{Document, DocumentError, Filter};
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
        let inserted = {
            let _writer = self.writer.lock().await;
            sqlx::query(AssertSqlSafe(format!(
                "INSERT INTO \"{}\" (doc) VALUES (jsonb(?))",
                t.table
            )))
            .bind(&json)
            .execute(&self.pool)
            .await
        };
        match inserted {
            Ok(_) => Ok(item),
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                Err(conditional(model, self.current(&t, &item).await))
            }
            Err(e) => Err(e.into()),
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
        let row = {
            let _writer = self.writer.lock().await;
            bind_all(sqlx::query(AssertSqlSafe(sql)), &params)
                .fetch_optional(&self.pool)
                .await?
        };
        match row {
            Some(row) => parse_doc(&row.try_get::<String, _>(0)?),
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
        let row = {
            let _writer = self.writer.lock().await;
            bind_all(sqlx::query(AssertSqlSafe(sql)), &params)
                .fetch_optional(&self.pool)
                .await?
        };
        match row {
            Some(row) => parse_doc(&row.try_get::<String, _>(0)?),
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
