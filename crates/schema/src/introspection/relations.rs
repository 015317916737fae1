//! Relationship processing (`processConnectionDirectivesV2` with custom primary keys enabled,
//! as the introspection target runs it): `@manyToMany` join models, `@hasOne` / `@hasMany` /
//! `@belongsTo` connection info, implied foreign key fields and implicit `gsi-*` keys.

use serde_json::{Map, Value};

use super::IntrospectionError;
use super::js::{index0, same_json, spread_or_empty, truthy};
use super::model::{Connection, ConnectionKind, Field, Model, Models};
use super::sdl::Directive;
use crate::naming::{camel_case, graphql_name, to_camel_case, to_lower, to_upper};

fn invalid(msg: String) -> IntrospectionError {
    IntrospectionError::Invalid(msg)
}

/// A value as JavaScript template literals print it.
fn js_display(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn str_list(values: &[Value], what: &str) -> Result<Vec<String>, IntrospectionError> {
    values
        .iter()
        .map(|v| {
            v.as_str()
                .map(str::to_owned)
                .ok_or_else(|| invalid(format!("{what} must be a list of field names")))
        })
        .collect()
}

/// `getOtherSideBelongsToField`: the first field of `other` typed `type_name` with `@belongsTo`.
fn other_side_belongs_to<'a>(type_name: &str, other: &'a Model) -> Option<&'a Field> {
    other
        .fields
        .iter()
        .filter(|f| f.ty.name == type_name)
        .find(|f| f.has_directive("belongsTo"))
}

/// `getBelongsToConnectedFields`: fields of `other` whose `@hasOne`/`@hasMany` points back at
/// `model`.
fn belongs_to_connected_fields<'a>(model: &Model, other: &'a Model) -> Vec<&'a Field> {
    other
        .field_directives()
        .filter(|(f, d)| {
            ((d.name == "hasOne" && !f.ty.list) || (d.name == "hasMany" && f.ty.list))
                && f.ty.name == model.name
        })
        .map(|(f, _)| f)
        .collect()
}

/// `getConnectedFieldForReferences`: only its failure cases matter for the output.
fn check_references(
    field: &Field,
    directive: &Directive,
    model: &Model,
    other: &Model,
) -> Result<(), IntrospectionError> {
    let references = directive.arg("references");
    if !truthy(references) {
        return Err(invalid(format!(
            "The {} on model {} does not have references.",
            field.name, model.name
        )));
    }
    let references = references.cloned().unwrap_or(Value::Null);
    if truthy(directive.arg("fields")) {
        return Err(invalid(
            "'fields' and 'references' cannot be used together.".into(),
        ));
    }
    let same = |d: &Directive| {
        truthy(d.arg("references"))
            && d.arg("references")
                .is_some_and(|r| same_json(r, &references))
    };
    let found = if directive.name == "belongsTo" {
        belongs_to_connected_fields(model, other).iter().any(|f| {
            f.directives
                .iter()
                .any(|d| (d.name == "hasOne" || d.name == "hasMany") && same(d))
        })
    } else {
        other.field_directives().any(|(_, d)| same(d))
    };
    if found {
        return Ok(());
    }
    let counterpart = if directive.name == "belongsTo" {
        "@hasOne or @hasMany"
    } else {
        "@belongsTo"
    };
    Err(invalid(format!(
        "Error processing @{} directive on {}.{}. {counterpart} directive with references {} was not found in connected model {}",
        directive.name, model.name, field.name, references, other.name
    )))
}

fn referenced_fields(
    references: &[Value],
    other: &Model,
) -> Result<Vec<String>, IntrospectionError> {
    references
        .iter()
        .map(|r| {
            r.as_str()
                .and_then(|n| other.field(n))
                .map(|f| f.name.clone())
                .ok_or_else(|| invalid(format!("reference {r} is not a field of {}", other.name)))
        })
        .collect()
}

/// What a relationship field resolves to, plus the fields the codegen adds because of it.
struct Resolved {
    connection: Connection,
    connected: String,
    /// Fields of the connected model the connection uses (added to it when missing).
    associated_fields: Vec<Field>,
}

fn connected_model<'a>(models: &'a Models, field: &Field) -> Result<&'a Model, IntrospectionError> {
    models.get(&field.ty.name).ok_or_else(|| {
        invalid(format!(
            "relationship field {} refers to {}, which is not a model",
            field.name, field.ty.name
        ))
    })
}

fn has_many(
    models: &Models,
    model: &Model,
    field: &Field,
    d: &Directive,
) -> Result<Resolved, IntrospectionError> {
    if !field.ty.list {
        return Err(invalid("A field with hasMany must be a list type".into()));
    }
    let other = connected_model(models, field)?;
    let references = spread_or_empty(d.arg("references")).unwrap_or_default();
    let associated: Vec<Field> = if !references.is_empty() {
        check_references(field, d, model, other)?;
        referenced_fields(&references, other)?
            .iter()
            .filter_map(|n| other.field(n).cloned())
            .collect()
    } else if truthy(d.arg("fields")) {
        let index_name = d.arg("indexName");
        let dir_field = if truthy(index_name) {
            let found = other
                .field_directives()
                .find(|(_, x)| x.name == "index" && x.arg("name") == index_name);
            let Some((f, _)) = found else {
                return Err(invalid(format!(
                    "Error processing @hasMany directive on {}.{}, @index directive with name {} was not found in connected model {}",
                    model.name,
                    field.name,
                    index_name.map(js_display).unwrap_or_default(),
                    other.name
                )));
            };
            Some(f.name.clone())
        } else {
            other
                .field_directives()
                .find(|(_, x)| x.name == "primaryKey")
                .map(|(f, _)| f.name.clone())
        };
        let name = dir_field
            .or_else(|| other_side_belongs_to(&model.name, other).map(|f| f.name.clone()))
            .unwrap_or_else(|| "id".to_owned());
        let belongs_to = other
            .fields
            .iter()
            .filter(|f| f.ty.name == model.name)
            .find(|f| {
                f.directives.iter().any(|x| {
                    x.name == "belongsTo"
                        && truthy(x.arg("fields"))
                        && x.arg("fields").and_then(index0) == Some(Value::String(name.clone()))
                })
            });
        match belongs_to.or_else(|| other.field(&name)) {
            Some(f) => vec![f.clone()],
            None => {
                return Err(invalid(format!(
                    "Can not find key field {name} in {}",
                    other.name
                )));
            }
        }
    } else {
        model
            .primary_key_components()
            .iter()
            .map(|comp| {
                let fk = to_camel_case(&[&model.name, &field.name, &comp.name]);
                other
                    .field(&fk)
                    .cloned()
                    .unwrap_or_else(|| Field::plain(&fk, &comp.ty.name, true, false))
            })
            .collect()
    };
    Ok(Resolved {
        connection: Connection {
            kind: ConnectionKind::HasMany,
            associated_with: associated.iter().map(|f| f.name.clone()).collect(),
            target_names: None,
        },
        connected: other.name.clone(),
        associated_fields: associated,
    })
}

fn has_one(
    models: &Models,
    model: &Model,
    field: &Field,
    d: &Directive,
) -> Result<Resolved, IntrospectionError> {
    let other = connected_model(models, field)?;
    if field.ty.list || other_side_belongs_to(&model.name, other).is_some_and(|f| f.ty.list) {
        return Err(invalid(
            "A hasOne relationship should be 1:1, no lists".into(),
        ));
    }
    let references = spread_or_empty(d.arg("references")).unwrap_or_default();
    if !references.is_empty() {
        check_references(field, d, model, other)?;
        let associated = referenced_fields(&references, other)?;
        return Ok(Resolved {
            connection: Connection {
                kind: ConnectionKind::HasOne,
                associated_with: associated,
                target_names: None,
            },
            connected: other.name.clone(),
            associated_fields: Vec::new(),
        });
    }
    let components = other.primary_key_components();
    let connection_fields = spread_or_empty(d.arg("fields")).ok_or_else(|| {
        invalid(format!(
            "@hasOne fields on {}.{} must be a list",
            model.name, field.name
        ))
    })?;
    let target_names = if connection_fields.is_empty() {
        components
            .iter()
            .map(|c| to_camel_case(&[&model.name, &field.name, &c.name]))
            .collect()
    } else {
        str_list(&connection_fields, "@hasOne fields")?
    };
    Ok(Resolved {
        connection: Connection {
            kind: ConnectionKind::HasOne,
            associated_with: components.iter().map(|f| f.name.clone()).collect(),
            target_names: Some(target_names),
        },
        connected: other.name.clone(),
        associated_fields: Vec::new(),
    })
}

fn belongs_to(
    models: &Models,
    model: &Model,
    field: &Field,
    d: &Directive,
) -> Result<Resolved, IntrospectionError> {
    if field.ty.list {
        return Err(invalid(
            "A list field does not support the 'belongsTo' relation".into(),
        ));
    }
    let other = connected_model(models, field)?;
    let connected_fields = belongs_to_connected_fields(model, other);
    let Some(other_side_field) = connected_fields.first() else {
        return Err(invalid(
            "A 'belongsTo' field should match to a corresponding 'hasMany' or 'hasOne' field"
                .into(),
        ));
    };
    let references = spread_or_empty(d.arg("references")).unwrap_or_default();
    if !references.is_empty() {
        check_references(field, d, model, other)?;
    }
    let connection_fields = spread_or_empty(d.arg("fields")).ok_or_else(|| {
        invalid(format!(
            "@belongsTo fields on {}.{} must be a list",
            model.name, field.name
        ))
    })?;
    let explicit: Vec<Value> = connection_fields.into_iter().chain(references).collect();
    let target_names = if !explicit.is_empty() {
        str_list(&explicit, "@belongsTo fields/references")?
    } else if other_side_field.ty.list {
        let comps = other.primary_key_components();
        comps
            .iter()
            .map(|c| to_camel_case(&[&other.name, &other_side_field.name, &c.name]))
            .collect()
    } else {
        let comps = other.primary_key_components();
        comps
            .iter()
            .map(|c| to_camel_case(&[&model.name, &field.name, &c.name]))
            .collect()
    };
    Ok(Resolved {
        connection: Connection {
            kind: ConnectionKind::BelongsTo,
            associated_with: Vec::new(),
            target_names: Some(target_names),
        },
        connected: other.name.clone(),
        associated_fields: Vec::new(),
    })
}

/// Foreign key fields a `hasOne`/`belongsTo` adds to its own model, typed like the connected
/// model's primary key components.
fn foreign_key_fields(
    models: &Models,
    resolved: &Resolved,
    field: &Field,
) -> Result<Vec<Field>, IntrospectionError> {
    let Some(targets) = &resolved.connection.target_names else {
        return Ok(Vec::new());
    };
    let Some(connected) = models.get(&resolved.connected) else {
        return Ok(Vec::new());
    };
    let components = connected.primary_key_components();
    if components.is_empty() {
        return Ok(Vec::new());
    }
    targets
        .iter()
        .enumerate()
        .map(|(i, target)| {
            let comp = components.get(i).ok_or_else(|| {
                invalid(format!(
                    "{} has more connection fields than {} has primary key fields",
                    field.name, connected.name
                ))
            })?;
            Ok(Field::plain(
                target,
                &comp.ty.name,
                field.ty.nullable,
                false,
            ))
        })
        .collect()
}

/// `hasManyHasImplicitKey` → `addHasManyKey`.
fn implicit_has_many_key(
    models: &mut Models,
    model_name: &str,
    field: &Field,
    resolved: &Resolved,
) {
    let Some(connected) = models.get_mut(&resolved.connected) else {
        return;
    };
    let referencing_parent = connected.fields.iter().find(|f| f.ty.name == model_name);
    let has_belongs_to = referencing_parent.is_some_and(|f| f.has_directive("belongsTo"));
    let has_index_name = field
        .directives
        .iter()
        .any(|d| d.name == "hasMany" && truthy(d.arg("indexName")));
    if has_belongs_to || has_index_name {
        return;
    }
    let mut args = Map::new();
    args.insert(
        "name".into(),
        Value::String(format!("gsi-{model_name}.{}", field.name)),
    );
    let names = resolved
        .connection
        .associated_with
        .iter()
        .map(|n| Value::String(n.clone()))
        .collect();
    args.insert("fields".into(), Value::Array(names));
    connected.directives.push(Directive::new("key", args));
}

fn resolve(
    models: &Models,
    model: &Model,
    field: &Field,
) -> Result<Option<Resolved>, IntrospectionError> {
    let Some(d) = field
        .directives
        .iter()
        .find(|d| matches!(d.name.as_str(), "hasOne" | "hasMany" | "belongsTo"))
    else {
        return Ok(None);
    };
    match d.name.as_str() {
        "hasOne" => has_one(models, model, field, d).map(Some),
        "hasMany" => has_many(models, model, field, d).map(Some),
        _ => belongs_to(models, model, field, d).map(Some),
    }
}

/// `processConnectionDirectivesV2`.
pub(super) fn process_connections(models: &mut Models) -> Result<(), IntrospectionError> {
    process_many_to_many(models)?;
    for mi in 0..models.len() {
        let field_count = models[mi].fields.len();
        for fi in 0..field_count {
            let (model, field) = (&models[mi], &models[mi].fields[fi]);
            let Some(resolved) = resolve(models, model, field)? else {
                continue;
            };
            let field = field.clone();
            let model_name = model.name.clone();
            match resolved.connection.kind {
                ConnectionKind::HasMany => {
                    if let Some(connected) = models.get_mut(&resolved.connected) {
                        for f in &resolved.associated_fields {
                            connected.add_field(f.clone());
                        }
                    }
                    implicit_has_many_key(models, &model_name, &field, &resolved);
                }
                ConnectionKind::HasOne | ConnectionKind::BelongsTo => {
                    for fk in foreign_key_fields(models, &resolved, &field)? {
                        models[mi].add_field(fk);
                    }
                }
            }
            models[mi].fields[fi].connection = Some(resolved.connection);
        }
        let model_names: Vec<String> = models.iter().map(|m| m.name.clone()).collect();
        let model = &mut models[mi];
        model
            .fields
            .retain(|f| !(model_names.contains(&f.ty.name) && f.connection.is_none()));
    }
    Ok(())
}

/// `determinePrimaryKeyFieldname`: the last field with `@primaryKey`, else `id`.
fn primary_key_field_name(model: &Model) -> String {
    model
        .fields
        .iter()
        .rev()
        .find(|f| f.has_directive("primaryKey"))
        .map_or_else(|| "id".to_owned(), |f| f.name.clone())
}

/// `getSortKeyFields`: fields named by the unnamed `key` attribute after its first entry.
fn sort_key_fields(model: &Model) -> Result<Vec<Field>, IntrospectionError> {
    let Some(key) = model
        .directives
        .iter()
        .find(|d| d.name == "key" && !truthy(d.arg("name")))
    else {
        return Ok(Vec::new());
    };
    let names = match key.arg("fields") {
        Some(Value::Array(items)) => items.iter().skip(1).cloned().collect::<Vec<_>>(),
        _ => {
            return Err(invalid(format!(
                "key attribute of {} has no field list",
                model.name
            )));
        }
    };
    str_list(&names, "sort key fields")?
        .iter()
        .map(|n| {
            model.field(n).cloned().ok_or_else(|| {
                invalid(format!(
                    "Sort key field {n} not found in type {}",
                    model.name
                ))
            })
        })
        .collect()
}

fn index_directive(name: String, sort_keys: &[String]) -> Directive {
    let mut args = Map::new();
    args.insert("name".into(), Value::String(name));
    args.insert(
        "sortKeyFields".into(),
        Value::Array(sort_keys.iter().cloned().map(Value::String).collect()),
    );
    Directive::new("index", args)
}

fn belongs_to_fields(fields: Vec<String>) -> Directive {
    let mut args = Map::new();
    args.insert(
        "fields".into(),
        Value::Array(fields.into_iter().map(Value::String).collect()),
    );
    Directive::new("belongsTo", args)
}

/// `generateIntermediateModel` for one `@manyToMany` relation.
fn join_model(first: &Model, second: &Model, relation: &str) -> Result<Model, IntrospectionError> {
    let mut fields = vec![Field::plain("id", "ID", false, false)];
    let mut belongs = Vec::new();
    for side in [first, second] {
        let pk = side
            .primary_key_field()
            .ok_or_else(|| invalid(format!("No primary key found for model {}", side.name)))?;
        let key_name = to_camel_case(&[&side.name, &pk.name]);
        let sorts = sort_key_fields(side)?;
        let sort_names: Vec<String> = sorts
            .iter()
            .map(|f| format!("{}{}", to_lower(&side.name), f.name))
            .collect();
        let mut key_field = Field::plain(&key_name, "ID", true, false);
        key_field
            .directives
            .push(index_directive(format!("by{}", side.name), &sort_names));
        fields.push(key_field);
        for (f, name) in sorts.iter().zip(&sort_names) {
            fields.push(Field::plain(name, &f.ty.name, true, f.ty.list));
        }
        let mut rel = Field::plain(&camel_case(&side.name), &side.name, false, false);
        rel.directives.push(belongs_to_fields(
            std::iter::once(key_name).chain(sort_names).collect(),
        ));
        belongs.push(rel);
    }
    fields.extend(belongs);
    let mut auth: Vec<Directive> = Vec::new();
    for d in first
        .directives
        .iter()
        .chain(&second.directives)
        .filter(|d| d.name == "auth")
    {
        if !auth.iter().any(|a| same_json(&a.to_json(), &d.to_json())) {
            auth.push(d.clone());
        }
    }
    let model_directive = Directive::new("model", Map::new());
    let mut model = Model {
        name: relation.to_owned(),
        directives: vec![model_directive.clone()],
        fields,
    };
    model.directives.extend(auth);
    model.process_primary_key();
    model.process_index()?;
    model.ensure_primary_key_field()?;
    model.add_timestamp_fields(&model_directive);
    model.sort_fields();
    Ok(model)
}

/// One `@manyToMany` field: model name, field index, the directive.
type Side = (String, usize, Directive);

/// `processManyToManyDirectives`: a join model per relation name, and each `@manyToMany`
/// field rewritten to a `@hasMany` on it.
fn process_many_to_many(models: &mut Models) -> Result<(), IntrospectionError> {
    // relation name → (model name, field index, directive)
    let mut relations: Vec<(String, Vec<Side>)> = Vec::new();
    for model in models.iter() {
        for (fi, field) in model.fields.iter().enumerate() {
            for d in field.directives.iter().filter(|d| d.name == "manyToMany") {
                let raw = d
                    .arg("relationName")
                    .and_then(Value::as_str)
                    .ok_or_else(|| {
                        invalid(format!(
                            "@manyToMany on {}.{} needs a relationName",
                            model.name, field.name
                        ))
                    })?;
                let relation = graphql_name(&to_upper(raw));
                let side = (model.name.clone(), fi, d.clone());
                match relations.iter_mut().find(|(name, _)| *name == relation) {
                    Some((_, sides)) => sides.push(side),
                    None => relations.push((relation, vec![side])),
                }
            }
        }
    }
    for (relation, sides) in relations {
        if sides.len() != 2 {
            let raw = sides
                .first()
                .and_then(|s| s.2.arg("relationName"))
                .and_then(Value::as_str)
                .unwrap_or_default();
            return Err(invalid(format!(
                "Error for relation: '{raw}', there should be two matching manyToMany directives and found: {}",
                sides.len()
            )));
        }
        let (Some(first), Some(second)) = (models.get(&sides[0].0), models.get(&sides[1].0)) else {
            return Err(invalid(format!("models of relation {relation} not found")));
        };
        let join = join_model(first, second, &relation)?;
        models.insert(join);
        for (model_name, fi, directive) in sides {
            let Some(model) = models.get(&model_name) else {
                continue;
            };
            let sort_names: Vec<String> = sort_key_fields(model)?
                .into_iter()
                .map(|f| f.name)
                .collect();
            let mut fields = vec![Value::String(primary_key_field_name(model))];
            fields.extend(sort_names.into_iter().map(Value::String));
            let mut args = Map::new();
            args.insert("indexName".into(), Value::String(format!("by{model_name}")));
            args.insert("fields".into(), Value::Array(fields));
            let Some(field) = models
                .get_mut(&model_name)
                .and_then(|m| m.fields.get_mut(fi))
            else {
                continue;
            };
            if let Some(pos) = field.directives.iter().position(|d| *d == directive) {
                field.directives.remove(pos);
            }
            field.ty.name = relation.clone();
            field.directives.push(Directive::new("hasMany", args));
        }
    }
    Ok(())
}
