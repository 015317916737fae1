//! A realtime WebSocket client for the tests: the socket at `/graphql/realtime` served on a
//! real port, AppSync's `graphql-ws` subprotocol with the `header-<base64url>` credentials,
//! `connection_init` and `start`.

use std::time::Duration;

use axum::Router;
use base64::Engine as _;
use futures::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::net::TcpStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::handshake::client::{Request, Response};
use tokio_tungstenite::{MaybeTlsStream, WebSocketStream};

use super::{Auth, Harness};

pub type Ws = WebSocketStream<MaybeTlsStream<TcpStream>>;

/// How long a test waits for a message it expects.
pub const WAIT: Duration = Duration::from_secs(5);

/// Serves `app` on a free local port; its `host:port`.
pub async fn serve(app: Router) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    addr.to_string()
}

/// The upgrade request for `ws://{host}/graphql/realtime` offering `protocols`.
pub fn request(host: &str, protocols: &str) -> Request {
    let mut req = format!("ws://{host}/graphql/realtime")
        .into_client_request()
        .unwrap();
    req.headers_mut()
        .insert("sec-websocket-protocol", protocols.parse().unwrap());
    req
}

/// An AppSync realtime socket (`graphql-ws,header-<base64url(header)>`), not yet initialized,
/// with the upgrade response.
pub async fn open(host: &str, header: &Value) -> (Ws, Response) {
    let encoded = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(header.to_string());
    tokio_tungstenite::connect_async(request(host, &format!("graphql-ws,header-{encoded}")))
        .await
        .unwrap()
}

/// The next text message other than a keep-alive (`ka`), if one comes within `wait`.
pub async fn recv(ws: &mut Ws, wait: Duration) -> Option<Value> {
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

/// Sends `connection_init` and returns the answer (`connection_ack` or `connection_error`).
pub async fn init(ws: &mut Ws) -> Value {
    ws.send(Message::text(
        json!({"type": "connection_init"}).to_string(),
    ))
    .await
    .unwrap();
    recv(ws, WAIT).await.expect("no answer to connection_init")
}

/// `open` and `init`, which must be acknowledged.
pub async fn connect(host: &str, header: &Value) -> Ws {
    let (mut ws, _) = open(host, header).await;
    let ack = init(&mut ws).await;
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    ws
}

/// Starts `query` as `id` with `authorization` (the start's own header map, if any) and waits
/// for its `start_ack`.
pub async fn start(
    ws: &mut Ws,
    id: &str,
    query: &str,
    variables: Value,
    authorization: Option<&Value>,
) {
    let data = json!({"query": query, "variables": variables}).to_string();
    let mut payload = json!({"data": data});
    if let Some(auth) = authorization {
        payload["extensions"] = json!({"authorization": auth});
    }
    let start = json!({"id": id, "type": "start", "payload": payload});
    ws.send(Message::text(start.to_string())).await.unwrap();
    let ack = recv(ws, WAIT).await.expect("no start_ack");
    assert_eq!(ack, json!({"type": "start_ack", "id": id}));
}

impl Harness {
    /// The header map aws-amplify sends for `auth` (a token, else the harness's API key).
    pub fn realtime_header(&self, auth: &Auth, host: &str) -> Value {
        match auth {
            Auth::Token(t) => json!({"Authorization": t, "host": host}),
            _ => json!({"host": host, "x-amz-date": "20261122T060817Z", "x-api-key": self.api_key}),
        }
    }

    /// `serve(self.app)`.
    pub async fn serve(&self) -> String {
        serve(self.app.clone()).await
    }
}
