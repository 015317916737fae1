//! The verifier: request → canonical request → signature, compared in constant time, with the
//! clock, scope, session-token and expiry checks around it.

use std::future::Future;

use subtle::ConstantTimeEq;

use crate::auth::{AuthInput, AuthLocation, format_amz_date, header_str, read_auth};
use crate::canonical::{
    self, EMPTY_SHA256, STREAMING_PREFIX, UNSIGNED_PAYLOAD, UriEncoding, canonical_header_value,
    canonical_query, canonical_uri, sha256_hex, signing_key, string_to_sign,
};
use crate::error::SigV4Error;

/// AWS's clock-skew limit: 15 minutes.
pub const MAX_SKEW_SECS: i64 = 15 * 60;

/// The body as far as the verifier can see it.
#[derive(Debug, Clone, Copy)]
pub enum Body<'a> {
    /// The whole body is at hand.
    Bytes(&'a [u8]),
    /// The body is streamed; the request must name its hash in `X-Amz-Content-Sha256` (which
    /// the caller then checks while reading, see [`Verified::payload`]).
    Streaming,
}

/// A request to verify: everything as received on the wire.
#[derive(Debug, Clone, Copy)]
pub struct SignedRequest<'a> {
    pub method: &'a str,
    /// The raw (still percent-encoded) path.
    pub path: &'a str,
    /// The raw query string, without `?`.
    pub query: Option<&'a str>,
    pub headers: &'a http::HeaderMap,
    /// The request authority, used for a signed `host` when there is no `Host` header
    /// (HTTP/2 `:authority`).
    pub authority: Option<&'a str>,
    pub body: Body<'a>,
}

impl<'a> SignedRequest<'a> {
    /// From an `http` request head (axum's `Parts`).
    pub fn from_parts(parts: &'a http::request::Parts, body: Body<'a>) -> Self {
        Self {
            method: parts.method.as_str(),
            path: parts.uri.path(),
            query: parts.uri.query(),
            headers: &parts.headers,
            authority: parts.uri.authority().map(|a| a.as_str()),
            body,
        }
    }
}

/// What a [`CredentialResolver`] knows about an access key id. `Debug` hides the secret.
#[derive(Clone)]
pub struct ResolvedCredential<P> {
    pub secret_access_key: String,
    /// The session token requests must carry (temporary credentials); `None` for long-lived
    /// keys, which must then come without one.
    pub session_token: Option<String>,
    /// Unix seconds after which the credential is refused (`ExpiredToken`).
    pub expires_at: Option<i64>,
    /// Who signs with this key (returned in [`Verified`]).
    pub principal: P,
}

impl<P: std::fmt::Debug> std::fmt::Debug for ResolvedCredential<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ResolvedCredential")
            .field("secret_access_key", &"<redacted>")
            .field(
                "session_token",
                &self.session_token.as_ref().map(|_| "<redacted>"),
            )
            .field("expires_at", &self.expires_at)
            .field("principal", &self.principal)
            .finish()
    }
}

/// A store failure while resolving a key (answered as an internal error).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("credential lookup failed: {0}")]
pub struct ResolveError(pub String);

/// Access key id → secret, session-token expectation and principal.
pub trait CredentialResolver: Send + Sync {
    type Principal: Send;

    /// `Ok(None)` for an unknown key.
    fn resolve(
        &self,
        access_key_id: &str,
    ) -> impl Future<Output = Result<Option<ResolvedCredential<Self::Principal>>, ResolveError>> + Send;
}

/// How the body was covered by the signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Payload {
    /// A SHA-256 (hex) that the body was checked against ([`Body::Bytes`]) or must be checked
    /// against by the caller while streaming ([`Body::Streaming`]).
    Sha256(String),
    /// `UNSIGNED-PAYLOAD`.
    Unsigned,
    /// An aws-chunked marker (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD`, ...): the body is framed
    /// in chunks; [`Verified::chunk_verifier`] checks their signatures.
    Streaming(String),
}

/// A request whose signature checked out. `Debug` hides the signing key.
#[derive(Clone)]
pub struct Verified<P> {
    pub access_key_id: String,
    pub principal: P,
    pub region: String,
    pub service: String,
    pub presigned: bool,
    pub payload: Payload,
    /// The request's signature (the seed of chunk signatures).
    pub signature: String,
    amz_date: String,
    scope: String,
    key: [u8; 32],
}

impl<P: std::fmt::Debug> std::fmt::Debug for Verified<P> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verified")
            .field("access_key_id", &self.access_key_id)
            .field("principal", &self.principal)
            .field("region", &self.region)
            .field("service", &self.service)
            .field("presigned", &self.presigned)
            .field("payload", &self.payload)
            .field("signature", &self.signature)
            .finish_non_exhaustive()
    }
}

impl<P> Verified<P> {
    /// Checks `aws-chunked` chunk signatures that continue this request's signature.
    pub fn chunk_verifier(&self) -> crate::chunked::ChunkVerifier {
        crate::chunked::ChunkVerifier::new(
            self.key,
            self.amz_date.clone(),
            self.scope.clone(),
            self.signature.clone(),
        )
    }
}

/// Verifies requests for one service (and optionally one region).
#[derive(Debug, Clone)]
pub struct Verifier {
    service: String,
    region: Option<String>,
    encoding: UriEncoding,
    max_skew: i64,
}

impl Verifier {
    /// For `service` (`s3`, `cognito-idp`, `appsync`, ...), with the service's URI encoding.
    pub fn new(service: impl Into<String>) -> Self {
        let service = service.into();
        Self {
            encoding: UriEncoding::for_service(&service),
            service,
            region: None,
            max_skew: MAX_SKEW_SECS,
        }
    }

    /// Refuse credential scopes naming another region.
    pub fn with_region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    pub fn with_uri_encoding(mut self, encoding: UriEncoding) -> Self {
        self.encoding = encoding;
        self
    }

    pub fn with_max_skew(mut self, secs: i64) -> Self {
        self.max_skew = secs;
        self
    }

    /// Reads and checks the signature material that does not depend on the key: format,
    /// scope, clock.
    pub fn read(&self, req: &SignedRequest<'_>, now: i64) -> Result<AuthInput, SigV4Error> {
        let input = read_auth(req.headers, req.query)?;
        let c = &input.credential;
        if c.service != self.service {
            return Err(SigV4Error::WrongScope(format!(
                "Credential should be scoped to correct service: '{}'.",
                self.service
            )));
        }
        if let Some(region) = &self.region
            && &c.region != region
        {
            return Err(SigV4Error::WrongScope(format!(
                "Credential should be scoped to a valid region, not '{}'. Expecting '{region}'.",
                c.region
            )));
        }
        if input.amz_date.get(..8) != Some(c.date.as_str()) {
            return Err(SigV4Error::WrongScope(format!(
                "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '{}' != '{}'.",
                c.date,
                input.amz_date.get(..8).unwrap_or_default()
            )));
        }
        let skewed = || SigV4Error::TimeTooSkewed {
            request_time: input.amz_date.clone(),
            server_time: format_amz_date(now),
        };
        match input.location {
            AuthLocation::Header => {
                if (input.request_time - now).abs() > self.max_skew {
                    return Err(skewed());
                }
            }
            AuthLocation::Query { expires } => {
                if input.request_time - now > self.max_skew {
                    return Err(skewed());
                }
                if now > input.request_time + expires {
                    return Err(SigV4Error::PresignExpired);
                }
            }
        }
        Ok(input)
    }

    /// Checks the signature of `req` with `secret`; returns the payload coverage and signing key.
    pub fn check_signature(
        &self,
        req: &SignedRequest<'_>,
        input: &AuthInput,
        secret: &str,
    ) -> Result<(Payload, [u8; 32]), SigV4Error> {
        let mut headers = Vec::with_capacity(input.signed_headers.len());
        for name in &input.signed_headers {
            let values: Vec<String> = req
                .headers
                .get_all(name.as_str())
                .iter()
                .map(|v| canonical_header_value(v.as_bytes()))
                .collect();
            let value = if !values.is_empty() {
                values.join(",")
            } else if name == "host" {
                req.authority
                    .map(|a| canonical_header_value(a.as_bytes()))
                    .ok_or_else(|| {
                        SigV4Error::MissingSignedHeader("The request has no Host header.".into())
                    })?
            } else {
                return Err(SigV4Error::MissingSignedHeader(format!(
                    "The header '{name}' is named in SignedHeaders but is absent."
                )));
            };
            headers.push((name.clone(), value));
        }
        let (payload, payload_hash) = self.payload(req, input)?;
        let exclude = match input.location {
            AuthLocation::Query { .. } => Some("X-Amz-Signature"),
            AuthLocation::Header => None,
        };
        let creq = canonical::canonical_request(
            req.method,
            &canonical_uri(req.path, self.encoding),
            &canonical_query(req.query, exclude),
            &headers,
            &input.signed_headers_line(),
            &payload_hash,
        );
        let c = &input.credential;
        let sts = string_to_sign(&input.amz_date, &c.scope(), &creq);
        let key = signing_key(secret, &c.date, &c.region, &c.service);
        let expected = canonical::hmac(&key, sts.as_bytes());
        if !signature_matches(&expected, &input.signature) {
            return Err(SigV4Error::SignatureMismatch);
        }
        if let (Payload::Sha256(hash), Body::Bytes(body)) = (&payload, req.body)
            && !sha256_hex(body).eq_ignore_ascii_case(hash)
        {
            return Err(SigV4Error::ContentSha256Mismatch);
        }
        Ok((payload, key))
    }

    /// The payload hash line: the `X-Amz-Content-Sha256` header when present; else the body's
    /// hash (or `UNSIGNED-PAYLOAD` for presigned S3 URLs).
    fn payload(
        &self,
        req: &SignedRequest<'_>,
        input: &AuthInput,
    ) -> Result<(Payload, String), SigV4Error> {
        if let Some(declared) = header_str(req.headers, "x-amz-content-sha256") {
            let payload = if declared == UNSIGNED_PAYLOAD {
                Payload::Unsigned
            } else if declared.starts_with(STREAMING_PREFIX) {
                Payload::Streaming(declared.to_string())
            } else if declared.len() == 64 && declared.bytes().all(|b| b.is_ascii_hexdigit()) {
                Payload::Sha256(declared.to_ascii_lowercase())
            } else {
                return Err(SigV4Error::ContentSha256Mismatch);
            };
            return Ok((payload, declared.to_string()));
        }
        if matches!(input.location, AuthLocation::Query { .. })
            && self.encoding == UriEncoding::Single
        {
            return Ok((Payload::Unsigned, UNSIGNED_PAYLOAD.to_string()));
        }
        match req.body {
            Body::Bytes([]) => Ok((Payload::Sha256(EMPTY_SHA256.into()), EMPTY_SHA256.into())),
            Body::Bytes(body) => {
                let hash = sha256_hex(body);
                Ok((Payload::Sha256(hash.clone()), hash))
            }
            Body::Streaming => Err(SigV4Error::MissingContentSha256),
        }
    }

    /// The whole check: read, resolve the key, session token and expiry, signature.
    pub async fn verify<R: CredentialResolver>(
        &self,
        req: &SignedRequest<'_>,
        resolver: &R,
        now: i64,
    ) -> Result<Verified<R::Principal>, VerifyError> {
        let input = self.read(req, now)?;
        let resolved = resolver
            .resolve(&input.credential.access_key_id)
            .await?
            .ok_or(SigV4Error::UnknownAccessKey)?;
        match (&resolved.session_token, &input.session_token) {
            (None, None) => {}
            (Some(expected), Some(given))
                if bool::from(expected.as_bytes().ct_eq(given.as_bytes())) => {}
            _ => return Err(SigV4Error::InvalidSessionToken.into()),
        }
        if resolved.expires_at.is_some_and(|exp| now >= exp) {
            return Err(SigV4Error::ExpiredToken.into());
        }
        let (payload, key) = self.check_signature(req, &input, &resolved.secret_access_key)?;
        let c = input.credential;
        Ok(Verified {
            scope: c.scope(),
            access_key_id: c.access_key_id,
            principal: resolved.principal,
            region: c.region,
            service: c.service,
            presigned: matches!(input.location, AuthLocation::Query { .. }),
            payload,
            signature: input.signature,
            amz_date: input.amz_date,
            key,
        })
    }
}

/// [`Verifier::verify`] failed: a refused signature or a resolver failure.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VerifyError {
    #[error(transparent)]
    Refused(#[from] SigV4Error),
    #[error(transparent)]
    Resolve(#[from] ResolveError),
}

/// Constant-time comparison of a computed signature with the hex one sent.
pub(crate) fn signature_matches(expected: &[u8; 32], given_hex: &str) -> bool {
    match hex::decode(given_hex) {
        Ok(given) if given.len() == 32 => bool::from(expected.as_slice().ct_eq(&given)),
        _ => false,
    }
}
