//! `StorageSpec::from_props` + the `storage` section + role policies against ground truth from
//! the real `@aws-amplify/backend-storage` orchestrator and `client-config` (tests/data/regen.mjs).

mod common;

use serde_json::{Map, Value, json};
use stratus_outputs::{bucket_name, generate_with};
use stratus_spec::storage::{StorageRole, StorageSpec, default_bucket};
use stratus_spec::{Backend, SpecError, SpecErrorKind};

use common::*;
use stratus_testkit::assert_json_eq;

fn kind(error: &str) -> SpecErrorKind {
    match error {
        "InvalidStorageAccessPathError" => SpecErrorKind::InvalidStorageAccessPath,
        "InvalidStorageAccessDefinitionError" => SpecErrorKind::InvalidStorageAccessDefinition,
        "MultipleDefaultStorageError" => SpecErrorKind::MultipleDefaultStorage,
        "NoDefaultStorageError" => SpecErrorKind::NoDefaultStorage,
        "InvalidResourceNameError" => SpecErrorKind::InvalidResourceName,
        other => panic!("unexpected error kind {other}"),
    }
}

fn role_key(role: &StorageRole) -> String {
    match role {
        StorageRole::Guest => "unauthenticatedUserIamRoleResourceAccessAcceptor".into(),
        StorageRole::Authenticated => "authenticatedUserIamRoleResourceAccessAcceptor".into(),
        StorageRole::Group(g) => format!("{g}ResourceAccessAcceptor"),
        StorageRole::Function(f) => format!("function:{f}"),
    }
}

fn load(buckets: &Value) -> Result<Vec<StorageSpec>, SpecError> {
    let specs = buckets
        .as_array()
        .expect("buckets")
        .iter()
        .map(StorageSpec::from_props)
        .collect::<Result<Vec<_>, _>>()?;
    default_bucket(&specs)?;
    Ok(specs)
}

#[test]
fn every_storage_case_matches_the_real_packages() {
    let expected = data_file("storage_expected.json");
    let all = cases("storage_cases.json", "buckets");
    assert!(all.len() >= 20);
    for (name, buckets) in all {
        let exp = &expected[&name];
        let result = load(&buckets);
        if let Some(error) = exp.get("error").and_then(Value::as_str) {
            let e = result
                .err()
                .unwrap_or_else(|| panic!("{name}: expected {error}"));
            assert_spec_error(&name, &e, kind(error), exp);
            continue;
        }
        let specs = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        // policies, role by role, action by action, in AWS's order
        for (spec, exp_bucket) in specs
            .iter()
            .zip(exp["buckets"].as_array().expect("buckets"))
        {
            let mut ours = Map::new();
            for p in spec.access.iter().flat_map(|a| a.policies.iter()) {
                let actions: Map<String, Value> = p
                    .statements
                    .iter()
                    .map(|s| {
                        (
                            s.action.as_str().to_string(),
                            json!({"allow": s.allow, "deny": s.deny}),
                        )
                    })
                    .collect();
                ours.insert(role_key(&p.role), Value::Object(actions));
            }
            assert_json_eq(
                &exp_bucket["policies"],
                &Value::Object(ours),
                &format!("{name}/{} policies", spec.name),
            );
        }
        // outputs `storage` section, bucket names replaced like the ground truth
        let backend = Backend {
            storage: specs.clone(),
            ..Backend::default()
        };
        let mut out = generate_with(&backend, &endpoints(), stub_introspection).unwrap();
        let storage = out["storage"].as_object_mut().expect("storage");
        storage.insert("aws_region".into(), json!("<region>"));
        let default_name = storage["bucket_name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let def = specs
            .iter()
            .find(|s| bucket_name(&endpoints().instance_id, &s.name) == default_name)
            .expect("default");
        storage.insert(
            "bucket_name".into(),
            json!(format!("<bucket:{}>", def.name)),
        );
        for b in storage["buckets"].as_array_mut().expect("buckets") {
            let b = b.as_object_mut().expect("bucket");
            let n = b["name"].as_str().unwrap_or_default().to_string();
            assert_eq!(
                b["bucket_name"],
                json!(bucket_name(&endpoints().instance_id, &n))
            );
            b.insert("bucket_name".into(), json!(format!("<bucket:{n}>")));
            b.insert("aws_region".into(), json!("<region>"));
        }
        assert_json_eq(&exp["storage"], &out["storage"], &name);
    }
}
