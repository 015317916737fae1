//! The access-control matrix against the oracle's `auth.json` (the real auth transformer's
//! `configuredAuthProviders`, rule sets with defaults, and role → field → operations matrix).
//!
//! Inputs: every fixture under `tests/fixtures/conformance/` and `crates/schema/tests/sdl-cases/`.
//! The expected file is the fixture's `expected/auth.json`, or for SDL cases without one,
//! `tests/authz-cases/<name>/auth.json` (oracle output, regenerated as that README says).

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use serde_json::Value;
use stratus_data::authz::{Acm, AuthEnvironment, Authorizer, Op, generated_models};
use stratus_spec::data::{DataSpec, Model};

fn expected_auth(dir: &Path) -> Option<PathBuf> {
    let own = dir.join("expected/auth.json");
    if own.is_file() {
        return Some(own);
    }
    let name = dir.file_name()?;
    let extra = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/authz-cases")
        .join(name)
        .join("auth.json");
    extra.is_file().then_some(extra)
}

const DEFINITION_KEYS: [&str; 6] = [
    "provider",
    "strategy",
    "static",
    "claim",
    "entity",
    "isEntityList",
];

/// `(resource, op)` pairs a dumped role allows.
fn expected_access(access: &Value, resources: &[String]) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    let Some(map) = access.as_object() else {
        return out;
    };
    for (res, ops) in map {
        let targets: Vec<String> = if res == "*" {
            resources.to_vec()
        } else {
            vec![res.clone()]
        };
        for t in targets {
            for op in ops
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(Value::as_str)
            {
                out.insert((t.clone(), op.to_string()));
            }
        }
    }
    out
}

fn actual_access(acm: &Acm, role: usize) -> BTreeSet<(String, String)> {
    let mut out = BTreeSet::new();
    for res in &acm.resources {
        for op in acm.access(role, res).iter() {
            out.insert((res.clone(), op.as_str().to_string()));
        }
    }
    out
}

fn compare_acms(
    kind: &str,
    expected: &Value,
    actual: &BTreeMap<String, Acm>,
    diffs: &mut Vec<String>,
) {
    let empty = serde_json::Map::new();
    let expected = expected.as_object().unwrap_or(&empty);
    for name in actual.keys().filter(|k| !expected.contains_key(*k)) {
        diffs.push(format!("{kind} {name}: not in auth.json"));
    }
    for (name, exp) in expected {
        let Some(acm) = actual.get(name) else {
            diffs.push(format!("{kind} {name}: missing"));
            continue;
        };
        let resources: Vec<String> = exp["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(String::from))
            .collect();
        if resources != acm.resources {
            diffs.push(format!(
                "{kind} {name}: resources {:?}, expected {resources:?}",
                acm.resources
            ));
        }
        let exp_ops: Vec<&str> = exp["operations"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .collect();
        let ops: Vec<&str> = acm.operations.iter().map(|o| o.as_str()).collect();
        if exp_ops != ops {
            diffs.push(format!(
                "{kind} {name}: operations {ops:?}, expected {exp_ops:?}"
            ));
        }
        let exp_roles = exp["roles"].as_object().unwrap_or(&empty);
        let names: Vec<&str> = acm.roles.iter().map(|r| r.name.as_str()).collect();
        let exp_names: Vec<&str> = exp_roles.keys().map(String::as_str).collect();
        if names != exp_names {
            diffs.push(format!(
                "{kind} {name}: roles {names:?}, expected {exp_names:?}"
            ));
        }
        for (idx, role) in acm.roles.iter().enumerate() {
            let Some(exp_role) = exp_roles.get(&role.name) else {
                continue;
            };
            let mut def = serde_json::Map::new();
            for k in DEFINITION_KEYS {
                if let Some(v) = exp_role["definition"].get(k) {
                    def.insert(k.to_string(), v.clone());
                }
            }
            let ours = role.to_json();
            if Value::Object(def.clone()) != ours {
                diffs.push(format!(
                    "{kind} {name} role {}: definition {ours}, expected {}",
                    role.name,
                    Value::Object(def)
                ));
            }
            let want = expected_access(&exp_role["access"], &resources);
            let got = actual_access(acm, idx);
            for (res, op) in want.difference(&got) {
                diffs.push(format!(
                    "{kind} {name} role {}: {res}.{op} denied, expected allowed",
                    role.name
                ));
            }
            for (res, op) in got.difference(&want) {
                diffs.push(format!(
                    "{kind} {name} role {}: {res}.{op} allowed, expected denied",
                    role.name
                ));
            }
        }
    }
}

/// Whether `model`'s `@model(mutations:)` keeps the mutation `op` (`create`/`update`/`delete`).
fn mutation_enabled(model: &Model, op: &str) -> bool {
    match &model.model.mutations {
        None => true,
        Some(None) => false,
        Some(Some(ops)) => !ops.ops.iter().any(|(name, v)| name == op && v.is_none()),
    }
}

fn string_set(v: Option<&Value>) -> Option<BTreeSet<String>> {
    v.and_then(Value::as_array).map(|a| {
        a.iter()
            .filter_map(|x| x.as_str().map(String::from))
            .collect()
    })
}

/// The resolver-time role fields (`allowedFields`, `nullAllowedFields`, `areAllFieldsAllowed`,
/// `areAllFieldsNullAllowed`): the create, update and delete resolvers write them into the
/// shared role definition in that order, so the dump holds the last writer's values.
fn compare_mutation_fields(
    spec: &DataSpec,
    authz: &Authorizer,
    expected: &Value,
    diffs: &mut Vec<String>,
) {
    let generated = generated_models(&spec.schema);
    for model in spec.schema.models.iter().chain(generated.iter()) {
        let Some(exp_roles) = expected[&model.name]["roles"].as_object() else {
            continue;
        };
        // @searchable's resolver also writes allowedFields; not modelled here.
        if spec
            .directive_sdl
            .lines()
            .any(|l| l.contains(&format!("type {} ", model.name)) && l.contains("@searchable"))
        {
            continue;
        }
        let mut state: BTreeMap<String, serde_json::Map<String, Value>> = BTreeMap::new();
        for mf in authz.mutation_fields(&model.name) {
            if !mutation_enabled(model, mf.operation.as_str()) {
                continue;
            }
            let entry = state.entry(mf.role.clone()).or_default();
            let list =
                |v: &Vec<String>| Value::Array(v.iter().cloned().map(Value::String).collect());
            entry.insert("allowedFields".into(), list(&mf.allowed));
            match mf.operation {
                Op::Create => {
                    entry.insert("areAllFieldsAllowed".into(), Value::Bool(mf.all_allowed));
                }
                Op::Update => {
                    entry.insert("areAllFieldsAllowed".into(), Value::Bool(mf.all_allowed));
                    entry.insert(
                        "areAllFieldsNullAllowed".into(),
                        Value::Bool(mf.all_null_allowed),
                    );
                    entry.insert("nullAllowedFields".into(), list(&mf.null_allowed));
                }
                _ => {}
            }
        }
        for (role, exp) in exp_roles {
            let def = &exp["definition"];
            let ours = state.get(role);
            for key in ["allowedFields", "nullAllowedFields"] {
                let want = string_set(def.get(key));
                let got = string_set(ours.and_then(|m| m.get(key)));
                if want != got {
                    diffs.push(format!(
                        "model {} role {role}: {key} {got:?}, expected {want:?}",
                        model.name
                    ));
                }
            }
            for key in ["areAllFieldsAllowed", "areAllFieldsNullAllowed"] {
                let want = def.get(key);
                let got = ours.and_then(|m| m.get(key));
                if want != got {
                    diffs.push(format!(
                        "model {} role {role}: {key} {got:?}, expected {want:?}",
                        model.name
                    ));
                }
            }
        }
    }
}

fn compare(dir: &Path, auth_json: &Path) -> Result<Vec<String>, String> {
    let (spec, identity_pool) = common::fixture_spec(dir)?;
    let expected: Value =
        serde_json::from_str(&fs::read_to_string(auth_json).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    let authz =
        Authorizer::new(&spec, &AuthEnvironment::gen2(identity_pool)).map_err(|e| e.to_string())?;
    let mut diffs = Vec::new();
    let providers = authz.providers().to_json();
    if providers != expected["configuredAuthProviders"] {
        diffs.push(format!(
            "configuredAuthProviders {providers}, expected {}",
            expected["configuredAuthProviders"]
        ));
    }
    // Rule sets with defaults filled in.
    let mut ours: BTreeMap<(String, Option<String>), (Value, Value)> = BTreeMap::new();
    for set in &authz.matrix().rule_sets {
        let rules = Value::Array(set.rules.iter().map(|r| r.to_json()).collect());
        let over = match &set.override_operations {
            Some(ops) => Value::Array(
                ops.iter()
                    .map(|o| Value::String(o.as_str().into()))
                    .collect(),
            ),
            None => Value::Null,
        };
        ours.insert((set.type_name.clone(), set.field.clone()), (rules, over));
    }
    let mut seen = BTreeSet::new();
    for set in expected["rules"].as_array().into_iter().flatten() {
        let key = (
            set["typeName"].as_str().unwrap_or_default().to_string(),
            set["field"].as_str().map(String::from),
        );
        seen.insert(key.clone());
        match ours.get(&key) {
            None => diffs.push(format!("rule set {key:?}: missing")),
            Some((rules, over)) => {
                if *rules != set["rules"] {
                    diffs.push(format!(
                        "rule set {key:?}: {rules}, expected {}",
                        set["rules"]
                    ));
                }
                if *over != set["overrideOperations"] {
                    diffs.push(format!(
                        "rule set {key:?}: overrideOperations {over}, expected {}",
                        set["overrideOperations"]
                    ));
                }
            }
        }
    }
    for key in ours.keys().filter(|k| !seen.contains(*k)) {
        diffs.push(format!("rule set {key:?}: not in auth.json"));
    }
    compare_acms(
        "model",
        &expected["models"],
        &authz.matrix().models,
        &mut diffs,
    );
    compare_acms(
        "non-model",
        &expected["nonModel"],
        &authz.matrix().non_model,
        &mut diffs,
    );
    compare_mutation_fields(&spec, &authz, &expected["models"], &mut diffs);
    Ok(diffs)
}

#[test]
fn access_control_matrix_matches_oracle_for_every_fixture() {
    let mut dirs: Vec<(String, PathBuf, PathBuf)> = Vec::new();
    for root in common::fixture_roots() {
        let mut found: Vec<PathBuf> = fs::read_dir(&root)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", root.display()))
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.join("expected/directives.graphql").is_file())
            .collect();
        found.sort();
        for dir in found {
            let name = dir
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            let group = if root.ends_with("sdl-cases") {
                "sdl-cases".to_string()
            } else {
                name.split('-').next().unwrap_or_default().to_string()
            };
            if let Some(auth) = expected_auth(&dir) {
                dirs.push((group, dir, auth));
            }
        }
    }
    assert!(
        dirs.len() > 40,
        "only {} fixtures with auth.json",
        dirs.len()
    );
    let mut per_group: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut failures = Vec::new();
    let mut checked_cells = 0usize;
    for (group, dir, auth) in &dirs {
        let entry = per_group.entry(group.clone()).or_default();
        entry.1 += 1;
        let name = dir
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .to_string();
        match compare(dir, auth) {
            Ok(d) if d.is_empty() => entry.0 += 1,
            Ok(d) => failures.push(format!("{name}:\n  {}", d.join("\n  "))),
            Err(e) => failures.push(format!("{name}: {e}")),
        }
        if let Ok((spec, pool)) = common::fixture_spec(dir)
            && let Ok(a) = Authorizer::new(&spec, &AuthEnvironment::gen2(pool))
        {
            checked_cells += a
                .matrix()
                .models
                .values()
                .map(|m| m.roles.len() * m.resources.len() * Op::ALL.len())
                .sum::<usize>();
        }
    }
    let summary: Vec<String> = per_group
        .iter()
        .map(|(g, (ok, n))| format!("{g}: {ok}/{n}"))
        .collect();
    eprintln!(
        "auth matrix conformance: {} ({checked_cells} role×field×operation cells)",
        summary.join(", ")
    );
    assert!(
        failures.is_empty(),
        "{} of {} fixtures differ ({}):\n\n{}",
        failures.len(),
        dirs.len(),
        summary.join(", "),
        failures.join("\n\n")
    );
}
