//! Directive SDL → [`stratus_spec::data::DataSchema`].

use stratus_spec::data::DataSchema;

use crate::SchemaError;

/// Parse the directive SDL (`@model`, `@auth`, `@index`, ...) into the data model.
pub fn parse_directive_sdl(_sdl: &str) -> Result<DataSchema, SchemaError> {
    Err(SchemaError::Invalid("parser not implemented yet".into()))
}
