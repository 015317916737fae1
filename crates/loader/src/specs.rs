//! Raw props → the auth/storage/function spec types (owned by the outputs work, which writes
//! their `from_props` constructors against `/work/notes/raw-props.md`).

use serde_json::Value;
use stratus_spec::Diagnostic;
use stratus_spec::auth::AuthSpec;
use stratus_spec::function::FunctionSpec;
use stratus_spec::storage::StorageSpec;

pub fn auth(raw: &Value) -> Result<AuthSpec, Diagnostic> {
    AuthSpec::from_props(raw).map_err(|e| e.to_diagnostic())
}

pub fn storage(raw: &Value) -> Result<StorageSpec, Diagnostic> {
    StorageSpec::from_props(raw).map_err(|e| e.to_diagnostic())
}

pub fn function(raw: &Value) -> Result<FunctionSpec, Diagnostic> {
    FunctionSpec::from_props(raw).map_err(|e| e.to_diagnostic())
}
