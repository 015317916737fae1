//! What every resolver shares: the store, the authorizer, the models and the field plans.

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value};
use stratus_spec::data::{AuthMode, Model};
use stratus_store::documents::DocumentStore;

use super::build::FieldModes;
use super::plan::Plans;
use crate::authz::{Authorizer, Caller};

/// The shared state of one executable schema.
pub struct Engine {
    pub docs: Arc<dyn DocumentStore>,
    pub authorizer: Authorizer,
    /// Every stored model (the schema's models and the generated join models), by name.
    pub models: HashMap<String, Model>,
    pub plans: Plans,
    /// Each model's field names (what field rules are checked against).
    pub field_names: HashMap<String, Vec<String>>,
    pub modes: FieldModes,
    pub default_mode: AuthMode,
    /// Every successful mutation, for the subscriptions (see [`Event`]).
    pub events: tokio::sync::broadcast::Sender<Arc<Event>>,
    /// The custom queries and mutations resolved by functions, and the functions runtime.
    pub custom: super::custom::CustomOps,
    /// The custom operations resolved by AppSync JavaScript handlers (`a.handler.custom`).
    pub js: super::js::JsOps,
    /// The API has the `AWS_LAMBDA` mode (whose callers may have `deniedFields`).
    pub lambda_mode: bool,
}

/// A stored change: the mutation field that made it and the item as stored (after a delete,
/// the deleted item).
#[derive(Debug, Clone)]
pub struct Event {
    pub mutation: String,
    pub model: String,
    pub item: Map<String, Value>,
}

/// How many events a slow subscriber may fall behind before it skips some.
pub const EVENT_BUFFER: usize = 4096;

impl Engine {
    /// Publishes a stored change to the subscriptions (none listening is fine).
    pub fn publish(&self, mutation: &str, model: &str, item: &Map<String, Value>) {
        if self.events.receiver_count() > 0 {
            let _ = self.events.send(Arc::new(Event {
                mutation: mutation.to_string(),
                model: model.to_string(),
                item: item.clone(),
            }));
        }
    }

    pub fn model(&self, name: &str) -> Option<&Model> {
        self.models.get(name)
    }

    /// Whether the caller's authorization mode may call the root field `type.field`: the
    /// field's `@aws_*` directives, or only the default mode when it has none (AppSync). A
    /// `@aws_cognito_user_pools(cognito_groups: [...])` admits only user pool callers in one
    /// of those groups (their `cognito:groups` claim).
    pub fn mode_allows(&self, caller: &Caller, type_name: &str, field: &str) -> bool {
        let directive = directive_of(caller);
        match self
            .modes
            .fields
            .get(&(type_name.to_string(), field.to_string()))
        {
            Some(list) if !list.is_empty() => list.iter().any(|d| {
                d.name == directive
                    && d.cognito_groups.as_ref().is_none_or(|wanted| {
                        let held = caller.groups_in("cognito:groups");
                        wanted.iter().any(|g| held.contains(g))
                    })
            }),
            _ => mode_of(caller) == self.default_mode,
        }
    }
}

/// The `@aws_*` directive naming the caller's authorization mode.
pub fn directive_of(caller: &Caller) -> &'static str {
    match caller {
        Caller::ApiKey => "aws_api_key",
        Caller::UserPool { .. } => "aws_cognito_user_pools",
        Caller::Oidc { .. } => "aws_oidc",
        Caller::Iam { .. } => "aws_iam",
        Caller::Lambda { .. } => "aws_lambda",
    }
}

/// The authorization mode of a caller.
pub fn mode_of(caller: &Caller) -> AuthMode {
    match caller {
        Caller::ApiKey => AuthMode::ApiKey,
        Caller::UserPool { .. } => AuthMode::AmazonCognitoUserPools,
        Caller::Oidc { .. } => AuthMode::OpenidConnect,
        Caller::Iam { .. } => AuthMode::AwsIam,
        Caller::Lambda { .. } => AuthMode::AwsLambda,
    }
}

/// A value a field resolves on: an item (of a model, or a custom type inside one) or a page.
#[derive(Debug, Clone)]
pub enum Node {
    Item {
        /// The model, for model items (relational fields and field rules apply).
        model: Option<String>,
        data: Map<String, Value>,
        /// Fields the caller may not read (answered `null` with `Unauthorized`).
        hidden: Vec<String>,
    },
    Connection {
        items: Vec<Node>,
        next_token: Option<String>,
    },
}
