//! Conformance of the generated AppSync SDL with the oracle (the real Amplify transformer).
//!
//! For every fixture under `tests/fixtures/conformance/`, the input is
//! `expected/directives.graphql` plus the auth configuration (`expected/data_outputs.json`,
//! `expected/meta.json`), and the expected output is `expected/appsync.graphql`. Both are
//! compared as a set of definitions (top-level order normalised); within a definition fields,
//! arguments and directives must be in the same order.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use stratus_schema::appsync::generate_sdl;
use stratus_schema::sdl::read_document;
use stratus_testkit::{Fixture, conformance_root, fixtures_in, sdl_mismatch};

/// The conformance fixtures (`$STRATUS_CONFORMANCE_DIR` overrides them) and this crate's
/// `tests/sdl-cases`.
fn fixture_roots() -> Vec<PathBuf> {
    vec![
        conformance_root(),
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sdl-cases"),
    ]
}

/// `None` when equal, else a description of the differences. `identical` counts outputs that
/// are byte-for-byte the oracle's file (informational: top-level order is not required).
///
/// The input is the fixture's directive SDL under the oracle's authorization configuration,
/// with sandbox mode as recorded or guessed ([`Fixture::sandbox_mode`]); the `stratus-cli`
/// conformance test runs the loader's real computation instead.
fn compare(fixture: &Fixture, identical: &mut usize) -> Result<Option<String>, String> {
    let spec = fixture.data_spec()?;
    let expected_sdl = fixture.read_expected("appsync.graphql")?;
    let actual_sdl = generate_sdl(&spec).map_err(|e| format!("generate_sdl failed: {e}"))?;
    if actual_sdl == expected_sdl {
        *identical += 1;
    }
    sdl_mismatch(&expected_sdl, &actual_sdl, 2)
}

#[test]
fn generated_appsync_sdl_matches_oracle_for_every_fixture() {
    let mut fixtures: Vec<(String, Fixture)> = Vec::new();
    for root in fixture_roots() {
        let found = fixtures_in(&root, &["appsync.graphql"]);
        assert!(!found.is_empty(), "no fixtures under {}", root.display());
        let sdl_cases = root.ends_with("tests/sdl-cases");
        fixtures.extend(found.into_iter().map(|f| {
            let group = if sdl_cases { "sdl-cases" } else { f.group() };
            (group.to_string(), f)
        }));
    }

    let mut failures = Vec::new();
    let mut per_group: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut identical = 0;
    for (group, fixture) in &fixtures {
        let entry = per_group.entry(group.clone()).or_default();
        entry.1 += 1;
        match compare(fixture, &mut identical) {
            Ok(None) => entry.0 += 1,
            Ok(Some(report)) => failures.push(format!("{}:\n{report}", fixture.name)),
            Err(e) => failures.push(format!("{}: {e}", fixture.name)),
        }
    }
    let summary: Vec<String> = per_group
        .iter()
        .map(|(g, (ok, total))| format!("{g}: {ok}/{total}"))
        .collect();
    eprintln!(
        "AppSync SDL conformance: {} ({identical} of {} byte-identical)",
        summary.join(", "),
        fixtures.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} fixtures differ ({}):\n\n{}",
        failures.len(),
        fixtures.len(),
        summary.join(", "),
        failures.join("\n")
    );
}

/// The IR parser accepts every fixture's directive SDL, and its models, custom types and
/// operations are those of the SDL, fields in order.
#[test]
fn parser_reads_every_fixture_into_the_ir() {
    let mut checked = 0;
    for root in fixture_roots() {
        for fixture in fixtures_in(&root, &["directives.graphql"]) {
            let name = fixture.dir.display().to_string();
            let sdl = fixture
                .read_expected("directives.graphql")
                .unwrap_or_else(|e| panic!("{e}"));
            let schema =
                stratus_schema::parse_directive_sdl(&sdl).unwrap_or_else(|e| panic!("{name}: {e}"));
            let doc = read_document(&sdl).unwrap_or_else(|e| panic!("{name}: {e}"));
            let mut models = 0;
            let objects: Vec<&stratus_schema::sdl::ast::ObjectDef> = doc
                .definitions
                .iter()
                .filter_map(|d| match d {
                    stratus_schema::sdl::ast::Definition::Object(o) if !o.is_interface => Some(o),
                    _ => None,
                })
                .collect();
            for o in objects.iter().filter(|o| !o.extend) {
                // The definition's fields, then those of its extensions.
                let fields: Vec<&str> = objects
                    .iter()
                    .filter(|x| x.name == o.name)
                    .flat_map(|x| x.fields.iter().map(|f| f.name.as_str()))
                    .collect();
                let (ir_fields, kind): (Vec<&str>, &str) = match o.name.as_str() {
                    "Query" => (
                        schema.queries.iter().map(|q| q.name.as_str()).collect(),
                        "query",
                    ),
                    "Mutation" => (
                        schema.mutations.iter().map(|q| q.name.as_str()).collect(),
                        "mutation",
                    ),
                    "Subscription" => (
                        schema
                            .subscriptions
                            .iter()
                            .map(|q| q.name.as_str())
                            .collect(),
                        "subscription",
                    ),
                    _ if o.has_directive("model") => {
                        models += 1;
                        let m = schema
                            .models
                            .iter()
                            .find(|m| m.name == o.name)
                            .unwrap_or_else(|| panic!("{name}: model {} missing", o.name));
                        (m.fields.iter().map(|f| f.name.as_str()).collect(), "model")
                    }
                    _ => {
                        let t = schema
                            .types
                            .iter()
                            .find(|t| t.name == o.name)
                            .unwrap_or_else(|| panic!("{name}: type {} missing", o.name));
                        (t.fields.iter().map(|f| f.name.as_str()).collect(), "type")
                    }
                };
                assert_eq!(ir_fields, fields, "{name}: {kind} {}", o.name);
            }
            assert_eq!(schema.models.len(), models, "{name}: model count");
            checked += 1;
        }
    }
    assert!(checked > 40, "only {checked} fixtures checked");
}
