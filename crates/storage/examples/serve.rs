//! A development server for checking the S3 layer with real clients (aws-amplify,
//! @aws-sdk/client-s3) before the SigV4 verifier is wired in.
//!
//! **It does not verify signatures.** The principal is read from the access key id of the
//! `Authorization` header (or `X-Amz-Credential`): `ADMIN` → admin, `GUEST_<identity id>`,
//! `AUTH_<identity id>`, `GROUP_<group>_<identity id>`. Never expose it.
//!
//! ```text
//! cargo run -p stratus-storage --example serve -- 127.0.0.1:9000 /tmp/stratus-storage
//! ```
//! It serves the bucket `media.0123456789.stratus` with the documentation's example access rules
//! over plain HTTP (put a TLS proxy in front for aws-amplify, which only speaks HTTPS).

use std::sync::Arc;
use std::time::Duration;

use futures::FutureExt;
use futures::future::BoxFuture;
use stratus_spec::storage::{StorageRole, StorageSpec};
use stratus_storage::{
    Authenticated, Authenticator, BucketConfig, ChunkSignatures, FsBackend, FsOptions,
    PayloadCheck, Principal, S3Error, StorageService, router,
};

struct UnverifiedKeyAuth;

/// Accepts every chunk signature (this server verifies nothing).
struct UncheckedChunks;

impl ChunkSignatures for UncheckedChunks {
    fn verify_chunk(&mut self, _data: &[u8], _signature: &str) -> Result<(), S3Error> {
        Ok(())
    }
}

fn access_key(parts: &http::request::Parts) -> Option<String> {
    let from_header = parts
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split_once("Credential="))
        .map(|(_, r)| r.to_string());
    let from_query = parts.uri.query().and_then(|q| {
        q.split('&')
            .find_map(|p| p.strip_prefix("X-Amz-Credential="))
            .map(|v| v.replace("%2F", "/"))
    });
    let cred = from_header.or(from_query)?;
    cred.split('/').next().map(str::to_string)
}

impl Authenticator for UnverifiedKeyAuth {
    fn authenticate<'a>(
        &'a self,
        parts: &'a http::request::Parts,
    ) -> BoxFuture<'a, Result<Authenticated, S3Error>> {
        async move {
            let key = access_key(parts).ok_or_else(S3Error::access_denied)?;
            let ident = |role, id: &str| Principal::Identity {
                role,
                identity_id: Some(id.to_string()),
            };
            let principal = if key == "ADMIN" {
                Principal::Admin
            } else if let Some(id) = key.strip_prefix("GUEST_") {
                ident(StorageRole::Guest, id)
            } else if let Some(id) = key.strip_prefix("AUTH_") {
                ident(StorageRole::Authenticated, id)
            } else if let Some((g, id)) = key.strip_prefix("GROUP_").and_then(|r| r.split_once('_'))
            {
                ident(StorageRole::Group(g.to_string()), id)
            } else {
                return Err(S3Error::access_denied());
            };
            let payload = match parts
                .headers
                .get("x-amz-content-sha256")
                .and_then(|v| v.to_str().ok())
            {
                Some(v) if v.len() == 64 => PayloadCheck::Sha256(v.to_string()),
                Some(v) if v.starts_with("STREAMING-AWS4-HMAC-SHA256-PAYLOAD") => {
                    PayloadCheck::SignedChunks(Box::new(UncheckedChunks))
                }
                _ => PayloadCheck::Unsigned,
            };
            Ok(Authenticated { principal, payload })
        }
        .boxed()
    }
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:9000".into());
    let root = args.next().unwrap_or_else(|| "/tmp/stratus-storage".into());
    let rule = |p: &str, a: &[&str]| serde_json::json!({"principal": p, "actions": a});
    let entity = serde_json::json!({"principal": "entity", "entity": "identity", "actions": ["read", "write", "delete"]});
    let spec = StorageSpec::from_props(&serde_json::json!({
        "name": "media",
        "isDefault": true,
        "access": {
            "public/*": [rule("guest", &["read"]), rule("authenticated", &["read", "write", "delete"])],
            "protected/{entity_id}/*": [rule("authenticated", &["read"]), entity.clone()],
            "private/{entity_id}/*": [entity],
            "admin/*": [{"principal": "groups", "groups": ["Admins"], "actions": ["read", "write", "delete"]}],
        }
    }))?;
    let backend = FsBackend::open(&root, FsOptions::default()).await?;
    backend.spawn_upload_janitor(Duration::from_secs(3600));
    let service = StorageService::new(
        Arc::new(backend),
        Arc::new(UnverifiedKeyAuth),
        vec![BucketConfig::from_spec("media.0123456789.stratus", &spec)],
    )
    .await?;
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    println!("storage on http://{}", listener.local_addr()?);
    axum::serve(listener, router(service)).await?;
    Ok(())
}
