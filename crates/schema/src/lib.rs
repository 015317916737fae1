//! The data schema toolchain: directive SDL → [`DataSchema`](stratus_spec::data::DataSchema),
//! the AppSync SDL the Amplify transformer generates, and `model_introspection`.

pub mod appsync;
mod error;
pub mod introspection;
pub mod naming;
mod parse;
pub mod sdl;

pub use error::SchemaError;
pub use parse::parse_directive_sdl;
