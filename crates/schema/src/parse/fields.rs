//! Fields, arguments and type references; field-level directives (`@default`, relations,
//! `@validate`, `@auth`, `@aws_*`).

use stratus_spec::data::{Argument, Field, Relation, RelationKind, TypeRef, Validation};

use super::auth;
use crate::SchemaError;
use crate::sdl::ast::{Directive, FieldDef, InputValueDef, TypeNode, Value};
use crate::sdl::print;

/// `String!`, `[Int]`, `[ID!]!` → [`TypeRef`]. Nested lists keep the innermost item's
/// nullability.
pub(crate) fn type_ref(ty: &TypeNode) -> TypeRef {
    let required = ty.is_non_null();
    let list = match ty.unwrap_non_null() {
        TypeNode::List(item) => Some(item.is_non_null()),
        _ => None,
    };
    TypeRef {
        name: ty.base_name().to_string(),
        required,
        list,
    }
}

pub(crate) fn argument(v: &InputValueDef) -> Argument {
    Argument {
        name: v.name.clone(),
        ty: type_ref(&v.ty),
        default_value: v.default_value.as_ref().map(print::value),
    }
}

pub(crate) fn field(f: &FieldDef) -> Result<Field, SchemaError> {
    let mut out = Field {
        name: f.name.clone(),
        ty: type_ref(&f.ty),
        arguments: f.args.iter().map(argument).collect(),
        default: None,
        relation: None,
        auth: Vec::new(),
        aws_auth: auth::aws_auth_directives(&f.directives)?,
        validations: Vec::new(),
    };
    for d in &f.directives {
        match d.name.as_str() {
            "default" => out.default = Some(default_value(d)?),
            "hasOne" | "hasMany" | "belongsTo" | "manyToMany" => {
                if out.relation.is_some() {
                    return Err(SchemaError::at(
                        d.pos,
                        format!(
                            "field '{}' has more than one relationship directive",
                            f.name
                        ),
                    ));
                }
                out.relation = Some(relation(d, f)?);
            }
            "validate" => out.validations.push(validation(d)?),
            "auth" => out.auth.extend(auth::rules(d)?),
            _ => {}
        }
    }
    Ok(out)
}

/// `@default(value: "x")` → `Some("x")`; a bare `@default` → `None`.
fn default_value(d: &Directive) -> Result<Option<String>, SchemaError> {
    match d.arg("value") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(Value::Int(s) | Value::Float(s) | Value::Enum(s)) => Ok(Some(s.clone())),
        Some(Value::Boolean(b)) => Ok(Some(b.to_string())),
        Some(other) => Err(SchemaError::at(
            d.pos,
            format!(
                "@default(value:) must be a string, got {}",
                print::value(other)
            ),
        )),
    }
}

/// A string or a list of strings (`fields: "a"` or `fields: ["a", "b"]`).
pub(crate) fn string_list(d: &Directive, arg: &str) -> Result<Vec<String>, SchemaError> {
    match d.arg(arg) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(Value::List(items)) => items
            .iter()
            .map(|v| {
                v.as_str().map(str::to_string).ok_or_else(|| {
                    SchemaError::at(
                        d.pos,
                        format!("@{}({arg}:) must contain strings only", d.name),
                    )
                })
            })
            .collect(),
        Some(other) => Err(SchemaError::at(
            d.pos,
            format!(
                "@{}({arg}:) must be a string or a list of strings, got {}",
                d.name,
                print::value(other)
            ),
        )),
    }
}

pub(crate) fn optional_string(d: &Directive, arg: &str) -> Result<Option<String>, SchemaError> {
    match d.arg(arg) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s) | Value::Enum(s)) => Ok(Some(s.clone())),
        Some(other) => Err(SchemaError::at(
            d.pos,
            format!(
                "@{}({arg}:) must be a string, got {}",
                d.name,
                print::value(other)
            ),
        )),
    }
}

fn relation(d: &Directive, f: &FieldDef) -> Result<Relation, SchemaError> {
    let kind = match d.name.as_str() {
        "hasOne" => RelationKind::HasOne,
        "hasMany" => RelationKind::HasMany,
        "belongsTo" => RelationKind::BelongsTo,
        _ => RelationKind::ManyToMany,
    };
    let limit = match d.arg("limit") {
        None | Some(Value::Null) => None,
        Some(Value::Int(s)) => Some(s.parse::<u32>().map_err(|_| {
            SchemaError::at(
                d.pos,
                format!("@{}(limit:) must be a positive integer", d.name),
            )
        })?),
        Some(other) => {
            return Err(SchemaError::at(
                d.pos,
                format!(
                    "@{}(limit:) must be an integer, got {}",
                    d.name,
                    print::value(other)
                ),
            ));
        }
    };
    let relation_name = optional_string(d, "relationName")?;
    if matches!(kind, RelationKind::ManyToMany) && relation_name.is_none() {
        return Err(SchemaError::at(
            d.pos,
            format!("@manyToMany on '{}' needs a relationName", f.name),
        ));
    }
    Ok(Relation {
        kind,
        related: f.ty.base_name().to_string(),
        references: string_list(d, "references")?,
        fields: string_list(d, "fields")?,
        index_name: optional_string(d, "indexName")?,
        limit,
        relation_name,
    })
}

fn validation(d: &Directive) -> Result<Validation, SchemaError> {
    let kind = optional_string(d, "type")?
        .ok_or_else(|| SchemaError::at(d.pos, "@validate needs a type"))?;
    let value = match d.arg("value") {
        Some(Value::String(s) | Value::Int(s) | Value::Float(s) | Value::Enum(s)) => s.clone(),
        _ => return Err(SchemaError::at(d.pos, "@validate needs a string value")),
    };
    Ok(Validation {
        kind,
        value,
        error_message: optional_string(d, "errorMessage")?,
    })
}
