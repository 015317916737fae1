//! The AppSync realtime protocol (`graphql-ws` subprotocol, AppSync's message set) at
//! `GET /graphql/realtime`, as `aws-amplify` v6 speaks it (client-protocol §D.5).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderName, HeaderValue, Request, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use futures::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::authz::Caller;
use crate::errors::request_error;
use crate::graphql::subscribe::PendingReceiver;
use crate::service::DataService;

/// `connectionTimeoutMs` in `connection_ack`: the client closes a socket silent this long.
pub const CONNECTION_TIMEOUT_MS: u64 = 300_000;
/// How often `ka` is sent.
pub const KEEP_ALIVE: Duration = Duration::from_secs(60);

#[derive(Debug, Deserialize)]
pub struct Params {
    header: Option<String>,
}

/// Decodes the auth headers a client sends: `header-<base64url JSON>` in
/// `Sec-WebSocket-Protocol`, or (older clients) `?header=<base64 JSON>`.
fn auth_headers(
    headers: &HeaderMap,
    query: Option<&str>,
) -> Option<serde_json::Map<String, Value>> {
    let from_protocol = headers
        .get(header::SEC_WEBSOCKET_PROTOCOL)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.split(',')
                .map(str::trim)
                .find_map(|p| p.strip_prefix("header-"))
                .map(String::from)
        });
    let encoded = from_protocol.or_else(|| query.map(String::from))?;
    let trimmed = encoded.trim_end_matches('=');
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(trimmed)
        .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(trimmed))
        .ok()?;
    match serde_json::from_slice(&bytes).ok()? {
        Value::Object(m) => Some(m),
        _ => None,
    }
}

/// A request as the auth headers describe it, to authenticate like an HTTP request.
async fn caller_from(
    service: &DataService,
    auth: &serde_json::Map<String, Value>,
    path: &str,
    body: &[u8],
) -> Result<Caller, &'static str> {
    let mut builder = Request::builder().method("POST").uri(path);
    for (k, v) in auth {
        let (Ok(name), Some(Ok(value))) = (
            HeaderName::from_bytes(k.to_ascii_lowercase().as_bytes()),
            v.as_str().map(HeaderValue::from_str),
        ) else {
            continue;
        };
        builder = builder.header(name, value);
    }
    let request = builder
        .body(())
        .map_err(|_| "Invalid authorization headers")?;
    let (parts, ()) = request.into_parts();
    service.caller(&parts, body).await.map_err(|f| f.message)
}

/// `GET /graphql/realtime`.
pub async fn handler(
    State(service): State<DataService>,
    Query(params): Query<Params>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    let auth = auth_headers(&headers, params.header.as_deref());
    let connection = match &auth {
        Some(a) => caller_from(&service, a, "/graphql/connect", b"{}").await,
        None => Err("Valid authorization header not provided."),
    };
    ws.protocols(["graphql-ws"])
        .on_upgrade(move |socket| run(socket, service, connection))
        .into_response()
}

fn text(value: Value) -> Message {
    Message::Text(value.to_string().into())
}

async fn run(socket: WebSocket, service: DataService, connection: Result<Caller, &'static str>) {
    let (mut sink, mut incoming) = socket.split();
    let (tx, mut rx) = mpsc::unbounded_channel::<Message>();
    let writer = tokio::spawn(async move {
        while let Some(msg) = rx.recv().await {
            if sink.send(msg).await.is_err() {
                break;
            }
        }
    });
    let connection = match connection {
        Ok(c) => c,
        Err(message) => {
            let _ = tx.send(text(
                json!({"type": "connection_error", "payload": {"errors": [
                    {"errorType": "UnauthorizedException", "message": message, "errorCode": 401}
                ]}}),
            ));
            drop(tx);
            let _ = writer.await;
            return;
        }
    };
    let mut subscriptions: HashMap<String, JoinHandle<()>> = HashMap::new();
    let mut keep_alive: Option<JoinHandle<()>> = None;
    while let Some(Ok(msg)) = incoming.next().await {
        let Message::Text(raw) = msg else {
            if matches!(msg, Message::Close(_)) {
                break;
            }
            continue;
        };
        let Ok(value) = serde_json::from_str::<Value>(raw.as_str()) else {
            let _ = tx.send(text(json!({"type": "error", "payload": {"errors": [
                {"errorType": "BadRequestException", "message": "Invalid message"}]}})));
            continue;
        };
        let id = value["id"].as_str().unwrap_or_default().to_string();
        match value["type"].as_str().unwrap_or_default() {
            "connection_init" => {
                let _ = tx.send(text(json!({"type": "connection_ack",
                    "payload": {"connectionTimeoutMs": CONNECTION_TIMEOUT_MS}})));
                let _ = tx.send(text(json!({"type": "ka"})));
                if keep_alive.is_none() {
                    let tx = tx.clone();
                    keep_alive = Some(tokio::spawn(async move {
                        let mut tick = tokio::time::interval(KEEP_ALIVE);
                        tick.tick().await;
                        loop {
                            tick.tick().await;
                            if tx.send(text(json!({"type": "ka"}))).is_err() {
                                break;
                            }
                        }
                    }));
                }
            }
            "start" => {
                if let Some(old) = subscriptions.remove(&id) {
                    old.abort();
                }
                match start(&service, &connection, &id, &value["payload"], tx.clone()).await {
                    Ok(task) => {
                        subscriptions.insert(id, task);
                    }
                    Err(errors) => {
                        let _ = tx.send(text(json!({"type": "error", "id": id,
                            "payload": {"errors": errors}})));
                    }
                }
            }
            "stop" => {
                if let Some(task) = subscriptions.remove(&id) {
                    task.abort();
                }
                let _ = tx.send(text(json!({"type": "complete", "id": id})));
            }
            _ => {}
        }
    }
    for (_, task) in subscriptions {
        task.abort();
    }
    if let Some(k) = keep_alive {
        k.abort();
    }
    drop(tx);
    writer.abort();
}

/// Starts one subscription: authenticates it (its own auth headers, else the connection's),
/// acknowledges it, and forwards its events.
async fn start(
    service: &DataService,
    connection: &Caller,
    id: &str,
    payload: &Value,
    tx: mpsc::UnboundedSender<Message>,
) -> Result<JoinHandle<()>, Value> {
    let data = payload["data"].as_str().unwrap_or_default();
    let request: Value = serde_json::from_str(data).map_err(|e| {
        request_error("BadRequestException", &format!("Invalid payload: {e}"))["errors"].clone()
    })?;
    let caller = match payload["extensions"]["authorization"].as_object() {
        Some(auth) => caller_from(service, auth, "/graphql", data.as_bytes())
            .await
            .map_err(|m| request_error("UnauthorizedException", m)["errors"].clone())?,
        None => connection.clone(),
    };
    let query = request["query"].as_str().unwrap_or_default().to_string();
    let variables = request.get("variables").cloned();
    let pending = PendingReceiver(Mutex::new(Some(service.subscribe_events())));
    let mut stream = service.execute_stream(caller, &query, variables, Some(pending));
    let _ = tx.send(text(json!({"type": "start_ack", "id": id})));
    let id = id.to_string();
    Ok(tokio::spawn(async move {
        while let Some(response) = stream.next().await {
            let has_data = response.get("data").is_some_and(|d| !d.is_null());
            let message = if has_data {
                json!({"type": "data", "id": id, "payload": response})
            } else {
                json!({"type": "error", "id": id, "payload": {"errors": response["errors"].clone()}})
            };
            if tx.send(text(message)).is_err() {
                break;
            }
            if !has_data {
                break;
            }
        }
    }))
}
