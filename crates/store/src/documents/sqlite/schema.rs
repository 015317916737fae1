//! Tables and indexes in SQLite, driven by the model layouts, and their evolution.
//!
//! Each model has a table `(seq INTEGER PRIMARY KEY, doc BLOB)` holding JSONB documents, a
//! unique expression index on its primary key and one expression index per secondary index key.
//! The applied layout of each model is recorded in `doc_models`.

use std::collections::HashMap;

use sqlx::{AssertSqlSafe, Row, SqliteConnection};

use super::super::{DocumentError, KeySchema, ModelChange, ModelLayout, SchemaReport};
use super::sql::index_columns;

/// `doc_` + the model name with `_` doubled and capitals as `_` + lower case, so names that
/// differ only by case (SQLite identifiers are case-insensitive) get distinct tables.
pub(crate) fn table_name(model: &str) -> String {
    format!("doc_{}", escape(model))
}

fn escape(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for c in name.chars() {
        if c == '_' {
            out.push_str("__");
        } else if c.is_ascii_uppercase() {
            out.push('_');
            out.push(c.to_ascii_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

fn pk_index_name(table: &str) -> String {
    format!("{table}$pk")
}

const INDEX_MARK: &str = "$ix$";

pub(crate) fn index_name(table: &str, key: &KeySchema) -> String {
    let sig: Vec<String> = key.fields().map(escape).collect();
    format!("{table}{INDEX_MARK}{}", sig.join("$"))
}

/// A stored model, as the operations need it.
#[derive(Debug, Clone)]
pub(crate) struct ModelTable {
    pub layout: ModelLayout,
    pub table: String,
}

/// Every recorded model.
pub(crate) async fn load(
    conn: &mut SqliteConnection,
) -> Result<HashMap<String, ModelTable>, DocumentError> {
    let rows = sqlx::query("SELECT model, table_name, layout FROM doc_models")
        .fetch_all(&mut *conn)
        .await?;
    let mut out = HashMap::new();
    for row in rows {
        let model: String = row.try_get(0)?;
        let table: String = row.try_get(1)?;
        let layout: String = row.try_get(2)?;
        let layout: ModelLayout = serde_json::from_str(&layout)
            .map_err(|e| DocumentError::Corrupt(format!("layout of {model}: {e}")))?;
        out.insert(model, ModelTable { layout, table });
    }
    Ok(out)
}

async fn exec(conn: &mut SqliteConnection, sql: String) -> Result<(), DocumentError> {
    sqlx::query(AssertSqlSafe(sql)).execute(&mut *conn).await?;
    Ok(())
}

async fn create_index(
    conn: &mut SqliteConnection,
    table: &str,
    key: &KeySchema,
) -> Result<(), DocumentError> {
    exec(
        conn,
        format!(
            "CREATE INDEX IF NOT EXISTS \"{}\" ON \"{table}\" ({})",
            index_name(table, key),
            index_columns(key)
        ),
    )
    .await
}

async fn create_pk_index(
    conn: &mut SqliteConnection,
    table: &str,
    key: &KeySchema,
) -> Result<(), DocumentError> {
    exec(
        conn,
        format!(
            "CREATE UNIQUE INDEX IF NOT EXISTS \"{}\" ON \"{table}\" ({})",
            pk_index_name(table),
            index_columns(key)
        ),
    )
    .await
}

async fn record(
    conn: &mut SqliteConnection,
    layout: &ModelLayout,
    table: &str,
    now: i64,
) -> Result<(), DocumentError> {
    let json = serde_json::to_string(layout)
        .map_err(|e| DocumentError::Corrupt(format!("layout of {}: {e}", layout.model)))?;
    sqlx::query(
        "INSERT INTO doc_models (model, table_name, layout, updated_at) VALUES (?, ?, ?, ?) \
         ON CONFLICT (model) DO UPDATE SET layout = excluded.layout, updated_at = excluded.updated_at",
    )
    .bind(&layout.model)
    .bind(table)
    .bind(json)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

fn missing<'a, T: PartialEq>(from: &'a [T], other: &[T]) -> Vec<&'a T> {
    from.iter().filter(|x| !other.contains(x)).collect()
}

/// Bring the tables in line with `layouts` (inside the caller's transaction; any error leaves
/// the database as it was once the transaction is rolled back).
pub(crate) async fn apply(
    conn: &mut SqliteConnection,
    layouts: &[ModelLayout],
    now: i64,
) -> Result<SchemaReport, DocumentError> {
    let existing = load(conn).await?;
    let mut report = SchemaReport::default();
    for layout in layouts {
        let table = existing
            .get(&layout.model)
            .map(|t| t.table.clone())
            .unwrap_or_else(|| table_name(&layout.model));
        let mut change = ModelChange {
            model: layout.model.clone(),
            ..ModelChange::default()
        };
        // Idempotent (also restores a table dropped by hand).
        exec(
            conn,
            format!(
                "CREATE TABLE IF NOT EXISTS \"{table}\" \
                 (seq INTEGER PRIMARY KEY, doc BLOB NOT NULL)"
            ),
        )
        .await?;
        match existing.get(&layout.model) {
            None => {
                change.created = true;
                change.added_fields = layout.fields.clone();
                change.added_indexes = layout.indexes.clone();
            }
            Some(old) => {
                let old = &old.layout;
                if old.primary_key != layout.primary_key {
                    let items: i64 = sqlx::query_scalar(AssertSqlSafe(format!(
                        "SELECT count(*) FROM \"{table}\""
                    )))
                    .fetch_one(&mut *conn)
                    .await?;
                    if items > 0 {
                        return Err(DocumentError::PrimaryKeyChanged {
                            model: layout.model.clone(),
                            old: old.primary_key.fields().map(str::to_string).collect(),
                            new: layout.primary_key.fields().map(str::to_string).collect(),
                            items,
                        });
                    }
                    exec(
                        conn,
                        format!("DROP INDEX IF EXISTS \"{}\"", pk_index_name(&table)),
                    )
                    .await?;
                    change.primary_key_changed = true;
                }
                change.added_fields = missing(&layout.fields, &old.fields)
                    .into_iter()
                    .cloned()
                    .collect();
                change.removed_fields = missing(&old.fields, &layout.fields)
                    .into_iter()
                    .cloned()
                    .collect();
                change.added_indexes = missing(&layout.indexes, &old.indexes)
                    .into_iter()
                    .cloned()
                    .collect();
                change.removed_indexes = missing(&old.indexes, &layout.indexes)
                    .into_iter()
                    .cloned()
                    .collect();
                for key in &change.removed_indexes {
                    exec(
                        conn,
                        format!("DROP INDEX IF EXISTS \"{}\"", index_name(&table, key)),
                    )
                    .await?;
                }
            }
        }
        // Idempotent: also restores an index dropped by hand.
        create_pk_index(conn, &table, &layout.primary_key).await?;
        for key in &layout.indexes {
            create_index(conn, &table, key).await?;
        }
        let changed = existing
            .get(&layout.model)
            .is_none_or(|old| old.layout != *layout);
        if changed {
            record(conn, layout, &table, now).await?;
        }
        if change
            != (ModelChange {
                model: layout.model.clone(),
                ..ModelChange::default()
            })
        {
            report.changes.push(change);
        }
    }
    let mut retained: Vec<String> = existing
        .keys()
        .filter(|m| !layouts.iter().any(|l| &l.model == *m))
        .cloned()
        .collect();
    retained.sort();
    report.retained_models = retained;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_case_distinct() {
        assert_eq!(table_name("Post"), "doc__post");
        assert_ne!(table_name("post"), table_name("Post"));
        assert_ne!(table_name("a_b"), table_name("aB"));
        assert_eq!(
            index_name("doc__post", &KeySchema::new("blogId", &["publishedAt"])),
            "doc__post$ix$blog_id$published_at"
        );
    }
}
