//! `stratus-sigv4`: server-side verification of AWS Signature Version 4.
//!
//! * Header authentication (`Authorization: AWS4-HMAC-SHA256 Credential=..., SignedHeaders=...,
//!   Signature=...` with `X-Amz-Date`, `X-Amz-Security-Token`, `X-Amz-Content-Sha256` including
//!   `UNSIGNED-PAYLOAD` and the `STREAMING-*` markers) and presigned URLs (`X-Amz-Algorithm`,
//!   `X-Amz-Credential`, `X-Amz-Date`, `X-Amz-Expires`, `X-Amz-SignedHeaders`,
//!   `X-Amz-Signature`).
//! * The canonical request per AWS's rules, with the path encoded once for S3 and twice (after
//!   dot-segment removal) for every other service ([`UriEncoding`]).
//! * A 15-minute clock-skew window, presign expiry, session-token and credential-expiry checks,
//!   constant-time signature comparison.
//! * [`SigV4Error`] names each refusal as S3 and the AWS JSON protocols do.
//!
//! ```ignore
//! let verifier = Verifier::new("s3").with_region("us-east-1");
//! let req = SignedRequest::from_parts(&parts, Body::Bytes(&body));
//! let verified = verifier.verify(&req, &resolver, now).await?;
//! ```

mod auth;
pub mod canonical;
mod chunked;
mod error;
mod verify;

pub use auth::{
    AuthInput, AuthLocation, CredentialScope, MAX_PRESIGN_EXPIRES, format_amz_date, parse_amz_date,
    query_params, read_auth,
};
pub use canonical::{EMPTY_SHA256, UNSIGNED_PAYLOAD, UriEncoding};
pub use chunked::{ChunkVerifier, UnsignedChunks, decode_signed_chunks, decode_unsigned_chunks};
pub use error::SigV4Error;
pub use verify::{
    Body, CredentialResolver, MAX_SKEW_SECS, Payload, ResolveError, ResolvedCredential,
    SignedRequest, Verified, Verifier, VerifyError,
};
