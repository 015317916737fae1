//! The seam between the S3 layer and request authentication (SigV4 against identity-pool or
//! admin credentials). The S3 layer calls [`Authenticator::authenticate`] with the request head
//! before reading any body byte, then enforces what it returns about the payload.

use futures::future::BoxFuture;
use stratus_spec::storage::StorageRole;

use crate::s3::S3Error;

/// Who is calling.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    /// Admin credentials: every operation on every bucket.
    Admin,
    /// Identity-pool credentials: the IAM role the identity pool mapped the caller to (guest,
    /// authenticated or a group's role) and the caller's identity id (guests have one too).
    Identity {
        role: StorageRole,
        identity_id: Option<String>,
    },
}

/// How the signature covered the body (the sigv4 crate's `Payload`).
pub enum PayloadCheck {
    /// `UNSIGNED-PAYLOAD` (or a presigned URL): the body is taken as is.
    Unsigned,
    /// The SHA-256 (hex) the body must have; checked while streaming, and a mismatch fails the
    /// request (`XAmzContentSHA256Mismatch`) before anything is stored.
    Sha256(String),
    /// `STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]`: aws-chunked framing with a signature per
    /// chunk, each checked by the given verifier before its bytes are used.
    SignedChunks(Box<dyn ChunkSignatures>),
}

impl std::fmt::Debug for PayloadCheck {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Unsigned => f.write_str("Unsigned"),
            Self::Sha256(h) => f.debug_tuple("Sha256").field(h).finish(),
            Self::SignedChunks(_) => f.write_str("SignedChunks(..)"),
        }
    }
}

/// Checks the chained signature of each aws-chunked chunk, in order (the last chunk is empty).
/// The sigv4 crate's `ChunkVerifier` fits behind it.
pub trait ChunkSignatures: Send {
    fn verify_chunk(&mut self, data: &[u8], signature: &str) -> Result<(), S3Error>;
}

/// The outcome of authenticating a request head.
#[derive(Debug)]
pub struct Authenticated {
    pub principal: Principal,
    pub payload: PayloadCheck,
}

/// Authenticates S3 requests. Errors are sent to the client as they are (so the
/// implementation decides between `AccessDenied`, `SignatureDoesNotMatch`,
/// `InvalidAccessKeyId`, `ExpiredToken`, `RequestTimeTooSkewed`, ...).
///
/// `parts` is the request head exactly as received (raw path and query, all headers); the
/// body has not been read.
pub trait Authenticator: Send + Sync + 'static {
    fn authenticate<'a>(
        &'a self,
        parts: &'a http::request::Parts,
    ) -> BoxFuture<'a, Result<Authenticated, S3Error>>;
}
