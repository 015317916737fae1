//! Fixture inputs for the authz tests, on top of `stratus-testkit`.

use std::path::{Path, PathBuf};

use serde_json::Value;
use stratus_spec::data::{DataSpec, FunctionSchemaAccess};
use stratus_testkit::fixtures::{Fixture, conformance_root, workspace_root};

/// Directories holding fixture-shaped cases (`expected/{directives.graphql,...}`): the
/// conformance fixtures and the SDL cases of `stratus-schema`.
pub fn fixture_roots() -> Vec<PathBuf> {
    vec![
        conformance_root(),
        workspace_root().join("crates/schema/tests/sdl-cases"),
    ]
}

/// `allow.resource(fn).to([...])` grants from `expected/transform.json` (one object, or one
/// per part of `a.combine([...])`).
fn function_schema_access(fx: &Fixture) -> Vec<FunctionSchemaAccess> {
    let Ok(transform) = fx.expected_json("transform.json") else {
        return Vec::new();
    };
    let parts = match transform {
        Value::Array(parts) => parts,
        one => vec![one],
    };
    parts
        .iter()
        .flat_map(|p| {
            p["functionSchemaAccess"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .filter_map(|f| {
            Some(FunctionSchemaAccess {
                function: f["resourceProvider"]["$defineFunction"]
                    .as_str()?
                    .to_string(),
                actions: f["actions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|a| a.as_str().map(String::from))
                    .collect(),
            })
        })
        .collect()
}

/// The fixture's spec (testkit's `DataSpec` plus the `allow.resource` grants) and whether an
/// identity pool exists (the oracle ran with `defineAuth`).
pub fn fixture_spec(dir: &Path) -> Result<(DataSpec, bool), String> {
    let fx = Fixture::new(dir);
    let mut spec = fx.data_spec()?;
    spec.function_schema_access = function_schema_access(&fx);
    let identity_pool = fx
        .oracle_options()?
        .get("auth")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    Ok((spec, identity_pool))
}
