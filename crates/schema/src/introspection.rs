//! `model_introspection` (version 1), as `amplify_outputs.json` carries it.

use stratus_spec::data::DataSpec;

use crate::SchemaError;

/// Generate `data.model_introspection`.
pub fn generate(_data: &DataSpec) -> Result<serde_json::Value, SchemaError> {
    Err(SchemaError::Invalid("model introspection not implemented yet".into()))
}
