//! Custom queries, mutations and subscriptions resolved by AppSync JavaScript handlers
//! (`a.handler.custom({ entry, dataSource })`), run by `stratus-appsync-js` as AppSync runs
//! the pipeline Amplify generates: the field's `@aws_*` directives (and `@auth` static rules)
//! decide first, then Amplify's stash step and each handler's request → data source →
//! response. `ctx.identity` and `ctx.request` are those function payloads get
//! ([`super::custom::identity`]); `ctx.info` carries the selection set.
//!
//! Errors keep AppSync's shapes: `util.error(message, type, data, errorInfo)` (no `errorType`
//! when none is given), `util.appendError` beside the value, `util.unauthorized()`, a
//! JavaScript failure as `Code`, a malformed data source request as `MappingTemplate`, and
//! what Stratus does not run as `NotImplemented`. A custom mutation's object result is
//! published to the subscriptions that name it; a subscription's handler runs when it starts
//! and its `extensions.setSubscriptionFilter` replaces argument filtering for its events.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dynamic::{FieldValue, ResolverContext};
use async_graphql::{Error, Result, SelectionField};
use serde_json::{Map, Value, json};
use stratus_appsync_js::{FieldError, Invocation, JsResolvers, Resolver, SubscriptionFilter};
use stratus_spec::data::DataSpec;

use super::custom::{RequestHeaders, identity, output, request_context};
use super::engine::{Engine, mode_of};
use super::resolve::OutKind;
use crate::authz::Caller;
use crate::errors::{denied, raised, typed, unauthorized, with_path};

/// What `ctx.stash.awsAppsyncApiId` holds (the functions' `requestContext.apiId` too).
pub const API_ID: &str = "stratuslocalapi";

/// The custom-handler operations of a schema.
#[derive(Default)]
pub struct JsOps {
    pub resolvers: JsResolvers,
    /// `Type.field` → (named return type, names of its `AWSJSON` arguments).
    fields: HashMap<(String, String), (String, Vec<String>)>,
    pub api_id: String,
}

impl JsOps {
    pub fn build(spec: &DataSpec, api_id: &str) -> JsOps {
        let mut fields = HashMap::new();
        let ops = [
            ("Query", &spec.schema.queries),
            ("Mutation", &spec.schema.mutations),
            ("Subscription", &spec.schema.subscriptions),
        ];
        for (type_name, list) in ops {
            for op in list.iter() {
                let json_args = op
                    .arguments
                    .iter()
                    .filter(|a| a.ty.name == "AWSJSON")
                    .map(|a| a.name.clone())
                    .collect();
                fields.insert(
                    (type_name.to_string(), op.name.clone()),
                    (op.returns.name.clone(), json_args),
                );
            }
        }
        JsOps {
            resolvers: JsResolvers::from_spec(spec),
            fields,
            api_id: api_id.to_string(),
        }
    }

    pub fn get(&self, type_name: &str, field: &str) -> Option<Arc<Resolver>> {
        self.resolvers.get(type_name, field)
    }

    pub fn is_empty(&self) -> bool {
        self.resolvers.is_empty()
    }
}

/// Resolves a custom query or mutation through its handlers.
pub async fn resolve<'a>(
    ctx: &ResolverContext<'a>,
    engine: &Engine,
    resolver: &Resolver,
    type_name: &str,
    field: &str,
    args: Map<String, Value>,
    kind: OutKind,
) -> Result<Option<FieldValue<'a>>> {
    let caller = ctx.data::<Caller>()?;
    authorize(engine, caller, type_name, field)?;
    let (returns, response) = run(ctx, engine, caller, resolver, type_name, field, args).await;
    let value = response?;
    if type_name == "Mutation"
        && let Value::Object(item) = &value
    {
        engine.publish(field, &returns, item);
    }
    Ok(output(engine, caller, &returns, kind, value))
}

/// Runs a custom subscription's handlers when it starts: its filter, if one was set.
pub async fn subscribe(
    ctx: &ResolverContext<'_>,
    engine: &Engine,
    caller: &Caller,
    field: &str,
    args: &Map<String, Value>,
) -> Result<Option<SubscriptionFilter>> {
    let Some(resolver) = engine.js.get("Subscription", field) else {
        return Ok(None);
    };
    let invocation = invocation(ctx, engine, caller, "Subscription", field, args.clone());
    let response = engine
        .js
        .resolvers
        .run(&resolver, engine.docs.as_ref(), invocation)
        .await;
    if let Err(e) = response.value {
        return Err(field_error(e, "Subscription", field));
    }
    match response.subscription_filter {
        Some(f) => SubscriptionFilter::parse(&f)
            .map(Some)
            .map_err(|m| typed("BadRequest", format!("Invalid subscription filter: {m}"))),
        None => Ok(None),
    }
}

fn authorize(engine: &Engine, caller: &Caller, type_name: &str, field: &str) -> Result<()> {
    if !engine.mode_allows(caller, type_name, field) {
        return Err(unauthorized(type_name, field));
    }
    if let Some(Err(d)) = engine.authorizer.authorize_custom(caller, type_name, field) {
        return Err(denied(&d, type_name, field));
    }
    Ok(())
}

async fn run(
    ctx: &ResolverContext<'_>,
    engine: &Engine,
    caller: &Caller,
    resolver: &Resolver,
    type_name: &str,
    field: &str,
    args: Map<String, Value>,
) -> (String, Result<Value>) {
    let (returns, json_args) = engine
        .js
        .fields
        .get(&(type_name.to_string(), field.to_string()))
        .cloned()
        .unwrap_or_default();
    // AppSync hands `AWSJSON` arguments to resolvers parsed.
    let args = args
        .into_iter()
        .map(|(k, v)| match v {
            Value::String(s) if json_args.contains(&k) => {
                let parsed = serde_json::from_str(&s).unwrap_or(Value::String(s));
                (k, parsed)
            }
            other => (k, other),
        })
        .collect();
    let invocation = invocation(ctx, engine, caller, type_name, field, args);
    let response = engine
        .js
        .resolvers
        .run(resolver, engine.docs.as_ref(), invocation)
        .await;
    for e in &response.appended {
        let error = raised(e.error_type.as_deref(), &e.message, &e.data, &e.error_info);
        let error = with_path(error, path(ctx));
        ctx.add_error(error.into_server_error(ctx.item.pos));
    }
    let value = response.value.map_err(|e| field_error(e, type_name, field));
    (returns, value)
}

fn invocation(
    ctx: &ResolverContext<'_>,
    engine: &Engine,
    caller: &Caller,
    type_name: &str,
    field: &str,
    arguments: Map<String, Value>,
) -> Invocation {
    let variables = serde_json::to_value(&ctx.query_env.variables).unwrap_or(Value::Null);
    let mut list = Vec::new();
    let mut graphql = String::new();
    selection(ctx.field().selection_set(), "", &mut list, &mut graphql, 1);
    Invocation {
        arguments,
        identity: identity(caller, &engine.custom),
        source: Value::Null,
        request: request_context(ctx.data_opt::<RequestHeaders>()),
        info: json!({
            "fieldName": field,
            "parentTypeName": type_name,
            "variables": if variables.is_object() { variables } else { json!({}) },
            "selectionSetList": list,
            "selectionSetGraphQL": if graphql.is_empty() { String::new() } else { format!("{{\n{graphql}}}") },
        }),
        auth_type: stratus_appsync_js::auth_type_name(mode_of(caller)).to_string(),
        api_id: engine.js.api_id.clone(),
    }
}

/// `selectionSetList` (`author`, `author/id`; aliases by their alias) and the selection set
/// as GraphQL text.
fn selection<'a>(
    fields: impl Iterator<Item = SelectionField<'a>>,
    prefix: &str,
    list: &mut Vec<String>,
    graphql: &mut String,
    depth: usize,
) {
    for f in fields {
        let name = f.alias().unwrap_or(f.name());
        if name == "__typename" {
            continue;
        }
        let path = format!("{prefix}{name}");
        list.push(path.clone());
        let indent = "  ".repeat(depth);
        let head = match f.alias() {
            Some(a) => format!("{a}: {}", f.name()),
            None => f.name().to_string(),
        };
        let mut inner = String::new();
        let mut children = f.selection_set().peekable();
        if children.peek().is_some() {
            selection(children, &format!("{path}/"), list, &mut inner, depth + 1);
            graphql.push_str(&format!("{indent}{head} {{\n{inner}{indent}}}\n"));
        } else {
            graphql.push_str(&format!("{indent}{head}\n"));
        }
    }
}

fn path(ctx: &ResolverContext<'_>) -> Vec<Value> {
    ctx.path_node
        .map(|p| {
            p.to_string_vec()
                .into_iter()
                .map(|s| match s.parse::<u64>() {
                    Ok(i) => Value::from(i),
                    Err(_) => Value::String(s),
                })
                .collect()
        })
        .unwrap_or_default()
}

fn field_error(e: FieldError, type_name: &str, field: &str) -> Error {
    match e {
        FieldError::Raised(r) => {
            raised(r.error_type.as_deref(), &r.message, &r.data, &r.error_info)
        }
        FieldError::Unauthorized => unauthorized(type_name, field),
        FieldError::Code(m) => typed("Code", m),
        FieldError::MappingTemplate(m) => typed("MappingTemplate", m),
        FieldError::Unsupported(m) => typed("NotImplemented", m),
    }
}
