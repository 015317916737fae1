//! Custom subscriptions (`a.subscription().for(...)`, b-subscriptions) over a real socket:
//! events of the source mutations only, AppSync's argument filtering, and the subscription's
//! own `@aws_*` directives, `@aws_cognito_user_pools(cognito_groups: [...])` included.

mod gql;

use std::time::Duration;

use gql::realtime::{Ws, connect, recv};
use gql::{Auth, Harness};
use serde_json::{Value, json};

/// Connects, starts `query` and returns the socket after its `start_ack`.
async fn start(h: &Harness, host: &str, auth: &Auth, query: &str, variables: Value) -> Ws {
    let header = h.realtime_header(auth, host);
    let mut ws = connect(host, &header).await;
    gql::realtime::start(&mut ws, "s", query, variables, Some(&header)).await;
    ws
}

const CREATE: &str =
    "mutation ($input: CreateRoomInput!) { createRoom(input: $input) { id name } }";
const UPDATE: &str =
    "mutation ($input: UpdateRoomInput!) { updateRoom(input: $input) { id name } }";
const DELETE: &str =
    "mutation ($input: DeleteRoomInput!) { deleteRoom(input: $input) { id name } }";

async fn create(h: &Harness, who: &Auth, name: &str) -> String {
    h.ok(who, CREATE, json!({"input": {"name": name}})).await["createRoom"]["id"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn model_mutation_sources_and_argument_filtering() {
    let h = Harness::new("b-subscriptions").await;
    let host = h.serve().await;
    let user = Auth::Token(h.user("ann@example.com").await);

    // roomChanged(name:) listens to createRoom and updateRoom; `name` filters on the result.
    let sub = "subscription ($name: String) { roomChanged(name: $name) { id name topic } }";
    let mut lobby = start(&h, &host, &user, sub, json!({"name": "lobby"})).await;
    let mut every = start(&h, &host, &user, sub, json!({})).await;

    let other = create(&h, &user, "kitchen").await;
    let ev = recv(&mut every, Duration::from_secs(5)).await.unwrap();
    assert_eq!(ev["payload"]["data"]["roomChanged"]["id"], other);
    let id = create(&h, &user, "lobby").await;
    let ev = recv(&mut lobby, Duration::from_secs(5)).await.unwrap();
    assert_eq!(ev["type"], "data", "{ev}");
    assert_eq!(ev["payload"]["data"]["roomChanged"]["id"], id);
    assert_eq!(ev["payload"]["data"]["roomChanged"]["name"], "lobby");
    let ev = recv(&mut every, Duration::from_secs(5)).await.unwrap();
    assert_eq!(ev["payload"]["data"]["roomChanged"]["id"], id);
    // The kitchen never reached the lobby subscriber: the next event it sees is the update.
    h.ok(&user, UPDATE, json!({"input": {"id": id, "topic": "news"}}))
        .await;
    let ev = recv(&mut lobby, Duration::from_secs(5)).await.unwrap();
    assert_eq!(ev["payload"]["data"]["roomChanged"]["topic"], "news");
    let _ = recv(&mut every, Duration::from_secs(5)).await.unwrap();
    // deleteRoom is not one of roomChanged's sources.
    h.ok(&user, DELETE, json!({"input": {"id": other}})).await;
    assert_eq!(recv(&mut lobby, Duration::from_millis(300)).await, None);
    assert_eq!(recv(&mut every, Duration::from_millis(300)).await, None);
}

#[tokio::test]
async fn the_subscriptions_own_auth_directives_decide() {
    let h = Harness::with_auth(
        "b-subscriptions",
        json!({"loginWith": {"email": true}, "groups": ["Admins"]}),
    )
    .await;
    let host = h.serve().await;
    let user = Auth::Token(h.user("ann@example.com").await);
    let admin = Auth::Token(h.user_in("root@example.com", &["Admins"]).await);

    // roomEvents is `@aws_cognito_user_pools(cognito_groups: ["Admins"]) @aws_iam`.
    let sub = "subscription { roomEvents { id name } }";
    let mut refused = start(&h, &host, &user, sub, json!({})).await;
    let err = recv(&mut refused, Duration::from_secs(5)).await.unwrap();
    assert_eq!(err["type"], "error", "{err}");
    assert_eq!(err["payload"]["errors"][0]["errorType"], "Unauthorized");
    let mut admins = start(&h, &host, &admin, sub, json!({})).await;
    // The API key may not use it (no @aws_api_key) ...
    let mut key = start(&h, &host, &Auth::ApiKey, sub, json!({})).await;
    let err = recv(&mut key, Duration::from_secs(5)).await.unwrap();
    assert_eq!(err["type"], "error", "{err}");
    // ... but roomDeleted (@aws_api_key @aws_iam) is the API key's.
    let mut deleted = start(
        &h,
        &host,
        &Auth::ApiKey,
        "subscription { roomDeleted { id name } }",
        json!({}),
    )
    .await;
    let mut user_deleted = start(
        &h,
        &host,
        &user,
        "subscription { roomDeleted { id name } }",
        json!({}),
    )
    .await;
    let err = recv(&mut user_deleted, Duration::from_secs(5))
        .await
        .unwrap();
    assert_eq!(err["type"], "error", "{err}");

    let id = create(&h, &user, "hall").await;
    let ev = recv(&mut admins, Duration::from_secs(5)).await.unwrap();
    assert_eq!(ev["payload"]["data"]["roomEvents"]["id"], id);
    assert_eq!(recv(&mut deleted, Duration::from_millis(300)).await, None);
    h.ok(&user, DELETE, json!({"input": {"id": id}})).await;
    let ev = recv(&mut admins, Duration::from_secs(5)).await.unwrap();
    assert_eq!(ev["payload"]["data"]["roomEvents"]["id"], id);
    let ev = recv(&mut deleted, Duration::from_secs(5)).await.unwrap();
    assert_eq!(ev["payload"]["data"]["roomDeleted"]["name"], "hall");
}
