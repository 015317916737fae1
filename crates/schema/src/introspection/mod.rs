//! `model_introspection` (version 1), as `amplify_outputs.json` carries it.
//!
//! Amplify computes it with `@aws-amplify/model-generator` → `@aws-amplify/graphql-generator`
//! (`target: 'introspection'`), i.e. amplify-codegen's `appsync-modelgen-plugin`, from the
//! directive SDL handed to the transformer. The output depends on details the typed data IR
//! deliberately normalizes away (the key order of `@auth` rule objects as written, every
//! type-level directive and its raw arguments, `@primaryKey` written on `id`, nested list
//! types), so the generator reads [`DataSpec::directive_sdl`] — the very text Amplify uses —
//! and reproduces the codegen's steps over it:
//!
//! 1. [`sdl`]: the SDL as the visitor sees it (extensions merged, arguments as ordered JSON);
//! 2. [`model`]: per model, primary key detection, implicit `id`, timestamps, `key`
//!    attributes from `@primaryKey`/`@index`, `@auth` rule defaults;
//! 3. [`relations`]: `@manyToMany` join models and `@hasOne`/`@hasMany`/`@belongsTo`
//!    connections with implied foreign key fields;
//! 4. [`render`]: the JSON document, in the codegen's key order.

mod conversation;
mod js;
mod model;
mod relations;
mod render;
mod sdl;
#[cfg(test)]
mod tests;

use stratus_spec::data::DataSpec;

use crate::SchemaError;
use model::{Model, Models};
use sdl::{FieldDef, InputValue, Kind};

/// Why the introspection document could not be produced (the cases where the real codegen
/// throws).
#[derive(Debug, thiserror::Error)]
pub enum IntrospectionError {
    #[error("invalid GraphQL at line {line}, column {column}: {message}")]
    Syntax {
        line: usize,
        column: usize,
        message: String,
    },
    #[error("model introspection: {0}")]
    Invalid(String),
}

impl IntrospectionError {
    fn invalid(msg: impl Into<String>) -> Self {
        IntrospectionError::Invalid(msg.into())
    }
}

impl From<IntrospectionError> for SchemaError {
    fn from(e: IntrospectionError) -> Self {
        match e {
            IntrospectionError::Syntax {
                line,
                column,
                message,
            } => SchemaError::Syntax {
                line,
                column,
                message,
            },
            IntrospectionError::Invalid(msg) => {
                SchemaError::Invalid(format!("model introspection: {msg}"))
            }
        }
    }
}

/// Generate `data.model_introspection` for a data definition.
pub fn generate(data: &DataSpec) -> Result<serde_json::Value, SchemaError> {
    Ok(generate_from_sdl(&data.directive_sdl)?)
}

/// Generate `model_introspection` from directive SDL (the `directives.graphql` text).
pub fn generate_from_sdl(sdl: &str) -> Result<serde_json::Value, IntrospectionError> {
    let document = sdl::parse(sdl)?;
    let mut schema = CodegenSchema::collect(document)?;
    for model in schema.models.iter_mut() {
        model.process_primary_key();
        model.process_index()?;
    }
    relations::process_connections(&mut schema.models)?;
    for model in schema.models.iter_mut() {
        model.process_auth()?;
    }
    render::document(&schema)
}

/// Enum and input type names the codegen skips because the Amplify directive definitions
/// declare them (plus `AMPLIFY`, the Gen 1 global auth input).
const TYPES_TO_SKIP: &[&str] = &[
    "AMPLIFY",
    "AuthRule",
    "AuthStrategy",
    "AuthProvider",
    "ModelOperation",
    "HttpMethod",
    "HttpHeader",
    "ModelMutationMap",
    "ModelQueryMap",
    "ModelSubscriptionMap",
    "ModelSubscriptionLevel",
    "TimestampConfiguration",
    "PredictionsActions",
    "SearchableQueryMap",
];

/// What the codegen visitor collects from the document.
#[derive(Debug, Default)]
struct CodegenSchema {
    models: Models,
    non_models: Vec<(String, Vec<FieldDef>)>,
    enums: Vec<(String, Vec<String>)>,
    queries: Vec<FieldDef>,
    mutations: Vec<FieldDef>,
    subscriptions: Vec<FieldDef>,
    inputs: Vec<(String, Vec<InputValue>)>,
    unions: Vec<String>,
    interfaces: Vec<String>,
}

/// `map[name] = value` on an insertion-ordered list.
fn upsert<T>(list: &mut Vec<(String, T)>, name: &str, value: T) {
    match list.iter_mut().find(|(n, _)| n == name) {
        Some(slot) => slot.1 = value,
        None => list.push((name.to_owned(), value)),
    }
}

fn upsert_operations(list: &mut Vec<FieldDef>, fields: Vec<FieldDef>) {
    for f in fields {
        match list.iter_mut().find(|x| x.name == f.name) {
            Some(slot) => *slot = f,
            None => list.push(f),
        }
    }
}

impl CodegenSchema {
    fn collect(document: sdl::Document) -> Result<Self, IntrospectionError> {
        let mut schema = CodegenSchema::default();
        let is_root = |root: &Option<String>, name: &str| root.as_deref() == Some(name);
        for def in document.types {
            // Directive-definition types are skipped; a type named like a built-in scalar
            // merges into the scalar the codegen declares.
            if TYPES_TO_SKIP.contains(&def.name.as_str())
                || render::SCALARS.contains(&def.name.as_str())
            {
                continue;
            }
            match def.kind {
                Kind::Object(fields) => {
                    if def.directives.iter().any(|d| d.name == "model") {
                        schema.models.insert(Model::from_definition(
                            &def.name,
                            def.directives,
                            fields,
                        )?);
                    } else if is_root(&document.query, &def.name) {
                        upsert_operations(&mut schema.queries, fields);
                    } else if is_root(&document.mutation, &def.name) {
                        upsert_operations(&mut schema.mutations, fields);
                    } else if is_root(&document.subscription, &def.name) {
                        upsert_operations(&mut schema.subscriptions, fields);
                    } else {
                        upsert(&mut schema.non_models, &def.name, fields);
                    }
                }
                Kind::Enum(values) => upsert(&mut schema.enums, &def.name, values),
                Kind::Input(fields) => upsert(&mut schema.inputs, &def.name, fields),
                Kind::Union => {
                    if !schema.unions.contains(&def.name) {
                        schema.unions.push(def.name);
                    }
                }
                Kind::Interface => {
                    if !schema.interfaces.contains(&def.name) {
                        schema.interfaces.push(def.name);
                    }
                }
                Kind::Scalar => {}
            }
        }
        Ok(schema)
    }
}
