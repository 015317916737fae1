//! The data service of Stratus: AppSync-compatible GraphQL over the embedded store.
//!
//! This crate currently holds [`authz`]: the access-control matrix computed exactly as the
//! Amplify auth transformer computes it, and the per-request authorization decisions the
//! GraphQL layer applies (see the crate README for where Stratus is deliberately stricter than
//! AppSync).

pub mod authz;
