//! `amplify_outputs.json` (schema version 1.5) from the backend spec.

use stratus_spec::Backend;

/// Where this server answers; goes into `data.url` and `custom.stratus`.
#[derive(Debug, Clone)]
pub struct Endpoints {
    /// `https://127.0.0.1:PORT` (no trailing slash).
    pub origin: String,
    /// The local CA certificate the client must trust (sandbox).
    pub ca_file: Option<std::path::PathBuf>,
}

#[derive(Debug, thiserror::Error)]
pub enum OutputsError {
    #[error("{0}")]
    Invalid(String),
}

/// Build `amplify_outputs.json`.
pub fn generate(_backend: &Backend, _endpoints: &Endpoints) -> Result<serde_json::Value, OutputsError> {
    Err(OutputsError::Invalid("outputs not implemented yet".into()))
}
