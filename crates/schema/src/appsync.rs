//! The AppSync schema the Amplify GraphQL transformer generates from a data model.

use stratus_spec::data::DataSpec;

use crate::SchemaError;

/// Generate the full AppSync SDL (`appsync.graphql` in the oracle).
pub fn generate_sdl(_data: &DataSpec) -> Result<String, SchemaError> {
    Err(SchemaError::Invalid("AppSync SDL generation not implemented yet".into()))
}
