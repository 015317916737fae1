//! The one field resolver every field of the schema uses: root fields run their planned model
//! operation, relational fields load the related model, other fields read the parent item.

use std::sync::Arc;

use async_graphql::Result;
use async_graphql::dynamic::{FieldValue, ResolverContext};
use serde_json::{Map, Value};

use super::engine::{Engine, Node};
use super::ops;
use crate::authz::Caller;
use crate::errors::{unauthorized, with_path};

/// How a field's value is produced from the stored JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutKind {
    /// An object type: the value is wrapped as a [`Node`].
    Object,
    /// `AWSJSON`: answered as a JSON string.
    Json,
    /// A scalar or an enum value.
    Value,
}

pub async fn field<'a>(
    ctx: ResolverContext<'a>,
    parent: &str,
    field_name: &str,
    kind: OutKind,
) -> Result<Option<FieldValue<'a>>> {
    let path: Vec<Value> = ctx
        .path_node
        .map(|p| {
            p.to_string_vec()
                .into_iter()
                .map(|s| match s.parse::<u64>() {
                    Ok(i) => Value::from(i),
                    Err(_) => Value::String(s),
                })
                .collect()
        })
        .unwrap_or_default();
    resolve_field(ctx, parent, field_name, kind)
        .await
        .map_err(|e| with_path(e, path))
}

async fn resolve_field<'a>(
    ctx: ResolverContext<'a>,
    parent: &str,
    field: &str,
    kind: OutKind,
) -> Result<Option<FieldValue<'a>>> {
    let engine = ctx.data::<Arc<Engine>>()?.clone();
    if engine.lambda_mode
        && let Some(Caller::Lambda { denied_fields, .. }) = ctx.data_opt::<Caller>()
        && denied_fields
            .iter()
            .any(|d| d.split_once('.') == Some((parent, field)))
    {
        // The Lambda authorizer's `deniedFields`: `null`, whatever the resolver would give.
        return Err(unauthorized(parent, field));
    }
    if parent == "Query" || parent == "Mutation" {
        let args = args_json(&ctx);
        if let Some(op) = engine.custom.get(parent, field) {
            let caller = ctx.data::<Caller>()?;
            if !engine.mode_allows(caller, parent, field) {
                return Err(unauthorized(parent, field));
            }
            let value = super::custom::resolve(&ctx, &engine, op, parent, field, args).await?;
            return Ok(super::custom::output(
                &engine,
                caller,
                &op.returns,
                kind,
                value,
            ));
        }
        if let Some(resolver) = engine.js.get(parent, field) {
            return super::js::resolve(&ctx, &engine, &resolver, parent, field, args, kind).await;
        }
        let node = ops::root(&ctx, &engine, parent, field, args).await?;
        return Ok(node.map(FieldValue::owned_any));
    }
    let node = ctx.parent_value.try_downcast_ref::<Node>()?;
    match node {
        Node::Connection { items, next_token } => Ok(match field {
            "items" => Some(FieldValue::list(
                items.iter().cloned().map(FieldValue::owned_any),
            )),
            "nextToken" => next_token.clone().map(FieldValue::value),
            _ => None,
        }),
        Node::Item {
            model,
            data,
            hidden,
        } => {
            if hidden.iter().any(|h| h == field) {
                return Err(unauthorized(parent, field));
            }
            if let Some(model) = model
                && let Some(plan) = engine.plans.get(model, field)
            {
                let args = args_json(&ctx);
                let node = ops::relation(&ctx, &engine, plan, parent, field, data, args).await?;
                return Ok(node.map(FieldValue::owned_any));
            }
            Ok(data.get(field).and_then(|v| to_field_value(v, kind)))
        }
    }
}

/// The field's arguments as JSON (enum values as strings).
fn args_json(ctx: &ResolverContext<'_>) -> Map<String, Value> {
    ctx.args
        .iter()
        .map(|(name, v)| {
            let json = v.as_value().clone().into_json().unwrap_or(Value::Null);
            (name.to_string(), json)
        })
        .collect()
}

fn to_field_value<'a>(value: &Value, kind: OutKind) -> Option<FieldValue<'a>> {
    match (kind, value) {
        (_, Value::Null) => None,
        (OutKind::Object, Value::Object(map)) => Some(FieldValue::owned_any(Node::Item {
            model: None,
            data: map.clone(),
            hidden: Vec::new(),
        })),
        (OutKind::Object | OutKind::Json, Value::Array(items)) => {
            Some(FieldValue::list(items.iter().map(|v| {
                to_field_value(v, kind).unwrap_or(FieldValue::NULL)
            })))
        }
        (OutKind::Json, Value::String(s)) => Some(FieldValue::value(s.clone())),
        (OutKind::Json, other) => Some(FieldValue::value(other.to_string())),
        (_, other) => async_graphql::Value::from_json(other.clone())
            .ok()
            .map(FieldValue::value),
    }
}
