//! The `graphql-transport-ws` protocol (what the `graphql-ws` npm library and other GraphQL
//! clients speak) at `GET /graphql/realtime`, chosen when the client offers that subprotocol.
//!
//! `connection_init` carries the credentials in its payload as the same header map AppSync's
//! `header-` subprotocol carries (`{ Authorization }`, `{ "x-api-key", host }`, or SigV4
//! headers signed for `POST /graphql/connect` with body `{}`), answered by `connection_ack`;
//! then `subscribe` → `next`* → `complete`, `error` for an operation that is refused or
//! invalid, client `complete` to stop, `ping` → `pong`. Protocol violations close the socket
//! with the library's codes: 4400 (bad message), 4401 (`subscribe` before the ack), 4403
//! (credentials refused), 4408 (no `connection_init` in time), 4409 (an id in use), 4429 (a
//! second `connection_init`). Subscriptions use the same plans, per-event authorization and
//! reload handling as AppSync's protocol.

use std::collections::HashMap;
use std::time::Duration;

use axum::extract::ws::{CloseFrame, Message, WebSocket};
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::sync::mpsc;

use super::session::{
    Connection, Plan, Protocol, Subscription, begin, caller_from, replan_all, text,
};
use crate::service::DataService;

/// The subprotocol name.
pub const SUBPROTOCOL: &str = "graphql-transport-ws";
/// How long a client may take to send `connection_init` (the library's default).
pub const CONNECTION_INIT_WAIT: Duration = Duration::from_secs(3);

fn close(code: u16, reason: &str) -> Message {
    Message::Close(Some(CloseFrame {
        code,
        reason: reason.to_string().into(),
    }))
}

/// What the loop does after a message.
enum Next {
    Continue,
    Close(u16, String),
}

struct Session {
    service: DataService,
    connection: Option<Connection>,
    init_received: bool,
    subscriptions: HashMap<String, Subscription>,
    tx: mpsc::UnboundedSender<Message>,
}

pub(crate) async fn run(socket: WebSocket, service: DataService) {
    let (mut sink, mut incoming) = socket.split();
    let (tx, mut rx) = mpsc::unbounded_channel::<Message>();
    let writer = tokio::spawn(async move {
        while let Some(msg) = rx.recv().await {
            let closing = matches!(msg, Message::Close(_));
            if sink.send(msg).await.is_err() || closing {
                break;
            }
        }
    });
    let hub = service.hub().clone();
    let mut generations = hub.watch();
    generations.borrow_and_update();
    let mut session = Session {
        service,
        connection: None,
        init_received: false,
        subscriptions: HashMap::new(),
        tx: tx.clone(),
    };
    let init_deadline = tokio::time::sleep(CONNECTION_INIT_WAIT);
    tokio::pin!(init_deadline);
    let outcome = loop {
        let msg = tokio::select! {
            msg = incoming.next() => msg,
            () = &mut init_deadline, if !session.init_received => {
                break Next::Close(4408, "Connection initialisation timeout".into());
            }
            changed = generations.changed() => {
                if changed.is_ok()
                    && let Some(connection) = &session.connection
                {
                    let generation = generations.borrow_and_update().clone();
                    replan_all(
                        &mut session.subscriptions,
                        &generation,
                        connection,
                        &session.tx,
                        Protocol::TransportWs,
                    );
                }
                continue;
            }
        };
        let Some(Ok(msg)) = msg else {
            break Next::Continue;
        };
        let raw = match msg {
            Message::Text(raw) => raw,
            Message::Close(_) => break Next::Continue,
            Message::Binary(_) => {
                break Next::Close(4400, "Invalid message received".into());
            }
            _ => continue,
        };
        match session.handle(raw.as_str()).await {
            Next::Continue => {}
            close => break close,
        }
    };
    for (_, sub) in session.subscriptions.drain() {
        sub.abort();
    }
    if let Next::Close(code, reason) = outcome {
        let _ = tx.send(close(code, &reason));
        drop(tx);
        drop(session);
        let _ = tokio::time::timeout(Duration::from_secs(1), writer).await;
    } else {
        drop(tx);
        drop(session);
        writer.abort();
    }
}

impl Session {
    async fn handle(&mut self, raw: &str) -> Next {
        let Ok(Value::Object(message)) = serde_json::from_str::<Value>(raw) else {
            return Next::Close(4400, "Invalid message received".into());
        };
        let Some(kind) = message.get("type").and_then(Value::as_str) else {
            return Next::Close(4400, "Invalid message received".into());
        };
        match kind {
            "connection_init" => {
                if self.init_received {
                    return Next::Close(4429, "Too many initialisation requests".into());
                }
                self.init_received = true;
                let auth = match message.get("payload") {
                    Some(Value::Object(p)) => p.clone(),
                    _ => serde_json::Map::new(),
                };
                match caller_from(&self.service, &auth, "/graphql/connect", b"{}").await {
                    Ok(caller) => {
                        self.connection = Some(Connection { caller, auth });
                        let _ = self.tx.send(text(json!({"type": "connection_ack"})));
                        Next::Continue
                    }
                    Err(_) => Next::Close(4403, "Forbidden".into()),
                }
            }
            "ping" => {
                let _ = self.tx.send(text(json!({"type": "pong"})));
                Next::Continue
            }
            "pong" => Next::Continue,
            "subscribe" => self.subscribe(&message),
            "complete" => {
                if let Some(id) = message.get("id").and_then(Value::as_str)
                    && let Some(sub) = self.subscriptions.remove(id)
                {
                    sub.abort();
                }
                Next::Continue
            }
            other => Next::Close(4400, format!("Unexpected message of type {other} received")),
        }
    }

    fn subscribe(&mut self, message: &serde_json::Map<String, Value>) -> Next {
        let Some(connection) = &self.connection else {
            return Next::Close(4401, "Unauthorized".into());
        };
        let (Some(id), Some(query)) = (
            message
                .get("id")
                .and_then(Value::as_str)
                .filter(|id| !id.is_empty()),
            message["payload"]["query"].as_str(),
        ) else {
            return Next::Close(4400, "Invalid message received".into());
        };
        if self
            .subscriptions
            .get(id)
            .is_some_and(Subscription::is_active)
        {
            return Next::Close(4409, format!("Subscriber for {id} already exists"));
        }
        let variables = message["payload"]
            .get("variables")
            .filter(|v| !v.is_null())
            .cloned();
        let hub = self.service.hub().clone();
        let generation = hub.current();
        let service = generation.service().unwrap_or_else(|| self.service.clone());
        let plan = Plan {
            id: id.to_string(),
            query: query.to_string(),
            variables,
            auth: None,
            feed: hub.feed(),
        };
        let sub = begin(
            &service,
            &generation,
            connection.caller.clone(),
            plan,
            &self.tx,
            Protocol::TransportWs,
        );
        self.subscriptions.insert(id.to_string(), sub);
        Next::Continue
    }
}
