//! What both realtime protocols share: a subscription's plan, its forwarding task, and planning
//! it again when a new generation of the data service is activated ([`super::hub`]).

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::ws::Message;
use axum::http::{HeaderName, HeaderValue, Request};
use futures::StreamExt;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::task::{AbortHandle, JoinHandle};

use super::hub::{Feed, FeedState, Generation};
use crate::authz::Caller;
use crate::errors::request_error;
use crate::service::DataService;

pub(crate) type AuthMap = serde_json::Map<String, Value>;
pub(crate) type Outbox = mpsc::UnboundedSender<Message>;

pub(crate) fn text(value: Value) -> Message {
    Message::Text(value.to_string().into())
}

/// A request as the auth headers describe it, to authenticate like an HTTP request.
pub(crate) async fn caller_from(
    service: &DataService,
    auth: &AuthMap,
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

/// The message set a socket speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Protocol {
    /// AppSync's (`graphql-ws` subprotocol): `data`, `error` with `{errors}`.
    AppSync,
    /// `graphql-transport-ws`: `next`, `error` with the errors array, `complete`.
    TransportWs,
}

impl Protocol {
    fn data(self, id: &str, response: Value) -> Message {
        match self {
            Protocol::AppSync => text(json!({"type": "data", "id": id, "payload": response})),
            Protocol::TransportWs => text(json!({"id": id, "type": "next", "payload": response})),
        }
    }

    /// The end of a subscription with `errors` (AppSync's errors array).
    pub(crate) fn error(self, id: &str, errors: Value) -> Message {
        match self {
            Protocol::AppSync => {
                text(json!({"type": "error", "id": id, "payload": {"errors": errors}}))
            }
            Protocol::TransportWs => text(json!({"id": id, "type": "error", "payload": errors})),
        }
    }

    /// What ends an operation whose stream ended on its own (a query or mutation).
    fn completed(self, id: &str) -> Option<Message> {
        match self {
            Protocol::AppSync => None,
            Protocol::TransportWs => Some(text(json!({"id": id, "type": "complete"}))),
        }
    }
}

/// How a subscription's plan ended.
pub(crate) enum Ended {
    /// Its generation was replaced: plan it again on the new one.
    Stale,
    /// Done: an error or its end was sent (or the socket is gone).
    Done,
}

/// What a subscription needs to be planned again on a new generation.
#[derive(Clone)]
pub(crate) struct Plan {
    pub id: String,
    pub query: String,
    pub variables: Option<Value>,
    /// The subscription's own auth headers and the body they sign (IAM), if any; else the
    /// connection's are used.
    pub auth: Option<(AuthMap, String)>,
    pub feed: Arc<tokio::sync::Mutex<FeedState>>,
}

pub(crate) struct Subscription {
    plan: Plan,
    task: JoinHandle<Ended>,
    /// The tasks of this subscription's earlier plans (each ends on its own at the
    /// generation change; aborted with it).
    earlier: Vec<AbortHandle>,
}

impl Subscription {
    pub(crate) fn abort(self) {
        self.task.abort();
        for a in self.earlier {
            a.abort();
        }
    }

    /// Whether it still runs (or waits to be planned again).
    pub(crate) fn is_active(&self) -> bool {
        !self.task.is_finished()
    }
}

/// The connection's credentials: the headers that authenticated it (planned again with them).
pub(crate) struct Connection {
    pub caller: Caller,
    pub auth: AuthMap,
}

/// Executes `plan` for `caller` on `service` (current as of `generation`) and forwards its
/// responses.
pub(crate) fn begin(
    service: &DataService,
    generation: &Generation,
    caller: Caller,
    plan: Plan,
    tx: &Outbox,
    protocol: Protocol,
) -> Subscription {
    let feed = Feed::new(service.hub(), plan.feed.clone(), generation.epoch);
    let stream = service.execute_stream(caller, &plan.query, plan.variables.clone(), feed);
    let task = tokio::spawn(forward(
        plan.id.clone(),
        stream,
        plan.feed.clone(),
        generation.epoch,
        tx.clone(),
        protocol,
    ));
    Subscription {
        plan,
        task,
        earlier: Vec::new(),
    }
}

/// Sends each response of a plan's stream until it ends: `Stale` when its generation was
/// replaced, `Done` after an error or at its own end.
async fn forward(
    id: String,
    mut stream: futures::stream::BoxStream<'static, Value>,
    feed: Arc<tokio::sync::Mutex<FeedState>>,
    epoch: u64,
    tx: Outbox,
    protocol: Protocol,
) -> Ended {
    while let Some(response) = stream.next().await {
        let has_data = response.get("data").is_some_and(|d| !d.is_null());
        let message = if has_data {
            protocol.data(&id, response)
        } else {
            protocol.error(&id, response["errors"].clone())
        };
        if tx.send(message).is_err() || !has_data {
            return Ended::Done;
        }
    }
    if feed.lock().await.stale_at == Some(epoch) {
        return Ended::Stale;
    }
    if let Some(done) = protocol.completed(&id) {
        let _ = tx.send(done);
    }
    Ended::Done
}

/// A new generation is active: every subscription continues on it once its current plan has
/// ended (which it does at its next poll, handing over any event it had just received).
pub(crate) fn replan_all(
    subscriptions: &mut HashMap<String, Subscription>,
    generation: &Generation,
    connection: &Connection,
    tx: &Outbox,
    protocol: Protocol,
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
            protocol,
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
    tx: Outbox,
    protocol: Protocol,
) -> Ended {
    if !matches!(previous.await, Ok(Ended::Stale)) {
        return Ended::Done;
    }
    let error = |errors: Value| {
        let _ = tx.send(protocol.error(&plan.id, errors));
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
    let epoch = generation.epoch;
    let feed = Feed::new(service.hub(), plan.feed.clone(), epoch);
    let stream = service.execute_stream(caller, &plan.query, plan.variables.clone(), feed);
    forward(
        plan.id.clone(),
        stream,
        plan.feed.clone(),
        epoch,
        tx,
        protocol,
    )
    .await
}
