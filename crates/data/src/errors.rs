//! GraphQL errors in AppSync's shape: `errorType` beside `message`, `path` and `locations`,
//! plus `data` and `errorInfo` (both `null` unless a resolver sets them).

use async_graphql::{Error, ErrorExtensions};
use serde_json::{Map, Value, json};
use stratus_store::documents::DocumentError;

use crate::authz::Denial;

/// The extension key our resolvers put the AppSync `errorType` under; moved to the top level
/// of the error when the response is written.
const ERROR_TYPE: &str = "errorType";

/// An error with an AppSync `errorType`.
pub fn typed(error_type: &str, message: impl Into<String>) -> Error {
    let error_type = error_type.to_string();
    Error::new(message).extend_with(move |_, e| e.set(ERROR_TYPE, error_type.clone()))
}

/// The extension keys of [`raised`]: the error's `data` and `errorInfo`.
const ERROR_DATA: &str = "errorData";
const ERROR_INFO: &str = "errorInfo";

/// An error a resolver raised with `util.error(message, errorType, data, errorInfo)`: no
/// `errorType` when none was given; `data` and `errorInfo` as given.
pub fn raised(error_type: Option<&str>, message: &str, data: &Value, error_info: &Value) -> Error {
    let (error_type, data, info) = (
        error_type.map(str::to_string),
        async_graphql::Value::from_json(data.clone()).ok(),
        async_graphql::Value::from_json(error_info.clone()).ok(),
    );
    Error::new(message).extend_with(move |_, e| {
        if let Some(t) = &error_type {
            e.set(ERROR_TYPE, t.clone());
        }
        if let Some(d) = data.clone().filter(|d| *d != async_graphql::Value::Null) {
            e.set(ERROR_DATA, d);
        }
        if let Some(i) = info.clone().filter(|i| *i != async_graphql::Value::Null) {
            e.set(ERROR_INFO, i);
        }
    })
}

/// Records the response path of a resolver error (the dynamic schema does not set it).
pub fn with_path(error: Error, path: Vec<Value>) -> Error {
    error.extend_with(move |_, e| {
        if let Ok(v) = async_graphql::Value::from_json(Value::Array(path.clone())) {
            e.set(PATH, v);
        }
    })
}

/// The extension key of [`with_path`].
const PATH: &str = "appsyncPath";

/// `Not Authorized to access <field> on type <Type>`.
pub fn unauthorized(type_name: &str, field: &str) -> Error {
    typed(
        "Unauthorized",
        format!("Not Authorized to access {field} on type {type_name}"),
    )
}

/// A refusal from the authorizer, with AppSync's message for it.
pub fn denied(denial: &Denial, type_name: &str, field: &str) -> Error {
    typed(denial.error_type(), denial.message(type_name, field))
}

/// A store error as AppSync reports the DynamoDB error behind it.
pub fn store(err: DocumentError) -> Error {
    match &err {
        DocumentError::ConditionalCheckFailed { .. } => typed(
            "DynamoDB:ConditionalCheckFailedException",
            format!(
                "The conditional request failed (Service: DynamoDb, Status Code: 400, Request ID: {})",
                uuid::Uuid::new_v4().simple().to_string().to_uppercase()
            ),
        ),
        DocumentError::InvalidNextToken
        | DocumentError::InvalidLimit
        | DocumentError::InvalidKey { .. }
        | DocumentError::ImmutableKey { .. }
        | DocumentError::Filter(_)
        | DocumentError::InvalidQuery(_)
        | DocumentError::InvalidName(_) => typed("DynamoDB:DynamoDbException", err.to_string()),
        _ => {
            tracing::warn!(error = %err, "data store error");
            typed("InternalFailure", err.to_string())
        }
    }
}

/// Rewrites async-graphql's response JSON into AppSync's: each error gets `errorType`
/// (from our extension), `data` and `errorInfo`, and `path`/`locations` are always present.
pub fn appsync_response(mut response: Value) -> Value {
    let Some(errors) = response.get_mut("errors").and_then(Value::as_array_mut) else {
        return response;
    };
    for error in errors.iter_mut() {
        let Some(obj) = error.as_object_mut() else {
            continue;
        };
        let extensions = obj.remove("extensions");
        let error_type = extensions.as_ref().and_then(|e| e.get(ERROR_TYPE)).cloned();
        let mut out = Map::new();
        let path = match obj.remove("path") {
            Some(p) if !p.is_null() => p,
            _ => extensions
                .as_ref()
                .and_then(|e| e.get(PATH))
                .cloned()
                .unwrap_or(Value::Null),
        };
        out.insert("path".into(), path);
        let extra = |key: &str| {
            extensions
                .as_ref()
                .and_then(|e| e.get(key))
                .cloned()
                .unwrap_or(Value::Null)
        };
        out.insert("data".into(), extra(ERROR_DATA));
        match error_type {
            Some(t) => {
                out.insert("errorType".into(), t);
            }
            None => {
                out.insert("errorType".into(), Value::Null);
            }
        }
        out.insert("errorInfo".into(), extra(ERROR_INFO));
        let locations = obj
            .remove("locations")
            .map(|l| match l {
                Value::Array(items) => Value::Array(
                    items
                        .into_iter()
                        .map(|mut loc| {
                            if let Some(o) = loc.as_object_mut() {
                                o.insert("sourceName".into(), Value::Null);
                            }
                            loc
                        })
                        .collect(),
                ),
                other => other,
            })
            .unwrap_or(Value::Null);
        out.insert("locations".into(), locations);
        out.insert("message".into(), obj.remove("message").unwrap_or(json!("")));
        *error = Value::Object(out);
    }
    response
}

/// The body of a request refused before execution (HTTP 401/400), as AppSync sends it.
pub fn request_error(error_type: &str, message: &str) -> Value {
    json!({ "errors": [{ "errorType": error_type, "message": message }] })
}
