//! Why a request's signature was refused, and the name each AWS protocol gives that reason.

/// A refused request. [`SigV4Error::s3_code`] and [`SigV4Error::json_code`] give the error
/// name the S3 (REST-XML) and AWS JSON protocols (Cognito, ...) answer with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigV4Error {
    /// Neither an `Authorization` header nor `X-Amz-Algorithm` query authentication.
    #[error("Missing Authentication Token")]
    Missing,
    /// The `Authorization` header or the query parameters cannot be parsed.
    #[error("{0}")]
    Malformed(String),
    /// Only `AWS4-HMAC-SHA256` is supported.
    #[error("Unsupported algorithm {0:?}")]
    UnsupportedAlgorithm(String),
    /// The credential scope names another service or region, or a date other than the
    /// request's.
    #[error("{0}")]
    WrongScope(String),
    /// `X-Amz-Date` missing or unparseable.
    #[error("{0}")]
    InvalidDate(String),
    /// The request time is more than [`crate::MAX_SKEW_SECS`] away from the server's clock.
    #[error(
        "Signature expired: {request_time} is now earlier/later than the allowed window around {server_time} (15 min)."
    )]
    TimeTooSkewed {
        request_time: String,
        server_time: String,
    },
    /// A presigned URL used after `X-Amz-Date + X-Amz-Expires`.
    #[error("Request has expired")]
    PresignExpired,
    /// A signed header is absent from the request, or `host` is not signed.
    #[error("{0}")]
    MissingSignedHeader(String),
    /// The access key id is unknown.
    #[error("The AWS Access Key Id you provided does not exist in our records.")]
    UnknownAccessKey,
    /// The credential needs a session token that the request did not carry, or carried a
    /// different one.
    #[error("The security token included in the request is invalid.")]
    InvalidSessionToken,
    /// The (temporary) credential has expired.
    #[error("The security token included in the request is expired")]
    ExpiredToken,
    /// The signature does not match.
    #[error(
        "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method."
    )]
    SignatureMismatch,
    /// The body does not hash to the `X-Amz-Content-Sha256` value.
    #[error("The provided 'x-amz-content-sha256' header does not match what was computed.")]
    ContentSha256Mismatch,
    /// A header-signed request without a body hash header and without a body to hash.
    #[error("Missing required header for this request: x-amz-content-sha256")]
    MissingContentSha256,
    /// A streaming chunk's signature or framing is wrong.
    #[error("{0}")]
    Chunk(String),
}

impl SigV4Error {
    /// The S3 error code (REST-XML `<Code>`).
    pub fn s3_code(&self) -> &'static str {
        match self {
            Self::Missing => "AccessDenied",
            Self::Malformed(_) | Self::WrongScope(_) | Self::InvalidDate(_) => {
                "AuthorizationHeaderMalformed"
            }
            Self::UnsupportedAlgorithm(_) => "InvalidArgument",
            Self::TimeTooSkewed { .. } => "RequestTimeTooSkewed",
            Self::PresignExpired => "AccessDenied",
            Self::MissingSignedHeader(_) => "AccessDenied",
            Self::UnknownAccessKey => "InvalidAccessKeyId",
            Self::InvalidSessionToken => "InvalidToken",
            Self::ExpiredToken => "ExpiredToken",
            Self::SignatureMismatch => "SignatureDoesNotMatch",
            Self::ContentSha256Mismatch => "XAmzContentSHA256Mismatch",
            Self::MissingContentSha256 => "MissingSecurityHeader",
            Self::Chunk(_) => "SignatureDoesNotMatch",
        }
    }

    /// The HTTP status S3 answers with.
    pub fn s3_status(&self) -> u16 {
        match self {
            Self::Malformed(_)
            | Self::WrongScope(_)
            | Self::InvalidDate(_)
            | Self::UnsupportedAlgorithm(_)
            | Self::ContentSha256Mismatch
            | Self::MissingContentSha256
            | Self::ExpiredToken => 400,
            _ => 403,
        }
    }

    /// The `__type` of the AWS JSON protocols (Cognito user and identity pools).
    pub fn json_code(&self) -> &'static str {
        match self {
            Self::Missing => "MissingAuthenticationTokenException",
            Self::Malformed(_)
            | Self::WrongScope(_)
            | Self::InvalidDate(_)
            | Self::UnsupportedAlgorithm(_)
            | Self::MissingSignedHeader(_) => "IncompleteSignatureException",
            Self::TimeTooSkewed { .. } | Self::PresignExpired => "InvalidSignatureException",
            Self::UnknownAccessKey | Self::InvalidSessionToken => "UnrecognizedClientException",
            Self::ExpiredToken => "ExpiredTokenException",
            Self::SignatureMismatch
            | Self::ContentSha256Mismatch
            | Self::MissingContentSha256
            | Self::Chunk(_) => "InvalidSignatureException",
        }
    }

    /// The message the JSON protocols send with [`SigV4Error::json_code`].
    pub fn json_message(&self) -> String {
        match self {
            Self::UnknownAccessKey => {
                "The security token included in the request is invalid.".into()
            }
            other => other.to_string(),
        }
    }

    /// True when the request carried no authentication at all.
    pub fn is_missing(&self) -> bool {
        matches!(self, Self::Missing)
    }
}
