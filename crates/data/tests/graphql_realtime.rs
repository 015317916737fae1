//! The AppSync realtime protocol over a real socket, as aws-amplify v6 speaks it: owners
//! receive their own events, other users none of them.

mod gql;

use std::time::Duration;

use futures::SinkExt;
use gql::realtime::{Ws, open, recv, start};
use gql::{Auth, Harness};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

const SUB: &str = "subscription ($filter: ModelSubscriptionTodoFilterInput, $owner: String) {\n  onCreateTodo(filter: $filter, owner: $owner) {\n    id\n    content\n    owner\n  }\n}\n";

async fn subscribe(h: &Harness, host: &str, auth: &Auth, id: &str) -> Ws {
    subscribe_to(h, host, auth, id, SUB).await
}

async fn subscribe_to(h: &Harness, host: &str, auth: &Auth, id: &str, sub: &str) -> Ws {
    let header = h.realtime_header(auth, host);
    let (mut ws, res) = open(host, &header).await;
    assert_eq!(
        res.headers().get("sec-websocket-protocol").unwrap(),
        "graphql-ws"
    );
    let ack = gql::realtime::init(&mut ws).await;
    assert_eq!(ack["type"], "connection_ack");
    assert_eq!(ack["payload"]["connectionTimeoutMs"], 300_000);
    start(&mut ws, id, sub, json!({}), Some(&header)).await;
    ws
}

#[tokio::test]
async fn owners_receive_only_their_own_events() {
    let h = Harness::new("ex-todo-owner").await;
    let host = h.serve().await;
    let alice = Auth::Token(h.user("alice@example.com").await);
    let bob = Auth::Token(h.user("bob@example.com").await);
    let mut alice_ws = subscribe(&h, &host, &alice, "a-1").await;
    let mut bob_ws = subscribe(&h, &host, &bob, "b-1").await;
    let mut key_ws = subscribe(&h, &host, &Auth::ApiKey, "k-1").await;

    let create = "mutation ($input: CreateTodoInput!) { createTodo(input: $input) { id } }";
    let id = h
        .ok(&alice, create, json!({"input": {"content": "private"}}))
        .await["createTodo"]["id"]
        .clone();

    let event = recv(&mut alice_ws, Duration::from_secs(5)).await.unwrap();
    assert_eq!(event["type"], "data");
    assert_eq!(event["id"], "a-1");
    assert_eq!(event["payload"]["data"]["onCreateTodo"]["id"], id);
    assert_eq!(
        event["payload"]["data"]["onCreateTodo"]["content"],
        "private"
    );
    // The API key may read (public read includes listen).
    let event = recv(&mut key_ws, Duration::from_secs(5)).await.unwrap();
    assert_eq!(event["payload"]["data"]["onCreateTodo"]["id"], id);
    // Bob receives nothing of Alice's.
    assert_eq!(recv(&mut bob_ws, Duration::from_millis(300)).await, None);

    // Stop ends the subscription with `complete`.
    alice_ws
        .send(Message::text(
            json!({"type": "stop", "id": "a-1"}).to_string(),
        ))
        .await
        .unwrap();
    let done = recv(&mut alice_ws, Duration::from_secs(5)).await.unwrap();
    assert_eq!(done, json!({"type": "complete", "id": "a-1"}));
    h.ok(&alice, create, json!({"input": {"content": "again"}}))
        .await;
    assert_eq!(recv(&mut alice_ws, Duration::from_millis(300)).await, None);

    // Bob's own item reaches him, with a subscription filter.
    let bob_id = h
        .ok(&bob, create, json!({"input": {"content": "bob's"}}))
        .await["createTodo"]["id"]
        .clone();
    let event = recv(&mut bob_ws, Duration::from_secs(5)).await.unwrap();
    assert_eq!(event["payload"]["data"]["onCreateTodo"]["id"], bob_id);
}

#[tokio::test]
async fn bad_credentials_are_a_connection_error() {
    let h = Harness::new("ex-todo-owner").await;
    let host = h.serve().await;
    let header = json!({"host": host, "x-api-key": "da2-nope"});
    let (mut ws, _) = open(&host, &header).await;
    let v = recv(&mut ws, Duration::from_secs(5)).await.unwrap();
    assert_eq!(v["type"], "connection_error");
    assert_eq!(
        v["payload"]["errors"][0]["errorType"],
        "UnauthorizedException"
    );
}

#[tokio::test]
async fn identity_pool_guests_subscribe_with_sigv4_headers() {
    let h = Harness::new("b-keys-indexes").await;
    let host = h.serve().await;
    let guest = h.guest_credentials().await;
    let base = [
        ("accept", "application/json, text/javascript"),
        ("content-encoding", "amz-1.0"),
        ("content-type", "application/json; charset=UTF-8"),
    ];
    let connect = gql::signed_headers(&guest, &host, "/graphql/connect", &base, "{}");
    let mut ws = gql::realtime::connect(&host, &Value::Object(connect)).await;

    let query = "subscription { onCreateProduct { sku name } }";
    let data = json!({"query": query, "variables": {}}).to_string();
    let auth = gql::signed_headers(&guest, &host, "/graphql", &base, &data);
    start(&mut ws, "g-1", query, json!({}), Some(&Value::Object(auth))).await;

    // A product created by another guest reaches the subscriber.
    let other = h.guest_credentials().await;
    let body = json!({"query": "mutation { createProduct(input: {sku: \"s1\", name: \"Lamp\"}) { sku } }", "variables": {}}).to_string();
    let headers = gql::signed_headers(&other, &host, "/graphql", &base, &body);
    let mut req = axum::http::Request::post("/graphql");
    for (k, v) in &headers {
        req = req.header(k.as_str(), v.as_str().unwrap());
    }
    let res = tower::ServiceExt::oneshot(
        h.app.clone(),
        req.body(axum::body::Body::from(body)).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), axum::http::StatusCode::OK);
    let event = recv(&mut ws, Duration::from_secs(5)).await.unwrap();
    assert_eq!(event["type"], "data", "{event}");
    assert_eq!(
        event["payload"]["data"]["onCreateProduct"],
        json!({"sku": "s1", "name": "Lamp"})
    );
}

#[tokio::test]
async fn updates_and_deletes_reach_their_owner_only() {
    let h = Harness::new("ex-todo-owner").await;
    let host = h.serve().await;
    let alice = Auth::Token(h.user("alice@example.com").await);
    let bob = Auth::Token(h.user("bob@example.com").await);
    let on_update = "subscription { onUpdateTodo { id done } }";
    let on_delete = "subscription { onDeleteTodo { id content } }";
    let mut a_upd = subscribe_to(&h, &host, &alice, "u", on_update).await;
    let mut a_del = subscribe_to(&h, &host, &alice, "d", on_delete).await;
    let mut b_upd = subscribe_to(&h, &host, &bob, "bu", on_update).await;

    let id = h
        .ok(
            &alice,
            "mutation { createTodo(input: {content: \"x\"}) { id } }",
            json!({}),
        )
        .await["createTodo"]["id"]
        .clone();
    h.ok(
        &alice,
        "mutation ($input: UpdateTodoInput!) { updateTodo(input: $input) { id } }",
        json!({"input": {"id": id, "done": true}}),
    )
    .await;
    let ev = recv(&mut a_upd, Duration::from_secs(5)).await.unwrap();
    assert_eq!(
        ev["payload"]["data"]["onUpdateTodo"],
        json!({"id": id, "done": true})
    );
    h.ok(
        &alice,
        "mutation ($input: DeleteTodoInput!) { deleteTodo(input: $input) { id } }",
        json!({"input": {"id": id}}),
    )
    .await;
    let ev = recv(&mut a_del, Duration::from_secs(5)).await.unwrap();
    assert_eq!(
        ev["payload"]["data"]["onDeleteTodo"],
        json!({"id": id, "content": "x"})
    );
    assert_eq!(recv(&mut b_upd, Duration::from_millis(300)).await, None);
}
