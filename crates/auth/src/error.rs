//! Errors: the Cognito error a client sees ([`CognitoError`]) and the internal failures that
//! become `InternalErrorException` ([`InternalError`]).

use std::fmt;

/// The `__type` names Cognito answers with (the ones this service produces).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    AliasExists,
    CodeDeliveryFailure,
    CodeMismatch,
    EnableSoftwareTokenMfa,
    ExpiredCode,
    InternalError,
    InvalidParameter,
    InvalidPassword,
    InvalidUserPoolConfiguration,
    LimitExceeded,
    NotAuthorized,
    PasswordResetRequired,
    ResourceNotFound,
    SoftwareTokenMfaNotFound,
    TooManyFailedAttempts,
    TooManyRequests,
    UnsupportedOperation,
    UnsupportedTokenType,
    UserNotConfirmed,
    UserNotFound,
    UsernameExists,
    /// `AdminCreateUser` `RESEND` for a user not in `FORCE_CHANGE_PASSWORD`.
    UnsupportedUserState,
    /// A Lambda trigger answered something Cognito cannot use (CUSTOM_AUTH triggers).
    InvalidLambdaResponse,
    /// A Lambda trigger failed (CUSTOM_AUTH triggers).
    UserLambdaValidation,
    /// Unknown `X-Amz-Target` (AWS JSON protocol level).
    UnknownOperation,
    /// Unparseable request body (AWS JSON protocol level).
    Serialization,
    /// SigV4 (admin actions): no signature at all.
    MissingAuthenticationToken,
    /// SigV4: unknown access key or wrong session token.
    UnrecognizedClient,
    /// SigV4: signature mismatch, clock skew.
    InvalidSignature,
    /// SigV4: malformed authorization.
    IncompleteSignature,
    /// SigV4: expired temporary credentials.
    ExpiredToken,
    /// `AdminCreateUser` of an existing group / `CreateGroup`.
    GroupExists,
    /// SigV4-authenticated caller without the right (identity-pool credentials on admin
    /// actions).
    AccessDenied,
}

impl ErrorKind {
    /// The `__type` / `x-amzn-ErrorType` value.
    pub fn name(self) -> &'static str {
        match self {
            Self::AliasExists => "AliasExistsException",
            Self::CodeDeliveryFailure => "CodeDeliveryFailureException",
            Self::CodeMismatch => "CodeMismatchException",
            Self::EnableSoftwareTokenMfa => "EnableSoftwareTokenMFAException",
            Self::ExpiredCode => "ExpiredCodeException",
            Self::InternalError => "InternalErrorException",
            Self::InvalidParameter => "InvalidParameterException",
            Self::InvalidPassword => "InvalidPasswordException",
            Self::InvalidUserPoolConfiguration => "InvalidUserPoolConfigurationException",
            Self::LimitExceeded => "LimitExceededException",
            Self::NotAuthorized => "NotAuthorizedException",
            Self::PasswordResetRequired => "PasswordResetRequiredException",
            Self::ResourceNotFound => "ResourceNotFoundException",
            Self::SoftwareTokenMfaNotFound => "SoftwareTokenMFANotFoundException",
            Self::TooManyFailedAttempts => "TooManyFailedAttemptsException",
            Self::TooManyRequests => "TooManyRequestsException",
            Self::UnsupportedOperation => "UnsupportedOperationException",
            Self::UnsupportedTokenType => "UnsupportedTokenTypeException",
            Self::UserNotConfirmed => "UserNotConfirmedException",
            Self::UserNotFound => "UserNotFoundException",
            Self::UsernameExists => "UsernameExistsException",
            Self::UnsupportedUserState => "UnsupportedUserStateException",
            Self::InvalidLambdaResponse => "InvalidLambdaResponseException",
            Self::UserLambdaValidation => "UserLambdaValidationException",
            Self::UnknownOperation => "UnknownOperationException",
            Self::Serialization => "SerializationException",
            Self::MissingAuthenticationToken => "MissingAuthenticationTokenException",
            Self::UnrecognizedClient => "UnrecognizedClientException",
            Self::InvalidSignature => "InvalidSignatureException",
            Self::IncompleteSignature => "IncompleteSignatureException",
            Self::ExpiredToken => "ExpiredTokenException",
            Self::GroupExists => "GroupExistsException",
            Self::AccessDenied => "AccessDeniedException",
        }
    }

    /// HTTP status: 500 for service faults, 400 for everything the caller caused.
    pub fn status(self) -> u16 {
        match self {
            Self::InternalError => 500,
            Self::MissingAuthenticationToken | Self::UnrecognizedClient => 403,
            _ => 400,
        }
    }
}

/// An error as the client receives it: `{"__type": name, "message": message}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CognitoError {
    pub kind: ErrorKind,
    pub message: String,
}

impl CognitoError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
        }
    }

    pub fn invalid_parameter(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::InvalidParameter, message)
    }

    pub fn not_authorized(message: impl Into<String>) -> Self {
        Self::new(ErrorKind::NotAuthorized, message)
    }

    /// The generic sign-in failure (also used for unknown users: no user enumeration).
    pub fn bad_credentials() -> Self {
        Self::not_authorized("Incorrect username or password.")
    }

    pub fn code_mismatch() -> Self {
        Self::new(
            ErrorKind::CodeMismatch,
            "Invalid verification code provided, please try again.",
        )
    }

    pub fn expired_code() -> Self {
        Self::new(
            ErrorKind::ExpiredCode,
            "Invalid code provided, please request a code again.",
        )
    }

    pub fn attempt_limit() -> Self {
        Self::new(
            ErrorKind::LimitExceeded,
            "Attempt limit exceeded, please try after some time.",
        )
    }

    pub fn invalid_session() -> Self {
        Self::not_authorized("Invalid session for the user, session is expired.")
    }

    pub fn internal() -> Self {
        Self::new(ErrorKind::InternalError, "Internal server error.")
    }

    pub fn name(&self) -> &'static str {
        self.kind.name()
    }
}

impl fmt::Display for CognitoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.name(), self.message)
    }
}

impl std::error::Error for CognitoError {}

/// A failure of the service itself (database, crypto backend). Logged, and answered as
/// `InternalErrorException` without details.
#[derive(Debug, thiserror::Error)]
pub enum InternalError {
    #[error("database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("crypto: {0}")]
    Crypto(String),
    #[error("token signing: {0}")]
    Jwt(#[from] jsonwebtoken::errors::Error),
    #[error("json: {0}")]
    Json(#[from] serde_json::Error),
    #[error("message delivery: {0}")]
    Send(String),
}

impl From<InternalError> for CognitoError {
    fn from(e: InternalError) -> Self {
        tracing::error!(error = %e, "auth internal error");
        CognitoError::internal()
    }
}

impl From<sqlx::Error> for CognitoError {
    fn from(e: sqlx::Error) -> Self {
        InternalError::Db(e).into()
    }
}

/// Errors of [`crate::AuthService::open`].
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("auth database migration {version} failed: {source}")]
    Migrate {
        version: i64,
        #[source]
        source: sqlx::Error,
    },
    #[error("auth database: {0}")]
    Db(#[from] sqlx::Error),
    #[error("invalid auth configuration: {0}")]
    Config(String),
    #[error(transparent)]
    Internal(#[from] InternalError),
}

pub type CResult<T> = Result<T, CognitoError>;
