//! `@model` types: the directive's arguments, keys (`@primaryKey`, `@index`), type-level auth.

use stratus_spec::data::{
    Index, Model, ModelDirective, ModelOps, Projection, SubscriptionOps, Timestamps,
};

use super::{auth, fields};
use crate::SchemaError;
use crate::sdl::ast::{Directive, Document, ObjectDef, Value};
use crate::sdl::print;

pub(crate) fn model(o: &ObjectDef, doc: &Document) -> Result<Model, SchemaError> {
    let model_directive = o
        .directive("model")
        .ok_or_else(|| SchemaError::at(o.pos, format!("'{}' is not a @model", o.name)))?;
    let mut primary_key = vec!["id".to_string()];
    let mut seen_primary_key = false;
    let mut indexes = Vec::new();
    for f in &o.fields {
        for d in &f.directives {
            match d.name.as_str() {
                "primaryKey" => {
                    if seen_primary_key {
                        return Err(SchemaError::at(
                            d.pos,
                            format!("you may only supply one primary key on type '{}'", o.name),
                        ));
                    }
                    seen_primary_key = true;
                    check_key_field(o, doc, &f.name, d, "primary key")?;
                    let sort_keys = fields::string_list(d, "sortKeyFields")?;
                    for sk in &sort_keys {
                        check_key_field(o, doc, sk, d, "primary key's sort key")?;
                    }
                    primary_key = std::iter::once(f.name.clone()).chain(sort_keys).collect();
                }
                "index" => {
                    let sort_keys = fields::string_list(d, "sortKeyFields")?;
                    for sk in &sort_keys {
                        if !o.has_field(sk) {
                            return Err(SchemaError::at(
                                d.pos,
                                format!(
                                    "can't find field '{sk}' in {}, but it was specified in an index",
                                    o.name
                                ),
                            ));
                        }
                    }
                    indexes.push(Index {
                        name: fields::optional_string(d, "name")?,
                        partition_key: f.name.clone(),
                        sort_keys,
                        query_field: match d.arg("queryField") {
                            None => None,
                            Some(Value::Null) => Some(None),
                            Some(_) => Some(fields::optional_string(d, "queryField")?),
                        },
                        projection: projection(d)?,
                    });
                }
                _ => {}
            }
        }
    }
    let mut model_auth = Vec::new();
    for d in o.directives.iter().filter(|d| d.name == "auth") {
        model_auth.extend(auth::rules(d)?);
    }
    let refers_to = match o.directive("refersTo") {
        Some(d) => fields::optional_string(d, "name")?,
        None => None,
    };
    Ok(Model {
        name: o.name.clone(),
        fields: o
            .fields
            .iter()
            .map(fields::field)
            .collect::<Result<_, _>>()?,
        model: model_directive_args(model_directive)?,
        primary_key,
        indexes,
        auth: model_auth,
        aws_auth: auth::aws_auth_directives(&o.directives)?,
        refers_to,
    })
}

/// The primary key and its sort keys must be non-null scalars or enums.
fn check_key_field(
    o: &ObjectDef,
    doc: &Document,
    name: &str,
    d: &Directive,
    what: &str,
) -> Result<(), SchemaError> {
    let f = o.field(name).ok_or_else(|| {
        SchemaError::at(
            d.pos,
            format!(
                "can't find field '{name}' in {}, but it was specified in the {what}",
                o.name
            ),
        )
    })?;
    if !f.ty.is_non_null() {
        return Err(SchemaError::at(
            d.pos,
            format!(
                "the {what} on type '{}' must reference non-null fields",
                o.name
            ),
        ));
    }
    let base = f.ty.base_name();
    let scalar_or_enum = crate::appsync::scalars::is_scalar_name(base) || doc.is_enum(base);
    if f.ty.is_list() || !scalar_or_enum {
        return Err(SchemaError::at(
            d.pos,
            format!(
                "the {what} on type '{}.{name}' cannot be a non-scalar",
                o.name
            ),
        ));
    }
    Ok(())
}

fn projection(d: &Directive) -> Result<Option<Projection>, SchemaError> {
    let Some(value) = d.arg("projection") else {
        return Ok(None);
    };
    let Value::Object(fields) = value else {
        return Err(SchemaError::at(
            d.pos,
            format!(
                "@index(projection:) must be an object, got {}",
                print::value(value)
            ),
        ));
    };
    let mut kind = "ALL".to_string();
    let mut non_key_attributes = Vec::new();
    for (name, v) in fields {
        match (name.as_str(), v) {
            ("type", v) => {
                kind = v
                    .as_str()
                    .ok_or_else(|| SchemaError::at(d.pos, "@index projection type must be a name"))?
                    .to_string();
            }
            ("nonKeyAttributes", Value::List(items)) => {
                non_key_attributes = items
                    .iter()
                    .filter_map(|i| i.as_str().map(str::to_string))
                    .collect();
            }
            _ => {}
        }
    }
    Ok(Some(Projection {
        kind,
        non_key_attributes,
    }))
}

/// `@model(queries:, mutations:, subscriptions:, timestamps:)` as written: `None` = argument
/// absent, `Some(None)` = `null`.
fn model_directive_args(d: &Directive) -> Result<ModelDirective, SchemaError> {
    let mut out = ModelDirective::default();
    for (name, value) in &d.args {
        match name.as_str() {
            "queries" | "mutations" => {
                let ops = match value {
                    Value::Null => None,
                    Value::Object(fields) => Some(ModelOps {
                        ops: fields
                            .iter()
                            .map(|(op, v)| (op.clone(), v.as_str().map(str::to_string)))
                            .collect(),
                    }),
                    other => return Err(not_object(d, name, other)),
                };
                if name == "queries" {
                    out.queries = Some(ops);
                } else {
                    out.mutations = Some(ops);
                }
            }
            "subscriptions" => {
                out.subscriptions = Some(match value {
                    Value::Null => None,
                    Value::Object(fields) => {
                        let mut subs = SubscriptionOps::default();
                        for (op, v) in fields {
                            if op == "level" {
                                subs.level = v.as_str().map(str::to_string);
                                continue;
                            }
                            let names = match v {
                                Value::Null => None,
                                Value::List(items) => Some(
                                    items
                                        .iter()
                                        .filter_map(|i| i.as_str().map(str::to_string))
                                        .collect(),
                                ),
                                other => other.as_str().map(|s| vec![s.to_string()]),
                            };
                            subs.ops.push((op.clone(), names));
                        }
                        Some(subs)
                    }
                    other => return Err(not_object(d, name, other)),
                });
            }
            "timestamps" => {
                out.timestamps = Some(match value {
                    Value::Null => None,
                    Value::Object(fields) => {
                        let mut ts = Timestamps::default();
                        for (k, v) in fields {
                            let v = v.as_str().map(str::to_string);
                            match k.as_str() {
                                "createdAt" => ts.created_at = Some(v),
                                "updatedAt" => ts.updated_at = Some(v),
                                _ => {}
                            }
                        }
                        Some(ts)
                    }
                    other => return Err(not_object(d, name, other)),
                });
            }
            _ => {}
        }
    }
    Ok(out)
}

fn not_object(d: &Directive, name: &str, v: &Value) -> SchemaError {
    SchemaError::at(
        d.pos,
        format!(
            "@model({name}:) must be an object or null, got {}",
            print::value(v)
        ),
    )
}
