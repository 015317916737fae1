//! The `graphql-transport-ws` protocol at `/graphql/realtime` over a real socket: the
//! handshake with the credentials in `connection_init`, `subscribe`/`next`/`complete` with the
//! same per-event authorization as AppSync's protocol, `error` for a refused operation,
//! `ping`/`pong`, and the close codes of the `graphql-ws` library.

mod gql;

use std::time::Duration;

use futures::{SinkExt, StreamExt};
use gql::realtime::{Ws, request};
use gql::{Auth, Harness};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

const SUB: &str = "subscription { onCreateTodo { id content owner } }";
const CREATE: &str = "mutation ($input: CreateTodoInput!) { createTodo(input: $input) { id } }";

/// A socket that offers only `graphql-transport-ws` (as the `graphql-ws` library does).
async fn open(host: &str) -> Ws {
    let (ws, res) = tokio_tungstenite::connect_async(request(host, "graphql-transport-ws"))
        .await
        .unwrap();
    assert_eq!(
        res.headers().get("sec-websocket-protocol").unwrap(),
        "graphql-transport-ws"
    );
    ws
}

async fn send(ws: &mut Ws, value: Value) {
    ws.send(Message::text(value.to_string())).await.unwrap();
}

/// The next text message, or `Err((code, reason))` when the server closes the socket.
async fn recv(ws: &mut Ws, wait: Duration) -> Option<Result<Value, (u16, String)>> {
    loop {
        let msg = tokio::time::timeout(wait, ws.next()).await.ok()??.ok()?;
        match msg {
            Message::Text(t) => return Some(Ok(serde_json::from_str(t.as_str()).unwrap())),
            Message::Close(frame) => {
                let frame = frame.expect("a close frame with a code");
                return Some(Err((u16::from(frame.code), frame.reason.to_string())));
            }
            _ => {}
        }
    }
}

async fn message(ws: &mut Ws) -> Value {
    recv(ws, Duration::from_secs(5))
        .await
        .expect("no message within 5 s")
        .expect("the socket was closed")
}

async fn closed(ws: &mut Ws, wait: Duration) -> (u16, String) {
    match recv(ws, wait).await {
        Some(Err(close)) => close,
        other => panic!("expected a close, got {other:?}"),
    }
}

/// Opened and acknowledged with `payload` as `connection_init`'s payload.
async fn connect(host: &str, payload: Value) -> Ws {
    let mut ws = open(host).await;
    send(
        &mut ws,
        json!({"type": "connection_init", "payload": payload}),
    )
    .await;
    assert_eq!(message(&mut ws).await, json!({"type": "connection_ack"}));
    ws
}

#[tokio::test]
async fn owners_subscribe_with_their_token_and_receive_only_their_events() {
    let h = Harness::new("ex-todo-owner").await;
    let host = h.serve().await;
    let alice_token = h.user("alice@example.com").await;
    let alice = Auth::Token(alice_token.clone());
    let bob = Auth::Token(h.user("bob@example.com").await);
    let mut ws = connect(&host, json!({"Authorization": alice_token})).await;

    send(&mut ws, json!({"type": "ping"})).await;
    assert_eq!(message(&mut ws).await, json!({"type": "pong"}));

    send(
        &mut ws,
        json!({"id": "s1", "type": "subscribe", "payload": {"query": SUB}}),
    )
    .await;
    // No acknowledgement in this protocol: give the subscription a moment to start.
    tokio::time::sleep(Duration::from_millis(200)).await;
    h.ok(&bob, CREATE, json!({"input": {"content": "bob's"}}))
        .await;
    let id = h
        .ok(&alice, CREATE, json!({"input": {"content": "alice's"}}))
        .await["createTodo"]["id"]
        .clone();
    let next = message(&mut ws).await;
    assert_eq!(next["type"], "next", "{next}");
    assert_eq!(next["id"], "s1");
    assert_eq!(next["payload"]["data"]["onCreateTodo"]["id"], id);
    assert_eq!(
        next["payload"]["data"]["onCreateTodo"]["content"],
        "alice's"
    );
    assert_eq!(recv(&mut ws, Duration::from_millis(300)).await, None);

    // A query through `subscribe`: one `next`, then `complete`.
    send(
        &mut ws,
        json!({"id": "q1", "type": "subscribe",
               "payload": {"query": "query { listTodos { items { content } } }"}}),
    )
    .await;
    let next = message(&mut ws).await;
    assert_eq!(next["type"], "next", "{next}");
    assert_eq!(
        next["payload"]["data"]["listTodos"]["items"],
        json!([{"content": "alice's"}])
    );
    assert_eq!(
        message(&mut ws).await,
        json!({"id": "q1", "type": "complete"})
    );

    // The client's `complete` stops the subscription; its id may then be used again.
    send(&mut ws, json!({"id": "s1", "type": "complete"})).await;
    tokio::time::sleep(Duration::from_millis(100)).await;
    h.ok(&alice, CREATE, json!({"input": {"content": "unseen"}}))
        .await;
    assert_eq!(recv(&mut ws, Duration::from_millis(300)).await, None);
    send(
        &mut ws,
        json!({"id": "s1", "type": "subscribe", "payload": {"query": SUB}}),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    h.ok(&alice, CREATE, json!({"input": {"content": "again"}}))
        .await;
    let next = message(&mut ws).await;
    assert_eq!(next["payload"]["data"]["onCreateTodo"]["content"], "again");
}

#[tokio::test]
async fn the_api_key_header_map_and_refused_operations() {
    let h = Harness::new("ex-todo-owner").await;
    let host = h.serve().await;
    let alice = Auth::Token(h.user("alice@example.com").await);
    let mut ws = connect(&host, json!({"x-api-key": h.api_key, "host": host})).await;
    send(
        &mut ws,
        json!({"id": "k", "type": "subscribe", "payload": {"query": SUB}}),
    )
    .await;
    // The API key may not create (public read only): an `error` with the errors array.
    send(
        &mut ws,
        json!({"id": "w", "type": "subscribe", "payload": {
            "query": CREATE, "variables": {"input": {"content": "anonymous"}}}}),
    )
    .await;
    let refused = message(&mut ws).await;
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["id"], "w");
    assert_eq!(
        refused["payload"][0]["errorType"], "Unauthorized",
        "{refused}"
    );
    // An unknown field is an `error` too.
    send(
        &mut ws,
        json!({"id": "u", "type": "subscribe", "payload": {"query": "subscription { onNothing { id } }"}}),
    )
    .await;
    let unknown = message(&mut ws).await;
    assert_eq!(unknown["type"], "error", "{unknown}");
    assert_eq!(unknown["id"], "u");
    assert!(unknown["payload"].is_array(), "{unknown}");

    // The public-read subscriber receives Alice's item.
    let id = h
        .ok(&alice, CREATE, json!({"input": {"content": "public"}}))
        .await["createTodo"]["id"]
        .clone();
    let next = message(&mut ws).await;
    assert_eq!(next["id"], "k", "{next}");
    assert_eq!(next["payload"]["data"]["onCreateTodo"]["id"], id);
}

#[tokio::test]
async fn protocol_violations_close_with_the_library_codes() {
    let h = Harness::new("ex-todo-owner").await;
    let host = h.serve().await;
    let token = h.user("alice@example.com").await;

    // Bad credentials: 4403.
    let mut ws = open(&host).await;
    send(
        &mut ws,
        json!({"type": "connection_init", "payload": {"Authorization": "not-a-token"}}),
    )
    .await;
    assert_eq!(closed(&mut ws, Duration::from_secs(5)).await.0, 4403);

    // No credentials at all: 4403.
    let mut ws = open(&host).await;
    send(&mut ws, json!({"type": "connection_init"})).await;
    assert_eq!(closed(&mut ws, Duration::from_secs(5)).await.0, 4403);

    // `subscribe` before the acknowledgement: 4401.
    let mut ws = open(&host).await;
    send(
        &mut ws,
        json!({"id": "1", "type": "subscribe", "payload": {"query": SUB}}),
    )
    .await;
    assert_eq!(
        closed(&mut ws, Duration::from_secs(5)).await,
        (4401, "Unauthorized".into())
    );

    // A second `connection_init`: 4429.
    let mut ws = connect(&host, json!({"Authorization": token})).await;
    send(
        &mut ws,
        json!({"type": "connection_init", "payload": {"Authorization": token}}),
    )
    .await;
    assert_eq!(closed(&mut ws, Duration::from_secs(5)).await.0, 4429);

    // An id already subscribed: 4409.
    let mut ws = connect(&host, json!({"Authorization": token})).await;
    for _ in 0..2 {
        send(
            &mut ws,
            json!({"id": "dup", "type": "subscribe", "payload": {"query": SUB}}),
        )
        .await;
    }
    assert_eq!(
        closed(&mut ws, Duration::from_secs(5)).await,
        (4409, "Subscriber for dup already exists".into())
    );

    // Not a message: 4400.
    let mut ws = connect(&host, json!({"Authorization": token})).await;
    ws.send(Message::text("{not json")).await.unwrap();
    assert_eq!(closed(&mut ws, Duration::from_secs(5)).await.0, 4400);
    let mut ws = connect(&host, json!({"Authorization": token})).await;
    send(&mut ws, json!({"type": "start", "id": "x"})).await;
    assert_eq!(closed(&mut ws, Duration::from_secs(5)).await.0, 4400);

    // No `connection_init` within 3 s: 4408.
    let mut ws = open(&host).await;
    let started = std::time::Instant::now();
    assert_eq!(closed(&mut ws, Duration::from_secs(6)).await.0, 4408);
    assert!(started.elapsed() >= Duration::from_millis(2900));
}
