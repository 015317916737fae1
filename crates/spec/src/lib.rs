//! The backend spec: one typed description of a user's `amplify/` folder.
//!
//! This is the single contract between loading (`stratus-loader`, `stratus-schema`) and
//! serving (auth, data, storage, functions). Everything is plain serde data; `stratus spec`
//! prints it as JSON.

pub mod auth;
pub mod backend;
pub mod data;
pub mod error;
pub mod function;
mod props;
pub mod storage;

pub use backend::{Backend, Diagnostic, SourceLocation};
pub use error::{SpecError, SpecErrorKind};
pub use props::SecretValue;
