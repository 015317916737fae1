//! Errors of the schema toolchain.

/// An error in a data schema (the user's SDL or builder output) or in its transformation.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// The SDL does not parse.
    #[error("invalid GraphQL at line {line}, column {column}: {message}")]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    /// The SDL parses but a directive or type is used wrongly. The message names the place
    /// (`line:column` or `Type.field`).
    #[error("{0}")]
    Invalid(String),
}

impl SchemaError {
    pub(crate) fn at(pos: crate::sdl::ast::Pos, message: impl std::fmt::Display) -> Self {
        if pos.line == 0 {
            SchemaError::Invalid(message.to_string())
        } else {
            SchemaError::Invalid(format!(
                "line {}, column {}: {message}",
                pos.line, pos.column
            ))
        }
    }

    pub(crate) fn invalid(message: impl std::fmt::Display) -> Self {
        SchemaError::Invalid(message.to_string())
    }
}
