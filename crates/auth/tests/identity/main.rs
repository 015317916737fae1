//! The identity pool (`POST /cognito-identity`), its credentials under SigV4, and the
//! SigV4-signed admin actions, through the router (signing with AWS's `aws-sigv4`).

#[allow(dead_code)]
#[path = "../actions/common.rs"]
mod common;

mod admin;
mod admin_triggers;
mod pool;
#[allow(dead_code)]
#[path = "../actions/recorder.rs"]
mod recorder;
mod signing;
mod token_cache;
