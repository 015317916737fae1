//! Unit tests of the AppSync schema generation (small schemas, exact output).

use stratus_spec::data::AuthMode;
use stratus_testkit::data_spec as spec;

use super::generate_sdl;

fn definition<'a>(sdl: &'a str, header: &str) -> &'a str {
    let start = sdl
        .find(header)
        .unwrap_or_else(|| panic!("{header} not in:\n{sdl}"));
    let rest = &sdl[start..];
    let end = rest.find("\n}").map(|i| i + 2).unwrap_or(rest.len());
    &rest[..end]
}

#[test]
fn sandbox_model_gets_api_key_and_iam_everywhere() {
    let out = generate_sdl(&spec(
        "type Todo @model { content: String }",
        AuthMode::ApiKey,
        &[AuthMode::AwsIam],
        true,
    ))
    .unwrap();
    assert_eq!(
        definition(&out, "type Todo "),
        "type Todo @aws_api_key @aws_iam {\n  content: String\n  id: ID!\n  createdAt: AWSDateTime!\n  updatedAt: AWSDateTime!\n}"
    );
    assert!(out.contains(
        "  listTodos(filter: ModelTodoFilterInput, limit: Int, nextToken: String): ModelTodoConnection @aws_api_key @aws_iam\n"
    ));
    assert!(out.contains("input AmplifyAIConversationTurnErrorInput {"));
}

#[test]
fn owner_rule_adds_owner_field_and_subscription_argument() {
    let out = generate_sdl(&spec(
        "type Todo @model @auth(rules: [{allow: owner}]) { content: String }",
        AuthMode::AmazonCognitoUserPools,
        &[AuthMode::AwsIam],
        false,
    ))
    .unwrap();
    assert!(definition(&out, "type Todo ").contains("  owner: String\n"));
    assert!(out.contains(
        "onCreateTodo(filter: ModelSubscriptionTodoFilterInput, owner: String): Todo @aws_subscribe(mutations: [\"createTodo\"]) @aws_iam @aws_cognito_user_pools"
    ));
}

#[test]
fn unknown_directive_is_reported_with_position() {
    let err = generate_sdl(&spec(
        "type Todo @model {\n  content: String @bogus\n}",
        AuthMode::ApiKey,
        &[],
        true,
    ))
    .unwrap_err()
    .to_string();
    assert!(err.contains("line 2, column 19"), "{err}");
    assert!(err.contains("Unknown directive 'bogus'"), "{err}");
}

#[test]
fn required_field_without_field_level_read_rules_is_rejected() {
    // Accepted by the oracle: `title` is the only field, so the API key role reads nothing.
    let modes = [AuthMode::ApiKey, AuthMode::AwsIam];
    let ok = generate_sdl(&spec(
        "type Post @model @auth(rules: [{allow: owner}, {allow: public, operations: [read]}]) {\n  title: String! @auth(rules: [{allow: owner}])\n}",
        AuthMode::AmazonCognitoUserPools,
        &modes,
        false,
    ));
    assert!(ok.is_ok(), "{ok:?}");
    // Rejected by the oracle with this message: the field rules on `content` add readers
    // that cannot read the required `title`.
    let err = generate_sdl(&spec(
        "type Post @model @auth(rules: [{allow: owner}, {allow: private, operations: [read]}]) {\n  title: String!\n  editors: [String]\n  content: String @auth(rules: [{allow: groups, groupsField: \"editors\", operations: [read, update]}, {allow: private, provider: iam}])\n}",
        AuthMode::AmazonCognitoUserPools,
        &modes,
        false,
    ))
    .unwrap_err()
    .to_string();
    assert!(
        err.contains(
            "Found model \"Post\" with required fields [\"title\"] missing field-level authorization rules."
        ),
        "{err}"
    );
}
