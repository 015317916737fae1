//! Custom queries and mutations backed by functions (`a.handler.function(fn)`, the transformer's
//! `@function` pipelines), resolved as the resolvers Amplify generates for them run on AppSync:
//! the field's auth step (`@auth` static rules; the `@aws_*` directives are checked before),
//! then one Lambda invocation per `@function` in order, each with the payload of the
//! transformer's `Invoke<Fn>LambdaDataSource.req.vtl`:
//!
//! ```text
//! { typeName, fieldName, arguments, identity, source, request, prev }
//! ```
//!
//! `prev` is `{ result }` of the step before (`{}` after the auth step). A `RequestResponse`
//! step's error ends the field with `$util.error($ctx.error.message, $ctx.error.type)`: AppSync
//! reports a function's failure as type `Lambda:Unhandled` with the Lambda `errorMessage`. An
//! `Event` step (`.async()`) is queued (its outcome is not awaited; the sandbox's runtime
//! retries a failure as Lambda retries asynchronous invocations) and yields
//! `{ success: true }` (`EventInvocationResponse`). The field's value is the last step's
//! result; a custom mutation's object result is published to the subscriptions that name it
//! in `@aws_subscribe`.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::Result;
use async_graphql::dynamic::{FieldValue, ResolverContext};
use async_graphql::parser::types::{ServiceDocument, TypeKind, TypeSystemDefinition};
use axum::http::HeaderMap;
use serde_json::{Map, Value, json};
use stratus_spec::data::{DataSpec, Operation};

use super::engine::{Engine, Node};
use super::ops::present;
use super::plan::base_name;
use super::resolve::OutKind;
use crate::authz::{Caller, IamPrincipal};
use crate::errors::{denied, typed};
use crate::functions::{FunctionBinding, FunctionError};

/// One step of a function pipeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// The `defineFunction` name.
    pub function: String,
    /// `invocationType: 'Event'` (`.async()`).
    pub event: bool,
}

/// A custom query or mutation resolved by functions.
#[derive(Debug, Clone)]
pub struct CustomOp {
    pub steps: Vec<Step>,
    /// The named type it returns.
    pub returns: String,
    /// Its arguments' types (`(name, type)`), to parse `AWSJSON` values as AppSync does.
    args: Vec<(String, String)>,
}

/// The function-backed operations of a schema, and what their payloads need.
#[derive(Default)]
pub struct CustomOps {
    ops: HashMap<(String, String), CustomOp>,
    /// Input object types: field → named type.
    inputs: HashMap<String, Vec<(String, String)>>,
    /// `None`: the service was opened without a functions runtime.
    pub functions: Option<FunctionBinding>,
    /// The identity pool IAM callers' credentials come from.
    pub identity_pool_id: Option<String>,
}

impl CustomOps {
    /// The `@function`-backed queries and mutations of `spec` (`lambda_functions` maps each
    /// `@function(name:)` to its `defineFunction`), with the input types of `doc`.
    pub fn build(spec: &DataSpec, doc: &ServiceDocument) -> CustomOps {
        let resolve_name = |name: &str| {
            spec.lambda_functions
                .iter()
                .find(|(directive, _)| directive == name)
                .map(|(_, function)| function.clone())
                .unwrap_or_else(|| name.to_string())
        };
        let mut ops = HashMap::new();
        let operations = [
            ("Query", &spec.schema.queries),
            ("Mutation", &spec.schema.mutations),
        ];
        for (type_name, list) in operations {
            for op in list.iter().filter(|o| !o.functions.is_empty()) {
                ops.insert(
                    (type_name.to_string(), op.name.clone()),
                    custom_op(op, &resolve_name),
                );
            }
        }
        let mut inputs = HashMap::new();
        for def in &doc.definitions {
            let TypeSystemDefinition::Type(t) = def else {
                continue;
            };
            if let TypeKind::InputObject(input) = &t.node.kind {
                inputs.insert(
                    t.node.name.node.to_string(),
                    input
                        .fields
                        .iter()
                        .map(|f| {
                            (
                                f.node.name.node.to_string(),
                                base_name(&f.node.ty.node).to_string(),
                            )
                        })
                        .collect(),
                );
            }
        }
        CustomOps {
            ops,
            inputs,
            functions: None,
            identity_pool_id: None,
        }
    }

    pub fn get(&self, type_name: &str, field: &str) -> Option<&CustomOp> {
        if self.ops.is_empty() {
            return None;
        }
        self.ops.get(&(type_name.to_string(), field.to_string()))
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// `value` of input type `type_name` with its `AWSJSON` strings parsed.
    fn parse_json(&self, type_name: &str, value: Value) -> Value {
        match value {
            Value::Array(items) => Value::Array(
                items
                    .into_iter()
                    .map(|v| self.parse_json(type_name, v))
                    .collect(),
            ),
            Value::String(s) if type_name == "AWSJSON" => {
                serde_json::from_str(&s).unwrap_or(Value::String(s))
            }
            Value::Object(map) => match self.inputs.get(type_name) {
                Some(fields) => Value::Object(
                    map.into_iter()
                        .map(|(k, v)| {
                            let ty = fields.iter().find(|(f, _)| *f == k).map(|(_, t)| t);
                            let v = match ty {
                                Some(t) => self.parse_json(t, v),
                                None => v,
                            };
                            (k, v)
                        })
                        .collect(),
                ),
                None => Value::Object(map),
            },
            other => other,
        }
    }
}

fn custom_op(op: &Operation, resolve_name: &dyn Fn(&str) -> String) -> CustomOp {
    CustomOp {
        steps: op
            .functions
            .iter()
            .map(|f| Step {
                function: resolve_name(&f.name),
                event: f.invocation_type.as_deref() == Some("Event"),
            })
            .collect(),
        returns: op.returns.name.clone(),
        args: op
            .arguments
            .iter()
            .map(|a| (a.name.clone(), a.ty.name.clone()))
            .collect(),
    }
}

/// The request headers of the GraphQL request being executed (`$ctx.request.headers`).
#[derive(Debug, Clone, Default)]
pub struct RequestHeaders(pub Arc<HeaderMap>);

/// `$ctx.request`: the headers (lower-case names) and `domainName` (no custom domain).
pub(crate) fn request_context(headers: Option<&RequestHeaders>) -> Value {
    let mut map = Map::new();
    if let Some(RequestHeaders(headers)) = headers {
        for (name, value) in headers.iter() {
            let Ok(value) = value.to_str() else { continue };
            match map.get_mut(name.as_str()) {
                Some(Value::String(existing)) => {
                    existing.push(',');
                    existing.push_str(value);
                }
                _ => {
                    map.insert(name.as_str().to_string(), Value::String(value.into()));
                }
            }
        }
    }
    json!({ "headers": map, "domainName": null })
}

/// `$ctx.identity` of `caller`, in the shape AppSync gives it for the caller's mode (`null`
/// for API key callers). `sourceIp` is left empty: the peer address does not reach the data
/// service.
pub fn identity(caller: &Caller, ops: &CustomOps) -> Value {
    match caller {
        Caller::ApiKey => Value::Null,
        Caller::UserPool {
            sub,
            username,
            groups,
            claims,
        } => json!({
            "claims": claims,
            "defaultAuthStrategy": "ALLOW",
            "groups": if groups.is_empty() { Value::Null } else { json!(groups) },
            "issuer": claims.get("iss").cloned().unwrap_or(Value::Null),
            "sourceIp": [],
            "sub": sub,
            "username": username,
        }),
        Caller::Oidc { claims } => json!({
            "claims": claims,
            "issuer": claims.get("iss").cloned().unwrap_or(Value::Null),
            "sub": claims.get("sub").cloned().unwrap_or(Value::Null),
        }),
        Caller::Iam {
            principal,
            identity_id,
            ..
        } => {
            let account = ops
                .functions
                .as_ref()
                .map(|f| f.account_id.as_str())
                .unwrap_or("000000000000");
            let (auth_type, role) = match principal {
                IamPrincipal::Guest => (json!("unauthenticated"), "unauthenticatedUserRole"),
                IamPrincipal::Authenticated => (json!("authenticated"), "authenticatedUserRole"),
                IamPrincipal::Admin => (Value::Null, "admin"),
                IamPrincipal::Function(name) => (Value::Null, name.as_str()),
            };
            let in_pool = matches!(principal, IamPrincipal::Guest | IamPrincipal::Authenticated);
            let session = if in_pool {
                "CognitoIdentityCredentials"
            } else {
                "stratus"
            };
            json!({
                "accountId": account,
                "cognitoIdentityAuthProvider": null,
                "cognitoIdentityAuthType": auth_type,
                "cognitoIdentityId": identity_id,
                "cognitoIdentityPoolId": if in_pool { json!(ops.identity_pool_id) } else { Value::Null },
                "sourceIp": [],
                "userArn": format!("arn:aws:sts::{account}:assumed-role/{role}/{session}"),
                "username": format!("{role}:{session}"),
            })
        }
        Caller::Lambda {
            resolver_context, ..
        } => json!({ "resolverContext": resolver_context }),
    }
}

/// Runs the function pipeline of the custom operation `type_name.field` for the caller; the
/// last step's result.
pub async fn resolve(
    ctx: &ResolverContext<'_>,
    engine: &Engine,
    op: &CustomOp,
    type_name: &str,
    field: &str,
    args: Map<String, Value>,
) -> Result<Value> {
    let caller = ctx.data::<Caller>()?;
    if let Some(Err(d)) = engine.authorizer.authorize_custom(caller, type_name, field) {
        return Err(denied(&d, type_name, field));
    }
    let ops = &engine.custom;
    let Some(binding) = ops.functions.as_ref() else {
        return Err(typed(
            "NotImplemented",
            format!(
                "{type_name}.{field} is resolved by a function, and no functions runtime is attached"
            ),
        ));
    };
    let arguments: Map<String, Value> = args
        .into_iter()
        .map(|(k, v)| {
            let ty = op.args.iter().find(|(a, _)| *a == k).map(|(_, t)| t);
            let v = match ty {
                Some(t) => ops.parse_json(t, v),
                None => v,
            };
            (k, v)
        })
        .collect();
    let mut payload = json!({
        "typeName": type_name,
        "fieldName": field,
        "arguments": arguments,
        "identity": identity(caller, ops),
        "source": null,
        "request": request_context(ctx.data_opt::<RequestHeaders>()),
        "prev": { "result": {} },
    });
    let mut result = Value::Object(Map::new());
    for step in &op.steps {
        payload["prev"] = json!({ "result": result });
        result = if step.event {
            if !binding.invoker.contains(&step.function) {
                return Err(lambda_error(&FunctionError::service(
                    "ResourceNotFoundException",
                    format!("Function not found: {}", step.function),
                )));
            }
            binding
                .invoker
                .clone()
                .invoke_event(&step.function, payload.clone());
            json!({ "success": true })
        } else {
            binding
                .invoker
                .invoke(&step.function, payload.clone())
                .await
                .map_err(|e| lambda_error(&e))?
        };
    }
    if type_name == "Mutation"
        && let Value::Object(item) = &result
    {
        engine.publish(field, &op.returns, item);
    }
    Ok(result)
}

/// A failed invocation as the generated response template reports it
/// (`$util.error($ctx.error.message, $ctx.error.type)`).
pub fn lambda_error(e: &FunctionError) -> async_graphql::Error {
    let error_type = if e.function_error {
        "Lambda:Unhandled".to_string()
    } else {
        format!("Lambda:{}", e.error_type)
    };
    typed(&error_type, e.error_message.clone())
}

/// The field value of a function's result for a field returning `returns`: model objects are
/// model items (the caller's field rules and relational fields apply), other objects custom
/// type values.
pub fn output<'a>(
    engine: &Engine,
    caller: &Caller,
    returns: &str,
    kind: OutKind,
    value: Value,
) -> Option<FieldValue<'a>> {
    match value {
        Value::Null => None,
        Value::Array(items) if kind != OutKind::Json => {
            Some(FieldValue::list(items.into_iter().map(|v| {
                output(engine, caller, returns, kind, v).unwrap_or(FieldValue::NULL)
            })))
        }
        Value::Object(map) if kind == OutKind::Object => {
            let node = if engine.model(returns).is_some() {
                present(engine, caller, returns, map)
            } else {
                Node::Item {
                    model: None,
                    data: map,
                    hidden: Vec::new(),
                }
            };
            Some(FieldValue::owned_any(node))
        }
        Value::String(s) if kind == OutKind::Json => Some(FieldValue::value(s)),
        other if kind == OutKind::Json => Some(FieldValue::value(other.to_string())),
        other => async_graphql::Value::from_json(other)
            .ok()
            .map(FieldValue::value),
    }
}
