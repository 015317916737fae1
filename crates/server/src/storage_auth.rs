//! The storage service's [`Authenticator`]: AWS Signature Version 4 (`stratus-sigv4`, service
//! `s3`) checked against the credentials of the `defineAuth` identity pool and the sandbox admin
//! key (`stratus_auth::AuthService` is the credential resolver), mapped to the storage
//! principal (admin, or the IAM role the identity pool gave the caller and its identity id).

use std::time::{SystemTime, UNIX_EPOCH};

use axum::http::StatusCode;
use futures::future::BoxFuture;
use stratus_auth::{AuthService, PrincipalKind};
use stratus_sigv4::{Body, Payload, SigV4Error, SignedRequest, Verifier, VerifyError};
use stratus_spec::storage::StorageRole;
use stratus_storage::{
    Authenticated, Authenticator, ChunkSignatures, PayloadCheck, Principal, S3Error,
};

/// SigV4 over the identity pool's credentials. Without a user pool (`defineStorage` without
/// `defineAuth`) no credentials exist, and every request is refused (`InvalidAccessKeyId`).
pub struct SigV4Authenticator {
    auth: Option<AuthService>,
    verifier: Verifier,
}

impl SigV4Authenticator {
    pub fn new(auth: Option<AuthService>) -> Self {
        Self {
            auth,
            verifier: Verifier::new("s3"),
        }
    }

    async fn verify(&self, parts: &http::request::Parts) -> Result<Authenticated, S3Error> {
        let request = SignedRequest::from_parts(parts, Body::Streaming);
        let now = unix_now();
        let Some(auth) = &self.auth else {
            // Still report malformed or missing signatures as S3 would; a well-formed one
            // names a key nobody issued.
            self.verifier
                .read(&request, now)
                .map_err(|e| s3_error(&e))?;
            return Err(s3_error(&SigV4Error::UnknownAccessKey));
        };
        let verified = self
            .verifier
            .verify(&request, auth, now)
            .await
            .map_err(|e| match e {
                VerifyError::Refused(e) => s3_error(&e),
                VerifyError::Resolve(e) => S3Error::internal(e),
            })?;
        let payload = match &verified.payload {
            Payload::Unsigned => PayloadCheck::Unsigned,
            Payload::Sha256(hash) => PayloadCheck::Sha256(hash.clone()),
            // aws-chunked without chunk signatures (AWS SDK v3 streamed uploads): the storage
            // layer decodes the framing and checks the trailer checksum.
            Payload::Streaming(marker) if marker.starts_with("STREAMING-UNSIGNED") => {
                PayloadCheck::Unsigned
            }
            Payload::Streaming(_) => {
                PayloadCheck::SignedChunks(Box::new(Chunks(verified.chunk_verifier())))
            }
        };
        Ok(Authenticated {
            principal: principal(&verified.principal),
            payload,
        })
    }
}

impl Authenticator for SigV4Authenticator {
    fn authenticate<'a>(
        &'a self,
        parts: &'a http::request::Parts,
    ) -> BoxFuture<'a, Result<Authenticated, S3Error>> {
        Box::pin(self.verify(parts))
    }
}

/// The identity pool's principal as storage sees it: the admin key may do everything; other
/// credentials carry the role of their kind, or of the group whose role they were issued with.
pub fn principal(p: &stratus_auth::Principal) -> Principal {
    let role = match p.kind {
        PrincipalKind::Admin => return Principal::Admin,
        PrincipalKind::Unauthenticated => StorageRole::Guest,
        PrincipalKind::Authenticated => match &p.role_group {
            Some(group) => StorageRole::Group(group.clone()),
            None => StorageRole::Authenticated,
        },
    };
    Principal::Identity {
        role,
        identity_id: p.identity_id.clone(),
    }
}

struct Chunks(stratus_sigv4::ChunkVerifier);

impl ChunkSignatures for Chunks {
    fn verify_chunk(&mut self, data: &[u8], signature: &str) -> Result<(), S3Error> {
        self.0
            .verify_chunk(data, signature)
            .map_err(|e| s3_error(&e))
    }
}

fn s3_error(e: &SigV4Error) -> S3Error {
    let status = StatusCode::from_u16(e.s3_status()).unwrap_or(StatusCode::FORBIDDEN);
    S3Error::new(status, e.s3_code(), e.to_string())
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

#[cfg(test)]
#[path = "storage_auth_tests.rs"]
mod tests;
