//! The model operations behind the generated fields, as AppSync's generated resolvers run
//! them on DynamoDB, here on the document store.

use async_graphql::Result;
use async_graphql::dynamic::ResolverContext;
use serde_json::{Map, Value};
use stratus_store::documents::{
    Document, Filter, KeySchema, QueryRequest, SortCondition, SortDirection, composite_sort_value,
};

use super::engine::{Engine, Node};
use super::plan::{FieldPlan, primary_key};
use super::write;
use crate::authz::{AuthFilter, Caller, Condition, Op};
use crate::errors::{denied, store, typed, unauthorized};

/// Runs the root field `type_name.field`.
pub async fn root(
    ctx: &ResolverContext<'_>,
    engine: &Engine,
    type_name: &str,
    field: &str,
    args: Map<String, Value>,
) -> Result<Option<Node>> {
    let caller = ctx.data::<Caller>()?;
    if !engine.mode_allows(caller, type_name, field) {
        return Err(unauthorized(type_name, field));
    }
    let Some(plan) = engine.plans.get(type_name, field) else {
        return Err(typed(
            "NotImplemented",
            format!("{type_name}.{field} has no resolver in Stratus yet"),
        ));
    };
    let at = At { type_name, field };
    match plan {
        FieldPlan::Get { model } => get(engine, caller, model, &args, at).await,
        FieldPlan::List { model } => {
            let m = write::model_of(engine, model)?;
            let key = primary_key(m);
            list(engine, caller, model, None, &key, &args, at)
                .await
                .map(Some)
        }
        FieldPlan::Query { model, key } => {
            list(engine, caller, model, Some(key.clone()), key, &args, at)
                .await
                .map(Some)
        }
        FieldPlan::Create { model } => write::create(engine, caller, model, &args, at).await,
        FieldPlan::Update { model } => write::update(engine, caller, model, &args, at).await,
        FieldPlan::Delete { model } => write::delete(engine, caller, model, &args, at).await,
        _ => Ok(None),
    }
}

/// The field being resolved, for error messages.
#[derive(Debug, Clone, Copy)]
pub struct At<'a> {
    pub type_name: &'a str,
    pub field: &'a str,
}

/// An item as the caller sees it: field rules applied, owner fields presented.
pub fn present(engine: &Engine, caller: &Caller, model: &str, mut item: Document) -> Node {
    let fields = engine
        .field_names
        .get(model)
        .map(Vec::as_slice)
        .unwrap_or_default();
    let hidden = engine
        .authorizer
        .hidden_fields(caller, model, &item, fields);
    engine.authorizer.present_owner_fields(model, &mut item);
    Node::Item {
        model: Some(model.to_string()),
        data: item,
        hidden,
    }
}

/// The key of an item from the key fields in `values`.
pub fn key_from(key: &KeySchema, values: &Map<String, Value>) -> Result<Document> {
    let mut out = Document::new();
    for f in key.fields() {
        match values.get(f) {
            Some(v) if !v.is_null() => {
                out.insert(f.to_string(), v.clone());
            }
            _ => {
                return Err(typed(
                    "DynamoDB:DynamoDbException",
                    format!("The key field {f} is missing"),
                ));
            }
        }
    }
    Ok(out)
}

async fn get(
    engine: &Engine,
    caller: &Caller,
    model: &str,
    args: &Map<String, Value>,
    at: At<'_>,
) -> Result<Option<Node>> {
    let m = write::model_of(engine, model)?;
    let grant = engine
        .authorizer
        .authorize_read(caller, model, Op::Get)
        .map_err(|d| denied(&d, at.type_name, at.field))?;
    let key = key_from(&primary_key(m), args)?;
    let Some(item) = engine.docs.get(model, &key).await.map_err(store)? else {
        return Ok(None);
    };
    if let Some(filter) = &grant.filter
        && !filter.matches(&item)
    {
        return Err(unauthorized(at.type_name, at.field));
    }
    Ok(Some(present(engine, caller, model, item)))
}

/// The store filter of an authorization filter (list owner fields match whole elements).
pub fn auth_filter(filter: &AuthFilter) -> Filter {
    Filter::Or(
        filter
            .any_of
            .iter()
            .map(|c| match c {
                Condition::Eq { field, value } => Filter::field(
                    field,
                    stratus_store::documents::FieldOp::Eq(value.clone().into()),
                ),
                Condition::Contains { field, value } => Filter::field(
                    field,
                    stratus_store::documents::FieldOp::HasElement(value.clone().into()),
                ),
                Condition::In { field, values } => Filter::field(
                    field,
                    stratus_store::documents::FieldOp::In(
                        values.iter().cloned().map(Value::from).collect(),
                    ),
                ),
            })
            .collect(),
    )
}

/// The client's `filter` argument and the caller's authorization filter, together.
fn combined_filter(auth: Option<&AuthFilter>, client: Option<&Value>) -> Result<Option<Filter>> {
    let client = match client {
        Some(v) if !v.is_null() => Some(
            Filter::from_input(v)
                .map_err(|e| typed("DynamoDB:DynamoDbException", e.to_string()))?,
        ),
        _ => None,
    };
    let auth = auth.map(auth_filter);
    Ok(match (auth, client) {
        (Some(a), Some(c)) => Some(Filter::And(vec![a, c])),
        (a, c) => a.or(c),
    })
}

/// A sort key condition argument (`{beginsWith: "x"}`, or for a composite key
/// `{between: [{a: 1, b: "x"}, {a: 2}]}`).
pub fn sort_condition(key: &KeySchema, arg: &Value) -> Result<Option<SortCondition>> {
    let Some(obj) = arg.as_object() else {
        return Ok(None);
    };
    let operand = |v: &Value| -> Value {
        if key.sort_keys.len() > 1 {
            let parts: Vec<Option<&Value>> = key
                .sort_keys
                .iter()
                .map(|k| v.as_object().and_then(|o| o.get(k)))
                .collect();
            Value::String(composite_sort_value(&parts))
        } else {
            v.clone()
        }
    };
    let Some((op, v)) = obj.iter().find(|(_, v)| !v.is_null()) else {
        return Ok(None);
    };
    let cond = match op.as_str() {
        "eq" => SortCondition::Eq(operand(v)),
        "le" => SortCondition::Le(operand(v)),
        "lt" => SortCondition::Lt(operand(v)),
        "ge" => SortCondition::Ge(operand(v)),
        "gt" => SortCondition::Gt(operand(v)),
        "beginsWith" => match operand(v) {
            Value::String(s) => SortCondition::BeginsWith(s),
            other => SortCondition::BeginsWith(other.to_string()),
        },
        "between" => match v.as_array().map(Vec::as_slice) {
            Some([a, b]) => SortCondition::Between(operand(a), operand(b)),
            _ => {
                return Err(typed(
                    "DynamoDB:DynamoDbException",
                    "between needs exactly two values",
                ));
            }
        },
        other => {
            return Err(typed(
                "DynamoDB:DynamoDbException",
                format!("unknown key condition {other}"),
            ));
        }
    };
    Ok(Some(cond))
}

/// The argument checks of the generated query resolvers: one operation per key condition, and
/// for a composite key no later part without the earlier ones.
fn check_sort_argument(key: &KeySchema, name: &str, arg: &Value) -> Result<()> {
    let Some(obj) = arg.as_object() else {
        return Ok(());
    };
    let ops: Vec<(&String, &Value)> = obj.iter().filter(|(_, v)| !v.is_null()).collect();
    if ops.len() > 1 {
        return Err(typed(
            "InvalidArgumentsError",
            format!("Argument {name} must specify at most one key condition operation."),
        ));
    }
    if key.sort_keys.len() < 2 {
        return Ok(());
    }
    let Some((op, value)) = ops.first() else {
        return Ok(());
    };
    let operands: Vec<(String, &Value)> = match value.as_array() {
        Some(items) if op.as_str() == "between" => {
            if items.len() != 2 {
                return Err(typed(
                    "InvalidArgumentsError",
                    format!("Argument '{name}.between' expects exactly two elements."),
                ));
            }
            items
                .iter()
                .enumerate()
                .map(|(i, v)| (format!("{name}.between[{i}]"), v))
                .collect()
        }
        _ => vec![(format!("{name}.{op}"), *value)],
    };
    for (path, operand) in operands {
        let present = |k: &str| {
            operand
                .get(k)
                .is_some_and(|v| !v.is_null() && v.as_str() != Some(""))
        };
        for (i, later) in key.sort_keys.iter().enumerate().skip(1) {
            if present(later) && !present(&key.sort_keys[i - 1]) {
                return Err(typed(
                    "InvalidArgumentsError",
                    format!(
                        "When providing argument '{path}.{later}' you must also provide '{path}.{}'.",
                        key.sort_keys[i - 1]
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Page arguments shared by lists, index queries and `hasMany` fields.
fn page_args(args: &Map<String, Value>) -> Result<(Option<u32>, Option<String>, SortDirection)> {
    let limit = match args.get("limit") {
        Some(Value::Number(n)) => {
            let n = n.as_i64().unwrap_or(0);
            if n < 1 {
                return Err(typed(
                    "DynamoDB:DynamoDbException",
                    "Limit must be greater than or equal to 1",
                ));
            }
            Some(u32::try_from(n).unwrap_or(u32::MAX))
        }
        _ => None,
    };
    let next_token = args
        .get("nextToken")
        .and_then(Value::as_str)
        .map(String::from);
    let direction = match args.get("sortDirection").and_then(Value::as_str) {
        Some("DESC") => SortDirection::Desc,
        _ => SortDirection::Asc,
    };
    Ok((limit, next_token, direction))
}

/// A list or an index query: `key` is the key the partition/sort arguments refer to (the
/// primary key for a list), `index` the secondary index queried (`None` = the table).
pub async fn list(
    engine: &Engine,
    caller: &Caller,
    model: &str,
    index: Option<KeySchema>,
    key: &KeySchema,
    args: &Map<String, Value>,
    at: At<'_>,
) -> Result<Node> {
    let grant = engine
        .authorizer
        .authorize_read(caller, model, Op::List)
        .map_err(|d| denied(&d, at.type_name, at.field))?;
    let partition = args
        .get(&key.partition_key)
        .filter(|v| !v.is_null())
        .cloned();
    let known = ["filter", "limit", "nextToken", "sortDirection"];
    let sort_arg = args
        .iter()
        .find(|(k, v)| !v.is_null() && **k != key.partition_key && !known.contains(&k.as_str()));
    let sort = match (&partition, sort_arg) {
        (Some(_), Some((name, v))) => {
            check_sort_argument(key, name, v)?;
            sort_condition(key, v)?
        }
        (None, Some((name, _))) => {
            return Err(typed(
                "InvalidArgumentsError",
                format!(
                    "When providing argument '{name}' you must also provide '{}'.",
                    key.partition_key
                ),
            ));
        }
        _ => None,
    };
    let index = if partition.is_some() { index } else { None };
    let (limit, next_token, direction) = page_args(args)?;
    let request = QueryRequest {
        index,
        partition,
        sort,
        filter: combined_filter(grant.filter.as_ref(), args.get("filter"))?,
        limit,
        next_token,
        direction,
    };
    run_query(engine, caller, model, &request).await
}

/// Runs a query and presents its page.
pub async fn run_query(
    engine: &Engine,
    caller: &Caller,
    model: &str,
    request: &QueryRequest,
) -> Result<Node> {
    let page = engine.docs.query(model, request).await.map_err(store)?;
    Ok(Node::Connection {
        items: page
            .items
            .into_iter()
            .map(|item| present(engine, caller, model, item))
            .collect(),
        next_token: page.next_token,
    })
}

/// A relational field of a model item.
pub async fn relation(
    ctx: &ResolverContext<'_>,
    engine: &Engine,
    plan: &FieldPlan,
    type_name: &str,
    field: &str,
    parent: &Map<String, Value>,
    args: Map<String, Value>,
) -> Result<Option<Node>> {
    let caller = ctx.data::<Caller>()?;
    let at = At { type_name, field };
    match plan {
        FieldPlan::HasMany {
            related,
            key,
            parent_fields,
        } => {
            let grant = engine
                .authorizer
                .authorize_read(caller, related, Op::List)
                .map_err(|d| denied(&d, type_name, field))?;
            let values: Vec<Option<&Value>> = parent_fields
                .iter()
                .map(|f| parent.get(f).filter(|v| !v.is_null()))
                .collect();
            let Some(Some(partition)) = values.first() else {
                return Ok(Some(Node::Connection {
                    items: Vec::new(),
                    next_token: None,
                }));
            };
            let sort = if key.sort_keys.is_empty() || values.len() < 2 {
                match args.get(key.sort_keys.first().map(String::as_str).unwrap_or("")) {
                    Some(v) if key.sort_keys.len() == 1 => sort_condition(key, v)?,
                    _ => None,
                }
            } else {
                Some(reference_sort(&values[1..]))
            };
            let (limit, next_token, direction) = page_args(&args)?;
            let request = QueryRequest {
                index: Some(key.clone()),
                partition: Some((*partition).clone()),
                sort,
                filter: combined_filter(grant.filter.as_ref(), args.get("filter"))?,
                limit,
                next_token,
                direction,
            };
            run_query(engine, caller, related, &request).await.map(Some)
        }
        FieldPlan::HasOneByReference {
            related,
            key,
            parent_fields,
        } => {
            let grant = engine
                .authorizer
                .authorize_read(caller, related, Op::Get)
                .map_err(|d| denied(&d, type_name, field))?;
            let values: Vec<Option<&Value>> = parent_fields
                .iter()
                .map(|f| parent.get(f).filter(|v| !v.is_null()))
                .collect();
            let Some(Some(partition)) = values.first() else {
                return Ok(None);
            };
            let sort = (!key.sort_keys.is_empty() && values.len() > 1)
                .then(|| reference_sort(&values[1..]));
            let request = QueryRequest {
                index: Some(key.clone()),
                partition: Some((*partition).clone()),
                sort,
                filter: combined_filter(grant.filter.as_ref(), None)?,
                ..QueryRequest::default()
            };
            let page = engine.docs.query(related, &request).await.map_err(store)?;
            Ok(page
                .items
                .into_iter()
                .next()
                .map(|item| present(engine, caller, related, item)))
        }
        FieldPlan::GetRelated { related, fields } => {
            let Some(m) = engine.model(related) else {
                return Ok(None);
            };
            let pk = primary_key(m);
            let mut key = Document::new();
            for (k, f) in pk.fields().zip(fields) {
                match parent.get(f) {
                    Some(v) if !v.is_null() => {
                        key.insert(k.to_string(), v.clone());
                    }
                    _ => return Ok(None),
                }
            }
            if key.len() != pk.fields().count() {
                return Ok(None);
            }
            let grant = engine
                .authorizer
                .authorize_read(caller, related, Op::Get)
                .map_err(|d| denied(&d, at.type_name, at.field))?;
            let Some(item) = engine.docs.get(related, &key).await.map_err(store)? else {
                return Ok(None);
            };
            if let Some(filter) = &grant.filter
                && !filter.matches(&item)
            {
                return Err(unauthorized(at.type_name, at.field));
            }
            Ok(Some(present(engine, caller, related, item)))
        }
        _ => Ok(None),
    }
}

/// The sort key condition of a reference: one sort field is matched with its own typed value
/// (an `Int` stays a number), several with their `#`-joined composite value.
fn reference_sort(values: &[Option<&Value>]) -> SortCondition {
    match values {
        [Some(one)] => SortCondition::Eq((*one).clone()),
        _ => SortCondition::Eq(Value::String(composite_sort_value(values))),
    }
}
