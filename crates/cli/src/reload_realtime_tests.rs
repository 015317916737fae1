//! Realtime subscriptions across reloads: a socket opened on one generation keeps receiving
//! the events of the next, planned again against its schema and rules, over a real socket
//! through the whole application.

use std::path::Path;
use std::time::Duration;

use base64::Engine as _;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::services_tests::{Env, env};
use super::*;

type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

const BACKEND_TS: &str = "import { defineBackend } from '@aws-amplify/backend';\n\
import { data } from './data/resource';\n\
defineBackend({ data });\n";

/// `Item` (with `fields`, authorized by `rule`) and, when `gone` is set, a second model `Gone`.
fn data_ts(fields: &str, rule: &str, gone: bool) -> String {
    let gone = if gone {
        ", Gone: a.model({ label: a.string() }).authorization((allow) => [allow.publicApiKey()])"
    } else {
        ""
    };
    format!(
        "import {{ a, defineData }} from '@aws-amplify/backend';\n\
         const schema = a.schema({{ Item: a.model({{ {fields} }})\
         .authorization((allow) => [{rule}]){gone} }});\n\
         export const data = defineData({{ schema, authorizationModes: {{ defaultAuthorizationMode: 'apiKey' }} }});\n"
    )
}

fn load(dir: &Path, data: &str) -> Backend {
    let amplify = dir.join("amplify");
    std::fs::create_dir_all(amplify.join("data")).unwrap();
    std::fs::write(amplify.join("backend.ts"), BACKEND_TS).unwrap();
    std::fs::write(amplify.join("data").join("resource.ts"), data).unwrap();
    load_backend(dir).unwrap()
}

const V1_FIELDS: &str = "name: a.string().required()";
const V2_FIELDS: &str = "name: a.string().required(), note: a.string()";
const PUBLIC: &str = "allow.publicApiKey()";

async fn serve(env: &Env) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let app = stratus_server::router(env.shared.clone());
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    addr.to_string()
}

async fn recv(ws: &mut Ws, wait: Duration) -> Option<Value> {
    loop {
        let msg = tokio::time::timeout(wait, ws.next()).await.ok()??.ok()?;
        if let Message::Text(t) = msg {
            let v: Value = serde_json::from_str(t.as_str()).unwrap();
            if v["type"] != "ka" {
                return Some(v);
            }
        }
    }
}

/// An AppSync realtime socket authenticated with the API key, acknowledged.
async fn connect(env: &Env, host: &str) -> Ws {
    let api_key = env.outputs()["api_key"].as_str().unwrap().to_owned();
    let header = json!({"host": host, "x-api-key": api_key});
    let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(header.to_string());
    let mut req = format!("ws://{host}/graphql/realtime")
        .into_client_request()
        .unwrap();
    req.headers_mut().insert(
        "sec-websocket-protocol",
        format!("graphql-ws,header-{encoded}").parse().unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    ws.send(Message::text(
        json!({"type": "connection_init"}).to_string(),
    ))
    .await
    .unwrap();
    let ack = recv(&mut ws, Duration::from_secs(5)).await.unwrap();
    assert_eq!(ack["type"], "connection_ack");
    ws
}

/// Starts `query` as `id` (with the connection's credentials) and waits for `start_ack`.
async fn start(ws: &mut Ws, id: &str, query: &str) {
    let data = json!({"query": query, "variables": {}}).to_string();
    let start = json!({"id": id, "type": "start", "payload": {"data": data}});
    ws.send(Message::text(start.to_string())).await.unwrap();
    let ack = recv(ws, Duration::from_secs(5)).await.unwrap();
    assert_eq!(ack, json!({"type": "start_ack", "id": id}));
}

/// The next message, which must be `data` for `id`: its `field` object.
async fn event(ws: &mut Ws, id: &str, field: &str) -> Value {
    let msg = recv(ws, Duration::from_secs(5))
        .await
        .expect("no event within 5 s");
    assert_eq!(msg["type"], "data", "{msg}");
    assert_eq!(msg["id"], id, "{msg}");
    msg["payload"]["data"][field].clone()
}

async fn create(env: &Env, name: &str) -> Value {
    let created = env
        .graphql(&format!(
            "mutation {{ createItem(input: {{name: \"{name}\"}}) {{ id name }} }}"
        ))
        .await;
    assert_eq!(created["data"]["createItem"]["name"], name, "{created}");
    created["data"]["createItem"].clone()
}

#[tokio::test]
async fn subscriptions_are_planned_again_on_a_generation_with_a_changed_schema() {
    let env = env().await;
    let dir = env.tmp.path().to_path_buf();
    let Outcome::Loaded { live: first, .. } = env
        .reload(load(&dir, &data_ts(V1_FIELDS, PUBLIC, true)))
        .await
    else {
        panic!("expected a load");
    };
    let host = serve(&env).await;
    let mut ws = connect(&env, &host).await;
    start(
        &mut ws,
        "items",
        "subscription { onCreateItem { id name } }",
    )
    .await;
    start(
        &mut ws,
        "gone",
        "subscription { onCreateGone { id label } }",
    )
    .await;

    create(&env, "before").await;
    assert_eq!(
        event(&mut ws, "items", "onCreateItem").await["name"],
        "before"
    );

    // Add a field and drop the `Gone` model: a new data service is opened and activated.
    let Outcome::Loaded { live: second, .. } = env
        .reload(load(&dir, &data_ts(V2_FIELDS, PUBLIC, false)))
        .await
    else {
        panic!("expected a load");
    };
    // (The report lives in the service: a different address, a different service.)
    assert!(!std::ptr::eq(
        first.services.data.as_ref().unwrap().schema_report(),
        second.services.data.as_ref().unwrap().schema_report()
    ));
    assert!(
        second
            .services
            .data
            .as_ref()
            .unwrap()
            .sdl()
            .contains("note: String")
    );

    // The subscription whose field no longer exists gets an `error` for its id, and nothing
    // else of it arrives.
    let gone = recv(&mut ws, Duration::from_secs(5)).await.unwrap();
    assert_eq!(gone["type"], "error", "{gone}");
    assert_eq!(gone["id"], "gone", "{gone}");
    let message = gone["payload"]["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("onCreateGone"), "{gone}");

    // The other one receives the mutations served by the new generation.
    let created = env
        .graphql("mutation { createItem(input: {name: \"after\", note: \"new\"}) { id note } }")
        .await;
    assert_eq!(created["data"]["createItem"]["note"], "new", "{created}");
    let item = event(&mut ws, "items", "onCreateItem").await;
    assert_eq!(item["name"], "after");
    assert_eq!(item["id"], created["data"]["createItem"]["id"]);

    // A subscription started now may select the new field.
    start(
        &mut ws,
        "notes",
        "subscription { onCreateItem { name note } }",
    )
    .await;
    env.graphql("mutation { createItem(input: {name: \"third\", note: \"n3\"}) { id } }")
        .await;
    let mut seen = Vec::new();
    for _ in 0..2 {
        let msg = recv(&mut ws, Duration::from_secs(5)).await.unwrap();
        assert_eq!(msg["type"], "data", "{msg}");
        seen.push((
            msg["id"].clone(),
            msg["payload"]["data"]["onCreateItem"].clone(),
        ));
    }
    seen.sort_by_key(|(id, _)| id.to_string());
    assert_eq!(
        seen[0],
        (
            json!("items"),
            json!({"id": seen[0].1["id"], "name": "third"})
        )
    );
    assert_eq!(
        seen[1],
        (json!("notes"), json!({"name": "third", "note": "n3"}))
    );

    // A reload that leaves data and auth unchanged keeps the service: no plan again, no loss.
    let Outcome::Loaded { live: third, .. } = env
        .reload(load(&dir, &data_ts(V2_FIELDS, PUBLIC, false)))
        .await
    else {
        panic!("expected a load");
    };
    assert!(std::ptr::eq(
        second.services.data.as_ref().unwrap().schema_report(),
        third.services.data.as_ref().unwrap().schema_report()
    ));
    create(&env, "fourth").await;
    for _ in 0..2 {
        let msg = recv(&mut ws, Duration::from_secs(5)).await.unwrap();
        assert_eq!(
            msg["payload"]["data"]["onCreateItem"]["name"], "fourth",
            "{msg}"
        );
    }
    assert_eq!(recv(&mut ws, Duration::from_millis(300)).await, None);
}

#[tokio::test]
async fn a_reload_that_takes_away_read_access_ends_the_subscription() {
    let env = env().await;
    let dir = env.tmp.path().to_path_buf();
    env.reload(load(&dir, &data_ts(V1_FIELDS, PUBLIC, false)))
        .await;
    let host = serve(&env).await;
    let mut ws = connect(&env, &host).await;
    start(
        &mut ws,
        "items",
        "subscription { onCreateItem { id name } }",
    )
    .await;
    create(&env, "readable").await;
    assert_eq!(
        event(&mut ws, "items", "onCreateItem").await["name"],
        "readable"
    );

    // The API key may still create Items, but no longer read (or listen to) them.
    let Outcome::Loaded { .. } = env
        .reload(load(
            &dir,
            &data_ts(V1_FIELDS, "allow.publicApiKey().to(['create'])", false),
        ))
        .await
    else {
        panic!("expected a load");
    };
    let refused = recv(&mut ws, Duration::from_secs(5)).await.unwrap();
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["id"], "items", "{refused}");
    assert_eq!(
        refused["payload"]["errors"][0]["errorType"], "Unauthorized",
        "{refused}"
    );
    let created = env
        .graphql("mutation { createItem(input: {name: \"secret\"}) { id } }")
        .await;
    assert!(created["data"]["createItem"]["id"].is_string(), "{created}");
    assert_eq!(recv(&mut ws, Duration::from_millis(500)).await, None);

    // Starting it again on the new generation is refused too.
    let data = json!({"query": "subscription { onCreateItem { id } }"}).to_string();
    ws.send(Message::text(
        json!({"id": "again", "type": "start", "payload": {"data": data}}).to_string(),
    ))
    .await
    .unwrap();
    let mut types = Vec::new();
    while let Some(msg) = recv(&mut ws, Duration::from_millis(500)).await {
        assert_ne!(msg["type"], "data", "{msg}");
        types.push(msg["type"].clone());
    }
    assert!(types.contains(&json!("error")), "{types:?}");
}

#[tokio::test]
async fn no_event_is_lost_or_repeated_while_a_reload_swaps_the_service() {
    let env = env().await;
    let dir = env.tmp.path().to_path_buf();
    env.reload(load(&dir, &data_ts(V1_FIELDS, PUBLIC, false)))
        .await;
    let host = serve(&env).await;
    let mut ws = connect(&env, &host).await;
    start(&mut ws, "items", "subscription { onCreateItem { name } }").await;

    // Creates run while generation 2 is swapped in (its definition loaded beforehand).
    let next = load(&dir, &data_ts(V2_FIELDS, PUBLIC, false));
    const N: usize = 60;
    let done = std::sync::atomic::AtomicUsize::new(0);
    let creates = async {
        for i in 0..N {
            create(&env, &format!("n{i}")).await;
            done.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    };
    let reload = async {
        while done.load(std::sync::atomic::Ordering::SeqCst) < 5 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
        let outcome = env.reload(next).await;
        (outcome, done.load(std::sync::atomic::Ordering::SeqCst))
    };
    let ((), (outcome, at_swap)) = tokio::join!(creates, reload);
    // The swap happened while creates were being served.
    assert!(at_swap < N, "all {N} creates were done before the swap");
    let Outcome::Loaded { live, .. } = outcome else {
        panic!("expected a load");
    };
    assert_eq!(live.generation, 2);
    let mut names = Vec::new();
    while names.len() < N {
        names.push(event(&mut ws, "items", "onCreateItem").await["name"].clone());
    }
    let expected: Vec<Value> = (0..N).map(|i| json!(format!("n{i}"))).collect();
    assert_eq!(names, expected, "every event once, in order");
    assert_eq!(recv(&mut ws, Duration::from_millis(300)).await, None);
}

#[tokio::test]
async fn graphql_transport_ws_subscriptions_follow_reloads_too() {
    let env = env().await;
    let dir = env.tmp.path().to_path_buf();
    env.reload(load(&dir, &data_ts(V1_FIELDS, PUBLIC, false)))
        .await;
    let host = serve(&env).await;
    let api_key = env.outputs()["api_key"].as_str().unwrap().to_owned();
    let mut req = format!("ws://{host}/graphql/realtime")
        .into_client_request()
        .unwrap();
    req.headers_mut().insert(
        "sec-websocket-protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await.unwrap();
    let init = json!({"type": "connection_init", "payload": {"x-api-key": api_key, "host": host}});
    ws.send(Message::text(init.to_string())).await.unwrap();
    assert_eq!(
        recv(&mut ws, Duration::from_secs(5)).await.unwrap(),
        json!({"type": "connection_ack"})
    );
    let subscribe = json!({"id": "s", "type": "subscribe",
        "payload": {"query": "subscription { onCreateItem { name } }"}});
    ws.send(Message::text(subscribe.to_string())).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;

    env.reload(load(&dir, &data_ts(V2_FIELDS, PUBLIC, false)))
        .await;
    create(&env, "after").await;
    let next = recv(&mut ws, Duration::from_secs(5)).await.unwrap();
    assert_eq!(
        next,
        json!({"id": "s", "type": "next", "payload": {"data": {"onCreateItem": {"name": "after"}}}})
    );

    env.reload(load(
        &dir,
        &data_ts(V2_FIELDS, "allow.publicApiKey().to(['create'])", false),
    ))
    .await;
    let refused = recv(&mut ws, Duration::from_secs(5)).await.unwrap();
    assert_eq!(refused["type"], "error", "{refused}");
    assert_eq!(refused["id"], "s", "{refused}");
    assert_eq!(
        refused["payload"][0]["errorType"], "Unauthorized",
        "{refused}"
    );
    env.graphql("mutation { createItem(input: {name: \"hidden\"}) { id } }")
        .await;
    assert_eq!(recv(&mut ws, Duration::from_millis(500)).await, None);
}
