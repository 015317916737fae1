use super::{Document, FilterError};

/// The way out printed with a primary key change that cannot be applied.
pub const PRIMARY_KEY_WAY_OUT: &str = "DynamoDB cannot change the key of an existing table either. \
Delete the sandbox data (`stratus sandbox delete`) to start empty, or rename the model so a new \
table is created (the old items are kept under the old name)";

#[derive(Debug, thiserror::Error)]
pub enum DocumentError {
    /// DynamoDB's `ConditionalCheckFailedException`: a create on an existing key, an update or
    /// delete of a missing item, or a `condition` that does not hold. `current` is the stored
    /// item when there is one.
    #[error("The conditional request failed")]
    ConditionalCheckFailed {
        model: String,
        current: Option<Box<Document>>,
    },
    #[error("model {0} is not in the applied schema")]
    UnknownModel(String),
    #[error("model {model}: no index with partition key {partition_key} and sort key [{}]", sort_keys.join(", "))]
    UnknownIndex {
        model: String,
        partition_key: String,
        sort_keys: Vec<String>,
    },
    /// A key is missing a field, or a key field is not a string or a number.
    #[error("model {model}: invalid key: {reason}")]
    InvalidKey { model: String, reason: String },
    /// An update tried to change a primary key field.
    #[error("model {model}: the key field {field} cannot be updated")]
    ImmutableKey { model: String, field: String },
    #[error("model {model}: the primary key changed from [{}] to [{}] but the table holds {items} item(s). {PRIMARY_KEY_WAY_OUT}", old.join(", "), new.join(", "))]
    PrimaryKeyChanged {
        model: String,
        old: Vec<String>,
        new: Vec<String>,
        items: i64,
    },
    /// A name that cannot be a GraphQL model or field name.
    #[error("invalid name {0:?}")]
    InvalidName(String),
    #[error("invalid query: {0}")]
    InvalidQuery(String),
    #[error("Limit must be greater than or equal to 1")]
    InvalidLimit,
    /// The token was altered, or belongs to another query.
    #[error("Invalid nextToken")]
    InvalidNextToken,
    #[error(transparent)]
    Filter(#[from] FilterError),
    #[error("stored item is not a JSON object: {0}")]
    Corrupt(String),
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// The write failed in the database or its batch could not be committed (SQLite's
    /// message).
    #[error("write failed: {0}")]
    WriteFailed(String),
}

impl DocumentError {
    /// The GraphQL `errorType` AppSync reports for this error when it has a fixed one
    /// (`DynamoDB:ConditionalCheckFailedException` for a failed condition or duplicate key).
    pub fn appsync_error_type(&self) -> Option<&'static str> {
        match self {
            DocumentError::ConditionalCheckFailed { .. } => {
                Some("DynamoDB:ConditionalCheckFailedException")
            }
            _ => None,
        }
    }
}
