//! Decisions against every fixture's `auth.json`: for every model and every role of the
//! oracle's matrix, a caller holding that role (and an item it owns, for owner and group-field
//! roles) gets exactly the operations and fields the matrix grants to the roles it holds.
//!
//! Expectations come from `auth.json` alone (role definitions and access); the decisions come
//! from `Authorizer`. Checked per role: `get`/`list`/`sync`/`search` (item-level), `listen`
//! (subscription + event), `create` (empty input), `update` (key-only input), `delete`, and for
//! `get` the readability of every field.

mod common;

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use serde_json::{Map, Value, json};
use stratus_data::authz::{AuthEnvironment, Authorizer, Caller, IamPrincipal, Op, Request};

const SUB: &str = "s-1";
const USERNAME: &str = "u-1";
const GROUP: &str = "g-1";

/// What the synthetic caller presents.
struct Synthetic {
    caller: Caller,
    item: Map<String, Value>,
}

fn claim_value(claims: &Map<String, Value>, name: &str) -> Option<String> {
    let v = claims.get(name).or_else(|| {
        (name == "username")
            .then(|| claims.get("cognito:username"))
            .flatten()
    })?;
    v.as_str().map(String::from)
}

/// The caller's identity for a (possibly `a::b`) claim: full value and parts.
fn identity(claims: &Map<String, Value>, claim: &str) -> Option<(String, Vec<String>)> {
    let parts: Option<Vec<String>> = claim.split("::").map(|c| claim_value(claims, c)).collect();
    let parts = parts?;
    Some((parts.join("::"), parts))
}

fn user_claims() -> Map<String, Value> {
    let mut c = Map::new();
    c.insert("sub".into(), json!(SUB));
    c.insert("username".into(), json!(USERNAME));
    c.insert("cognito:username".into(), json!(USERNAME));
    c
}

/// A caller holding the role `def`, and an item that role matches.
fn synthesize(def: &Value) -> Option<Synthetic> {
    let s = |k: &str| def[k].as_str().unwrap_or_default().to_string();
    let (provider, strategy, claim, entity) =
        (s("provider"), s("strategy"), s("claim"), s("entity"));
    let is_list = def["isEntityList"].as_bool().unwrap_or(false);
    let mut item = Map::new();
    let caller = match provider.as_str() {
        "apiKey" => Caller::ApiKey,
        "function" => Caller::Lambda {
            resolver_context: Map::new(),
            denied_fields: Vec::new(),
        },
        "iam" | "identityPool" => Caller::Iam {
            principal: if claim == "authRole" {
                IamPrincipal::Authenticated
            } else {
                IamPrincipal::Guest
            },
            identity_id: Some("id-1".into()),
            groups: vec![],
        },
        "userPools" | "oidc" => {
            let mut claims = user_claims();
            match (strategy.as_str(), def["static"].as_bool()) {
                ("groups", Some(true)) => {
                    claims.insert(claim.clone(), json!([entity]));
                }
                ("groups", _) => {
                    claims.insert(claim.clone(), json!([GROUP]));
                    item.insert(
                        entity.clone(),
                        if is_list {
                            json!([GROUP])
                        } else {
                            json!(GROUP)
                        },
                    );
                }
                ("owner", _) => {
                    for c in claim.split("::") {
                        if !claims.contains_key(c) && c != "username" {
                            claims.insert(c.to_string(), json!(format!("{c}-value")));
                        }
                    }
                    let (full, _) = identity(&claims, &claim)?;
                    item.insert(
                        entity.clone(),
                        if is_list { json!([full]) } else { json!(full) },
                    );
                }
                _ => {}
            }
            if provider == "oidc" {
                Caller::Oidc { claims }
            } else {
                Caller::UserPool {
                    sub: SUB.into(),
                    username: USERNAME.into(),
                    groups: vec![],
                    claims,
                }
            }
        }
        _ => return None,
    };
    Some(Synthetic { caller, item })
}

/// Whether the synthetic caller holds role `def` on `item` (from the definition alone).
fn holds(caller: &Caller, item: &Map<String, Value>, def: &Value) -> bool {
    let s = |k: &str| def[k].as_str().unwrap_or_default();
    let is_static = def["static"].as_bool().unwrap_or(true);
    match (caller, s("provider")) {
        (Caller::ApiKey, "apiKey") | (Caller::Lambda { .. }, "function") => true,
        (Caller::Iam { principal, .. }, "iam" | "identityPool") => {
            let want = if *principal == IamPrincipal::Authenticated {
                "authRole"
            } else {
                "unauthRole"
            };
            s("claim") == want
        }
        (Caller::UserPool { claims, .. }, "userPools") | (Caller::Oidc { claims }, "oidc") => {
            let groups = |c: &str| -> Vec<String> {
                claims
                    .get(c)
                    .and_then(Value::as_array)
                    .map(|a| {
                        a.iter()
                            .filter_map(|v| v.as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default()
            };
            let values: Vec<String> = match item.get(s("entity")) {
                Some(Value::Array(a)) => a
                    .iter()
                    .filter_map(|v| v.as_str().map(String::from))
                    .collect(),
                Some(Value::String(v)) => vec![v.clone()],
                _ => vec![],
            };
            match (s("strategy"), is_static) {
                ("private", _) => true,
                ("groups", true) => groups(s("claim")).iter().any(|g| g == s("entity")),
                ("groups", false) => values.iter().any(|v| groups(s("claim")).contains(v)),
                ("owner", _) => identity(claims, s("claim")).is_some_and(|(full, parts)| {
                    values
                        .iter()
                        .any(|v| *v == full || (parts.len() > 1 && parts.contains(v)))
                }),
                _ => false,
            }
        }
        _ => false,
    }
}

/// role → resource → ops, expanded from the dump.
fn access(role: &Value, resources: &[String]) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (res, ops) in role["access"].as_object().into_iter().flatten() {
        let ops: Vec<String> = ops
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|o| o.as_str().map(String::from))
            .collect();
        if res == "*" {
            for r in resources {
                out.insert(r.clone(), ops.clone());
            }
        } else {
            out.insert(res.clone(), ops);
        }
    }
    out
}

fn check_fixture(dir: &Path, auth_json: &Path, cells: &mut usize) -> Result<Vec<String>, String> {
    let (spec, pool) = common::fixture_spec(dir)?;
    let expected: Value =
        serde_json::from_str(&fs::read_to_string(auth_json).map_err(|e| e.to_string())?)
            .map_err(|e| e.to_string())?;
    let authz = Authorizer::new(&spec, &AuthEnvironment::gen2(pool)).map_err(|e| e.to_string())?;
    let mut diffs = Vec::new();
    for (model, m) in expected["models"].as_object().into_iter().flatten() {
        let resources: Vec<String> = m["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(String::from))
            .collect();
        let roles = m["roles"].as_object().cloned().unwrap_or_default();
        let pk = spec
            .schema
            .models
            .iter()
            .find(|x| &x.name == model)
            .and_then(|x| x.primary_key.first().cloned())
            .unwrap_or_else(|| "id".into());
        for (role_name, role) in &roles {
            let Some(syn) = synthesize(&role["definition"]) else {
                diffs.push(format!("{model} {role_name}: cannot synthesize a caller"));
                continue;
            };
            let held: Vec<BTreeMap<String, Vec<String>>> = roles
                .values()
                .filter(|r| holds(&syn.caller, &syn.item, &r["definition"]))
                .map(|r| access(r, &resources))
                .collect();
            let any = |op: &str| {
                held.iter()
                    .any(|a| a.values().any(|ops| ops.iter().any(|o| o == op)))
            };
            let ctx = format!("{model} as {role_name}");
            for op in [Op::Get, Op::List, Op::Sync, Op::Search, Op::Listen] {
                let req = Request {
                    caller: &syn.caller,
                    model,
                    operation: op,
                    existing: Some(&syn.item),
                    input: None,
                    fields: &[],
                };
                let got = authz.decide(&req).is_ok();
                *cells += 1;
                if got != any(op.as_str()) {
                    diffs.push(format!(
                        "{ctx}: {} allowed={got}, expected {}",
                        op.as_str(),
                        !got
                    ));
                }
            }
            let delete = held.iter().any(|a| {
                resources.iter().all(|r| {
                    a.get(r)
                        .is_some_and(|ops| ops.iter().any(|o| o == "delete"))
                })
            });
            let got = authz
                .authorize_delete(&syn.caller, model, Some(&syn.item))
                .is_ok();
            *cells += 1;
            if got != delete {
                diffs.push(format!("{ctx}: delete allowed={got}, expected {delete}"));
            }
            let update = any("update") || any("delete");
            let mut key_only = Map::new();
            key_only.insert(pk.clone(), json!("k-1"));
            let got = authz
                .authorize_update(&syn.caller, model, Some(&syn.item), &key_only)
                .is_ok();
            *cells += 1;
            if got != update {
                diffs.push(format!("{ctx}: update allowed={got}, expected {update}"));
            }
            // Create with an empty input: static roles, and owner roles (their field is filled in).
            let create = roles.values().any(|r| {
                let d = &r["definition"];
                let creates = access(r, &resources)
                    .values()
                    .any(|ops| ops.iter().any(|o| o == "create"));
                let owner_fill = d["strategy"] == "owner"
                    && holds(
                        &syn.caller,
                        &{
                            let mut it = Map::new();
                            let (Caller::UserPool { claims, .. } | Caller::Oidc { claims }) =
                                &syn.caller
                            else {
                                return false;
                            };
                            let Some((full, _)) =
                                identity(claims, d["claim"].as_str().unwrap_or_default())
                            else {
                                return false;
                            };
                            it.insert(
                                d["entity"].as_str().unwrap_or_default().to_string(),
                                json!(full),
                            );
                            it
                        },
                        d,
                    );
                creates
                    && ((d["static"] == true && holds(&syn.caller, &Map::new(), d)) || owner_fill)
            });
            let got = authz
                .authorize_create(&syn.caller, model, &Map::new())
                .is_ok();
            *cells += 1;
            if got != create {
                diffs.push(format!("{ctx}: create allowed={got}, expected {create}"));
            }
            // Field readability on get.
            if any("get") {
                let hidden = authz.hidden_fields(&syn.caller, model, &syn.item, &resources);
                for f in &resources {
                    let readable = held.iter().any(|a| {
                        a.get(f).is_some_and(|ops| {
                            ops.iter().any(|o| {
                                ["get", "list", "search", "listen", "sync"].contains(&o.as_str())
                            })
                        })
                    });
                    *cells += 1;
                    if readable == hidden.contains(f) {
                        diffs.push(format!(
                            "{ctx}: field {f} hidden={}, expected hidden={}",
                            hidden.contains(f),
                            !readable
                        ));
                    }
                }
            }
        }
    }
    Ok(diffs)
}

#[test]
fn decisions_follow_the_oracle_matrix_for_every_role_operation_and_field() {
    let mut failures = Vec::new();
    let mut fixtures = 0;
    let mut cells = 0;
    for root in common::fixture_roots() {
        let mut dirs: Vec<_> = fs::read_dir(&root)
            .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
            .flatten()
            .map(|e| e.path())
            .collect();
        dirs.sort();
        for dir in dirs {
            let name = dir
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            let own = dir.join("expected/auth.json");
            let extra = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/authz-cases")
                .join(&name)
                .join("auth.json");
            let auth = if own.is_file() {
                own
            } else if extra.is_file() {
                extra
            } else {
                continue;
            };
            fixtures += 1;
            match check_fixture(&dir, &auth, &mut cells) {
                Ok(d) if d.is_empty() => {}
                Ok(d) => failures.push(format!("{name}:\n  {}", d.join("\n  "))),
                Err(e) => failures.push(format!("{name}: {e}")),
            }
        }
    }
    eprintln!("decision matrix: {fixtures} fixtures, {cells} decisions checked");
    assert!(fixtures > 50, "only {fixtures} fixtures");
    assert!(cells > 1000, "only {cells} decisions");
    assert!(
        failures.is_empty(),
        "{} fixtures differ:\n\n{}",
        failures.len(),
        failures.join("\n\n")
    );
}
