//! The data schema toolchain: directive SDL → [`DataSchema`], the AppSync SDL the Amplify
//! transformer generates, and `model_introspection`.

pub mod appsync;
pub mod introspection;
mod parse;

pub use parse::parse_directive_sdl;

/// An error in a data schema (the user's SDL or builder output).
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("invalid GraphQL: {0}")]
    Syntax(String),
    #[error("{0}")]
    Invalid(String),
}
