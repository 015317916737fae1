//! Whole documents against the captured AWS samples (`amplify_outputs.auth_sample.json` for
//! `example_auth_resource.ts`, `amplify_outputs.3model_sample.json` for the 3-model backend
//! with `example_storage_resource.ts`), identifiers and endpoints aside.

mod common;

use serde_json::{Value, json};
use stratus_outputs::{OutputsError, generate, generate_with};
use stratus_spec::Backend;
use stratus_spec::auth::AuthSpec;
use stratus_spec::data::AuthMode;
use stratus_spec::storage::StorageSpec;

use common::*;
use stratus_testkit::assert_json_eq;

const FAKE: (&str, &str, &str, &str, &str) = (
    "us-east-1_FAKEPOOL",
    "us-east-1",
    "FAKE_USER_POOL_CLIENT_ID",
    "us-east-1:00000000-0000-0000-0000-000000000000",
    "us-east-1_FAKEPOOL.auth.us-east-1.amazoncognito.com",
);

fn case(file: &str, field: &str, name: &str) -> Value {
    cases(file, field)
        .into_iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v)
        .expect("case")
}

fn normalize(out: &mut Value) {
    if out.get("auth").is_some() {
        normalize_auth(&mut out["auth"], FAKE.0, FAKE.1, FAKE.2, FAKE.3, FAKE.4);
    }
    let custom = out["custom"].as_object_mut().expect("custom");
    custom.remove("stratus");
    if custom.is_empty() {
        out.as_object_mut().expect("doc").remove("custom");
    }
}

#[test]
fn auth_sample() {
    let auth = AuthSpec::from_props(&case("auth_cases.json", "props", "sample-rich")).unwrap();
    let backend = Backend {
        auth: Some(auth),
        ..Backend::default()
    };
    let mut out = generate(&backend, &endpoints()).unwrap();
    normalize(&mut out);
    assert_json_eq(
        &data_file("amplify_outputs.auth_sample.json"),
        &out,
        "auth sample",
    );
}

fn three_model_backend(custom: Value) -> Backend {
    let auth =
        AuthSpec::from_props(&json!({"loginWith": {"email": true}, "groups": ["Admins"]})).unwrap();
    let mut data = stratus_testkit::data_spec(
        "",
        AuthMode::AmazonCognitoUserPools,
        &[AuthMode::ApiKey, AuthMode::AwsIam],
        false,
    );
    data.authorization_modes.api_key_expires_in_days = Some(30);
    let storage =
        StorageSpec::from_props(&case("storage_cases.json", "buckets", "sample-media")[0]).unwrap();
    Backend {
        auth: Some(auth),
        data: Some(data),
        storage: vec![storage],
        custom_outputs: Some(custom),
        ..Backend::default()
    }
}

#[test]
fn three_model_sample() {
    let sample = data_file("amplify_outputs.3model_sample.json");
    let mi = sample["data"]["model_introspection"].clone();
    for custom in [
        json!({"custom": {"hello": "world"}}),
        json!({"custom": {"hello": "world"}, "version": "1.4"}),
    ] {
        let backend = three_model_backend(custom);
        let mut out = generate_with(&backend, &endpoints(), |_| Ok(mi.clone())).unwrap();
        assert_eq!(out["data"]["url"], "https://127.0.0.1:8443/graphql");
        assert_eq!(out["data"]["api_key"], "da2-localkey");
        let bucket = out["storage"]["bucket_name"].as_str().unwrap().to_string();
        assert!(
            bucket.starts_with("media.") && bucket.ends_with(".stratus"),
            "{bucket}"
        );
        assert_eq!(out["storage"]["buckets"][0]["bucket_name"], json!(bucket));
        assert_eq!(
            out["custom"]["stratus"]["ca_file"],
            "/home/u/.stratus/ca.pem"
        );
        normalize(&mut out);
        out["data"]["url"] = json!("https://FAKEAPI.appsync-api.us-east-1.amazonaws.com/graphql");
        out["data"]["api_key"] = json!("da2-FAKEAPIKEY");
        out["storage"]["bucket_name"] = json!("fake-bucket-name");
        out["storage"]["buckets"][0]["bucket_name"] = json!("fake-bucket-name");
        assert_json_eq(&sample, &out, "3-model sample");
    }
}

#[test]
fn data_without_api_key_and_missing_key() {
    let mut backend = three_model_backend(json!({}));
    let mut e = endpoints();
    e.api_key = None;
    let err = generate_with(&backend, &e, stub_introspection).unwrap_err();
    assert!(matches!(err, OutputsError::MissingApiKey));
    if let Some(d) = backend.data.as_mut() {
        d.authorization_modes.additional = vec![AuthMode::AwsIam];
    }
    let out = generate_with(&backend, &e, stub_introspection).unwrap();
    let keys: Vec<&String> = out["data"].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "url",
            "aws_region",
            "default_authorization_type",
            "authorization_types",
            "model_introspection"
        ]
    );
    assert_eq!(out["data"]["authorization_types"], json!(["AWS_IAM"]));
    // empty custom outputs still leave `custom.stratus`
    assert_eq!(
        out["custom"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["stratus"]
    );
}

#[test]
fn introspection_errors_propagate() {
    let backend = three_model_backend(json!({}));
    let err = generate_with(&backend, &endpoints(), |_| {
        Err(stratus_schema::SchemaError::Invalid("boom".into()))
    })
    .unwrap_err();
    assert!(matches!(err, OutputsError::Introspection(_)), "{err}");
    assert_eq!(err.to_string(), "model introspection: boom");
}

#[test]
fn add_output_conflicts_with_generated_keys() {
    let backend = three_model_backend(json!({"auth": {"user_pool_id": "mine"}}));
    let err = generate_with(&backend, &endpoints(), stub_introspection).unwrap_err();
    assert!(
        matches!(err, OutputsError::DuplicateEntry(ref k) if k == "user_pool_id"),
        "{err}"
    );
    // new keys inside a generated section are merged; arrays concatenate
    let backend = three_model_backend(
        json!({"auth": {"groups": [{"Extra": {}}]}, "analytics": {"amazon_pinpoint": {"aws_region": "us-east-1", "app_id": "a"}}}),
    );
    let out = generate_with(&backend, &endpoints(), stub_introspection).unwrap();
    assert_eq!(
        out["auth"]["groups"],
        json!([{"Admins": {"precedence": 0}}, {"Extra": {}}])
    );
    let keys: Vec<&String> = out.as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["auth", "data", "storage", "version", "analytics", "custom"]
    );
}
