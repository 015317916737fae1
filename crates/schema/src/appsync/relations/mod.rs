//! `@hasOne`, `@hasMany`, `@belongsTo` and `@manyToMany`: connection fields with their
//! arguments, implicit foreign-key fields (Gen 1 style `fields`), and related inputs.

mod connect;
mod hooks;
mod many_to_many;

pub(crate) use many_to_many::ManyToManyState;

use crate::sdl::ast::{Directive, FieldDef, ObjectDef, TypeNode, Value};

/// One relational directive (the plugins' `config`).
#[derive(Debug, Clone)]
pub(crate) struct RelationConfig {
    pub directive_name: &'static str,
    /// The type the directive is on.
    pub object: ObjectDef,
    pub field: FieldDef,
    pub directive: Directive,
    /// The related type (from the input document when defined there).
    pub related_type: ObjectDef,
    /// `fields:` after `ensureFieldsArray` (`Some(vec![])` when not given); `None` with
    /// `references:`.
    pub fields: Option<Vec<String>>,
    pub references: Option<Vec<String>>,
    pub index_name: Option<String>,
    pub field_nodes: Vec<FieldDef>,
    /// The related type's key fields the connection queries by (set in `transformSchema`).
    pub related_type_index: Vec<FieldDef>,
    /// `@belongsTo`: the directive of the related field pointing back (`hasOne`/`hasMany`).
    pub relation_type: Option<String>,
    pub related_field: Option<FieldDef>,
}

/// A directive argument that is a string or a list of strings; `None` when absent.
pub(crate) fn string_list_arg(d: &Directive, name: &str) -> Option<Vec<String>> {
    match d.arg(name)? {
        Value::String(s) => Some(vec![s.clone()]),
        Value::List(items) => Some(
            items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
        ),
        _ => None,
    }
}

/// `getObjectPrimaryKey`: the `@primaryKey` field, else an implicit `id: ID!`.
pub(crate) fn object_primary_key(object: &ObjectDef) -> FieldDef {
    object
        .fields
        .iter()
        .rev()
        .find(|f| f.has_directive("primaryKey"))
        .cloned()
        .unwrap_or_else(|| FieldDef::new("id", vec![], TypeNode::non_null(TypeNode::named("ID"))))
}

/// `getSortKeyFieldsNoContext`: the fields named in `@primaryKey(sortKeyFields:)`.
pub(crate) fn sort_key_fields_of(object: &ObjectDef) -> Vec<FieldDef> {
    let mut out = Vec::new();
    for f in &object.fields {
        for d in f.directives.iter().filter(|d| d.name == "primaryKey") {
            for name in string_list_arg(d, "sortKeyFields").unwrap_or_default() {
                if let Some(sf) = object.field(&name) {
                    out.push(sf.clone());
                }
            }
        }
    }
    out
}

/// `getPrimaryKeyFields` of graphql-transformer-core.
pub(crate) fn primary_key_field_names(object: &ObjectDef) -> Vec<String> {
    match object.fields.iter().find(|f| f.has_directive("primaryKey")) {
        None => vec!["id".to_string()],
        Some(f) => {
            let mut names = vec![f.name.clone()];
            if let Some(d) = f.directive("primaryKey") {
                names.extend(string_list_arg(d, "sortKeyFields").unwrap_or_default());
            }
            names
        }
    }
}
