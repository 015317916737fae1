//! `stratus-auth`: a Cognito user pool behind Cognito's own JSON protocol, built from the
//! user's `defineAuth` ([`stratus_spec::auth::AuthSpec`]), persisted in the shared SQLite store.
//!
//! * [`protocol`] — the HTTP side: `POST /cognito-idp` with `X-Amz-Target:
//!   AWSCognitoIdentityProviderService.<Action>`, the JWKS and OpenID discovery documents.
//! * [`srp`] — Cognito's SRP-6a variant.
//! * [`tokens`] — RS256 id/access tokens and the JWKS.
//! * [`sender`] — code delivery; the sandbox [`sender::Outbox`].
//! * [`identity`] — the identity pool (`POST /cognito-identity`), its temporary AWS
//!   credentials and the admin key, verified with SigV4 (`stratus_sigv4`).
//! * [`AuthService`] — the actions (admin actions SigV4-authenticated).
//! * [`triggers`] — the Lambda trigger seams: [`AuthTriggers`] (custom authentication, behind
//!   `CUSTOM_AUTH`) and [`UserPoolTriggers`] (PreSignUp, PostConfirmation, PreAuthentication,
//!   PostAuthentication, PreTokenGeneration, CustomMessage, UserMigration).
//!
//! Mounting is described in this crate's README.

pub mod attributes;
pub mod clock;
pub mod crypto;
mod db;
pub mod error;
pub mod identity;
pub mod password;
pub mod protocol;
pub mod sender;
mod service;
pub mod srp;
pub mod throttle;
mod token_cache;
pub mod tokens;
pub mod triggers;

pub use clock::{Clock, ManualClock, SystemClock};
pub use error::{CognitoError, ErrorKind, OpenError};
pub use identity::{
    AdminCredentials, IDENTITY_POOL_PATH, IDENTITY_TARGET_PREFIX, Principal, PrincipalKind,
    TemporaryCredentials,
};
pub use protocol::{TARGET_PREFIX, router};
pub use sender::{Message, Outbox, Sender, outbox_router};
pub use service::{
    ADMIN_ACTIONS, AuthConfig, AuthService, DeviceTracking, VerifiedToken, is_admin_action,
};
pub use throttle::{Rate, ThrottleConfig};
pub use tokens::TokenValidity;
pub use triggers::{AuthTriggers, UserPoolTriggers};

/// The state [`router`] needs: the service itself (cheap to clone).
pub type AuthState = AuthService;
