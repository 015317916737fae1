//! Conformance of `model_introspection` with the oracle (the real Amplify codegen) for every
//! fixture under `tests/fixtures/conformance/`.
//!
//! For each fixture, `expected/directives.graphql` plus the authorization configuration of
//! `expected/data_outputs.json` / `expected/meta.json` becomes a `DataSpec` (through
//! `parse_directive_sdl`), and `introspection::generate` must reproduce
//! `expected/model_introspection.json` exactly: same values, same key order.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;
use stratus_schema::introspection;
use stratus_spec::data::{AuthMode, AuthorizationModes, DataSpec};

/// `STRATUS_CONFORMANCE_DIR` overrides the fixture root (e.g. to check a regenerated set).
fn fixtures_root() -> PathBuf {
    match std::env::var_os("STRATUS_CONFORMANCE_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/conformance"),
    }
}

/// Every fixture directory that has the files this test needs, sorted by name.
fn fixtures() -> Vec<PathBuf> {
    let root = fixtures_root();
    let Ok(entries) = std::fs::read_dir(&root) else {
        panic!("fixture directory {} is missing", root.display());
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.join("expected/directives.graphql").is_file()
                && p.join("expected/model_introspection.json").is_file()
        })
        .collect();
    dirs.sort();
    assert!(
        !dirs.is_empty(),
        "no conformance fixtures found under {}",
        root.display()
    );
    dirs
}

fn name_of(dir: &Path) -> String {
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn read_json(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn auth_mode(value: &Value) -> Result<AuthMode, String> {
    serde_json::from_value(value.clone()).map_err(|e| format!("authorization type {value}: {e}"))
}

/// The authorization configuration the oracle ran with.
fn authorization_modes(expected: &Path) -> Result<AuthorizationModes, String> {
    let outputs = read_json(&expected.join("data_outputs.json"))?;
    let default = auth_mode(
        outputs
            .get("default_authorization_type")
            .unwrap_or(&Value::Null),
    )?;
    let additional = outputs
        .get("authorization_types")
        .and_then(Value::as_array)
        .map(|list| list.iter().map(auth_mode).collect::<Result<Vec<_>, _>>())
        .transpose()?
        .unwrap_or_default();
    let meta = read_json(&expected.join("meta.json")).unwrap_or(Value::Null);
    let options = meta.get("options");
    let explicit_sandbox = options
        .and_then(|o| o.get("sandbox"))
        .and_then(Value::as_bool)
        == Some(true);
    let ts_without_auth = meta.get("inputKind").and_then(Value::as_str) == Some("ts")
        && options.and_then(|o| o.get("auth")).and_then(Value::as_bool) == Some(false);
    Ok(AuthorizationModes {
        default,
        additional,
        sandbox_mode: explicit_sandbox || ts_without_auth,
        api_key_expires_in_days: None,
        api_key_description: None,
        lambda_authorizer: None,
        oidc: None,
    })
}

fn data_spec(dir: &Path) -> Result<DataSpec, String> {
    let expected = dir.join("expected");
    let sdl =
        std::fs::read_to_string(expected.join("directives.graphql")).map_err(|e| e.to_string())?;
    let schema = stratus_schema::parse_directive_sdl(&sdl)
        .map_err(|e| format!("parse_directive_sdl: {e}"))?;
    Ok(DataSpec {
        name: "amplifyData".into(),
        directive_sdl: sdl,
        authorization_modes: authorization_modes(&expected)?,
        schema,
        js_functions: Vec::new(),
        lambda_functions: Vec::new(),
        function_schema_access: Vec::new(),
    })
}

fn short(v: Option<&Value>) -> String {
    match v {
        None => "<absent>".into(),
        Some(v) => {
            let s = serde_json::to_string(v).unwrap_or_default();
            if s.len() > 160 {
                format!("{}…", &s[..s.floor_char_boundary(160)])
            } else {
                s
            }
        }
    }
}

/// Value differences (`path: expected → actual`) and key-order differences, separately.
fn diff(
    path: &str,
    expected: &Value,
    actual: &Value,
    values: &mut Vec<String>,
    order: &mut Vec<String>,
) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let p = format!("{path}.{k}");
                match a.get(k) {
                    Some(av) => diff(&p, ev, av, values, order),
                    None => values.push(format!("{p}: {} → <absent>", short(Some(ev)))),
                }
            }
            for (k, av) in a {
                if !e.contains_key(k) {
                    values.push(format!("{path}.{k}: <absent> → {}", short(Some(av))));
                }
            }
            let ek: Vec<&String> = e.keys().filter(|k| a.contains_key(*k)).collect();
            let ak: Vec<&String> = a.keys().filter(|k| e.contains_key(*k)).collect();
            if ek != ak {
                order.push(format!(
                    "{}: expected key order {ek:?}, got {ak:?}",
                    if path.is_empty() { "$" } else { path }
                ));
            }
        }
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                diff(&format!("{path}[{i}]"), ev, av, values, order);
            }
        }
        _ if expected != actual => values.push(format!(
            "{path}: {} → {}",
            short(Some(expected)),
            short(Some(actual))
        )),
        _ => {}
    }
}

/// Compare one fixture; `Err` carries the report lines.
fn check(dir: &Path, generate: &dyn Fn(&Path) -> Result<Value, String>) -> Result<(), String> {
    let expected = read_json(&dir.join("expected/model_introspection.json"))?;
    let actual = generate(dir)?;
    let (mut values, mut order) = (Vec::new(), Vec::new());
    diff("", &expected, &actual, &mut values, &mut order);
    let same_bytes = serde_json::to_string(&expected).ok() == serde_json::to_string(&actual).ok();
    if values.is_empty() && order.is_empty() && same_bytes {
        return Ok(());
    }
    let mut report = String::new();
    for line in values.iter().take(40) {
        let _ = writeln!(report, "    value  {line}");
    }
    if values.len() > 40 {
        let _ = writeln!(report, "    … {} more value differences", values.len() - 40);
    }
    for line in order.iter().take(20) {
        let _ = writeln!(report, "    order  {line}");
    }
    if values.is_empty() && order.is_empty() {
        let _ = writeln!(report, "    serialized forms differ (number formatting?)");
    }
    Err(report)
}

fn run_all(label: &str, generate: &dyn Fn(&Path) -> Result<Value, String>) {
    let dirs = fixtures();
    let mut failures = Vec::new();
    for dir in &dirs {
        if let Err(report) = check(dir, generate) {
            failures.push(format!("  {}\n{}", name_of(dir), report.trim_end()));
        }
    }
    assert!(
        failures.is_empty(),
        "{label}: {} of {} fixtures differ from the oracle's model_introspection.json:\n{}",
        failures.len(),
        dirs.len(),
        failures.join("\n")
    );
}

/// The public path: directive SDL → `parse_directive_sdl` → `DataSpec` → `generate`.
#[test]
fn model_introspection_matches_oracle_for_every_fixture() {
    run_all("introspection::generate(DataSpec)", &|dir| {
        let spec = data_spec(dir)?;
        introspection::generate(&spec).map_err(|e| format!("generate: {e}"))
    });
}

/// The generator on its own, straight from the directive SDL (independent of the parser).
#[test]
fn model_introspection_from_sdl_matches_oracle_for_every_fixture() {
    run_all("introspection::generate_from_sdl", &|dir| {
        let sdl = std::fs::read_to_string(dir.join("expected/directives.graphql"))
            .map_err(|e| e.to_string())?;
        introspection::generate_from_sdl(&sdl).map_err(|e| format!("generate_from_sdl: {e}"))
    });
}
