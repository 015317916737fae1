//! S3's XML errors: `<Error><Code>..</Code><Message>..</Message>[<Key>..</Key>]...<RequestId>..
//! </RequestId></Error>` with the status code S3 uses for each code.

use std::io;

use http::StatusCode;

use super::xml::escape;
use crate::backend::BackendError;

/// An S3 error response. `extra` holds additional elements (`Key`, `BucketName`,
/// `RangeRequested`, ...) in order.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{code}: {message}")]
pub struct S3Error {
    pub status: StatusCode,
    pub code: String,
    pub message: String,
    pub extra: Vec<(String, String)>,
}

impl S3Error {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.to_string(),
            message: message.into(),
            extra: Vec::new(),
        }
    }

    pub fn with(mut self, name: &str, value: impl Into<String>) -> Self {
        self.extra.push((name.to_string(), value.into()));
        self
    }

    pub fn access_denied() -> Self {
        Self::new(StatusCode::FORBIDDEN, "AccessDenied", "Access Denied")
    }

    pub fn signature_does_not_match() -> Self {
        Self::new(
            StatusCode::FORBIDDEN,
            "SignatureDoesNotMatch",
            "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
        )
    }

    pub fn invalid_argument(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "InvalidArgument", message)
    }

    pub fn invalid_request(message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "InvalidRequest", message)
    }

    pub fn malformed_xml() -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "MalformedXML",
            "The XML you provided was not well-formed or did not validate against our published schema.",
        )
    }

    pub fn no_such_bucket(bucket: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "NoSuchBucket",
            "The specified bucket does not exist",
        )
        .with("BucketName", bucket)
    }

    pub fn not_implemented(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_IMPLEMENTED,
            "NotImplemented",
            format!(
                "A header or query you provided implies functionality that is not implemented: {what}"
            ),
        )
    }

    pub fn internal(message: impl std::fmt::Display) -> Self {
        tracing::error!(error = %message, "storage internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "InternalError",
            "We encountered an internal error. Please try again.",
        )
    }

    /// Wraps the error as an `io::Error`, for failing a body stream with an S3 error that
    /// [`S3Error::from_backend`] recovers.
    pub fn into_io(self) -> io::Error {
        io::Error::other(self)
    }

    /// The S3 error for a backend failure on `key` (if any).
    pub fn from_backend(e: BackendError, bucket: &str, key: Option<&str>) -> Self {
        let with_key = |e: Self| match key {
            Some(k) => e.with("Key", k),
            None => e,
        };
        match e {
            BackendError::NoSuchBucket => Self::no_such_bucket(bucket),
            BackendError::NoSuchKey => with_key(Self::new(
                StatusCode::NOT_FOUND,
                "NoSuchKey",
                "The specified key does not exist.",
            )),
            BackendError::NoSuchUpload => {
                Self::new(StatusCode::NOT_FOUND, "NoSuchUpload", e.to_string())
            }
            BackendError::InvalidPart => {
                Self::new(StatusCode::BAD_REQUEST, "InvalidPart", e.to_string())
            }
            BackendError::InvalidPartOrder => {
                Self::new(StatusCode::BAD_REQUEST, "InvalidPartOrder", e.to_string())
            }
            BackendError::EntityTooSmall => {
                Self::new(StatusCode::BAD_REQUEST, "EntityTooSmall", e.to_string())
            }
            BackendError::InvalidRange => Self::new(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "InvalidRange",
                e.to_string(),
            ),
            BackendError::PreconditionFailed => with_key(
                Self::new(
                    StatusCode::PRECONDITION_FAILED,
                    "PreconditionFailed",
                    e.to_string(),
                )
                .with("Condition", "If-None-Match"),
            ),
            BackendError::BadDigest => {
                Self::new(StatusCode::BAD_REQUEST, "BadDigest", e.to_string())
            }
            BackendError::InvalidArgument(m) => Self::invalid_argument(m),
            BackendError::Body(io) => match io.get_ref().and_then(|i| i.downcast_ref::<Self>()) {
                Some(s3) => s3.clone(),
                None => Self::new(
                    StatusCode::BAD_REQUEST,
                    "IncompleteBody",
                    "You did not provide the number of bytes specified by the Content-Length HTTP header",
                ),
            },
            BackendError::Io(e) => Self::internal(e),
            BackendError::Corrupt(m) => Self::internal(m),
        }
    }

    /// The XML document.
    pub fn to_xml(&self, request_id: &str) -> String {
        let mut s = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>");
        s.push_str(&escape(&self.code));
        s.push_str("</Code><Message>");
        s.push_str(&escape(&self.message));
        s.push_str("</Message>");
        for (name, value) in &self.extra {
            s.push_str(&format!("<{name}>{}</{name}>", escape(value)));
        }
        s.push_str(&format!("<RequestId>{request_id}</RequestId></Error>"));
        s
    }
}
