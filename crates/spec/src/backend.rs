//! The whole backend, as loaded from `amplify/`. Owned by the loader work.

use serde::{Deserialize, Serialize};

use crate::{auth::AuthSpec, data::DataSpec, function::FunctionSpec, storage::StorageSpec};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Backend {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auth: Option<AuthSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data: Option<DataSpec>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub storage: Vec<StorageSpec>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<FunctionSpec>,
    /// Everything passed to `backend.addOutput(...)`, deep-merged, as JSON.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_outputs: Option<serde_json::Value>,
    /// Warnings raised while loading (ignored CDK customisations, ...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub warnings: Vec<Diagnostic>,
}

/// A message about the user's definition, pointing at their file and line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnostic {
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<SourceLocation>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceLocation {
    /// Path relative to the project root, e.g. `amplify/data/resource.ts`.
    pub file: String,
    pub line: u32,
    pub column: u32,
}

impl std::fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.location {
            Some(l) => write!(f, "{}:{}:{}: {}", l.file, l.line, l.column, self.message),
            None => write!(f, "{}", self.message),
        }
    }
}
