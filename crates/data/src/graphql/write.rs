//! `create`, `update` and `delete`, as the generated mutation resolvers run them.

use async_graphql::Result;
use serde_json::{Map, Value};
use stratus_spec::data::Model;
use stratus_store::documents::{AttributeType, Document, DocumentError, FieldOp, Filter};

use super::engine::{Engine, Node};
use super::ops::{At, key_from, present};
use super::plan::primary_key;
use crate::authz::Caller;
use crate::errors::{denied, store, typed};

/// `AWSDateTime` of now with milliseconds, as `$util.time.nowISO8601()` gives it.
pub fn now_iso8601() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string()
}

/// The names of the model's `createdAt` and `updatedAt` fields (`None` when disabled).
pub fn timestamp_fields(model: &Model) -> (Option<String>, Option<String>) {
    match &model.model.timestamps {
        None => (Some("createdAt".into()), Some("updatedAt".into())),
        Some(None) => (None, None),
        Some(Some(t)) => (
            match &t.created_at {
                None => Some("createdAt".into()),
                Some(n) => n.clone(),
            },
            match &t.updated_at {
                None => Some("updatedAt".into()),
                Some(n) => n.clone(),
            },
        ),
    }
}

fn input_of(args: &Map<String, Value>) -> Result<Map<String, Value>> {
    match args.get("input") {
        Some(Value::Object(m)) => Ok(m.clone()),
        _ => Err(typed("ValidationError", "input must be an object")),
    }
}

fn condition_of(args: &Map<String, Value>) -> Result<Option<Filter>> {
    match args.get("condition") {
        Some(v) if !v.is_null() => Filter::from_input(v)
            .map(Some)
            .map_err(|e| typed("DynamoDB:DynamoDbException", e.to_string())),
        _ => Ok(None),
    }
}

/// The write's condition: the client's, and the stored values the authorization decision
/// read (owner and group fields) unchanged, so that a concurrent change of ownership between
/// the decision and the write fails the write instead of bypassing the rules.
fn guarded(
    engine: &Engine,
    model: &str,
    existing: &Map<String, Value>,
    client: Option<Filter>,
) -> Option<Filter> {
    let mut parts: Vec<Filter> = client.into_iter().collect();
    if let Some(acm) = engine.authorizer.matrix().models.get(model) {
        let mut fields: Vec<&str> = acm
            .roles
            .iter()
            .filter_map(|r| r.entity.as_deref())
            .collect();
        fields.sort_unstable();
        fields.dedup();
        for f in fields {
            parts.push(match existing.get(f) {
                None => Filter::field(f, FieldOp::AttributeExists(false)),
                Some(Value::Null) => Filter::field(f, FieldOp::AttributeType(AttributeType::Null)),
                Some(v) => Filter::field(f, FieldOp::Eq(v.clone())),
            });
        }
    }
    match parts.len() {
        0 => None,
        1 => parts.pop(),
        _ => Some(Filter::And(parts)),
    }
}

pub(super) fn model_of<'a>(engine: &'a Engine, model: &str) -> Result<&'a Model> {
    engine
        .model(model)
        .ok_or_else(|| typed("InternalFailure", format!("unknown model {model}")))
}

/// A `@default(value:)` as the field's type stores it.
fn default_value(type_name: &str, raw: &str) -> Value {
    match type_name {
        "Int" | "AWSTimestamp" => raw.parse::<i64>().map(Value::from).unwrap_or(raw.into()),
        "Float" => raw.parse::<f64>().map(Value::from).unwrap_or(raw.into()),
        "Boolean" => raw.parse::<bool>().map(Value::from).unwrap_or(raw.into()),
        _ => Value::String(raw.to_string()),
    }
}

pub async fn create(
    engine: &Engine,
    caller: &Caller,
    model: &str,
    args: &Map<String, Value>,
    at: At<'_>,
) -> Result<Option<Node>> {
    let m = model_of(engine, model)?;
    let mut item = input_of(args)?;
    let grant = engine
        .authorizer
        .authorize_create(caller, model, &item)
        .map_err(|d| denied(&d, at.type_name, at.field))?;
    super::validate::check(m, &item)?;
    for (field, value) in grant.owner_values {
        item.insert(field, value);
    }
    let pk = primary_key(m);
    if pk.partition_key == "id" && item.get("id").is_none_or(Value::is_null) {
        item.insert("id".into(), Value::String(uuid::Uuid::new_v4().to_string()));
    }
    for f in &m.fields {
        if let Some(Some(raw)) = &f.default
            && item.get(&f.name).is_none_or(Value::is_null)
            && f.relation.is_none()
        {
            item.insert(f.name.clone(), default_value(&f.ty.name, raw));
        }
    }
    let now = now_iso8601();
    let (created, updated) = timestamp_fields(m);
    for name in [created, updated].into_iter().flatten() {
        if item.get(&name).is_none_or(Value::is_null) {
            item.insert(name, Value::String(now.clone()));
        }
    }
    item.insert("__typename".into(), Value::String(model.to_string()));
    let condition = condition_of(args)?;
    let stored = engine
        .docs
        .create(model, item, condition.as_ref())
        .await
        .map_err(store)?;
    engine.publish(at.field, model, &stored);
    Ok(Some(present(engine, caller, model, stored)))
}

fn conditional_failed(model: &str) -> async_graphql::Error {
    store(DocumentError::ConditionalCheckFailed {
        model: model.to_string(),
        current: None,
    })
}

/// The stored item an update or delete acts on; a missing one fails the condition, as
/// DynamoDB's conditional write does.
async fn existing_item(engine: &Engine, model: &str, key: &Document) -> Result<Document> {
    engine
        .docs
        .get(model, key)
        .await
        .map_err(store)?
        .ok_or_else(|| conditional_failed(model))
}

pub async fn update(
    engine: &Engine,
    caller: &Caller,
    model: &str,
    args: &Map<String, Value>,
    at: At<'_>,
) -> Result<Option<Node>> {
    let m = model_of(engine, model)?;
    let input = input_of(args)?;
    let pk = primary_key(m);
    let key = key_from(&pk, &input)?;
    let existing = existing_item(engine, model, &key).await?;
    engine
        .authorizer
        .authorize_update(caller, model, Some(&existing), &input)
        .map_err(|d| denied(&d, at.type_name, at.field))?;
    super::validate::check(m, &input)?;
    let mut changes: Map<String, Value> = input
        .into_iter()
        .filter(|(k, _)| !pk.fields().any(|f| f == k))
        .collect();
    if let (_, Some(updated)) = timestamp_fields(m)
        && changes.get(&updated).is_none_or(Value::is_null)
    {
        changes.insert(updated, Value::String(now_iso8601()));
    }
    changes.insert("__typename".into(), Value::String(model.to_string()));
    let condition = guarded(engine, model, &existing, condition_of(args)?);
    let stored = engine
        .docs
        .update(model, &key, changes, condition.as_ref())
        .await
        .map_err(store)?;
    engine.publish(at.field, model, &stored);
    Ok(Some(present(engine, caller, model, stored)))
}

pub async fn delete(
    engine: &Engine,
    caller: &Caller,
    model: &str,
    args: &Map<String, Value>,
    at: At<'_>,
) -> Result<Option<Node>> {
    let m = model_of(engine, model)?;
    let input = input_of(args)?;
    let key = key_from(&primary_key(m), &input)?;
    let existing = existing_item(engine, model, &key).await?;
    engine
        .authorizer
        .authorize_delete(caller, model, Some(&existing))
        .map_err(|d| denied(&d, at.type_name, at.field))?;
    let condition = guarded(engine, model, &existing, condition_of(args)?);
    let stored = engine
        .docs
        .delete(model, &key, condition.as_ref())
        .await
        .map_err(store)?;
    engine.publish(at.field, model, &stored);
    Ok(Some(present(engine, caller, model, stored)))
}
