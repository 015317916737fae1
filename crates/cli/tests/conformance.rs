//! End-to-end conformance with the oracle: for every fixture of `tests/fixtures/conformance`
//! (`$STRATUS_CONFORMANCE_DIR` overrides it), the path a user's `amplify/` folder takes:
//!
//! `stratus_loader::load` → `Backend` (its `DataSpec`, with the authorization modes and sandbox
//! mode the loader computes) → `appsync::generate_sdl` (against `expected/appsync.graphql`, as a
//! set of definitions), `introspection::generate` (against `expected/model_introspection.json`,
//! exactly) and `stratus_outputs::generate` (`data.default_authorization_type`,
//! `data.authorization_types` and whether `data.api_key` is there, against
//! `expected/data_outputs.json`; the oracle's key is a placeholder).
//!
//! Gen 2 fixtures (`ex-*`, `b-*`) are loaded as they are. Directive SDL fixtures (`lib-*`) ran
//! through the oracle in API-key sandbox mode (no defineAuth, no authorizationModes); for them
//! the test writes that project: `amplify/backend.ts` and `amplify/data/resource.ts` passing the
//! SDL to `defineData({ schema })`.
//!
//! The schema crate's own conformance tests check the generators alone, from the oracle's
//! directive SDL and authorization configuration.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde_json::{Value, json};
use stratus_outputs::Endpoints;
use stratus_schema::{appsync, introspection};
use stratus_spec::Backend;
use stratus_testkit::{
    Fixture, Input, conformance_fixtures, json_mismatch, line_diff, sdl_mismatch,
};

/// `s` as the body of a JavaScript template literal: the same string once evaluated.
fn template_literal_body(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('`', "\\`")
        .replace("${", "\\${")
}

/// A Gen 2 project whose data schema is `sdl`, without auth or authorization modes.
fn sdl_project(sdl: &str) -> std::io::Result<tempfile::TempDir> {
    let dir = tempfile::tempdir()?;
    let amplify = dir.path().join("amplify");
    std::fs::create_dir_all(amplify.join("data"))?;
    std::fs::write(
        amplify.join("package.json"),
        "{\n  \"type\": \"module\"\n}\n",
    )?;
    std::fs::write(
        amplify.join("backend.ts"),
        "import { defineBackend } from '@aws-amplify/backend';\n\
         import { data } from './data/resource';\n\n\
         defineBackend({ data });\n",
    )?;
    std::fs::write(
        amplify.join("data/resource.ts"),
        format!(
            "import {{ defineData }} from '@aws-amplify/backend';\n\n\
             export const data = defineData({{\n  schema: `{}`,\n}});\n",
            template_literal_body(sdl)
        ),
    )?;
    Ok(dir)
}

/// The oracle ran this SDL fixture the way [`sdl_project`] writes it.
fn ran_in_sandbox_mode(fixture: &Fixture) -> Result<(), String> {
    let options = fixture.oracle_options()?;
    let sandbox = options.get("sandbox").and_then(Value::as_bool) == Some(true);
    let auth = options.get("auth").and_then(Value::as_bool) == Some(true);
    if sandbox && !auth {
        Ok(())
    } else {
        Err(format!(
            "the oracle did not run this SDL in sandbox mode (meta.json options {options}); \
             this test only builds sandbox projects from SDL"
        ))
    }
}

fn load(fixture: &Fixture) -> Result<Backend, String> {
    match fixture.input() {
        Some(Input::Amplify(root)) => load_project(&root),
        Some(Input::Sdl(path)) => {
            ran_in_sandbox_mode(fixture)?;
            let sdl = stratus_testkit::fixtures::read_text(&path)?;
            let project = sdl_project(&sdl).map_err(|e| format!("writing the project: {e}"))?;
            load_project(project.path())
        }
        None => Err("neither amplify/ nor schema.graphql".into()),
    }
}

fn load_project(root: &Path) -> Result<Backend, String> {
    stratus_loader::load(root).map_err(|e| format!("load: {e}"))
}

fn endpoints() -> Endpoints {
    Endpoints {
        origin: "https://127.0.0.1:8443".into(),
        ca_file: None,
        instance_id: "conformance".into(),
        api_key: Some("da2-conformance".into()),
    }
}

/// What the outputs say about the API's authorization.
fn outputs_auth(outputs: &Value) -> Value {
    let data = &outputs["data"];
    json!({
        "default_authorization_type": data["default_authorization_type"],
        "authorization_types": data.get("authorization_types").cloned().unwrap_or(json!([])),
        "api_key": data.get("api_key").is_some(),
    })
}

/// The failed checks of one fixture, each with its report; `Err` when the chain broke.
fn check(fixture: &Fixture) -> Result<Vec<String>, String> {
    let backend = load(fixture)?;
    let data = backend
        .data
        .as_ref()
        .ok_or("the loaded backend has no data resource")?;
    let mut failed = Vec::new();

    let expected_directives = fixture.read_expected("directives.graphql")?;
    if data.directive_sdl.trim_end() != expected_directives.trim_end() {
        failed.push(format!(
            "directive SDL (- oracle, + loader):\n{}",
            line_diff(&expected_directives, &data.directive_sdl)
        ));
    }

    let expected_sdl = fixture.read_expected("appsync.graphql")?;
    match appsync::generate_sdl(data) {
        Ok(sdl) => {
            if let Some(report) = sdl_mismatch(&expected_sdl, &sdl, 2)? {
                failed.push(format!("appsync.graphql:\n{report}"));
            }
        }
        Err(e) => failed.push(format!("generate_sdl: {e}")),
    }

    let expected_mi = fixture.expected_json("model_introspection.json")?;
    match introspection::generate(data) {
        Ok(mi) => {
            if let Some(report) = json_mismatch(&expected_mi, &mi, 20) {
                failed.push(format!(
                    "model_introspection.json (expected → generated):\n{report}"
                ));
            }
        }
        Err(e) => failed.push(format!("introspection::generate: {e}")),
    }

    let auth = fixture.expected_auth()?;
    let expected_auth = json!({
        "default_authorization_type": auth.default,
        "authorization_types": auth.additional,
        "api_key": auth.api_key,
    });
    match stratus_outputs::generate(&backend, &endpoints()) {
        Ok(outputs) => {
            if let Some(report) = json_mismatch(&expected_auth, &outputs_auth(&outputs), 10) {
                failed.push(format!(
                    "amplify_outputs.json data auth (expected → generated):\n{report}"
                ));
            }
        }
        Err(e) => failed.push(format!("stratus_outputs::generate: {e}")),
    }
    Ok(failed)
}

#[test]
fn every_fixture_through_loader_generators_and_outputs() {
    let fixtures = conformance_fixtures(&[
        "directives.graphql",
        "appsync.graphql",
        "model_introspection.json",
        "data_outputs.json",
        "meta.json",
    ]);
    let mut per_group: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut failures = String::new();
    for fixture in &fixtures {
        let entry = per_group.entry(fixture.group().to_string()).or_default();
        entry.1 += 1;
        let failed = check(fixture).unwrap_or_else(|e| vec![e]);
        if failed.is_empty() {
            entry.0 += 1;
            continue;
        }
        let _ = writeln!(failures, "=== {}", fixture.name);
        for line in failed.iter().flat_map(|report| report.lines()) {
            let _ = writeln!(failures, "  {line}");
        }
    }
    let summary: Vec<String> = per_group
        .iter()
        .map(|(g, (ok, total))| format!("{g}: {ok}/{total}"))
        .collect();
    let summary = summary.join(", ");
    eprintln!("end-to-end conformance: {summary}");
    assert!(
        failures.is_empty(),
        "fixtures that differ from the oracle ({summary}):\n\n{failures}"
    );
    if std::env::var_os("STRATUS_CONFORMANCE_DIR").is_none() {
        assert!(
            ["ex", "b", "lib"]
                .iter()
                .all(|g| per_group.contains_key(*g)),
            "expected ex-*, b-* and lib-* fixtures, found {summary}"
        );
    }
}

#[test]
fn sdl_survives_the_template_literal() {
    let sdl = "type A @model {\n  a: String @default(value: \"`x` ${y} \\\\n\")\n}\n";
    let project = sdl_project(sdl).expect("project");
    let backend = load_project(project.path()).expect("loads");
    let data = backend.data.expect("data");
    assert_eq!(data.directive_sdl.trim_end(), sdl.trim_end());
    assert!(data.authorization_modes.sandbox_mode);
}
