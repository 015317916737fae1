//! Subscription delivery: `sockets` realtime WebSockets (`graphql-ws`, AppSync's message set,
//! the auth header in the `header-<base64url JSON>` subprotocol as aws-amplify sends it), each
//! carrying `per_socket` `onCreateTodo` subscriptions; then creates one at a time, and the time
//! from each create's issue (and from its response) to each subscriber's `data` message.

use std::sync::Arc;
use std::time::{Duration, Instant};

use base64::Engine as _;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;

use crate::http::{Auth, Error, graphql};
use crate::load::{ms, quantiles};

const SUB: &str = "subscription ($filter: ModelSubscriptionTodoFilterInput, $owner: String) { onCreateTodo(filter: $filter, owner: $owner) { id content done priority createdAt updatedAt owner } }";
const CREATE: &str = "mutation ($input: CreateTodoInput!) { createTodo(input: $input) { id content done priority createdAt updatedAt owner } }";

pub struct Setup<'a> {
    pub graphql_url: &'a str,
    pub token: &'a str,
    pub sockets: usize,
    pub per_socket: usize,
    pub events: usize,
    pub gap: Duration,
}

/// One socket: connect, `connection_init`, `per_socket` starts; then the arrival time of each
/// event (parsed from the item id `rt-<k>`) for each subscription, until `events` arrived on
/// each or nothing came for 10 s.
async fn socket(
    url: String,
    header: String,
    per_socket: usize,
    events: usize,
    ready: tokio::sync::mpsc::Sender<()>,
) -> Result<Vec<(usize, Instant)>, Error> {
    let mut req = url.into_client_request()?;
    req.headers_mut().insert(
        "sec-websocket-protocol",
        format!("graphql-ws,header-{header}").parse()?,
    );
    let (mut ws, _) = tokio_tungstenite::connect_async(req).await?;
    ws.send(Message::text(
        json!({"type": "connection_init"}).to_string(),
    ))
    .await?;
    let mut acked = false;
    let mut started = 0;
    let auth: Value =
        serde_json::from_slice(&base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(&header)?)?;
    let mut arrivals = Vec::with_capacity(events * per_socket);
    loop {
        let msg = match tokio::time::timeout(Duration::from_secs(10), ws.next()).await {
            Ok(Some(m)) => m?,
            Ok(None) | Err(_) => break,
        };
        let now = Instant::now();
        let Message::Text(text) = msg else { continue };
        let text = text.as_str();
        if !acked {
            if !text.contains("\"connection_ack\"") {
                return Err(format!("expected connection_ack, got {text}").into());
            }
            acked = true;
            for s in 0..per_socket {
                let data = json!({"query": SUB, "variables": {}}).to_string();
                let start = json!({"id": format!("s-{s}"), "type": "start",
                    "payload": {"data": data, "extensions": {"authorization": auth}}});
                ws.send(Message::text(start.to_string())).await?;
            }
            continue;
        }
        if text.contains("\"start_ack\"") {
            started += 1;
            if started == per_socket {
                let _ = ready.send(()).await;
            }
            continue;
        }
        if text.contains("\"type\":\"data\"") {
            // The id of the created item: "rt-<k>".
            if let Some(at) = text.find("\"rt-") {
                let digits: String = text[at + 4..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                if let Ok(k) = digits.parse() {
                    arrivals.push((k, now));
                }
            }
            if arrivals.len() == events * per_socket {
                break;
            }
            continue;
        }
        if text.contains("\"ka\"") {
            continue;
        }
        return Err(format!("unexpected message: {text}").into());
    }
    Ok(arrivals)
}

pub async fn run(http: &reqwest::Client, s: Setup<'_>) -> Result<String, Error> {
    let ws_url = format!("{}/realtime", s.graphql_url.replacen("http", "ws", 1));
    let host = s
        .graphql_url
        .split('/')
        .nth(2)
        .ok_or("graphql url without host")?
        .to_string();
    let header = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .encode(json!({"Authorization": s.token, "host": host}).to_string());
    let (ready_tx, mut ready_rx) = tokio::sync::mpsc::channel(s.sockets);
    let connect_start = Instant::now();
    let mut tasks = Vec::with_capacity(s.sockets);
    for _ in 0..s.sockets {
        tasks.push(tokio::spawn(socket(
            ws_url.clone(),
            header.clone(),
            s.per_socket,
            s.events,
            ready_tx.clone(),
        )));
        // Connects in waves of 50 so the accept queue never overflows.
        if tasks.len() % 50 == 0 {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    }
    drop(ready_tx);
    for _ in 0..s.sockets {
        tokio::time::timeout(Duration::from_secs(60), ready_rx.recv())
            .await
            .map_err(|_| "subscribers not ready after 60 s")?
            .ok_or("a subscriber failed before start_ack")?;
    }
    let connect = connect_start.elapsed();

    let auth = Arc::new(Auth::Token(s.token.to_string()));
    let mut issued = Vec::with_capacity(s.events);
    let mut answered = Vec::with_capacity(s.events);
    for k in 0..s.events {
        tokio::time::sleep(s.gap).await;
        let t0 = Instant::now();
        graphql(
            http,
            s.graphql_url,
            &auth,
            CREATE,
            json!({"input": {"id": format!("rt-{k}"), "content": "realtime", "priority": k}}),
        )
        .await?;
        issued.push(t0);
        answered.push(Instant::now());
    }
    let mut from_issue = Vec::new();
    let mut from_response = Vec::new();
    let mut early = 0usize;
    let mut received = 0usize;
    for t in tasks {
        for (k, at) in t.await?? {
            received += 1;
            from_issue.push(at.duration_since(issued[k]));
            match at.checked_duration_since(answered[k]) {
                Some(d) => from_response.push(d),
                None => {
                    early += 1;
                    from_response.push(Duration::ZERO);
                }
            }
        }
    }
    let expected = s.sockets * s.per_socket * s.events;
    let (i50, i99, imax) = quantiles(&mut from_issue);
    let (r50, r99, rmax) = quantiles(&mut from_response);
    Ok(format!(
        "subscriptions: {} sockets x {} = {} subscribers ready in {}; {} creates {} apart; \
         {received}/{expected} deliveries\n\
         delivery from mutation issue: p50 {}, p99 {}, max {}\n\
         delivery after mutation response: p50 {}, p99 {}, max {} ({early} arrived before the \
         response, counted as 0)",
        s.sockets,
        s.per_socket,
        s.sockets * s.per_socket,
        ms(connect),
        s.events,
        ms(s.gap),
        ms(i50),
        ms(i99),
        ms(imax),
        ms(r50),
        ms(r99),
        ms(rmax),
    ))
}
