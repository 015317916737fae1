//! Directive SDL → [`stratus_spec::data::DataSchema`].
//!
//! The SDL is read into the [`crate::sdl`] syntax tree first; this module interprets the
//! Amplify directives (`@model`, `@auth`, `@primaryKey`, `@index`, relations, `@default`,
//! `@validate`, `@function`, native `@aws_*`, ...) into the typed data IR.

mod auth;
mod fields;
mod model;
mod ops;

use stratus_spec::data::{DataSchema, EnumType, InputType, ObjectType, UnionType};

use crate::SchemaError;
use crate::sdl::ast::{Definition, Document, ObjectDef};

/// Parse the directive SDL (`@model`, `@auth`, `@index`, ...) into the data model.
///
/// Syntax errors carry the line and column of the offending token; directive misuse (an
/// unknown `allow:` strategy, `@primaryKey` on a list, ...) carries the directive's position.
pub fn parse_directive_sdl(sdl: &str) -> Result<DataSchema, SchemaError> {
    let doc = crate::sdl::read_document(sdl)?;
    schema_from_document(&doc)
}

/// The root operation type names (`schema { query: ... }` or the defaults).
pub(crate) struct Roots {
    pub query: String,
    pub mutation: String,
    pub subscription: String,
}

impl Roots {
    pub fn of(doc: &Document) -> Self {
        let mut roots = Roots {
            query: "Query".into(),
            mutation: "Mutation".into(),
            subscription: "Subscription".into(),
        };
        for def in &doc.definitions {
            if let Definition::Schema(s) = def {
                if let Some(q) = &s.query {
                    roots.query = q.clone();
                }
                if let Some(m) = &s.mutation {
                    roots.mutation = m.clone();
                }
                if let Some(sub) = &s.subscription {
                    roots.subscription = sub.clone();
                }
            }
        }
        roots
    }
}

pub(crate) fn schema_from_document(doc: &Document) -> Result<DataSchema, SchemaError> {
    let roots = Roots::of(doc);
    let mut schema = DataSchema::default();
    for def in &doc.definitions {
        match def {
            Definition::Object(o) if o.is_interface && !o.extend => {
                schema.interfaces.push(object_type(o)?);
            }
            Definition::Object(o) if o.is_interface => {
                let fields: Vec<_> = o
                    .fields
                    .iter()
                    .map(fields::field)
                    .collect::<Result<_, _>>()?;
                if let Some(t) = schema.interfaces.iter_mut().find(|t| t.name == o.name) {
                    t.fields.extend(fields);
                }
            }
            Definition::Object(o) if o.name == roots.query => {
                schema.queries.extend(ops::operations(o)?);
            }
            Definition::Object(o) if o.name == roots.mutation => {
                schema.mutations.extend(ops::operations(o)?);
            }
            Definition::Object(o) if o.name == roots.subscription => {
                schema.subscriptions.extend(ops::operations(o)?);
            }
            Definition::Object(o) if o.extend => extend_object(&mut schema, o)?,
            Definition::Object(o) if o.has_directive("model") => {
                schema.models.push(model::model(o, doc)?);
            }
            Definition::Object(o) => schema.types.push(object_type(o)?),
            Definition::Enum(e) if !e.extend => schema.enums.push(EnumType {
                name: e.name.clone(),
                values: e.values.iter().map(|v| v.name.clone()).collect(),
            }),
            Definition::Enum(e) => {
                if let Some(target) = schema.enums.iter_mut().find(|t| t.name == e.name) {
                    target
                        .values
                        .extend(e.values.iter().map(|v| v.name.clone()));
                }
            }
            Definition::InputObject(i) if i.name == "AMPLIFY" => {}
            Definition::InputObject(i) if !i.extend => schema.inputs.push(InputType {
                name: i.name.clone(),
                fields: i.fields.iter().map(fields::argument).collect(),
            }),
            Definition::InputObject(i) => {
                if let Some(target) = schema.inputs.iter_mut().find(|t| t.name == i.name) {
                    target.fields.extend(i.fields.iter().map(fields::argument));
                }
            }
            Definition::Scalar(s) if !s.extend => schema.scalars.push(s.name.clone()),
            Definition::Union(u) if !u.extend => schema.unions.push(UnionType {
                name: u.name.clone(),
                members: u.types.clone(),
            }),
            Definition::Union(u) => {
                if let Some(t) = schema.unions.iter_mut().find(|t| t.name == u.name) {
                    t.members.extend(u.types.iter().cloned());
                }
            }
            Definition::Scalar(_) | Definition::Schema(_) => {}
        }
    }
    Ok(schema)
}

fn object_type(o: &ObjectDef) -> Result<ObjectType, SchemaError> {
    Ok(ObjectType {
        name: o.name.clone(),
        fields: o
            .fields
            .iter()
            .map(fields::field)
            .collect::<Result<_, _>>()?,
        aws_auth: auth::aws_auth_directives(&o.directives)?,
        implements: o.interfaces.clone(),
    })
}

/// `extend type X { ... }` of a non-root type: append the fields.
fn extend_object(schema: &mut DataSchema, o: &ObjectDef) -> Result<(), SchemaError> {
    let new_fields: Vec<_> = o
        .fields
        .iter()
        .map(fields::field)
        .collect::<Result<_, _>>()?;
    if let Some(t) = schema.types.iter_mut().find(|t| t.name == o.name) {
        t.fields.extend(new_fields);
    } else if let Some(m) = schema.models.iter_mut().find(|m| m.name == o.name) {
        m.fields.extend(new_fields);
    } else {
        return Err(SchemaError::at(
            o.pos,
            format!("cannot extend type '{}': it is not defined before", o.name),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests;
