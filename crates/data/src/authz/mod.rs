//! Authorization: the Amplify auth transformer's access-control matrix and the decisions
//! AppSync's generated resolvers take, as a library the GraphQL layer calls.
//!
//! - [`AuthMatrix::build`] computes, from a [`stratus_spec::data::DataSpec`], the roles and the
//!   role → field → operation matrix exactly as `@aws-amplify/graphql-auth-transformer` 4.2.9
//!   does (checked against every fixture's `auth.json`).
//! - [`Authorizer`] takes per-request decisions for a [`Caller`]: allow/deny, fields to hide or
//!   refuse, owner values to inject on create, and the [`AuthFilter`] a store applies to lists
//!   and subscription events.

mod caller;
mod decide;
mod filter;
mod joins;
mod matrix;
mod mutate;
mod providers;
mod rules;

pub use caller::{Caller, IamPrincipal, Identity};
pub use decide::{Authorizer, Denial, Grant, ReadGrant, Request};
pub use filter::{AuthFilter, Condition};
pub use joins::{conversation_models, generated_models, join_models};
pub use matrix::{
    Acm, AuthMatrix, CLAIM_DELIMITER, DEFAULT_GROUP_CLAIM, DEFAULT_GROUPS_FIELD,
    DEFAULT_IDENTITY_CLAIM, DEFAULT_OWNER_FIELD, RoleDef, RuleSet,
};
pub use mutate::MutationFields;
pub use providers::{AuthEnvironment, ConfiguredProviders};
pub use rules::{NormalizedRule, Op, OpSet};

/// Errors in the auth configuration (rules the transformer would reject).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthzError {
    #[error("invalid @auth rule on {location}: {message}")]
    InvalidRule { location: String, message: String },
}
