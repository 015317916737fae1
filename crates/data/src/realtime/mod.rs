//! The AppSync realtime protocol (`graphql-ws` subprotocol, AppSync's message set) at
//! `GET /graphql/realtime`, as `aws-amplify` v6 speaks it (client-protocol §D.5).
//!
//! A client that offers the `graphql-transport-ws` subprotocol (the `graphql-ws` npm library)
//! is served that protocol instead, at the same path ([`transport_ws`]).
//!
//! Subscriptions follow hot reloads ([`hub`]): when a new generation of the data service is
//! activated, each open subscription is authenticated and planned again on it ([`session`]).

pub mod hub;
mod session;
pub mod transport_ws;

use std::collections::HashMap;
use std::time::Duration;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::{Query, State};
use axum::http::{HeaderMap, header};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;
use futures::{SinkExt, StreamExt};
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use crate::authz::Caller;
use crate::errors::request_error;
use crate::realtime::hub::Generation;
use crate::service::DataService;
use session::{
    AuthMap, Connection, Outbox, Plan, Protocol, Subscription, begin, caller_from, replan_all, text,
};

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

/// `GET /graphql/realtime`.
pub async fn handler(
    State(service): State<DataService>,
    Query(params): Query<Params>,
    headers: HeaderMap,
    ws: WebSocketUpgrade,
) -> Response {
    if offers(&headers, transport_ws::SUBPROTOCOL) {
        return ws
            .protocols([transport_ws::SUBPROTOCOL])
            .on_upgrade(move |socket| transport_ws::run(socket, service))
            .into_response();
    }
    let auth = auth_headers(&headers, params.header.as_deref());
    let connection = match &auth {
        Some(a) => caller_from(&service, a, "/graphql/connect", b"{}")
            .await
            .map(|caller| (caller, a.clone())),
        None => Err("Valid authorization header not provided."),
    };
    ws.protocols(["graphql-ws"])
        .on_upgrade(move |socket| run(socket, service, connection))
        .into_response()
}

/// Whether the client offers `protocol` in `Sec-WebSocket-Protocol`.
fn offers(headers: &HeaderMap, protocol: &str) -> bool {
    headers
        .get_all(header::SEC_WEBSOCKET_PROTOCOL)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| p.trim() == protocol)
}

async fn run(
    socket: WebSocket,
    service: DataService,
    connection: Result<(Caller, AuthMap), &'static str>,
) {
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
        Ok((caller, auth)) => Connection { caller, auth },
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
    let hub = service.hub().clone();
    let mut generations = hub.watch();
    generations.borrow_and_update();
    let mut subscriptions: HashMap<String, Subscription> = HashMap::new();
    let mut keep_alive: Option<JoinHandle<()>> = None;
    loop {
        let msg = tokio::select! {
            msg = incoming.next() => msg,
            changed = generations.changed() => {
                if changed.is_ok() {
                    let generation = generations.borrow_and_update().clone();
                    replan_all(&mut subscriptions, &generation, &connection, &tx, Protocol::AppSync);
                }
                continue;
            }
        };
        let Some(Ok(msg)) = msg else { break };
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
                let generation = hub.current();
                let service = generation.service().unwrap_or_else(|| service.clone());
                match start(
                    &service,
                    &generation,
                    &connection,
                    &id,
                    &value["payload"],
                    &tx,
                )
                .await
                {
                    Ok(sub) => {
                        subscriptions.insert(id, sub);
                    }
                    Err(errors) => {
                        let _ = tx.send(Protocol::AppSync.error(&id, errors));
                    }
                }
            }
            "stop" => {
                if let Some(sub) = subscriptions.remove(&id) {
                    sub.abort();
                }
                let _ = tx.send(text(json!({"type": "complete", "id": id})));
            }
            _ => {}
        }
    }
    for (_, sub) in subscriptions {
        sub.abort();
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
    generation: &Generation,
    connection: &Connection,
    id: &str,
    payload: &Value,
    tx: &Outbox,
) -> Result<Subscription, Value> {
    let data = payload["data"].as_str().unwrap_or_default();
    let request: Value = serde_json::from_str(data).map_err(|e| {
        request_error("BadRequestException", &format!("Invalid payload: {e}"))["errors"].clone()
    })?;
    let auth = payload["extensions"]["authorization"]
        .as_object()
        .map(|a| (a.clone(), data.to_string()));
    let caller = match &auth {
        Some((auth, data)) => caller_from(service, auth, "/graphql", data.as_bytes())
            .await
            .map_err(|m| request_error("UnauthorizedException", m)["errors"].clone())?,
        None => connection.caller.clone(),
    };
    let plan = Plan {
        id: id.to_string(),
        query: request["query"].as_str().unwrap_or_default().to_string(),
        variables: request.get("variables").cloned(),
        auth,
        feed: service.hub().feed(),
    };
    let _ = tx.send(text(json!({"type": "start_ack", "id": id})));
    Ok(begin(
        service,
        generation,
        caller,
        plan,
        tx,
        Protocol::AppSync,
    ))
}
