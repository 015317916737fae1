//! Accepting connections: TLS and plain HTTP on the same port.
//!
//! The first byte of a connection decides: `0x16` (a TLS handshake record) goes through rustls,
//! anything else is served as plain HTTP. Either way hyper-util's auto builder serves HTTP/1.1
//! (with upgrades, for WebSockets) or h2 on it, with the axum router as the service.

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

/// First byte of a TLS handshake record.
const TLS_HANDSHAKE: u8 = 0x16;
/// How long a connection may take to send its first byte / finish the TLS handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);

/// Bind `addr` (port 0 picks a free port; see [`TcpListener::local_addr`]).
pub async fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    TcpListener::bind(addr).await
}

/// Serve `app` on `listener` until `shutdown` completes. Connections that start with a TLS
/// handshake are served over TLS with `tls`; others as plain HTTP.
pub async fn serve(
    listener: TcpListener,
    tls: Arc<rustls::ServerConfig>,
    app: Router,
    shutdown: impl Future<Output = ()>,
) {
    let acceptor = TlsAcceptor::from(tls);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => return,
            accepted = listener.accept() => match accepted {
                Ok(pair) => pair,
                Err(e) => {
                    // EMFILE and friends: back off instead of spinning.
                    tracing::warn!("accept failed: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let acceptor = acceptor.clone();
        let app = app.clone();
        tokio::spawn(async move {
            if let Err(e) = handle(stream, acceptor, app).await {
                tracing::debug!(%peer, "connection: {e}");
            }
        });
    }
}

async fn handle(stream: TcpStream, acceptor: TlsAcceptor, app: Router) -> Result<(), String> {
    let mut first = [0u8; 1];
    let peeked = tokio::time::timeout(HANDSHAKE_TIMEOUT, stream.peek(&mut first))
        .await
        .map_err(|_| "no data before timeout".to_owned())?
        .map_err(|e| e.to_string())?;
    if peeked == 0 {
        return Ok(()); // closed without sending anything (a port probe)
    }
    if first[0] == TLS_HANDSHAKE {
        let tls = tokio::time::timeout(HANDSHAKE_TIMEOUT, acceptor.accept(stream))
            .await
            .map_err(|_| "TLS handshake timed out".to_owned())?
            .map_err(|e| format!("TLS handshake: {e}"))?;
        serve_connection(tls, app).await
    } else {
        serve_connection(stream, app).await
    }
}

async fn serve_connection<I>(io: I, app: Router) -> Result<(), String>
where
    I: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    let mut builder = auto::Builder::new(TokioExecutor::new());
    // WebSockets over h2 (RFC 8441) for clients that use them.
    builder.http2().enable_connect_protocol();
    builder
        .serve_connection_with_upgrades(TokioIo::new(io), TowerToHyperService::new(app))
        .await
        .map_err(|e| e.to_string())
}
