//! Shared helpers for the integration tests: the oracle ground truth under `tests/data`
//! (written by `tests/data/regen.mjs` from the real Amplify packages) and placeholders.
#![allow(dead_code)]

pub mod schema_subset;

use std::path::PathBuf;

use serde_json::{Value, json};
use stratus_outputs::Endpoints;
use stratus_spec::data::DataSpec;
use stratus_spec::{SpecError, SpecErrorKind};

/// A JSON file of `tests/data`.
pub fn data_file(name: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(name);
    stratus_testkit::read_json(&path).unwrap_or_else(|e| panic!("{e}"))
}

/// `(name, value)` pairs of a `*_cases.json` file.
pub fn cases(file: &str, field: &str) -> Vec<(String, Value)> {
    data_file(file)
        .as_array()
        .expect("cases array")
        .iter()
        .map(|c| {
            (
                c["name"].as_str().expect("name").to_string(),
                c[field].clone(),
            )
        })
        .collect()
}

pub fn endpoints() -> Endpoints {
    Endpoints {
        origin: "https://127.0.0.1:8443".into(),
        ca_file: Some(PathBuf::from("/home/u/.stratus/ca.pem")),
        instance_id: "notes-alice".into(),
        api_key: Some("da2-localkey".into()),
    }
}

/// A `model_introspection` stand-in (the real one is produced by `stratus-schema`).
pub fn stub_introspection(_: &DataSpec) -> Result<Value, stratus_schema::SchemaError> {
    Ok(json!({"version": 1, "models": {}, "enums": {}, "nonModels": {}}))
}

/// Replace the instance-specific values of an `auth` section by the given placeholders
/// (in place, so key order is kept).
pub fn normalize_auth(
    auth: &mut Value,
    pool: &str,
    region: &str,
    client: &str,
    identity_pool: &str,
    domain: &str,
) {
    let a = auth.as_object_mut().expect("auth object");
    for (k, v) in [
        ("user_pool_id", pool),
        ("aws_region", region),
        ("user_pool_client_id", client),
        ("identity_pool_id", identity_pool),
    ] {
        if a.contains_key(k) {
            a.insert(k.into(), json!(v));
        }
    }
    if let Some(o) = a.get_mut("oauth").and_then(Value::as_object_mut) {
        o.insert("domain".into(), json!(domain));
    }
}

/// A case the real packages reject: same error kind, message and details as the ground truth
/// (`expected` holds `message` and optionally `details`).
pub fn assert_spec_error(name: &str, error: &SpecError, kind: SpecErrorKind, expected: &Value) {
    assert_eq!(error.kind, kind, "{name}");
    assert_eq!(
        error.message,
        expected["message"].as_str().unwrap_or_default(),
        "{name}: message"
    );
    assert_eq!(
        error.details.as_deref(),
        expected.get("details").and_then(Value::as_str),
        "{name}: details"
    );
}
