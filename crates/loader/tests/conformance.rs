//! The conformance fixtures (projects the real Amplify packages accept) load, and what we
//! compute matches the oracle: the directive SDL and the API's authorization modes.

mod common;

use common::{name, projects};
use pretty_assertions::assert_eq;
use serde_json::Value;

fn read_json(path: &std::path::Path) -> Value {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn every_conformance_project_loads() {
    let dirs = projects("conformance");
    assert!(dirs.len() >= 3, "expected the ex-* fixtures at least");
    let mut failures = Vec::new();
    for dir in &dirs {
        if let Err(e) = stratus_loader::load(dir) {
            failures.push(format!("{}: {e}", name(dir)));
        }
    }
    assert!(
        failures.is_empty(),
        "failed to load:\n{}",
        failures.join("\n")
    );
}

#[test]
fn directive_sdl_matches_the_oracle() {
    let mut failures = Vec::new();
    for dir in projects("conformance") {
        let expected = std::fs::read_to_string(dir.join("expected/directives.graphql"))
            .expect("directives.graphql");
        match stratus_loader::load_raw(&dir) {
            Ok(raw) => {
                let ours = raw.json["data"]["schema"]["sdl"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                if ours.trim_end() != expected.trim_end() {
                    failures.push(format!(
                        "{}:\n--- ours\n{ours}\n--- oracle\n{expected}",
                        name(&dir)
                    ));
                }
            }
            Err(e) => failures.push(format!("{}: {e}", name(&dir))),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn authorization_modes_match_the_oracle() {
    let mut checked = 0;
    for dir in projects("conformance") {
        let outputs = read_json(&dir.join("expected/data_outputs.json"));
        let backend = stratus_loader::load(&dir).unwrap_or_else(|e| panic!("{}: {e}", name(&dir)));
        let data = backend
            .data
            .unwrap_or_else(|| panic!("{}: no data", name(&dir)));
        let modes = &data.authorization_modes;
        let ours = serde_json::json!({
            "default_authorization_type": modes.default,
            "authorization_types": modes.additional,
            "api_key": modes.api_key_expires_in_days.is_some(),
        });
        let expected = serde_json::json!({
            "default_authorization_type": outputs["default_authorization_type"],
            "authorization_types": outputs.get("authorization_types").cloned().unwrap_or(Value::Array(vec![])),
            "api_key": outputs.get("api_key").is_some(),
        });
        assert_eq!(ours, expected, "{}", name(&dir));
        checked += 1;
    }
    assert!(checked >= 3);
}

#[test]
fn data_spec_of_the_custom_function_example() {
    let dir = common::fixtures().join("conformance/ex-custom-function");
    let backend = stratus_loader::load(&dir).expect("loads");
    let data = backend.data.expect("data");
    assert_eq!(data.name, "amplifyData");
    let expected_sdl =
        std::fs::read_to_string(dir.join("expected/directives.graphql")).expect("sdl");
    assert_eq!(data.directive_sdl.trim_end(), expected_sdl.trim_end());
    assert_eq!(
        data.lambda_functions,
        vec![("FnGetWeather".to_string(), "get-weather".to_string())]
    );
    let access: Vec<_> = data
        .function_schema_access
        .iter()
        .map(|a| (a.function.as_str(), a.actions.clone()))
        .collect();
    assert_eq!(access, vec![("get-weather", vec!["query".to_string()])]);
    let js: Vec<_> = data
        .js_functions
        .iter()
        .flat_map(|r| {
            r.handlers.iter().map(move |h| {
                (
                    r.type_name.as_str(),
                    r.field_name.as_str(),
                    h.data_source.as_str(),
                    h.entry.as_str(),
                )
            })
        })
        .collect();
    assert_eq!(
        js,
        vec![("Mutation", "echo", "NONE_DS", "amplify/data/echo.js")]
    );
    assert!(
        data.schema.models.iter().any(|m| m.name == "Note"),
        "the directive SDL was parsed"
    );
    assert!(backend.auth.is_some());
    assert_eq!(
        backend
            .functions
            .iter()
            .map(|f| f.name.as_str())
            .collect::<Vec<_>>(),
        vec!["get-weather"]
    );
}
