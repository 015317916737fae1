//! The `AWS_LAMBDA` authorization mode (b-auth-lambda: the default mode, beside API key and
//! IAM) with a fake authorizer function: the event AppSync sends it, its answers (allowed,
//! refused, failed, malformed), `resolverContext` reaching resolvers as the identity,
//! `deniedFields`, the per-token cache and its TTL, and realtime subscribers.

mod gql;

use std::sync::Arc;
use std::time::Duration;

use axum::http::StatusCode;
use gql::fake_functions::{FakeFunctions, spec_with_functions};
use gql::realtime::{connect, open, recv, start};
use gql::{Auth, Harness};
use serde_json::{Value, json};
use stratus_data::FunctionError;
use stratus_spec::data::LambdaAuthorizer;

/// The authorizer's logic in these tests: `allow-<user>` is allowed with `{userId}`,
/// `hide-<user>` too but without `Secret.value`, `short-<user>` with `ttlOverride: 0`,
/// `crash` fails, `odd` answers a string, anything else is refused.
fn authorizer(event: &Value) -> Result<Value, FunctionError> {
    let token = event["authorizationToken"].as_str().unwrap_or_default();
    let (kind, user) = token.split_once('-').unwrap_or((token, ""));
    Ok(match kind {
        "allow" => json!({"isAuthorized": true, "resolverContext": {"userId": user}}),
        "hide" => json!({
            "isAuthorized": true,
            "resolverContext": {"userId": user},
            "deniedFields": ["arn:aws:appsync:us-east-1:000000000000:apis/x/types/Secret/fields/value"],
        }),
        "short" => {
            json!({"isAuthorized": true, "resolverContext": {"userId": user}, "ttlOverride": 0})
        }
        "crash" => return Err(FunctionError::unhandled("Error", "authorizer crashed")),
        "odd" => json!("yes"),
        _ => json!({"isAuthorized": false}),
    })
}

async fn harness() -> (Harness, Arc<FakeFunctions>) {
    let fake = FakeFunctions::new(&["api-authorizer", "find-secret-names"], |f, event| {
        if f == "api-authorizer" {
            return authorizer(event);
        }
        let prefix = event["arguments"]["prefix"].as_str().unwrap_or_default();
        Ok(json!([
            format!("{prefix}alpha"),
            event["identity"]["resolverContext"]["userId"]
        ]))
    });
    let mut spec = spec_with_functions("b-auth-lambda");
    // defineData({ authorizationModes: { lambdaAuthorizationMode: { function: apiAuthorizer,
    // timeToLiveInSeconds: 300 } } }) of the fixture, as the loader reads it.
    spec.authorization_modes.lambda_authorizer = Some(LambdaAuthorizer {
        function: "api-authorizer".into(),
        ttl_seconds: 300,
    });
    let h =
        Harness::with_functions(&spec, json!({"loginWith": {"email": true}}), fake.binding()).await;
    (h, fake)
}

fn token(t: &str) -> Auth {
    Auth::Header("authorization".into(), t.into())
}

const CREATE: &str = "mutation CreateSecret($input: CreateSecretInput!) {
  createSecret(input: $input) { id name value } }";

#[tokio::test]
async fn the_authorizer_gets_appsyncs_event_and_its_context_reaches_resolvers() {
    let (h, fake) = harness().await;
    let data = h
        .ok(
            &token("allow-u1"),
            "query Names($p: String) { findSecretNames(prefix: $p) }",
            json!({"p": "x-"}),
        )
        .await;
    assert_eq!(data["findSecretNames"], json!(["x-alpha", "u1"]));
    let events = fake.events_of("api-authorizer");
    assert_eq!(events.len(), 1);
    let event = &events[0];
    assert_eq!(event["authorizationToken"], "allow-u1");
    let rc = &event["requestContext"];
    assert_eq!(
        rc["queryString"],
        "query Names($p: String) { findSecretNames(prefix: $p) }"
    );
    assert_eq!(rc["variables"], json!({"p": "x-"}));
    assert_eq!(rc["operationName"], Value::Null);
    assert!(
        rc["apiId"].is_string() && rc["accountId"].is_string(),
        "{rc}"
    );
    assert_eq!(rc["requestId"].as_str().unwrap().len(), 36);
    assert_eq!(event["requestHeaders"]["authorization"], "allow-u1");
    assert_eq!(
        event["requestHeaders"]["x-amz-user-agent"],
        "aws-amplify/6.22.1 api/1 framework/100"
    );
    // The resolver's identity is `{ resolverContext }`.
    let resolver = &fake.events_of("find-secret-names")[0];
    assert_eq!(
        resolver["identity"],
        json!({"resolverContext": {"userId": "u1"}})
    );
    // allow.custom() on the model: a Lambda caller creates and reads.
    let made = h
        .ok(
            &token("allow-u1"),
            CREATE,
            json!({"input": {"name": "n", "value": "v"}}),
        )
        .await;
    assert_eq!(made["createSecret"]["value"], "v");
}

#[tokio::test]
async fn refusals_failures_and_malformed_answers_are_401() {
    let (h, fake) = harness().await;
    for t in ["nope", "crash", "odd"] {
        let (status, v) = h
            .post(&token(t), "query { findSecretNames }", json!({}))
            .await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{t}: {v}");
        assert_eq!(
            v,
            json!({"errors": [{"errorType": "UnauthorizedException",
                               "message": "You are not authorized to make this call."}]}),
            "{t}"
        );
    }
    // A token over AppSync's 2,048 characters never reaches the function.
    let before = fake.events_of("api-authorizer").len();
    let long = format!("allow-{}", "x".repeat(2048));
    let (status, _) = h
        .post(&token(&long), "query { findSecretNames }", json!({}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    assert_eq!(fake.events_of("api-authorizer").len(), before);
    assert!(fake.events_of("find-secret-names").is_empty());
}

#[tokio::test]
async fn answers_are_cached_per_token_for_the_ttl() {
    let (h, fake) = harness().await;
    let q = "query { findSecretNames }";
    for _ in 0..3 {
        h.ok(&token("allow-a"), q, json!({})).await;
    }
    h.ok(&token("allow-b"), q, json!({})).await;
    let asked: Vec<Value> = fake
        .events_of("api-authorizer")
        .iter()
        .map(|e| e["authorizationToken"].clone())
        .collect();
    assert_eq!(asked, [json!("allow-a"), json!("allow-b")]);
    // ttlOverride: 0 is not cached; a refusal is cached like an approval.
    for _ in 0..2 {
        h.ok(&token("short-c"), q, json!({})).await;
        let (status, _) = h.post(&token("nope"), q, json!({})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
    }
    let count = |t: &str| {
        fake.events_of("api-authorizer")
            .iter()
            .filter(|e| e["authorizationToken"] == t)
            .count()
    };
    assert_eq!(count("short-c"), 2);
    assert_eq!(count("nope"), 1);
}

#[tokio::test]
async fn denied_fields_answer_null_with_unauthorized() {
    let (h, _) = harness().await;
    let id = h
        .ok(
            &token("allow-u1"),
            CREATE,
            json!({"input": {"name": "n", "value": "secret"}}),
        )
        .await["createSecret"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let get = "query ($id: ID!) { getSecret(id: $id) { id name value } }";
    let v = h.errors(&token("hide-u1"), get, json!({"id": id})).await;
    assert_eq!(v["data"]["getSecret"]["name"], "n", "{v}");
    assert_eq!(v["data"]["getSecret"]["value"], Value::Null, "{v}");
    assert_eq!(v["errors"][0]["errorType"], "Unauthorized");
    assert_eq!(
        v["errors"][0]["message"],
        "Not Authorized to access value on type Secret"
    );
    assert_eq!(v["errors"][0]["path"], json!(["getSecret", "value"]));
    let v = h.ok(&token("allow-u1"), get, json!({"id": id})).await;
    assert_eq!(v["getSecret"]["value"], "secret");
}

#[tokio::test]
async fn realtime_subscribers_authenticate_with_the_authorizer() {
    let (h, fake) = harness().await;
    let host = h.serve().await;
    let header = json!({"Authorization": "allow-sub", "host": host});
    let mut ws = connect(&host, &header).await;
    start(
        &mut ws,
        "s",
        "subscription { onCreateSecret { id name } }",
        json!({}),
        Some(&header),
    )
    .await;
    assert!(
        fake.events_of("api-authorizer")
            .iter()
            .any(|e| e["authorizationToken"] == "allow-sub")
    );
    let made = h
        .ok(
            &token("allow-u1"),
            CREATE,
            json!({"input": {"name": "live"}}),
        )
        .await;
    let ev = recv(&mut ws, Duration::from_secs(5)).await.unwrap();
    assert_eq!(
        ev["payload"]["data"]["onCreateSecret"]["id"], made["createSecret"]["id"],
        "{ev}"
    );
    // A refused token cannot connect.
    let (mut refused, _) = open(&host, &json!({"Authorization": "nope", "host": host})).await;
    let answer = gql::realtime::init(&mut refused).await;
    assert_eq!(answer["type"], "connection_error", "{answer}");
    assert_eq!(
        answer["payload"]["errors"][0]["errorType"],
        "UnauthorizedException"
    );
}
