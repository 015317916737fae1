//! The item filter of dynamic rules (owner and group fields), applied by the store to lists
//! and by the realtime layer to events so that unauthorized items are never returned.

use serde_json::{Map, Value, json};

/// One condition on a stored item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Condition {
    /// The (scalar) field equals `value`.
    Eq { field: String, value: String },
    /// The (list) field has an element equal to `value`.
    Contains { field: String, value: String },
    /// The (scalar) field equals one of `values`.
    In { field: String, values: Vec<String> },
}

impl Condition {
    pub fn field(&self) -> &str {
        match self {
            Condition::Eq { field, .. }
            | Condition::Contains { field, .. }
            | Condition::In { field, .. } => field,
        }
    }

    pub fn matches(&self, item: &Map<String, Value>) -> bool {
        let v = item.get(self.field());
        match self {
            Condition::Eq { value, .. } => v.and_then(Value::as_str) == Some(value.as_str()),
            Condition::Contains { value, .. } => match v {
                Some(Value::Array(items)) => items.iter().any(|i| i.as_str() == Some(value)),
                // A scalar stored where a list is declared: exact match only (DynamoDB would
                // do a substring match here; Stratus does not).
                Some(Value::String(s)) => s == value,
                _ => false,
            },
            Condition::In { values, .. } => v
                .and_then(Value::as_str)
                .is_some_and(|s| values.iter().any(|x| x == s)),
        }
    }

    fn to_json(&self) -> Value {
        match self {
            Condition::Eq { field, value } => json!({ field: { "eq": value } }),
            Condition::Contains { field, value } => json!({ field: { "contains": value } }),
            Condition::In { field, values } => json!({ field: { "in": values } }),
        }
    }
}

/// A disjunction of [`Condition`]s: an item is visible when any condition holds. An empty
/// filter matches nothing.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AuthFilter {
    pub any_of: Vec<Condition>,
}

impl AuthFilter {
    pub fn matches(&self, item: &Map<String, Value>) -> bool {
        self.any_of.iter().any(|c| c.matches(item))
    }

    pub fn is_empty(&self) -> bool {
        self.any_of.is_empty()
    }

    /// The filter in AppSync's `Model*FilterInput` shape (`{"or": [{"owner": {"eq": ..}}]}`),
    /// as the generated resolvers put it in `$ctx.stash.authFilter`.
    ///
    /// [`Authorizer`](super::Authorizer) never returns an empty filter (it refuses instead).
    /// An empty one would serialize as `{"or": []}`, which filter evaluators (AppSync's and
    /// `stratus-store`'s) read as *no* restriction: check [`AuthFilter::is_empty`] first when
    /// building one by hand.
    pub fn to_filter_json(&self) -> Value {
        json!({ "or": self.any_of.iter().map(Condition::to_json).collect::<Vec<_>>() })
    }

    /// The filter a list request runs: the auth filter, and the client's `filter` argument when
    /// there is one (`{"and": [authFilter, filter]}`, as the list resolvers build it).
    pub fn with_client_filter(&self, client: Option<&Value>) -> Value {
        match client {
            Some(f) if !f.is_null() && f.as_object().is_none_or(|o| !o.is_empty()) => {
                json!({ "and": [self.to_filter_json(), f] })
            }
            _ => self.to_filter_json(),
        }
    }

    /// Fields the filter reads (for the store to index).
    pub fn fields(&self) -> Vec<&str> {
        let mut out: Vec<&str> = self.any_of.iter().map(Condition::field).collect();
        out.sort_unstable();
        out.dedup();
        out
    }
}
