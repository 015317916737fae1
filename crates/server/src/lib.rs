//! The Stratus HTTP(S) server: one origin for every service.
//!
//! - [`ca`]: the per-user local CA and the leaf certificate for `localhost`/`127.0.0.1`/`::1`;
//! - [`live`]: the backend being served, swapped atomically on reload;
//! - [`router`]: `/_stratus/health`, `/_stratus/outputs`, CORS, the request log, and the routes
//!   of the live backend (unknown paths answer a JSON 404);
//! - [`services`]: what a generation serves (the Cognito user pool of `defineAuth`, the sandbox
//!   outbox, the S3 API of `defineStorage`), opened by the reload path and mounted here;
//! - [`data_functions`]: the data service's custom-operation resolvers and Lambda authorizer on
//!   the functions runtime;
//! - [`storage_auth`]: SigV4 over the identity pool's credentials for the S3 API;
//! - [`storage_triggers`]: `defineStorage` `onUpload` / `onDelete` functions invoked with S3
//!   event notifications;
//! - [`serve`]: TLS and plain HTTP on one port (sniffing the first byte).

pub mod auth_triggers;
pub mod ca;
pub mod data_functions;
pub mod live;
pub mod router;
pub mod serve;
pub mod services;
pub mod storage_auth;
pub mod storage_triggers;

pub use ca::{CaError, LocalCa};
pub use live::{LiveBackend, Shared, services_of};
pub use router::{HEALTH_PATH, OUTPUTS_PATH, router};
pub use serve::{bind, serve};
pub use services::{OUTBOX_PATH, Services, StorageMount};
pub use storage_auth::SigV4Authenticator;
