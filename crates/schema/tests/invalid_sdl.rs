//! Directive SDL that the real transformer rejects is rejected with the same message.
//!
//! Each case is the directive SDL the builder produces for a `tests/fixtures/invalid/*` project
//! whose error comes from the transformer; the expected message is that fixture's oracle error
//! (`expected-error.txt`, the `caused by:` line).

use stratus_schema::appsync::generate_sdl;
use stratus_spec::data::{AuthMode, DataSpec};
use stratus_testkit::fixtures::{read_text, workspace_root};

/// A non-sandbox spec (the invalid fixtures all configure auth).
fn spec(sdl: &str, default: AuthMode, additional: &[AuthMode]) -> DataSpec {
    stratus_testkit::data_spec(sdl, default, additional, false)
}

/// The transformer's message recorded for an invalid fixture.
fn oracle_message(fixture: &str) -> String {
    let path = workspace_root()
        .join("tests/fixtures/invalid")
        .join(fixture)
        .join("expected-error.txt");
    let text = read_text(&path).unwrap_or_else(|e| panic!("{e}"));
    text.lines()
        .find_map(|l| l.trim().strip_prefix("caused by: "))
        .unwrap_or_else(|| panic!("no 'caused by:' line in {}", path.display()))
        .to_string()
}

fn assert_rejected(fixture: &str, sdl: &str, default: AuthMode, additional: &[AuthMode]) {
    let expected = oracle_message(fixture);
    match generate_sdl(&spec(sdl, default, additional)) {
        Ok(_) => panic!("{fixture}: accepted, but the transformer says: {expected}"),
        Err(e) => {
            let got = e.to_string();
            assert!(
                got.contains(&expected),
                "{fixture}:\n  expected message containing: {expected}\n  got: {got}"
            );
        }
    }
}

const USER_POOL_MODES: [AuthMode; 1] = [AuthMode::AwsIam];

#[test]
fn read_with_list() {
    assert_rejected(
        "read-with-list",
        "type Todo @model @auth(rules: [{allow: owner, ownerField: \"owner\"},\n  {allow: private, operations: [read, list]}])\n{\n  content: String\n}",
        AuthMode::AmazonCognitoUserPools,
        &USER_POOL_MODES,
    );
}

#[test]
fn has_many_value_required() {
    assert_rejected(
        "hasmany-value-required",
        "type Customer @model @auth(rules: [{allow: private}])\n{\n  name: String\n  orders: [Order!] @hasMany(references: [\"customerId\"])\n}\n\ntype Order @model @auth(rules: [{allow: private}])\n{\n  customerId: ID\n  customer: Customer @belongsTo(references: [\"customerId\"])\n}",
        AuthMode::AmazonCognitoUserPools,
        &USER_POOL_MODES,
    );
}

#[test]
fn has_one_required() {
    assert_rejected(
        "hasone-required",
        "type User @model @auth(rules: [{allow: private}])\n{\n  name: String\n  profile: Profile! @hasOne(references: [\"userId\"])\n}\n\ntype Profile @model @auth(rules: [{allow: private}])\n{\n  userId: ID\n  user: User @belongsTo(references: [\"userId\"])\n}",
        AuthMode::AmazonCognitoUserPools,
        &USER_POOL_MODES,
    );
}

#[test]
fn default_invalid_time() {
    assert_rejected(
        "default-invalid-time",
        "type Alarm @model @auth(rules: [{allow: public, provider: apiKey}])\n{\n  label: String\n  ringAt: AWSTime @default(value: \"09:00:00\")\n}",
        AuthMode::ApiKey,
        &USER_POOL_MODES,
    );
}

#[test]
fn operation_name_collides_with_model_query() {
    assert_rejected(
        "op-name-collides-with-model-query",
        "type Note @model @auth(rules: [{allow: public, provider: apiKey}])\n{\n  text: String\n}\n\ntype Query {\n  listNotes: [String] @aws_api_key\n}",
        AuthMode::ApiKey,
        &USER_POOL_MODES,
    );
}

#[test]
fn kitchensink_with_field_auth_on_an_optional_field() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/sdl-invalid/field-auth-required-fields");
    let read = |name: &str| read_text(&dir.join(name)).unwrap_or_else(|e| panic!("{e}"));
    let expected = read("expected-error.txt").trim().to_string();
    let err = generate_sdl(&spec(
        &read("directives.graphql"),
        AuthMode::AmazonCognitoUserPools,
        &[
            AuthMode::ApiKey,
            AuthMode::OpenidConnect,
            AuthMode::AwsLambda,
            AuthMode::AwsIam,
        ],
    ))
    .expect_err("the transformer rejects this schema")
    .to_string();
    assert!(err.contains(&expected), "expected: {expected}\ngot: {err}");
}

#[test]
fn predictions_needs_storage_that_gen2_never_configures() {
    // The oracle's message for `@predictions` on a Gen 2 API.
    let err = generate_sdl(&spec(
        "type Query {\n  speak: String @predictions(actions: [identifyText, translateText, convertTextToSpeech])\n}",
        AuthMode::ApiKey,
        &USER_POOL_MODES,
    ))
    .expect_err("rejected")
    .to_string();
    assert!(
        err.contains(
            "Please configure storage in your project in order to use the @predictions directive"
        ),
        "{err}"
    );
}

#[test]
fn sql_operation_without_sql_data_source() {
    // The oracle's message for `@sql` in a DynamoDB-only Gen 2 API.
    let err = generate_sdl(&spec(
        "type Query {\n  top: [String] @sql(statement: \"SELECT 1\") @aws_api_key\n}",
        AuthMode::ApiKey,
        &USER_POOL_MODES,
    ))
    .expect_err("rejected")
    .to_string();
    assert!(
        err.contains("Could not find custom SQL strategy for Query.top"),
        "{err}"
    );
}
