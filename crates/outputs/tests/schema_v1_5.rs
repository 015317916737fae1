//! Every generated document validates against `schema_v1.5.json` (with a validator for the
//! subset of JSON Schema that file uses; see `common/schema_subset.rs`).

mod common;

use serde_json::{Value, json};
use stratus_outputs::generate_with;
use stratus_spec::Backend;
use stratus_spec::auth::AuthSpec;
use stratus_spec::data::{AuthMode, DataSpec};
use stratus_spec::storage::StorageSpec;

use common::schema_subset::Validator;
use common::*;

fn schema() -> Value {
    data_file("schema_v1.5.json")
}

fn assert_valid(doc: &Value, what: &str) {
    let s = schema();
    let errors = Validator::new(&s).validate(doc);
    assert!(
        errors.is_empty(),
        "{what}: {errors:#?}\n{}",
        serde_json::to_string_pretty(doc).unwrap_or_default()
    );
}

fn data(default: AuthMode, additional: Vec<AuthMode>) -> DataSpec {
    stratus_testkit::data_spec("", default, &additional, false)
}

#[test]
fn samples_themselves_validate() {
    assert_valid(
        &data_file("amplify_outputs.auth_sample.json"),
        "auth sample",
    );
    assert_valid(
        &data_file("amplify_outputs.3model_sample.json"),
        "3-model sample",
    );
}

#[test]
fn every_auth_case_output_validates() {
    let mut n = 0;
    for (name, props) in cases("auth_cases.json", "props") {
        let Ok(auth) = AuthSpec::from_props(&props) else {
            continue;
        };
        let backend = Backend {
            auth: Some(auth),
            ..Backend::default()
        };
        assert_valid(
            &generate_with(&backend, &endpoints(), stub_introspection).unwrap(),
            &name,
        );
        n += 1;
    }
    assert!(n >= 15);
}

#[test]
fn every_storage_case_output_validates() {
    let mut n = 0;
    for (name, buckets) in cases("storage_cases.json", "buckets") {
        let Ok(specs) = buckets
            .as_array()
            .unwrap()
            .iter()
            .map(StorageSpec::from_props)
            .collect::<Result<Vec<_>, _>>()
        else {
            continue;
        };
        let backend = Backend {
            storage: specs,
            ..Backend::default()
        };
        let Ok(out) = generate_with(&backend, &endpoints(), stub_introspection) else {
            continue;
        };
        assert_valid(&out, &name);
        n += 1;
    }
    assert!(n >= 6);
}

#[test]
fn full_backends_validate() {
    let auth =
        AuthSpec::from_props(&json!({"loginWith": {"email": true}, "groups": ["Admins"]})).unwrap();
    let modes = [
        (
            AuthMode::ApiKey,
            vec![AuthMode::AmazonCognitoUserPools, AuthMode::AwsIam],
        ),
        (AuthMode::AmazonCognitoUserPools, vec![AuthMode::AwsIam]),
        (AuthMode::AwsIam, vec![]),
        (
            AuthMode::AwsLambda,
            vec![AuthMode::AwsIam, AuthMode::OpenidConnect],
        ),
    ];
    for (default, additional) in modes {
        let backend = Backend {
            auth: Some(auth.clone()),
            data: Some(data(default, additional)),
            custom_outputs: Some(json!({
                "custom": {"anything": {"nested": [1, 2]}},
                "geo": {"aws_region": "us-east-1", "maps": {"items": {"m1": {"style": "VectorEsriStreets"}}, "default": "m1"}},
                "analytics": {"amazon_pinpoint": {"aws_region": "us-east-1", "app_id": "abc"}},
                "notifications": {"amazon_connect": {"aws_region": "us-east-1", "endpoint": "https://x"}},
                "version": "1.4"
            })),
            ..Backend::default()
        };
        let out = generate_with(&backend, &endpoints(), stub_introspection).unwrap();
        assert_valid(&out, &format!("{default:?}"));
    }
}

#[test]
fn the_validator_rejects_invalid_documents() {
    let s = schema();
    let v = Validator::new(&s);
    let bad = [
        json!({}),                             // missing version
        json!({"version": "1.4"}),             // const
        json!({"version": "1.5", "extra": 1}), // additionalProperties
        json!({"version": "1.5", "auth": {"aws_region": "r", "user_pool_id": "p"}}), // required client id
        json!({"version": "1.5", "auth": {"aws_region": "r", "user_pool_id": "p", "user_pool_client_id": "c",
               "password_policy": {"min_length": 5, "require_numbers": true, "require_lowercase": true,
               "require_uppercase": true, "require_symbols": true}}}), // minimum
        json!({"version": "1.5", "auth": {"aws_region": "r", "user_pool_id": "p", "user_pool_client_id": "c",
               "username_attributes": ["email", "email"]}}), // uniqueItems
        json!({"version": "1.5", "auth": {"aws_region": "r", "user_pool_id": "p", "user_pool_client_id": "c",
               "mfa_methods": ["SMS", "PUSH"]}}), // enum via items
        json!({"version": "1.5", "data": {"aws_region": "r", "url": "u", "default_authorization_type": "NONE",
               "authorization_types": []}}), // $ref enum
        json!({"version": "1.5", "notifications": {"aws_region": "r"}}),             // anyOf
        json!({"version": "1.5", "storage": {"aws_region": "r", "bucket_name": "b",
               "buckets": [{"name": "n", "aws_region": "r"}]}}), // required in $defs bucket
        json!({"version": "1.5", "auth": {"aws_region": "r", "user_pool_id": "p", "user_pool_client_id": "c",
               "groups": [{"A": {"precedence": 1.5}}]}}), // integer via patternProperties
    ];
    for doc in bad {
        assert!(!v.validate(&doc).is_empty(), "accepted {doc}");
    }
    assert!(v.validate(&json!({"version": "1.5"})).is_empty());
}
