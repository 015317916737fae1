//! The data service of Stratus: AppSync-compatible GraphQL over the embedded store.
//!
//! - [`authz`]: the access-control matrix computed exactly as the Amplify auth transformer
//!   computes it, and the per-request authorization decisions (see the crate README for where
//!   Stratus is deliberately stricter than AppSync);
//! - [`graphql`]: the generated AppSync SDL as an executable schema with one generic resolver
//!   per generated field;
//! - [`service`]: [`DataService`] and its `POST /graphql` [`router`];
//! - [`oidc`]: verification of `OPENID_CONNECT` tokens against the provider's JWKS;
//! - [`functions`]: how custom operations and the Lambda authorizer ([`lambda_auth`]) call
//!   `defineFunction` handlers ([`FunctionInvoker`]);
//! - [`scalars`]: the AWS scalars and their validation; [`errors`]: AppSync's error shapes.

pub mod authz;
pub mod errors;
pub mod functions;
pub mod graphql;
pub mod iam;
pub mod lambda_auth;
pub mod oidc;
pub mod realtime;
pub mod scalars;
pub mod service;

pub use functions::{FunctionBinding, FunctionError, FunctionInvoker};
pub use service::{AuthFailure, DataService, OpenError, router};
