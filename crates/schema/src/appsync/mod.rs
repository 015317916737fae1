//! The AppSync schema the Amplify GraphQL transformer (v2, `@aws-amplify/graphql-transformer`
//! 2.5.1 with Gen 2 settings) generates from the directive SDL.
//!
//! The transformer is reproduced step by step: the same plugins in the same order, each with
//! its object/field hooks, `validate`, `prepare` and `transformSchema` phases, working on the
//! same kind of insertion-ordered output type map ([`output::Output`]). Field order, argument
//! order and directive order therefore come out exactly as AWS prints them.

mod auth;
mod config;
mod conversation;
mod defaults;
mod directives;
mod http;
mod inputs;
mod keys;
mod model;
mod output;
mod relations;
pub(crate) mod scalars;
mod searchable;
mod sql;

use std::collections::HashMap;

use stratus_spec::data::{AuthMode, AuthorizationModes, DataSpec};

use crate::SchemaError;
use crate::sdl::ast::{Definition, Document};
use crate::sdl::print::print_document;

use self::config::ModelConfig;
use self::output::Output;

/// Generate the full AppSync SDL (`appsync.graphql` in the oracle) for `data.directive_sdl`
/// under `data.authorization_modes`.
///
/// The transformer reads the directive SDL text (like Amplify does); `data.schema` is the
/// typed view of that same text and is not consulted.
pub fn generate_sdl(data: &DataSpec) -> Result<String, SchemaError> {
    let doc = crate::sdl::read_document(&data.directive_sdl)?;
    let out = Transform::run(doc, &data.authorization_modes)?;
    Ok(print_document(&out))
}

/// Every directive the transformer chain accepts (`validDirectiveNameMap`).
const KNOWN_DIRECTIVES: &[&str] = &[
    "model",
    "function",
    "http",
    "predictions",
    "primaryKey",
    "index",
    "hasMany",
    "hasOne",
    "manyToMany",
    "belongsTo",
    "conversation",
    "generation",
    "default",
    "auth",
    "mapsTo",
    "sql",
    "refersTo",
    "searchable",
    "validate",
    "aws_subscribe",
    "aws_auth",
    "aws_api_key",
    "aws_iam",
    "aws_oidc",
    "aws_lambda",
    "aws_cognito_user_pools",
    "deprecated",
];

/// The state of one transformation run: the input document, the output type map, and each
/// plugin's collected configuration.
pub(crate) struct Transform {
    pub input: Document,
    pub out: Output,
    /// `transformParameters.sandboxModeEnabled`.
    pub sandbox: bool,
    /// `synthParameters.enableIamAccess` (always on in Gen 2).
    pub enable_iam: bool,
    pub default_mode: AuthMode,
    pub additional_modes: Vec<AuthMode>,
    /// Model types in the order the model transformer saw them (`typesWithModelDirective`).
    pub model_types: Vec<String>,
    pub model_configs: HashMap<String, ModelConfig>,
    pub primary_keys: Vec<keys::KeyConfig>,
    pub indexes: Vec<keys::KeyConfig>,
    pub has_many: Vec<relations::RelationConfig>,
    pub has_one: Vec<relations::RelationConfig>,
    pub belongs_to: Vec<relations::RelationConfig>,
    pub many_to_many: relations::ManyToManyState,
    pub auth: auth::AuthState,
    /// `ctx.metadata` `${Model}:indicies` → `"indexName:queryField"` entries.
    pub index_queries: Vec<(String, Vec<String>)>,
    /// `ctx.metadata` `joinTypeList`.
    pub join_types: Vec<String>,
    pub conversations: Vec<conversation::ConversationConfig>,
    /// `@searchable` models with a search query.
    pub searchable_models: Vec<String>,
}

impl Transform {
    fn run(input: Document, modes: &AuthorizationModes) -> Result<Document, SchemaError> {
        check_directives(&input)?;
        let out = Output::from_input(&input)?;
        let mut t = Transform {
            input,
            out,
            sandbox: modes.sandbox_mode,
            enable_iam: true,
            default_mode: modes.default,
            additional_modes: modes.additional.clone(),
            model_types: Vec::new(),
            model_configs: HashMap::new(),
            primary_keys: Vec::new(),
            indexes: Vec::new(),
            has_many: Vec::new(),
            has_one: Vec::new(),
            belongs_to: Vec::new(),
            many_to_many: relations::ManyToManyState::default(),
            auth: auth::AuthState::default(),
            index_queries: Vec::new(),
            join_types: Vec::new(),
            conversations: Vec::new(),
            searchable_models: Vec::new(),
        };
        // Object and field hooks, plugin by plugin, definition by definition.
        t.model_hooks()?;
        t.http_hooks()?;
        t.primary_key_hooks()?;
        t.index_hooks()?;
        t.has_many_hooks()?;
        t.has_one_hooks()?;
        t.many_to_many_hooks()?;
        t.belongs_to_hooks()?;
        t.conversation_hooks()?;
        t.default_value_hooks()?;
        t.searchable_hooks()?;
        t.auth_before();
        t.auth_hooks()?;
        // validate
        t.many_to_many_validate()?;
        // prepare
        t.many_to_many_prepare()?;
        t.conversation_prepare()?;
        // transformSchema
        t.model_transform_schema()?;
        t.primary_key_transform_schema()?;
        t.index_transform_schema()?;
        t.has_many_transform_schema()?;
        t.has_one_transform_schema()?;
        t.many_to_many_transform_schema()?;
        t.belongs_to_transform_schema()?;
        t.searchable_transform_schema()?;
        t.auth_transform_schema()?;
        // generateResolvers (only its schema validation)
        t.auth_check_required_fields()?;
        t.sql_check()?;
        Ok(t.out.build())
    }

    pub fn is_model(&self, name: &str) -> bool {
        self.model_types.iter().any(|m| m == name)
    }
}

/// Unknown directives are an error, and so is `@predictions` (which needs a storage
/// configuration Gen 2 never passes to the transformer).
fn check_directives(doc: &Document) -> Result<(), SchemaError> {
    let mut all = Vec::new();
    for def in &doc.definitions {
        match def {
            Definition::Object(o) => {
                all.extend(o.directives.iter());
                for f in &o.fields {
                    all.extend(f.directives.iter());
                    for a in &f.args {
                        all.extend(a.directives.iter());
                    }
                }
            }
            Definition::InputObject(i) => {
                all.extend(i.directives.iter());
                for f in &i.fields {
                    all.extend(f.directives.iter());
                }
            }
            Definition::Enum(e) => {
                all.extend(e.directives.iter());
                for v in &e.values {
                    all.extend(v.directives.iter());
                }
            }
            Definition::Scalar(s) => all.extend(s.directives.iter()),
            Definition::Union(u) => all.extend(u.directives.iter()),
            Definition::Schema(_) => {}
        }
    }
    for d in all {
        if !KNOWN_DIRECTIVES.contains(&d.name.as_str()) {
            return Err(SchemaError::at(
                d.pos,
                format!(
                    "Unknown directive '{}'. Either remove the directive from the schema or add a transformer to handle it.",
                    d.name
                ),
            ));
        }
        if d.name == "predictions" {
            // Gen 2 gives the transformer no storage configuration.
            return Err(SchemaError::at(
                d.pos,
                "Please configure storage in your project in order to use the @predictions directive",
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
