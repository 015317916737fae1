//! The definition loader: reads an `amplify/` folder (TypeScript), strips types with oxc,
//! evaluates it in QuickJS with a built-in `@aws-amplify/backend` module, and returns the
//! typed [`stratus_spec::Backend`].
//!
//! Each load creates its own QuickJS runtime (isolated, a few ms). User code runs under a time
//! budget and a memory limit ([`Limits`]). Every error points at the user's file:line:column,
//! mapped back through oxc's source maps.

mod appsync_code;
mod authmodes;
mod builtins;
mod engine;
mod modules;
mod raw;
mod resolve;
mod sourcemap;
mod specs;
mod transpile;

use std::path::{Path, PathBuf};

use stratus_spec::{Backend, Diagnostic, SourceLocation};

pub use engine::Limits;
pub use resolve::{Target, normalize, resolve_file};
pub use transpile::{Stripped, TranspileError, strip_types};

/// A failure to load the user's definition. Displays as `file:line:column: message`.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    #[error("{0}")]
    Definition(Diagnostic),
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

impl LoadError {
    /// The diagnostic (message and location) of a definition error.
    pub fn diagnostic(&self) -> Option<&Diagnostic> {
        match self {
            LoadError::Definition(d) => Some(d),
            LoadError::Io { .. } => None,
        }
    }
}

/// The definition as evaluated, before it is turned into a [`Backend`]: the raw props JSON of
/// every resource (see `/work/notes/raw-props.md`).
#[derive(Debug, Clone)]
pub struct RawDefinition {
    /// `{ resources, auth, data, storage, functions, customOutputs, warnings }`.
    pub json: serde_json::Value,
}

/// Load the backend rooted at `root` (the folder that contains `amplify/`).
pub fn load(root: &Path) -> Result<Backend, LoadError> {
    load_with(root, &Limits::default())
}

/// [`load`] with explicit resource limits.
pub fn load_with(root: &Path, limits: &Limits) -> Result<Backend, LoadError> {
    let raw = load_raw_with(root, limits)?;
    let mut backend = raw::to_backend(&raw.json).map_err(LoadError::Definition)?;
    appsync_code::read_handlers(&canonical_root(root)?, &mut backend)
        .map_err(LoadError::Definition)?;
    Ok(backend)
}

/// Evaluate the definition and return the raw props JSON (no spec conversion).
pub fn load_raw(root: &Path) -> Result<RawDefinition, LoadError> {
    load_raw_with(root, &Limits::default())
}

/// [`load_raw`] with explicit resource limits.
pub fn load_raw_with(root: &Path, limits: &Limits) -> Result<RawDefinition, LoadError> {
    let root = canonical_root(root)?;
    let entry = backend_entry(&root)?;
    let evaluation = engine::evaluate(&root, &entry, limits).map_err(LoadError::Definition)?;
    Ok(RawDefinition {
        json: evaluation.raw,
    })
}

fn canonical_root(root: &Path) -> Result<PathBuf, LoadError> {
    std::fs::canonicalize(root).map_err(|source| LoadError::Io {
        path: root.display().to_string(),
        source,
    })
}

/// `amplify/backend.ts` (or `.mts`/`.js`/`.mjs`).
fn backend_entry(root: &Path) -> Result<PathBuf, LoadError> {
    let amplify = root.join("amplify");
    ["backend.ts", "backend.mts", "backend.js", "backend.mjs"]
        .iter()
        .map(|name| amplify.join(name))
        .find(|p| p.is_file())
        .ok_or_else(|| {
            LoadError::Definition(Diagnostic {
                message: format!("no amplify/backend.ts found in {}", root.display()),
                location: Some(SourceLocation {
                    file: "amplify/backend.ts".into(),
                    line: 1,
                    column: 1,
                }),
            })
        })
}
