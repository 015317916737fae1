//! Scan and Query: key conditions on the expression indexes, the filter evaluated in SQL on the
//! examined rows (DynamoDB applies `limit` before the filter), keyset pagination by
//! (sort key, seq) carried in signed `nextToken`s.

use serde_json::Value;
use sqlx::{AssertSqlSafe, Row};

use super::super::token::{Cursor, fingerprint};
use super::super::{
    DEFAULT_LIMIT, DocumentError, KeySchema, MAX_PAGE_ITEMS, Page, QueryRequest, SortCondition,
    SortDirection,
};
use super::schema::ModelTable;
use super::sql::{Param, attr, bind_all, compile_filter, sort_expr};
use super::{SqliteDocumentStore, parse_doc};

/// A compiled request: SQL text and its parameters.
pub(super) struct Plan {
    pub sql: String,
    pub params: Vec<Param>,
    pub fingerprint: String,
    pub limit: usize,
    pub has_sort: bool,
}

fn key_param(what: &str, v: &Value) -> Result<Param, DocumentError> {
    match v {
        Value::String(_) | Value::Number(_) => Ok(Param::from_value(v)),
        _ => Err(DocumentError::InvalidQuery(format!(
            "the {what} must be a string or a number"
        ))),
    }
}

fn type_guard(sk: &str, v: &Value) -> String {
    match v {
        Value::Number(_) => format!("typeof({sk}) IN ('integer', 'real')"),
        _ => format!("typeof({sk}) = 'text'"),
    }
}

impl SqliteDocumentStore {
    fn plan(&self, t: &ModelTable, req: &QueryRequest) -> Result<Plan, DocumentError> {
        let layout = &t.layout;
        let limit = req.limit.unwrap_or(DEFAULT_LIMIT);
        if limit == 0 {
            return Err(DocumentError::InvalidLimit);
        }
        let limit = limit.min(MAX_PAGE_ITEMS);
        let key: &KeySchema = match &req.index {
            None => &layout.primary_key,
            Some(k) if *k == layout.primary_key || layout.indexes.contains(k) => k,
            Some(k) => {
                return Err(DocumentError::UnknownIndex {
                    model: layout.model.clone(),
                    partition_key: k.partition_key.clone(),
                    sort_keys: k.sort_keys.clone(),
                });
            }
        };
        let pk = attr(&key.partition_key);
        let sk = sort_expr(&key.sort_keys);
        let mut wheres: Vec<String> = Vec::new();
        let mut where_params: Vec<Param> = Vec::new();
        let scan = req.partition.is_none();
        let direction = if scan {
            SortDirection::Asc
        } else {
            req.direction
        };
        match &req.partition {
            None => {
                if req.sort.is_some() {
                    return Err(DocumentError::InvalidQuery(
                        "a sort key condition needs the partition key".into(),
                    ));
                }
                if req.index.is_some() {
                    wheres.push(format!("{pk} IS NOT NULL"));
                    if let Some(sk) = &sk {
                        wheres.push(format!("{sk} IS NOT NULL"));
                    }
                }
            }
            Some(v) => {
                wheres.push(format!("{pk} = ?"));
                where_params.push(key_param("partition key", v)?);
                if let Some(sk) = &sk {
                    wheres.push(format!("{sk} IS NOT NULL"));
                }
            }
        }
        if let Some(cond) = &req.sort {
            let Some(sk) = &sk else {
                return Err(DocumentError::InvalidQuery(
                    "the queried key has no sort key".into(),
                ));
            };
            let mut one = |op: &str, v: &Value| -> Result<(), DocumentError> {
                wheres.push(format!("{sk} {op} ?"));
                wheres.push(type_guard(sk, v));
                where_params.push(key_param("sort key value", v)?);
                Ok(())
            };
            match cond {
                SortCondition::Eq(v) => one("=", v)?,
                SortCondition::Le(v) => one("<=", v)?,
                SortCondition::Lt(v) => one("<", v)?,
                SortCondition::Ge(v) => one(">=", v)?,
                SortCondition::Gt(v) => one(">", v)?,
                SortCondition::Between(a, b) => {
                    wheres.push(format!("{sk} BETWEEN ? AND ?"));
                    wheres.push(type_guard(sk, a));
                    where_params.push(key_param("sort key value", a)?);
                    where_params.push(key_param("sort key value", b)?);
                }
                SortCondition::BeginsWith(prefix) => {
                    // A range, so the index serves it.
                    wheres.push(format!("{sk} >= ? AND {sk} < ?"));
                    wheres.push(format!("typeof({sk}) = 'text'"));
                    where_params.push(Param::Text(prefix.clone()));
                    where_params.push(Param::Text(format!("{prefix}\u{10FFFF}")));
                }
            }
        }
        let index_sig = serde_json::to_string(&req.index).unwrap_or_default();
        let partition_sig = req
            .partition
            .as_ref()
            .map(Value::to_string)
            .unwrap_or_default();
        let sort_sig = format!("{:?}", req.sort);
        let dir_sig = format!("{direction:?}");
        let fp = fingerprint(&[
            &layout.model,
            &index_sig,
            &partition_sig,
            &sort_sig,
            &dir_sig,
        ]);
        let ordered_by_sort = !scan && sk.is_some();
        let (cmp, dir) = match direction {
            SortDirection::Asc => (">", "ASC"),
            SortDirection::Desc => ("<", "DESC"),
        };
        // Keyset pagination. Written as `sk >= v AND (sk > v OR seq > n)` rather than a row
        // value, so SQLite narrows the index range with `sk >= v` (row values over expression
        // columns are not used for index ranges).

        if let Some(token) = &req.next_token {
            let cursor = self.signer.verify(token, &fp)?;
            match (&sk, ordered_by_sort) {
                (Some(sk), true) => {
                    let sort = key_param("token", &cursor.sort)?;
                    wheres.push(format!("{sk} {cmp}= ?"));
                    wheres.push(format!("({sk} {cmp} ? OR seq {cmp} ?)"));
                    where_params.push(sort.clone());
                    where_params.push(sort);
                    where_params.push(Param::Int(cursor.seq));
                }
                _ => {
                    wheres.push(format!("seq {cmp} ?"));
                    where_params.push(Param::Int(cursor.seq));
                }
            }
        }
        let mut params = Vec::new();
        let keep = match &req.filter {
            Some(f) => format!(
                "CASE WHEN {} THEN 1 ELSE 0 END",
                compile_filter(f, &mut params)?
            ),
            None => "1".into(),
        };
        let sort_col = match (&sk, ordered_by_sort) {
            (Some(sk), true) => sk.clone(),
            _ => "NULL".into(),
        };
        let order = match (&sk, ordered_by_sort) {
            (Some(sk), true) => format!("{sk} {dir}, seq {dir}"),
            _ => format!("seq {dir}"),
        };
        let where_sql = if wheres.is_empty() {
            String::new()
        } else {
            format!(" WHERE {}", wheres.join(" AND "))
        };
        let fetch = usize::try_from(limit)
            .unwrap_or(usize::MAX)
            .saturating_add(1);
        let sql = format!(
            "SELECT seq, {sort_col}, {keep}, CASE WHEN {keep} THEN json(doc) END FROM \"{}\"{where_sql} \
             ORDER BY {order} LIMIT {fetch}",
            t.table
        );
        // `keep` appears twice in the select list.
        let mut all = params.clone();
        all.extend(params);
        all.extend(where_params);
        Ok(Plan {
            sql,
            params: all,
            fingerprint: fp,
            limit: fetch - 1,
            has_sort: ordered_by_sort,
        })
    }

    pub(super) async fn query_impl(
        &self,
        model: &str,
        req: &QueryRequest,
    ) -> Result<Page, DocumentError> {
        let t = self.table(model)?;
        let plan = self.plan(&t, req)?;
        let rows = bind_all(sqlx::query(AssertSqlSafe(plan.sql)), &plan.params)
            .fetch_all(&self.pool)
            .await?;
        let more = rows.len() > plan.limit;
        let examined = &rows[..rows.len().min(plan.limit)];
        let mut items = Vec::new();
        for row in examined {
            let keep: bool = row.try_get(2)?;
            if keep {
                let doc: String = row.try_get(3)?;
                items.push(parse_doc(&doc)?);
            }
        }
        let next_token = match examined.last() {
            Some(last) if more => {
                let sort = if plan.has_sort {
                    Param::from_row(last, 1)?.to_value()
                } else {
                    Value::Null
                };
                Some(self.signer.sign(&Cursor {
                    query: plan.fingerprint,
                    sort,
                    seq: last.try_get(0)?,
                }))
            }
            _ => None,
        };
        Ok(Page {
            items,
            next_token,
            scanned_count: examined.len(),
        })
    }

    /// SQLite's `EXPLAIN QUERY PLAN` for a request (the `detail` lines), to check that key
    /// queries and filters use the indexes.
    pub async fn explain_query(
        &self,
        model: &str,
        req: &QueryRequest,
    ) -> Result<Vec<String>, DocumentError> {
        let t = self.table(model)?;
        let plan = self.plan(&t, req)?;
        let mut conn = self.pool.acquire().await?;
        // Run the query first: EXPLAIN does not check the schema cookie, so on a connection
        // that has not seen a newly created index it would describe a stale plan.
        bind_all(sqlx::query(AssertSqlSafe(plan.sql.clone())), &plan.params)
            .fetch_all(&mut *conn)
            .await?;
        let rows = bind_all(
            sqlx::query(AssertSqlSafe(format!("EXPLAIN QUERY PLAN {}", plan.sql))),
            &plan.params,
        )
        .persistent(false)
        .fetch_all(&mut *conn)
        .await?;
        rows.iter()
            .map(|r| r.try_get::<String, _>(3).map_err(DocumentError::from))
            .collect()
    }
}
