//! Conformance of the generated AppSync SDL with the oracle (the real Amplify transformer).
//!
//! For every fixture under `tests/fixtures/conformance/`, the input is
//! `expected/directives.graphql` plus the auth configuration (`expected/data_outputs.json`,
//! `expected/meta.json`), and the expected output is `expected/appsync.graphql`. Both are
//! compared as a set of definitions (top-level order normalised); within a definition fields,
//! arguments and directives must be in the same order.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use stratus_schema::appsync::generate_sdl;
use stratus_schema::sdl::print::print_definition;
use stratus_schema::sdl::read_document;
use stratus_spec::data::{AuthMode, AuthorizationModes, DataSchema, DataSpec};

/// `tests/fixtures/conformance` and this crate's `tests/sdl-cases`, or `$STRATUS_SDL_FIXTURES`
/// (a directory of fixture-shaped directories, for checking ad-hoc oracle runs).
fn fixture_roots() -> Vec<PathBuf> {
    match std::env::var_os("STRATUS_SDL_FIXTURES") {
        Some(dir) => vec![PathBuf::from(dir)],
        None => {
            let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
            vec![
                manifest.join("../../tests/fixtures/conformance"),
                manifest.join("tests/sdl-cases"),
            ]
        }
    }
}

fn mode(name: &str) -> Result<AuthMode, String> {
    match name {
        "API_KEY" => Ok(AuthMode::ApiKey),
        "AWS_IAM" => Ok(AuthMode::AwsIam),
        "AMAZON_COGNITO_USER_POOLS" => Ok(AuthMode::AmazonCognitoUserPools),
        "OPENID_CONNECT" => Ok(AuthMode::OpenidConnect),
        "AWS_LAMBDA" => Ok(AuthMode::AwsLambda),
        other => Err(format!("unknown authorization type {other}")),
    }
}

/// Does any file under `dir` mention `needle`?
fn tree_mentions(dir: &Path, needle: &str) -> bool {
    let Ok(entries) = fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|e| {
        let p = e.path();
        if p.is_dir() {
            p.file_name().is_some_and(|n| n != "node_modules") && tree_mentions(&p, needle)
        } else {
            fs::read_to_string(&p).is_ok_and(|s| s.contains(needle))
        }
    })
}

/// The fixture's [`DataSpec`]: directive SDL and authorization modes.
fn fixture_spec(dir: &Path) -> Result<DataSpec, String> {
    let expected = dir.join("expected");
    let read =
        |name: &str| fs::read_to_string(expected.join(name)).map_err(|e| format!("{name}: {e}"));
    let outputs: serde_json::Value =
        serde_json::from_str(&read("data_outputs.json")?).map_err(|e| e.to_string())?;
    let meta: serde_json::Value =
        serde_json::from_str(&read("meta.json")?).map_err(|e| e.to_string())?;
    let default = mode(
        outputs["default_authorization_type"]
            .as_str()
            .ok_or("no default_authorization_type")?,
    )?;
    let additional = outputs["authorization_types"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str()).map(mode).collect())
        .transpose()?
        .unwrap_or_default();
    let options = &meta["options"];
    // SDL input records sandbox mode; for a Gen 2 project it is "no defineAuth and no
    // authorizationModes".
    let sandbox = match options.get("sandbox").and_then(|v| v.as_bool()) {
        Some(s) => s,
        None => {
            !options["auth"].as_bool().unwrap_or(false)
                && !tree_mentions(&dir.join("amplify"), "authorizationModes")
        }
    };
    Ok(DataSpec {
        name: "amplifyData".into(),
        directive_sdl: read("directives.graphql")?,
        authorization_modes: AuthorizationModes {
            default,
            additional,
            sandbox_mode: sandbox,
            api_key_expires_in_days: None,
            api_key_description: None,
            lambda_authorizer: None,
            oidc: None,
        },
        schema: DataSchema::default(),
        js_functions: vec![],
        lambda_functions: vec![],
        function_schema_access: vec![],
    })
}

/// Definition name (with its kind) → printed definition.
fn definitions(sdl: &str) -> Result<BTreeMap<String, String>, String> {
    let doc = read_document(sdl).map_err(|e| e.to_string())?;
    let mut map = BTreeMap::new();
    for def in &doc.definitions {
        let printed = print_definition(def);
        let key = printed
            .lines()
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ");
        map.insert(key, printed);
    }
    Ok(map)
}

/// A line diff (longest common subsequence), `-` expected, `+` actual.
fn diff(expected: &str, actual: &str) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            out.push_str(&format!("    {}\n", a[i]));
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            out.push_str(&format!("  + {}\n", b[j]));
            j += 1;
        } else {
            out.push_str(&format!("  - {}\n", a[i]));
            i += 1;
        }
    }
    out
}

/// `None` when equal, else a description of the differences. `identical` counts outputs that
/// are byte-for-byte the oracle's file (informational: top-level order is not required).
fn compare(dir: &Path, identical: &mut usize) -> Result<Option<String>, String> {
    let spec = fixture_spec(dir)?;
    let expected_sdl = fs::read_to_string(dir.join("expected/appsync.graphql"))
        .map_err(|e| format!("appsync.graphql: {e}"))?;
    let actual_sdl = generate_sdl(&spec).map_err(|e| format!("generate_sdl failed: {e}"))?;
    if actual_sdl == expected_sdl {
        *identical += 1;
    }
    let expected = definitions(&expected_sdl)?;
    let actual = definitions(&actual_sdl)?;
    let missing: Vec<&String> = expected
        .keys()
        .filter(|k| !actual.contains_key(*k))
        .collect();
    let extra: Vec<&String> = actual
        .keys()
        .filter(|k| !expected.contains_key(*k))
        .collect();
    let differing: Vec<&String> = expected
        .keys()
        .filter(|k| actual.get(*k).is_some_and(|a| a != &expected[*k]))
        .collect();
    if missing.is_empty() && extra.is_empty() && differing.is_empty() {
        return Ok(None);
    }
    let mut report = String::new();
    if !missing.is_empty() {
        report.push_str(&format!("  missing: {missing:?}\n"));
    }
    if !extra.is_empty() {
        report.push_str(&format!("  unexpected: {extra:?}\n"));
    }
    if !differing.is_empty() {
        report.push_str(&format!("  differing: {differing:?}\n"));
        for key in differing.iter().take(2) {
            report.push_str(&format!("  --- {key} (- expected, + generated)\n"));
            report.push_str(&diff(&expected[*key], &actual[*key]));
        }
    }
    Ok(Some(report))
}

#[test]
fn generated_appsync_sdl_matches_oracle_for_every_fixture() {
    let roots = fixture_roots();
    let mut dirs: Vec<PathBuf> = Vec::new();
    for root in &roots {
        let mut found: Vec<PathBuf> = fs::read_dir(root)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", root.display()))
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.join("expected/appsync.graphql").is_file())
            .collect();
        assert!(!found.is_empty(), "no fixtures under {}", root.display());
        found.sort();
        dirs.extend(found);
    }

    let mut failures = Vec::new();
    let mut per_group: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut identical = 0;
    for dir in &dirs {
        let name = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        let group = if dir.parent().is_some_and(|p| p.ends_with("tests/sdl-cases")) {
            "sdl-cases".to_string()
        } else {
            name.split('-').next().unwrap_or_default().to_string()
        };
        let entry = per_group.entry(group).or_default();
        entry.1 += 1;
        match compare(dir, &mut identical) {
            Ok(None) => entry.0 += 1,
            Ok(Some(report)) => failures.push(format!("{name}:\n{report}")),
            Err(e) => failures.push(format!("{name}: {e}")),
        }
    }
    let summary: Vec<String> = per_group
        .iter()
        .map(|(g, (ok, total))| format!("{g}: {ok}/{total}"))
        .collect();
    eprintln!(
        "AppSync SDL conformance: {} ({identical} of {} byte-identical)",
        summary.join(", "),
        dirs.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {} fixtures differ ({}):\n\n{}",
        failures.len(),
        dirs.len(),
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
        let Ok(entries) = fs::read_dir(&root) else {
            continue;
        };
        for dir in entries.flatten().map(|e| e.path()) {
            let Ok(sdl) = fs::read_to_string(dir.join("expected/directives.graphql")) else {
                continue;
            };
            let name = dir.display().to_string();
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
