//! The definition loader: reads an `amplify/` folder (TypeScript), strips types with oxc,
//! evaluates it in QuickJS with a built-in `@aws-amplify/backend` module, and returns the
//! typed [`stratus_spec::Backend`].

use std::path::Path;

use stratus_spec::{Backend, Diagnostic};

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

/// Load the backend rooted at `root` (the folder that contains `amplify/`).
pub fn load(root: &Path) -> Result<Backend, LoadError> {
    Err(LoadError::Definition(Diagnostic {
        message: format!("loader not implemented yet for {}", root.display()),
        location: None,
    }))
}
