//! Shared test setup: a service over a temp-dir FsBackend with the example access rules and a
//! fake authenticator driven by an `x-test-principal` header.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use bytes::Bytes;
use futures::FutureExt;
use futures::future::BoxFuture;
use http::{HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use stratus_spec::storage::{StorageRole, StorageSpec};
use stratus_storage::{
    Authenticated, Authenticator, BucketConfig, ChunkSignatures, FsBackend, FsOptions,
    PayloadCheck, Principal, S3Error, StorageService, router,
};
use tower::ServiceExt;

pub const B: &str = "media.0123456789.stratus";

/// `x-test-principal`: `admin`, `guest:<id>`, `auth:<id>`, `group:<name>:<id>`, `badsig`.
pub struct FakeAuth;

struct AcceptChunks;
impl ChunkSignatures for AcceptChunks {
    fn verify_chunk(&mut self, _data: &[u8], signature: &str) -> Result<(), S3Error> {
        if signature == "bad" {
            Err(S3Error::signature_does_not_match())
        } else {
            Ok(())
        }
    }
}

impl Authenticator for FakeAuth {
    fn authenticate<'a>(
        &'a self,
        parts: &'a http::request::Parts,
    ) -> BoxFuture<'a, Result<Authenticated, S3Error>> {
        async move {
            let h = |n: &str| parts.headers.get(n).and_then(|v| v.to_str().ok());
            let who = h("x-test-principal").ok_or_else(S3Error::access_denied)?;
            let ident = |role, id: &str| Principal::Identity {
                role,
                identity_id: Some(id.to_string()),
            };
            let (kind, rest) = who.split_once(':').unwrap_or((who, ""));
            let principal = match kind {
                "admin" => Principal::Admin,
                "badsig" => return Err(S3Error::signature_does_not_match()),
                "guest" => ident(StorageRole::Guest, rest),
                "auth" => ident(StorageRole::Authenticated, rest),
                "group" => {
                    let (g, id) = rest.split_once(':').ok_or_else(S3Error::access_denied)?;
                    ident(StorageRole::Group(g.to_string()), id)
                }
                _ => return Err(S3Error::access_denied()),
            };
            let payload = match h("x-amz-content-sha256") {
                Some(v) if v.starts_with("STREAMING-AWS4-HMAC-SHA256-PAYLOAD") => {
                    PayloadCheck::SignedChunks(Box::new(AcceptChunks))
                }
                Some(v) if v.len() == 64 && v.bytes().all(|c| c.is_ascii_hexdigit()) => {
                    PayloadCheck::Sha256(v.to_string())
                }
                _ => PayloadCheck::Unsigned,
            };
            Ok(Authenticated { principal, payload })
        }
        .boxed()
    }
}

/// The documentation's example bucket plus a locked sub-path of `public/`.
pub fn spec() -> StorageSpec {
    let rule = |p: &str, a: &[&str]| serde_json::json!({"principal": p, "actions": a});
    StorageSpec::from_props(&serde_json::json!({
        "name": "media",
        "isDefault": true,
        "access": {
            "public/*": [rule("guest", &["read"]), rule("authenticated", &["read", "write", "delete"])],
            "public/locked/*": [{"principal": "groups", "groups": ["Admins"], "actions": ["read", "write"]}],
            "protected/{entity_id}/*": [rule("authenticated", &["read"]), {"principal": "entity", "entity": "identity", "actions": ["read", "write", "delete"]}],
            "private/{entity_id}/*": [{"principal": "entity", "entity": "identity", "actions": ["read", "write", "delete"]}],
            "admin/*": [{"principal": "groups", "groups": ["Admins"], "actions": ["read", "write", "delete"]}],
        }
    }))
    .unwrap()
}

pub struct Env {
    pub dir: tempfile::TempDir,
    pub service: StorageService,
    pub app: Router,
}

pub async fn env() -> Env {
    let dir = tempfile::tempdir().unwrap();
    let backend = FsBackend::open(
        dir.path(),
        FsOptions {
            min_part_size: 5,
            upload_ttl: Duration::from_secs(3600),
        },
    )
    .await
    .unwrap();
    let service = StorageService::new(
        Arc::new(backend),
        Arc::new(FakeAuth),
        vec![BucketConfig::from_spec(B, &spec())],
    )
    .await
    .unwrap();
    let app = router(service.clone());
    Env { dir, service, app }
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Resp {
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
    pub fn header(&self, n: &str) -> &str {
        self.headers
            .get(n)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }
    /// The `<Code>` of an XML error body.
    pub fn code(&self) -> String {
        let t = self.text();
        t.split_once("<Code>")
            .and_then(|(_, r)| r.split_once("</Code>"))
            .map(|(c, _)| c.to_string())
            .unwrap_or_default()
    }
}

pub async fn send_body(
    app: &Router,
    method: Method,
    uri: &str,
    who: &str,
    headers: &[(&str, &str)],
    body: Body,
) -> Resp {
    let mut req = Request::builder()
        .method(method)
        .uri(uri)
        .header("host", "localhost:4443")
        .header("x-test-principal", who);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    let res = app.clone().oneshot(req.body(body).unwrap()).await.unwrap();
    let status = res.status();
    let headers = res.headers().clone();
    let body = res.into_body().collect().await.unwrap().to_bytes();
    Resp {
        status,
        headers,
        body,
    }
}

pub async fn send(
    app: &Router,
    method: Method,
    uri: &str,
    who: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Resp {
    send_body(app, method, uri, who, headers, Body::from(body.to_vec())).await
}

pub async fn put(app: &Router, who: &str, key: &str, data: &[u8]) -> Resp {
    send(
        app,
        Method::PUT,
        &format!("/{B}/{key}?x-id=PutObject"),
        who,
        &[],
        data,
    )
    .await
}

pub async fn get(app: &Router, who: &str, key: &str) -> Resp {
    send(
        app,
        Method::GET,
        &format!("/{B}/{key}?x-id=GetObject"),
        who,
        &[],
        b"",
    )
    .await
}

/// The principal the fake authenticator lets do everything.
pub const ADMIN: &str = "admin";

/// An S3 ETag: the quoted hex MD5 of `data`.
pub fn md5_etag(data: &[u8]) -> String {
    use md5::{Digest, Md5};
    format!("\"{}\"", hex::encode(Md5::digest(data)))
}

/// The `<UploadId>` of a CreateMultipartUpload answer.
pub fn upload_id(xml: &str) -> String {
    xml.split_once("<UploadId>")
        .and_then(|(_, r)| r.split_once("</UploadId>"))
        .map(|(id, _)| id.to_string())
        .unwrap_or_else(|| panic!("no UploadId in {xml}"))
}

/// A CompleteMultipartUpload document for `(part number, ETag)` pairs.
pub fn complete_doc(parts: &[(u32, &str)]) -> String {
    let mut s = String::from("<CompleteMultipartUpload>");
    for (n, etag) in parts {
        s.push_str(&format!(
            "<Part><ETag>{etag}</ETag><PartNumber>{n}</PartNumber></Part>"
        ));
    }
    s.push_str("</CompleteMultipartUpload>");
    s
}

/// CreateMultipartUpload on `path` (`/{bucket}/{key}`) as the admin, with `headers`: the
/// upload id.
pub async fn create_upload(app: &Router, path: &str, headers: &[(&str, &str)]) -> String {
    let r = send(
        app,
        Method::POST,
        &format!("{path}?uploads"),
        ADMIN,
        headers,
        b"",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    upload_id(&r.text())
}

/// UploadPart `n` of upload `id` on `path` as the admin.
pub async fn upload_part(app: &Router, path: &str, id: &str, n: u32, data: &[u8]) -> Resp {
    send(
        app,
        Method::PUT,
        &format!("{path}?partNumber={n}&uploadId={id}"),
        ADMIN,
        &[],
        data,
    )
    .await
}
