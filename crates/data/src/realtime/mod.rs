//! The AppSync realtime protocol (`graphql-ws` subprotocol, AppSync's message set) at
//! `GET /graphql/realtime`, as `aws-amplify` v6 speaks it (client-protocol §D.5).
//!
//! Subscriptions follow hot reloads ([`hub`]): when a new generation of the data service is
//! activated, each open subscription is authenticated and planned again on it.

pub mod hub;

use std::collections::HashMap;
use std::sync::Arc;
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
use tokio::task::{AbortHandle, JoinHandle};

use crate::authz::Caller;
use crate::errors::request_error;
use crate::realtime::hub::{Feed, FeedState, Generation};
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
        Some(a) => caller_from(&service, a, "/graphql/connect", b"{}")
            .await
            .map(|caller| (caller, a.clone())),
        None => Err("Valid authorization header not provided."),
    };
    ws.protocols(["graphql-ws"])
        .on_upgrade(move |socket| run(socket, service, connection))
        .into_response()
}

fn text(value: Value) -> Message {
    Message::Text(value.to_string().into())
}

type AuthMap = serde_json::Map<String, Value>;

/// How a subscription ended.
enum Ended {
    /// Its generation was replaced: plan it again on the new one.
    Stale,
    /// An error was sent for it (or the socket is gone): nothing more to do.
    Done,
}

/// What a subscription needs to be planned again on a new generation.
#[derive(Clone)]
struct Plan {
    id: String,
    query: String,
    variables: Option<Value>,
    /// The subscription's own auth headers and the `data` string they sign (IAM), if any;
    /// else the connection's are used.
    auth: Option<(AuthMap, String)>,
    feed: Arc<tokio::sync::Mutex<FeedState>>,
}

struct Subscription {
    plan: Plan,
    task: JoinHandle<Ended>,
    /// The tasks of this subscription's earlier plans (each ends on its own at the
    /// generation change; aborted with it on `stop`).
    earlier: Vec<AbortHandle>,
}

impl Subscription {
    fn abort(self) {
        self.task.abort();
        for a in self.earlier {
            a.abort();
        }
    }
}

/// One socket's connection: its caller and the headers that authenticated it.
struct Connection {
    caller: Caller,
    auth: AuthMap,
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
                    replan_all(&mut subscriptions, &generation, &connection, &tx);
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
                        let _ = tx.send(text(json!({"type": "error", "id": id,
                            "payload": {"errors": errors}})));
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
    tx: &mpsc::UnboundedSender<Message>,
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
    let feed = Feed::new(service.hub(), plan.feed.clone(), generation.epoch);
    let stream = service.execute_stream(caller, &plan.query, plan.variables.clone(), feed);
    let _ = tx.send(text(json!({"type": "start_ack", "id": id})));
    let task = tokio::spawn(forward(id.to_string(), stream, tx.clone()));
    Ok(Subscription {
        plan,
        task,
        earlier: Vec::new(),
    })
}

/// Sends each response of a subscription's stream until it ends: `Stale` when its generation
/// was replaced, `Done` after an error.
async fn forward(
    id: String,
    mut stream: futures::stream::BoxStream<'static, Value>,
    tx: mpsc::UnboundedSender<Message>,
) -> Ended {
    while let Some(response) = stream.next().await {
        let has_data = response.get("data").is_some_and(|d| !d.is_null());
        let message = if has_data {
            json!({"type": "data", "id": id, "payload": response})
        } else {
            json!({"type": "error", "id": id, "payload": {"errors": response["errors"].clone()}})
        };
        if tx.send(text(message)).is_err() || !has_data {
            return Ended::Done;
        }
    }
    Ended::Stale
}

/// A new generation is active: every subscription continues on it once its current plan has
/// ended (which it does at its next poll, handing over any event it had just received).
fn replan_all(
    subscriptions: &mut HashMap<String, Subscription>,
    generation: &Generation,
    connection: &Connection,
    tx: &mpsc::UnboundedSender<Message>,
) {
    for (id, sub) in std::mem::take(subscriptions) {
        let mut earlier = sub.earlier;
        earlier.retain(|a| !a.is_finished());
        earlier.push(sub.task.abort_handle());
        let task = tokio::spawn(replan(
            sub.task,
            sub.plan.clone(),
            generation.clone(),
            connection.auth.clone(),
            tx.clone(),
        ));
        subscriptions.insert(
            id,
            Subscription {
                plan: sub.plan,
                task,
                earlier,
            },
        );
    }
}

/// Plans a subscription again on `generation` after its previous plan ended: authenticated
/// again with the same headers (a token may have expired, the user pool or the modes may have
/// changed), then executed against the new schema and rules. A refusal or a field that no
/// longer exists is an `error` for its id.
async fn replan(
    previous: JoinHandle<Ended>,
    plan: Plan,
    generation: Generation,
    connection_auth: AuthMap,
    tx: mpsc::UnboundedSender<Message>,
) -> Ended {
    if !matches!(previous.await, Ok(Ended::Stale)) {
        return Ended::Done;
    }
    let error = |errors: Value| {
        let _ = tx.send(text(
            json!({"type": "error", "id": plan.id, "payload": {"errors": errors}}),
        ));
        Ended::Done
    };
    let Some(service) = generation.service() else {
        return error(
            request_error(
                "UnknownOperationException",
                "The data API is no longer defined by the backend.",
            )["errors"]
                .clone(),
        );
    };
    let caller = match &plan.auth {
        Some((auth, data)) => caller_from(&service, auth, "/graphql", data.as_bytes()).await,
        None => caller_from(&service, &connection_auth, "/graphql/connect", b"{}").await,
    };
    let caller = match caller {
        Ok(c) => c,
        Err(m) => return error(request_error("UnauthorizedException", m)["errors"].clone()),
    };
    let feed = Feed::new(service.hub(), plan.feed.clone(), generation.epoch);
    let stream = service.execute_stream(caller, &plan.query, plan.variables.clone(), feed);
    forward(plan.id.clone(), stream, tx).await
}
