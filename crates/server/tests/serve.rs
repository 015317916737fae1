//! The server on a real socket: HTTPS trusting only our CA (h2 and HTTP/1.1), plain HTTP on
//! the same port, and a client that does not trust the CA being refused.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use serde_json::{Value, json};
use stratus_server::{HEALTH_PATH, LocalCa, Shared};
use stratus_spec::Backend;

struct Running {
    port: u16,
    ca_pem: Vec<u8>,
    shared: std::sync::Arc<Shared>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    _ca_dir: tempfile::TempDir,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

async fn start() -> Running {
    let ca_dir = tempfile::tempdir().unwrap();
    let ca = LocalCa::load_or_create(ca_dir.path()).unwrap();
    let tls = ca.server_config().unwrap();
    let shared = Shared::new();
    shared.swap(
        Backend::default(),
        json!({"version": "1.4"}),
        Duration::ZERO,
    );
    let listener = stratus_server::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, 0)))
        .await
        .unwrap();
    let port = listener.local_addr().unwrap().port();
    assert_ne!(port, 0);
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let app = stratus_server::router(shared.clone());
    tokio::spawn(stratus_server::serve(listener, tls, app, async move {
        let _ = stopped.await;
    }));
    Running {
        port,
        ca_pem: std::fs::read(ca.cert_path()).unwrap(),
        shared,
        stop: Some(stop),
        _ca_dir: ca_dir,
    }
}

fn trusting_client(ca_pem: &[u8]) -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .no_proxy()
        .tls_certs_only([reqwest::Certificate::from_pem(ca_pem).unwrap()])
}

#[tokio::test]
async fn https_with_our_ca_for_every_loopback_name() {
    let server = start().await;
    let client = trusting_client(&server.ca_pem).build().unwrap();
    for host in ["localhost", "127.0.0.1"] {
        let url = format!("https://{host}:{}{HEALTH_PATH}", server.port);
        let response = client.get(&url).send().await.unwrap();
        assert_eq!(response.status(), 200, "{url}");
        // ALPN picks h2 when the client offers it.
        assert_eq!(response.version(), reqwest::Version::HTTP_2, "{url}");
        let body: Value = response.json().await.unwrap();
        assert_eq!(body["status"], "ok");
        assert_eq!(body["generation"], 1);
    }
}

#[tokio::test]
async fn https_http1_and_generation_follows_swaps() {
    let server = start().await;
    let client = trusting_client(&server.ca_pem)
        .http1_only()
        .build()
        .unwrap();
    let url = format!("https://127.0.0.1:{}{HEALTH_PATH}", server.port);
    let response = client.get(&url).send().await.unwrap();
    assert_eq!(response.version(), reqwest::Version::HTTP_11);
    server
        .shared
        .swap(Backend::default(), json!({}), Duration::ZERO);
    let body: Value = client.get(&url).send().await.unwrap().json().await.unwrap();
    assert_eq!(body["generation"], 2);
}

#[tokio::test]
async fn plain_http_on_the_same_port() {
    let server = start().await;
    let client = reqwest::Client::builder().no_proxy().build().unwrap();
    let url = format!("http://127.0.0.1:{}{HEALTH_PATH}", server.port);
    let response = client.get(&url).send().await.unwrap();
    assert_eq!(response.status(), 200);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["generation"], 1);

    let response = client
        .get(format!("http://127.0.0.1:{}/nope", server.port))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 404);
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["errorType"], "NotFound");
}

#[tokio::test]
async fn client_trusting_another_ca_is_refused() {
    let server = start().await;
    let other_dir = tempfile::tempdir().unwrap();
    let other = LocalCa::load_or_create(other_dir.path()).unwrap();
    let other_pem = std::fs::read(other.cert_path()).unwrap();
    let client = trusting_client(&other_pem).build().unwrap();
    let url = format!("https://127.0.0.1:{}{HEALTH_PATH}", server.port);
    assert!(client.get(&url).send().await.is_err());
    // The server survives the failed handshake.
    let client = trusting_client(&server.ca_pem).build().unwrap();
    assert_eq!(client.get(&url).send().await.unwrap().status(), 200);
}
