//! A 64 MiB upload through the router is streamed to disk as it arrives: while the (lazy) body
//! produces chunks, the bytes produced never run more than a few chunks ahead of the bytes
//! already in the temp file. The download comes back in bounded chunks too.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use axum::body::Body;
use bytes::Bytes;
use common::{B, env};
use futures::StreamExt;
use http::{Method, Request, StatusCode};
use md5::{Digest, Md5};
use tower::ServiceExt;

const CHUNK: usize = 64 * 1024;
const TOTAL: usize = 64 * 1024 * 1024;
/// The most the server may hold beyond what reached the temp file: the block being filled and
/// the block being hashed and written (1 MiB each), plus a chunk.
const MAX_LAG: u64 = 2 * 1024 * 1024 + CHUNK as u64;

fn temp_bytes(dir: &Path) -> u64 {
    let mut n = 0;
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    for e in entries.flatten() {
        let p: PathBuf = e.path();
        if p.is_dir() {
            n += temp_bytes(&p);
        } else if e.file_name().to_string_lossy().starts_with(".tmp-") {
            n += e.metadata().map(|m| m.len()).unwrap_or(0);
        }
    }
    n
}

#[tokio::test]
async fn sixty_four_mib_put_is_streamed_not_buffered() {
    let e = env().await;
    let root = e.dir.path().to_path_buf();
    let peak_lag = Arc::new(AtomicU64::new(0));
    let checks = Arc::new(AtomicU64::new(0));
    let (lag, n_checks) = (peak_lag.clone(), checks.clone());
    let chunks = TOTAL / CHUNK;
    // Lazily generated: chunk i exists only when the server asks for it.
    let stream = futures::stream::unfold(0usize, move |i| {
        let root = root.clone();
        let (lag, n_checks) = (lag.clone(), n_checks.clone());
        async move {
            if i == chunks {
                return None;
            }
            let produced = (i * CHUNK) as u64;
            let on_disk = temp_bytes(&root);
            if i > 0 {
                lag.fetch_max(produced.saturating_sub(on_disk), Ordering::SeqCst);
                n_checks.fetch_add(1, Ordering::SeqCst);
            }
            let chunk = Bytes::from(vec![(i % 251) as u8; CHUNK]);
            Some((Ok::<_, std::io::Error>(chunk), i + 1))
        }
    });
    let req = Request::builder()
        .method(Method::PUT)
        .uri(format!("/{B}/public/big.bin"))
        .header("x-test-principal", "admin")
        .header("x-amz-content-sha256", "UNSIGNED-PAYLOAD")
        .body(Body::from_stream(stream))
        .unwrap();
    let res = e.app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let mut md5 = Md5::new();
    for i in 0..chunks {
        md5.update(vec![(i % 251) as u8; CHUNK]);
    }
    let want_etag = format!("\"{}\"", hex::encode(md5.finalize()));
    assert_eq!(res.headers()["etag"].to_str().unwrap(), want_etag);
    let peak = peak_lag.load(Ordering::SeqCst);
    eprintln!("peak lag {peak}");
    assert_eq!(checks.load(Ordering::SeqCst), (chunks - 1) as u64);
    assert!(
        peak <= MAX_LAG,
        "server held {peak} bytes not yet written (limit {MAX_LAG})"
    );

    // Download: bounded chunks, all bytes.
    let req = Request::builder()
        .method(Method::GET)
        .uri(format!("/{B}/public/big.bin"))
        .header("x-test-principal", "admin")
        .body(Body::empty())
        .unwrap();
    let res = e.app.clone().oneshot(req).await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["content-length"], TOTAL.to_string().as_str());
    let mut body = res.into_body().into_data_stream();
    let (mut total, mut biggest) = (0usize, 0usize);
    while let Some(c) = body.next().await {
        let c = c.unwrap();
        total += c.len();
        biggest = biggest.max(c.len());
    }
    assert_eq!(total, TOTAL);
    assert!(biggest <= CHUNK, "a response chunk of {biggest} bytes");
}
