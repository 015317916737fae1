//! The DynamoDB data source: a model's table (`a.handler.custom({ dataSource:
//! a.ref('Model') })`). The request objects of AppSync's DynamoDB resolver reference
//! (`GetItem`, `PutItem`, `UpdateItem`, `DeleteItem`, `Query`, `Scan`, `BatchGetItem`,
//! `BatchPutItem`, `BatchDeleteItem`) run on the document store with DynamoDB's semantics and
//! answer in AppSync's shapes (the item, `null`, `{ items, nextToken, scannedCount }`,
//! `{ data, unprocessedKeys }`).
//!
//! Writes read the item, evaluate the condition and the update on it here, and write back
//! conditioned on every attribute they read being unchanged; a concurrent change makes them
//! start over. So `ADD n :one` from many callers at once counts every call, as in DynamoDB.

pub mod eval;
pub mod expr;
pub mod tables;
pub mod typed;

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};
use stratus_store::documents::{
    Document, DocumentError, DocumentStore, FieldOp, Filter, KeySchema, MAX_PAGE_ITEMS,
    QueryRequest, SortCondition, SortDirection,
};

use self::expr::{Cmp, Condition, Kind, Operand, Path, PathElem, Source};
use self::tables::{Table, Tables};

/// Why a DynamoDB request produced no result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DsError {
    /// An error of DynamoDB itself: the function's `ctx.error` (`{ message, type }`).
    Dynamo { error_type: String, message: String },
    /// A request AppSync would refuse before calling DynamoDB (`MappingTemplate`).
    Request(String),
    /// A request Stratus does not run (named in the message).
    Unsupported(String),
}

/// `DynamoDB:<exception>` with the service suffix AppSync's messages carry.
pub fn dynamo(exception: &str, message: &str) -> DsError {
    DsError::Dynamo {
        error_type: format!("DynamoDB:{exception}"),
        message: format!(
            "{message} (Service: DynamoDb, Status Code: 400, Request ID: {})",
            uuid::Uuid::new_v4().simple().to_string().to_uppercase()
        ),
    }
}

fn validation(message: impl AsRef<str>) -> DsError {
    dynamo("DynamoDbException", message.as_ref())
}

fn store_error(e: DocumentError) -> DsError {
    match e {
        DocumentError::ConditionalCheckFailed { .. } => dynamo(
            "ConditionalCheckFailedException",
            "The conditional request failed",
        ),
        other => validation(other.to_string()),
    }
}

/// How many times a write starts over after a concurrent change.
const ATTEMPTS: usize = 16;

/// One table as a data source.
pub struct DynamoSource<'a> {
    pub docs: &'a dyn DocumentStore,
    pub tables: &'a Tables,
    pub table: &'a Table,
}

impl DynamoSource<'_> {
    /// Runs one request object; the result in AppSync's shape.
    pub async fn execute(&self, request: &Value) -> Result<Value, DsError> {
        let req = request
            .as_object()
            .ok_or_else(|| DsError::Request("the request must be an object".into()))?;
        let op = req
            .get("operation")
            .and_then(Value::as_str)
            .ok_or_else(|| DsError::Request("Value for field '$[operation]' not found.".into()))?;
        match op {
            "GetItem" => self.get_item(self.table, req).await,
            "PutItem" => self.put_item(self.table, req).await,
            "UpdateItem" => self.update_item(self.table, req).await,
            "DeleteItem" => self.delete_item(self.table, req).await,
            "Query" => self.query(req, true).await,
            "Scan" => self.query(req, false).await,
            "BatchGetItem" => self.batch_get(req).await,
            "BatchPutItem" | "BatchDeleteItem" => self.batch_write(req, op == "BatchPutItem").await,
            "Sync" | "TransactGetItems" | "TransactWriteItems" => {
                Err(DsError::Unsupported(format!(
                    "the DynamoDB operation {op} is not supported by stratus (supported: GetItem, PutItem, UpdateItem, DeleteItem, Query, Scan, BatchGetItem, BatchPutItem, BatchDeleteItem)"
                )))
            }
            other => Err(DsError::Request(format!(
                "Unsupported operation '{other}'. Datasource Versioning only supports the following operations: GetItem, PutItem, UpdateItem, DeleteItem, Query, Scan, Sync, BatchGetItem, BatchPutItem, BatchDeleteItem, TransactGetItems, TransactWriteItems"
            ))),
        }
    }

    async fn get_item(&self, table: &Table, req: &Map<String, Value>) -> Result<Value, DsError> {
        let key = key_document(table, req.get("key"))?;
        let projection = projection(req.get("projection"))?;
        let item = self
            .docs
            .get(&table.model, &key)
            .await
            .map_err(store_error)?;
        Ok(item.map_or(Value::Null, |i| {
            Value::Object(apply_projection(i, &projection))
        }))
    }

    async fn put_item(&self, table: &Table, req: &Map<String, Value>) -> Result<Value, DsError> {
        let key = key_document(table, req.get("key"))?;
        let mut item = match req.get("attributeValues") {
            None | Some(Value::Null) => Map::new(),
            Some(v) => {
                typed::object_to_plain(v, "attributeValues").map_err(|e| DsError::Request(e.0))?
            }
        };
        for (k, v) in &key {
            item.insert(k.clone(), v.clone());
        }
        let condition = parse_condition(req.get("condition"))?;
        self.put(table, key, item, condition.as_ref()).await
    }

    /// `PutItem`: replaces or creates the item when `condition` holds on what is stored.
    async fn put(
        &self,
        table: &Table,
        key: Document,
        item: Document,
        condition: Option<&Condition>,
    ) -> Result<Value, DsError> {
        let mut reads = BTreeSet::new();
        if let Some(c) = condition {
            eval::condition_reads(c, &mut reads);
        }
        for _ in 0..ATTEMPTS {
            let existing = self.current(table, &key).await?;
            check(condition, existing.as_ref())?;
            let written = match &existing {
                None => self.docs.create(&table.model, item.clone(), None).await,
                Some(old) => {
                    let guard = guard(&reads, old);
                    let changes = diff(old, &item, &table.key);
                    self.docs
                        .update(&table.model, &key, changes, guard.as_ref())
                        .await
                }
            };
            match written {
                Ok(stored) => return Ok(Value::Object(stored)),
                Err(DocumentError::ConditionalCheckFailed { .. }) => continue,
                Err(e) => return Err(store_error(e)),
            }
        }
        Err(contention())
    }

    async fn update_item(&self, table: &Table, req: &Map<String, Value>) -> Result<Value, DsError> {
        let key = key_document(table, req.get("key"))?;
        let source = Source::of(req.get("update"), Kind::Update)
            .map_err(|e| validation(e.0))?
            .ok_or_else(|| DsError::Request("Value for field '$[update]' not found.".into()))?;
        let update = expr::update(&source).map_err(|e| validation(e.0))?;
        let condition = parse_condition(req.get("condition"))?;
        let mut reads = BTreeSet::new();
        eval::update_reads(&update, &mut reads);
        if let Some(c) = &condition {
            eval::condition_reads(c, &mut reads);
        }
        let composite = (table.key.sort_keys.len() > 1).then(|| table.key.sort_keys.join("#"));
        let mut key_fields: Vec<&str> = table.key.fields().collect();
        if let Some(c) = &composite {
            key_fields.push(c);
        }
        for _ in 0..ATTEMPTS {
            let existing = self.current(table, &key).await?;
            check(condition.as_ref(), existing.as_ref())?;
            let mut new = existing.clone().unwrap_or_else(|| key.clone());
            eval::apply_update(&mut new, &update, &key_fields).map_err(|e| validation(e.0))?;
            let written = match &existing {
                None => self.docs.create(&table.model, new, None).await,
                Some(old) => {
                    let guard = guard(&reads, old);
                    let changes = diff(old, &new, &table.key);
                    self.docs
                        .update(&table.model, &key, changes, guard.as_ref())
                        .await
                }
            };
            match written {
                Ok(stored) => return Ok(Value::Object(stored)),
                Err(DocumentError::ConditionalCheckFailed { .. }) => continue,
                Err(e) => return Err(store_error(e)),
            }
        }
        Err(contention())
    }

    async fn delete_item(&self, table: &Table, req: &Map<String, Value>) -> Result<Value, DsError> {
        let key = key_document(table, req.get("key"))?;
        let condition = parse_condition(req.get("condition"))?;
        self.delete(table, &key, condition.as_ref()).await
    }

    /// `DeleteItem`: the deleted item, or `null` when there was none.
    async fn delete(
        &self,
        table: &Table,
        key: &Document,
        condition: Option<&Condition>,
    ) -> Result<Value, DsError> {
        let mut reads = BTreeSet::new();
        if let Some(c) = condition {
            eval::condition_reads(c, &mut reads);
        }
        for _ in 0..ATTEMPTS {
            let existing = self.current(table, key).await?;
            check(condition, existing.as_ref())?;
            let Some(old) = existing else {
                return Ok(Value::Null);
            };
            let guard = guard(&reads, &old);
            match self.docs.delete(&table.model, key, guard.as_ref()).await {
                Ok(deleted) => return Ok(Value::Object(deleted)),
                Err(DocumentError::ConditionalCheckFailed { .. }) => continue,
                Err(e) => return Err(store_error(e)),
            }
        }
        Err(contention())
    }

    async fn current(&self, table: &Table, key: &Document) -> Result<Option<Document>, DsError> {
        self.docs.get(&table.model, key).await.map_err(store_error)
    }

    async fn query(&self, req: &Map<String, Value>, is_query: bool) -> Result<Value, DsError> {
        let table = self.table;
        let index = match req.get("index").and_then(Value::as_str) {
            Some(name) => Some(table.index(name).cloned().ok_or_else(|| {
                validation(format!(
                    "The table does not have the specified index: {name}"
                ))
            })?),
            None => None,
        };
        let key = index.clone().unwrap_or_else(|| table.key.clone());
        let (partition, sort) = if is_query {
            let source = Source::of(req.get("query"), Kind::KeyCondition)
                .map_err(|e| validation(e.0))?
                .ok_or_else(|| DsError::Request("Value for field '$[query]' not found.".into()))?;
            let condition =
                expr::condition(&source, Kind::KeyCondition).map_err(|e| validation(e.0))?;
            let (p, s) = key_condition(&condition, &key)?;
            (Some(p), s)
        } else {
            let segments = req
                .get("totalSegments")
                .and_then(Value::as_u64)
                .unwrap_or(1);
            if segments > 1 {
                return Err(DsError::Unsupported(
                    "parallel scans (totalSegments > 1) are not supported by stratus".into(),
                ));
            }
            (None, None)
        };
        let filter =
            match Source::of(req.get("filter"), Kind::Filter).map_err(|e| validation(e.0))? {
                Some(s) => Some(expr::condition(&s, Kind::Filter).map_err(|e| validation(e.0))?),
                None => None,
            };
        let projection = projection(req.get("projection"))?;
        let limit = match req.get("limit") {
            None | Some(Value::Null) => MAX_PAGE_ITEMS,
            Some(v) => match v.as_i64() {
                Some(n) if n >= 1 => u32::try_from(n).unwrap_or(u32::MAX).min(MAX_PAGE_ITEMS),
                _ => {
                    return Err(validation(
                        "1 validation error detected: Value at 'limit' failed to satisfy constraint: Member must have value greater than or equal to 1",
                    ));
                }
            },
        };
        let forward = req
            .get("scanIndexForward")
            .and_then(Value::as_bool)
            .unwrap_or(true);
        let request = QueryRequest {
            index,
            partition,
            sort,
            filter: None,
            limit: Some(limit),
            next_token: req
                .get("nextToken")
                .and_then(Value::as_str)
                .map(str::to_string),
            direction: if forward || !is_query {
                SortDirection::Asc
            } else {
                SortDirection::Desc
            },
        };
        let page = self
            .docs
            .query(&table.model, &request)
            .await
            .map_err(store_error)?;
        let mut items = Vec::with_capacity(page.items.len());
        for item in page.items {
            if let Some(f) = &filter
                && !eval::holds(&item, f).map_err(|e| validation(e.0))?
            {
                continue;
            }
            items.push(Value::Object(apply_projection(item, &projection)));
        }
        Ok(json!({
            "items": items,
            "nextToken": page.next_token,
            "scannedCount": page.scanned_count,
        }))
    }

    async fn batch_get(&self, req: &Map<String, Value>) -> Result<Value, DsError> {
        let tables = batch_tables(req)?;
        let mut data = Map::new();
        let mut unprocessed = Map::new();
        let total: usize = tables
            .values()
            .map(|t| t.get("keys").and_then(Value::as_array).map_or(0, Vec::len))
            .sum();
        if total > 100 {
            return Err(validation(
                "Too many items requested for the BatchGetItem call",
            ));
        }
        for (name, spec) in tables {
            let table = self.named(name)?;
            let keys = spec.get("keys").and_then(Value::as_array).ok_or_else(|| {
                DsError::Request(format!(
                    "Value for field '$[tables][{name}][keys]' not found."
                ))
            })?;
            let keys: Vec<Document> = keys
                .iter()
                .map(|k| key_document(table, Some(k)))
                .collect::<Result<_, _>>()?;
            let projection = projection(spec.get("projection"))?;
            let found = self
                .docs
                .batch_get(&table.model, &keys)
                .await
                .map_err(store_error)?;
            let items = found
                .into_iter()
                .map(|i| {
                    i.map_or(Value::Null, |i| {
                        Value::Object(apply_projection(i, &projection))
                    })
                })
                .collect();
            data.insert(name.clone(), Value::Array(items));
            unprocessed.insert(name.clone(), json!([]));
        }
        Ok(json!({ "data": data, "unprocessedKeys": unprocessed }))
    }

    async fn batch_write(&self, req: &Map<String, Value>, put: bool) -> Result<Value, DsError> {
        let tables = batch_tables(req)?;
        let total: usize = tables
            .values()
            .map(|v| v.as_array().map_or(0, Vec::len))
            .sum();
        if total > 25 {
            return Err(validation(
                "1 validation error detected: Value at 'requestItems' failed to satisfy constraint: Member must have length less than or equal to 25",
            ));
        }
        let mut data = Map::new();
        let mut unprocessed = Map::new();
        for (name, entries) in tables {
            let table = self.named(name)?;
            let entries = entries
                .as_array()
                .ok_or_else(|| DsError::Request(format!("'$[tables][{name}]' must be a list")))?;
            let mut out = Vec::new();
            for entry in entries {
                if put {
                    let item =
                        typed::object_to_plain(entry, "item").map_err(|e| DsError::Request(e.0))?;
                    let key = key_of_item(table, &item)?;
                    out.push(self.put(table, key, item, None).await?);
                } else {
                    let key = key_document(table, Some(entry))?;
                    out.push(self.delete(table, &key, None).await?);
                }
            }
            data.insert(name.clone(), Value::Array(out));
            unprocessed.insert(name.clone(), json!([]));
        }
        let other = if put {
            "unprocessedItems"
        } else {
            "unprocessedKeys"
        };
        Ok(json!({ "data": data, other: unprocessed }))
    }

    fn named(&self, name: &str) -> Result<&Table, DsError> {
        self.tables.by_name(name).ok_or_else(|| {
            dynamo(
                "ResourceNotFoundException",
                &format!("Requested resource not found: Table: {name} not found"),
            )
        })
    }
}

fn contention() -> DsError {
    dynamo(
        "TransactionConflictException",
        "The item kept changing while the write was retried",
    )
}

fn batch_tables(req: &Map<String, Value>) -> Result<&Map<String, Value>, DsError> {
    req.get("tables")
        .and_then(Value::as_object)
        .ok_or_else(|| DsError::Request("Value for field '$[tables]' not found.".into()))
}

fn parse_condition(value: Option<&Value>) -> Result<Option<Condition>, DsError> {
    match Source::of(value, Kind::Condition).map_err(|e| validation(e.0))? {
        Some(s) => Ok(Some(
            expr::condition(&s, Kind::Condition).map_err(|e| validation(e.0))?,
        )),
        None => Ok(None),
    }
}

fn check(condition: Option<&Condition>, existing: Option<&Document>) -> Result<(), DsError> {
    let Some(c) = condition else { return Ok(()) };
    let empty = Map::new();
    if eval::holds(existing.unwrap_or(&empty), c).map_err(|e| validation(e.0))? {
        Ok(())
    } else {
        Err(store_error(DocumentError::ConditionalCheckFailed {
            model: String::new(),
            current: None,
        }))
    }
}

/// The write's condition: every attribute it read has the value it read.
fn guard(reads: &BTreeSet<String>, old: &Document) -> Option<Filter> {
    if reads.is_empty() {
        return None;
    }
    Some(Filter::And(
        reads
            .iter()
            .map(|attr| match old.get(attr) {
                Some(v) => Filter::field(attr.clone(), FieldOp::Eq(v.clone())),
                None => Filter::field(attr.clone(), FieldOp::AttributeExists(false)),
            })
            .collect(),
    ))
}

/// The store update turning `old` into `new`: changed attributes, and `null` for removed ones.
fn diff(old: &Document, new: &Document, key: &KeySchema) -> Document {
    let keys: Vec<&str> = key.fields().collect();
    let mut changes = Map::new();
    for (k, v) in new {
        if !keys.contains(&k.as_str()) && old.get(k) != Some(v) {
            changes.insert(k.clone(), v.clone());
        }
    }
    for k in old.keys() {
        if !new.contains_key(k) && !keys.contains(&k.as_str()) {
            changes.insert(k.clone(), Value::Null);
        }
    }
    changes
}

/// The store key of a request's `key`: exactly the table's key attributes (a composite sort
/// key attribute `a#b` is split into its fields).
fn key_document(table: &Table, key: Option<&Value>) -> Result<Document, DsError> {
    let key = key
        .filter(|k| !k.is_null())
        .ok_or_else(|| DsError::Request("Value for field '$[key]' not found.".into()))?;
    let plain = typed::object_to_plain(key, "key").map_err(|e| DsError::Request(e.0))?;
    key_of(table, &plain, true)
}

/// The key of a whole item (batch puts).
fn key_of_item(table: &Table, item: &Document) -> Result<Document, DsError> {
    key_of(table, item, false)
}

fn key_of(table: &Table, attrs: &Document, exact: bool) -> Result<Document, DsError> {
    let mismatch = || validation("The provided key element does not match the schema");
    let (pk, sk) = Table::attributes(&table.key);
    let wanted = 1 + usize::from(sk.is_some());
    if exact && attrs.len() != wanted {
        return Err(mismatch());
    }
    let mut out = Map::new();
    let scalar = |v: &Value| v.is_string() || v.is_number();
    let pv = attrs.get(&pk).filter(|v| scalar(v)).ok_or_else(mismatch)?;
    out.insert(pk, pv.clone());
    if let Some(sk) = sk {
        if table.key.sort_keys.len() == 1 {
            let v = attrs.get(&sk).filter(|v| scalar(v)).ok_or_else(mismatch)?;
            out.insert(sk, v.clone());
        } else if let Some(Value::String(joined)) = attrs.get(&sk) {
            let parts: Vec<&str> = joined.splitn(table.key.sort_keys.len(), '#').collect();
            if parts.len() != table.key.sort_keys.len() {
                return Err(mismatch());
            }
            for (field, part) in table.key.sort_keys.iter().zip(parts) {
                out.insert(field.clone(), Value::String(part.to_string()));
            }
        } else if !exact
            && table
                .key
                .sort_keys
                .iter()
                .all(|f| attrs.get(f).is_some_and(scalar))
        {
            for f in &table.key.sort_keys {
                out.insert(f.clone(), attrs[f].clone());
            }
        } else {
            return Err(mismatch());
        }
    }
    Ok(out)
}

/// The partition value and sort condition of a key condition on `key`.
fn key_condition(
    condition: &Condition,
    key: &KeySchema,
) -> Result<(Value, Option<SortCondition>), DsError> {
    let (pk, sk) = Table::attributes(key);
    let invalid = |m: &str| validation(format!("Query key condition not supported: {m}"));
    let mut parts = Vec::new();
    match condition {
        Condition::And(a, b) => {
            parts.push(a.as_ref());
            parts.push(b.as_ref());
        }
        other => parts.push(other),
    }
    let mut partition = None;
    let mut sort = None;
    for part in parts {
        let (attr, cond) = match part {
            Condition::Compare(Operand::Path(p), cmp, Operand::Value { value, .. }) => {
                let v = value.clone();
                (
                    p,
                    match cmp {
                        Cmp::Eq => SortCondition::Eq(v),
                        Cmp::Lt => SortCondition::Lt(v),
                        Cmp::Le => SortCondition::Le(v),
                        Cmp::Gt => SortCondition::Gt(v),
                        Cmp::Ge => SortCondition::Ge(v),
                        Cmp::Ne => return Err(invalid("the <> operator")),
                    },
                )
            }
            Condition::Between(
                Operand::Path(p),
                Operand::Value { value: a, .. },
                Operand::Value { value: b, .. },
            ) => (p, SortCondition::Between(a.clone(), b.clone())),
            Condition::BeginsWith(
                Operand::Path(p),
                Operand::Value {
                    value: Value::String(s),
                    ..
                },
            ) => (p, SortCondition::BeginsWith(s.clone())),
            _ => {
                return Err(invalid(
                    "each part must compare a key attribute with a value",
                ));
            }
        };
        let name = single_attr(attr).ok_or_else(|| invalid("nested key attribute"))?;
        if name == pk {
            match cond {
                SortCondition::Eq(v) if partition.is_none() => partition = Some(v),
                _ => return Err(invalid("the partition key condition must be an equality")),
            }
        } else if Some(name) == sk.as_deref() && sort.is_none() {
            sort = Some(cond);
        } else {
            return Err(validation(format!(
                "Query condition missed key schema element: {}",
                if partition.is_none() {
                    pk.clone()
                } else {
                    sk.clone().unwrap_or_default()
                }
            )));
        }
    }
    let partition = partition
        .ok_or_else(|| validation(format!("Query condition missed key schema element: {pk}")))?;
    Ok((partition, sort))
}

fn single_attr(p: &Path) -> Option<&str> {
    match p.0.as_slice() {
        [PathElem::Attr(a)] => Some(a),
        _ => None,
    }
}

fn projection(value: Option<&Value>) -> Result<Option<Vec<Path>>, DsError> {
    match Source::of(value, Kind::Projection).map_err(|e| validation(e.0))? {
        Some(s) => Ok(Some(expr::projection(&s).map_err(|e| validation(e.0))?)),
        None => Ok(None),
    }
}

fn apply_projection(item: Document, paths: &Option<Vec<Path>>) -> Document {
    match paths {
        Some(p) => eval::project(&item, p),
        None => item,
    }
}
