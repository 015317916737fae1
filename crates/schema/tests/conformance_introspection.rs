//! Conformance of `model_introspection` with the oracle (the real Amplify codegen) for every
//! fixture under `tests/fixtures/conformance/` (`$STRATUS_CONFORMANCE_DIR` overrides it).
//!
//! For each fixture, `expected/directives.graphql` plus the authorization configuration of
//! `expected/data_outputs.json` / `expected/meta.json` becomes a `DataSpec` (through
//! `parse_directive_sdl`), and `introspection::generate` must reproduce
//! `expected/model_introspection.json` exactly: same values, same key order.

use serde_json::Value;
use stratus_schema::introspection;
use stratus_testkit::{Fixture, conformance_fixtures, json_mismatch};

fn run_all(label: &str, generate: &dyn Fn(&Fixture) -> Result<Value, String>) {
    let fixtures = conformance_fixtures(&["directives.graphql", "model_introspection.json"]);
    let mut failures = Vec::new();
    for fixture in &fixtures {
        let report = fixture
            .expected_json("model_introspection.json")
            .and_then(|expected| Ok(json_mismatch(&expected, &generate(fixture)?, 40)))
            .unwrap_or_else(|e| Some(format!("    {e}\n")));
        if let Some(report) = report {
            failures.push(format!("  {}\n{}", fixture.name, report.trim_end()));
        }
    }
    assert!(
        failures.is_empty(),
        "{label}: {} of {} fixtures differ from the oracle's model_introspection.json \
         (expected → generated):\n{}",
        failures.len(),
        fixtures.len(),
        failures.join("\n")
    );
}

/// The public path: directive SDL → `parse_directive_sdl` → `DataSpec` → `generate`.
#[test]
fn model_introspection_matches_oracle_for_every_fixture() {
    run_all("introspection::generate(DataSpec)", &|fixture| {
        let spec = fixture.data_spec()?;
        introspection::generate(&spec).map_err(|e| format!("generate: {e}"))
    });
}

/// The generator on its own, straight from the directive SDL (independent of the parser).
#[test]
fn model_introspection_from_sdl_matches_oracle_for_every_fixture() {
    run_all("introspection::generate_from_sdl", &|fixture| {
        let sdl = fixture.read_expected("directives.graphql")?;
        introspection::generate_from_sdl(&sdl).map_err(|e| format!("generate_from_sdl: {e}"))
    });
}
