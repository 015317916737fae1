//! The `AWS_LAMBDA` authorization mode (`defineData({ authorizationModes: {
//! lambdaAuthorizationMode: { function, timeToLiveInSeconds } } })`), as AppSync runs it: the
//! `Authorization` header's value goes to the authorizer function with
//!
//! ```text
//! { authorizationToken, requestContext: { apiId, accountId, requestId, queryString,
//!   operationName, variables }, requestHeaders }
//! ```
//!
//! and its answer `{ isAuthorized, resolverContext?, deniedFields?, ttlOverride? }` decides:
//! `isAuthorized: true` makes the caller `Caller::Lambda` (resolvers see
//! `identity.resolverContext`; `deniedFields`, `TypeName.FieldName` or the field's ARN, answer
//! `null` with an `Unauthorized` error); anything else (false, a failed or timed-out
//! invocation, a malformed answer) is the 401 `UnauthorizedException`. Answers are cached per
//! token for `ttlOverride` seconds, else the configured TTL (`0`: not cached). Authorizers have
//! 10 seconds; a token longer than 2,048 characters is refused without calling it.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::http::HeaderMap;
use serde_json::{Map, Value, json};
use stratus_spec::data::LambdaAuthorizer as AuthorizerSpec;

use crate::authz::Caller;
use crate::functions::FunctionBinding;

/// AppSync's limit on an authorizer's run.
pub const AUTHORIZER_TIMEOUT: Duration = Duration::from_secs(10);
/// AppSync's limit on the token's length.
pub const MAX_TOKEN_CHARS: usize = 2048;
/// Answers kept at most (expired ones are dropped first).
const CACHE_CAP: usize = 10_000;

/// What the authorizer answered for one token.
#[derive(Debug, Clone, PartialEq)]
pub enum Decision {
    Allowed {
        resolver_context: Map<String, Value>,
        denied_fields: Vec<String>,
    },
    Denied,
}

impl Decision {
    pub fn caller(&self) -> Option<Caller> {
        match self {
            Decision::Allowed {
                resolver_context,
                denied_fields,
            } => Some(Caller::Lambda {
                resolver_context: resolver_context.clone(),
                denied_fields: denied_fields.clone(),
            }),
            Decision::Denied => None,
        }
    }
}

/// The request a token came with.
pub struct AuthRequest<'a> {
    pub token: &'a str,
    pub headers: &'a HeaderMap,
    /// The raw request body (`{query, variables, operationName}`), `{}` for a realtime
    /// connection.
    pub body: &'a [u8],
}

/// The Lambda authorizer of one data service, with its answer cache.
pub struct LambdaAuthorizer {
    function: String,
    default_ttl: Duration,
    binding: FunctionBinding,
    cache: Mutex<HashMap<String, (Instant, Decision)>>,
}

impl std::fmt::Debug for LambdaAuthorizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LambdaAuthorizer")
            .field("function", &self.function)
            .field("default_ttl", &self.default_ttl)
            .finish_non_exhaustive()
    }
}

impl LambdaAuthorizer {
    pub fn new(spec: &AuthorizerSpec, binding: FunctionBinding) -> Self {
        LambdaAuthorizer {
            function: spec.function.clone(),
            default_ttl: Duration::from_secs(u64::from(spec.ttl_seconds)),
            binding,
            cache: Mutex::new(HashMap::new()),
        }
    }

    /// The authorizer's decision for `request`'s token (cached, else asked).
    pub async fn decide(&self, request: &AuthRequest<'_>) -> Decision {
        if request.token.chars().count() > MAX_TOKEN_CHARS {
            return Decision::Denied;
        }
        if let Some(hit) = self.cached(request.token) {
            return hit;
        }
        let event = self.event(request);
        let answer = tokio::time::timeout(
            AUTHORIZER_TIMEOUT,
            self.binding.invoker.invoke(&self.function, event),
        )
        .await;
        let (decision, ttl) = match answer {
            Ok(Ok(response)) => match parse_response(&response) {
                Ok((decision, ttl)) => (decision, ttl.unwrap_or(self.default_ttl)),
                Err(why) => {
                    tracing::info!(function = %self.function, why, "the Lambda authorizer's answer is invalid");
                    return Decision::Denied;
                }
            },
            Ok(Err(e)) => {
                tracing::info!(function = %self.function, error_type = %e.error_type, error = %e.error_message, "the Lambda authorizer failed");
                return Decision::Denied;
            }
            Err(_) => {
                tracing::info!(function = %self.function, "the Lambda authorizer timed out");
                return Decision::Denied;
            }
        };
        if !ttl.is_zero() {
            self.remember(request.token, ttl, &decision);
        }
        decision
    }

    fn cached(&self, token: &str) -> Option<Decision> {
        let cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        match cache.get(token) {
            Some((expires, decision)) if *expires > Instant::now() => Some(decision.clone()),
            _ => None,
        }
    }

    fn remember(&self, token: &str, ttl: Duration, decision: &Decision) {
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= CACHE_CAP {
            let now = Instant::now();
            cache.retain(|_, (expires, _)| *expires > now);
            if cache.len() >= CACHE_CAP {
                cache.clear();
            }
        }
        cache.insert(token.to_string(), (Instant::now() + ttl, decision.clone()));
    }

    /// The event AppSync sends its authorizer.
    fn event(&self, request: &AuthRequest<'_>) -> Value {
        let body: Value = serde_json::from_slice(request.body).unwrap_or(Value::Null);
        let mut headers = Map::new();
        for (name, value) in request.headers {
            if let Ok(v) = value.to_str() {
                headers.insert(name.as_str().to_string(), Value::String(v.to_string()));
            }
        }
        json!({
            "authorizationToken": request.token,
            "requestContext": {
                "apiId": self.binding.api_id,
                "accountId": self.binding.account_id,
                "requestId": uuid::Uuid::new_v4().to_string(),
                "queryString": body.get("query").and_then(Value::as_str).unwrap_or_default(),
                "operationName": body.get("operationName").cloned().unwrap_or(Value::Null),
                "variables": match body.get("variables") {
                    Some(v @ Value::Object(_)) => v.clone(),
                    _ => json!({}),
                },
            },
            "requestHeaders": headers,
        })
    }
}

/// An authorizer's answer: the decision and its `ttlOverride`.
pub fn parse_response(response: &Value) -> Result<(Decision, Option<Duration>), &'static str> {
    let Some(obj) = response.as_object() else {
        return Err("not an object");
    };
    let Some(authorized) = obj.get("isAuthorized").and_then(Value::as_bool) else {
        return Err("isAuthorized is not a boolean");
    };
    let ttl = match obj.get("ttlOverride") {
        None | Some(Value::Null) => None,
        Some(v) => {
            let secs = v.as_f64().ok_or("ttlOverride is not a number")?;
            Some(Duration::from_secs_f64(secs.clamp(0.0, 3600.0)))
        }
    };
    if !authorized {
        return Ok((Decision::Denied, ttl));
    }
    let resolver_context = match obj.get("resolverContext") {
        None | Some(Value::Null) => Map::new(),
        Some(Value::Object(m)) => m.clone(),
        Some(_) => return Err("resolverContext is not an object"),
    };
    let denied_fields = match obj.get("deniedFields") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(short_field)
                    .ok_or("deniedFields holds a non-string")
            })
            .collect::<Result<_, _>>()?,
        Some(_) => return Err("deniedFields is not a list"),
    };
    Ok((
        Decision::Allowed {
            resolver_context,
            denied_fields,
        },
        ttl,
    ))
}

/// `TypeName.FieldName` of a denied field given as such or as its ARN
/// (`arn:aws:appsync:<region>:<account>:apis/<apiId>/types/<Type>/fields/<Field>`).
fn short_field(entry: &str) -> String {
    if let Some(rest) = entry.strip_prefix("arn:")
        && let Some(at) = rest.find("/types/")
    {
        let tail = &rest[at + "/types/".len()..];
        if let Some((type_name, field)) = tail.split_once("/fields/") {
            return format!("{type_name}.{field}");
        }
    }
    entry.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_read_as_appsync_reads_them() {
        let (d, ttl) = parse_response(&json!({
            "isAuthorized": true,
            "resolverContext": {"userId": "u1"},
            "deniedFields": ["Query.secret", "arn:aws:appsync:us-east-1:1:apis/x/types/Note/fields/body"],
            "ttlOverride": 5
        }))
        .unwrap();
        assert_eq!(ttl, Some(Duration::from_secs(5)));
        let Decision::Allowed {
            resolver_context,
            denied_fields,
        } = d
        else {
            panic!("allowed expected");
        };
        assert_eq!(resolver_context["userId"], "u1");
        assert_eq!(denied_fields, ["Query.secret", "Note.body"]);
        let (d, ttl) = parse_response(&json!({"isAuthorized": false})).unwrap();
        assert_eq!(d, Decision::Denied);
        assert_eq!(ttl, None);
        assert!(parse_response(&json!({"isAuthorized": "yes"})).is_err());
        assert!(parse_response(&json!([true])).is_err());
        assert!(parse_response(&json!({"isAuthorized": true, "resolverContext": "x"})).is_err());
    }
}
