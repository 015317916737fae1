//! Which generated field does what: every root field of the AppSync SDL the transformer
//! generated for a model, and every relational field of a model type, mapped to the model
//! operation it runs (driven by the data IR).

use std::collections::HashMap;

use async_graphql::parser::types::{BaseType, FieldDefinition, Type, TypeKind};
use stratus_spec::data::{DataSchema, Model, RelationKind};
use stratus_store::documents::KeySchema;

/// The operation behind one field.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldPlan {
    /// `getX(pk, sk...)`.
    Get {
        model: String,
    },
    /// `listXs(filter, limit, nextToken[, pk, sk, sortDirection])`: a scan, or a query on the
    /// primary key when the partition key argument is given.
    List {
        model: String,
    },
    /// An index query field (`listXByY(y, sk, sortDirection, filter, limit, nextToken)`).
    Query {
        model: String,
        key: KeySchema,
    },
    Create {
        model: String,
    },
    Update {
        model: String,
    },
    Delete {
        model: String,
    },
    /// A `hasMany` field: a query of `related` on `key` with the parent's `parent_fields`
    /// (partition value then sort key values, matched with `eq`).
    HasMany {
        related: String,
        key: KeySchema,
        parent_fields: Vec<String>,
    },
    /// A `hasOne` by reference: the first item of `related` on `key` with the parent's values.
    HasOneByReference {
        related: String,
        key: KeySchema,
        parent_fields: Vec<String>,
    },
    /// `belongsTo` (or `hasOne` with `fields`): the item of `related` whose primary key is the
    /// values of `fields` on the parent.
    GetRelated {
        related: String,
        fields: Vec<String>,
    },
}

/// The plans of a schema: `(type, field) → plan`.
#[derive(Debug, Clone, Default)]
pub struct Plans {
    pub fields: HashMap<(String, String), FieldPlan>,
}

impl Plans {
    pub fn get(&self, type_name: &str, field: &str) -> Option<&FieldPlan> {
        self.fields.get(&(type_name.to_string(), field.to_string()))
    }

    /// Plans every root field of `Query`/`Mutation` and every relational field.
    pub fn build(schema: &DataSchema, models: &[Model], root_fields: &[RootField]) -> Plans {
        let mut plans = Plans::default();
        let custom: Vec<&str> = schema
            .queries
            .iter()
            .chain(&schema.mutations)
            .map(|o| o.name.as_str())
            .collect();
        for root in root_fields {
            if custom.contains(&root.field.as_str()) {
                continue;
            }
            if let Some(plan) = root_plan(models, root) {
                plans
                    .fields
                    .insert((root.type_name.clone(), root.field.clone()), plan);
            }
        }
        let declared: Vec<&str> = schema.models.iter().map(|m| m.name.as_str()).collect();
        for model in models {
            let generated = !declared.contains(&model.name.as_str());
            for field in &model.fields {
                let plan = if generated {
                    join_side_plan(models, field)
                } else {
                    relation_plan(models, model, field)
                };
                if let Some(plan) = plan {
                    plans
                        .fields
                        .insert((model.name.clone(), field.name.clone()), plan);
                }
            }
        }
        plans
    }
}

/// A root field as the generated SDL declares it.
#[derive(Debug, Clone)]
pub struct RootField {
    pub type_name: String,
    pub field: String,
    /// The named type it returns.
    pub returns: String,
    /// The named type of its `input` argument, if any.
    pub input_type: Option<String>,
    /// Its arguments, with whether each is required.
    pub args: Vec<(String, bool)>,
}

impl RootField {
    pub fn from_definition(type_name: &str, def: &FieldDefinition) -> RootField {
        RootField {
            type_name: type_name.to_string(),
            field: def.name.node.to_string(),
            returns: base_name(&def.ty.node).to_string(),
            input_type: def
                .arguments
                .iter()
                .find(|a| a.node.name.node == "input")
                .map(|a| base_name(&a.node.ty.node).to_string()),
            args: def
                .arguments
                .iter()
                .map(|a| (a.node.name.node.to_string(), !a.node.ty.node.nullable))
                .collect(),
        }
    }
}

/// The named type at the bottom of a type reference.
pub fn base_name(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(n) => n.as_str(),
        BaseType::List(inner) => base_name(inner),
    }
}

/// Whether a parsed type definition is an object type.
pub fn is_object(kind: &TypeKind) -> bool {
    matches!(kind, TypeKind::Object(_))
}

fn root_plan(models: &[Model], root: &RootField) -> Option<FieldPlan> {
    match root.type_name.as_str() {
        "Mutation" => {
            let input = root.input_type.as_deref()?;
            let model = models.iter().find(|m| m.name == root.returns)?;
            let name = model.name.clone();
            if input == format!("Create{}Input", model.name) {
                Some(FieldPlan::Create { model: name })
            } else if input == format!("Update{}Input", model.name) {
                Some(FieldPlan::Update { model: name })
            } else if input == format!("Delete{}Input", model.name) {
                Some(FieldPlan::Delete { model: name })
            } else {
                None
            }
        }
        "Query" => {
            if let Some(model) = models.iter().find(|m| m.name == root.returns) {
                return Some(FieldPlan::Get {
                    model: model.name.clone(),
                });
            }
            let model = models
                .iter()
                .find(|m| root.returns == format!("Model{}Connection", m.name))?;
            for index in &model.indexes {
                if let Some(Some(q)) = &index.query_field
                    && *q == root.field
                {
                    let mut key = KeySchema::new(index.partition_key.clone(), &[]);
                    key.sort_keys = index.sort_keys.clone();
                    return Some(FieldPlan::Query {
                        model: model.name.clone(),
                        key,
                    });
                }
            }
            let pk = primary_key(model);
            let is_field = |name: &str| model.fields.iter().any(|f| f.name == name);
            if !root.args.iter().any(|(a, _)| *a == pk.partition_key)
                && let Some((partition, _)) = root
                    .args
                    .iter()
                    .find(|(a, required)| *required && is_field(a))
            {
                // An index query field of a generated model (the join models of
                // `@manyToMany`), whose index is not in the IR.
                return Some(FieldPlan::Query {
                    model: model.name.clone(),
                    key: KeySchema::new(partition.clone(), &[]),
                });
            }
            Some(FieldPlan::List {
                model: model.name.clone(),
            })
        }
        _ => None,
    }
}

/// The primary key of a model as a [`KeySchema`].
pub fn primary_key(model: &Model) -> KeySchema {
    match model.primary_key.split_first() {
        Some((pk, sks)) => KeySchema {
            partition_key: pk.clone(),
            sort_keys: sks.to_vec(),
        },
        None => KeySchema::new("id", &[]),
    }
}

fn relation_plan(
    models: &[Model],
    model: &Model,
    field: &stratus_spec::data::Field,
) -> Option<FieldPlan> {
    let rel = field.relation.as_ref()?;
    let related = models.iter().find(|m| m.name == rel.related)?;
    let parent_pk: Vec<String> = primary_key(model).fields().map(String::from).collect();
    match rel.kind {
        RelationKind::HasMany => {
            let (key, parent_fields) = if let Some((first, rest)) = rel.references.split_first() {
                let key = KeySchema {
                    partition_key: first.clone(),
                    sort_keys: rest.to_vec(),
                };
                (key, parent_pk)
            } else if let Some(index) = &rel.index_name {
                let idx = related
                    .indexes
                    .iter()
                    .find(|i| i.name.as_deref() == Some(index.as_str()))?;
                let mut key = KeySchema::new(idx.partition_key.clone(), &[]);
                key.sort_keys = idx.sort_keys.clone();
                let parent_fields = if rel.fields.is_empty() {
                    parent_pk
                } else {
                    rel.fields.clone()
                };
                (key, parent_fields)
            } else if rel.fields.is_empty() {
                let implicit =
                    format!("{}{}Id", lower_first(&model.name), upper_first(&field.name));
                (
                    KeySchema::new(implicit, &[]),
                    parent_pk.into_iter().take(1).collect(),
                )
            } else {
                return None;
            };
            Some(FieldPlan::HasMany {
                related: related.name.clone(),
                key,
                parent_fields,
            })
        }
        RelationKind::HasOne if !rel.references.is_empty() => {
            let (first, rest) = rel.references.split_first()?;
            Some(FieldPlan::HasOneByReference {
                related: related.name.clone(),
                key: KeySchema {
                    partition_key: first.clone(),
                    sort_keys: rest.to_vec(),
                },
                parent_fields: parent_pk,
            })
        }
        RelationKind::HasOne | RelationKind::BelongsTo => {
            let fields = if !rel.references.is_empty() {
                rel.references.clone()
            } else if !rel.fields.is_empty() {
                rel.fields.clone()
            } else {
                let related_pk = primary_key(related);
                let mut out = vec![format!(
                    "{}{}Id",
                    lower_first(&model.name),
                    upper_first(&field.name)
                )];
                for sk in &related_pk.sort_keys {
                    out.push(format!(
                        "{}{}{}",
                        lower_first(&model.name),
                        upper_first(&field.name),
                        upper_first(sk)
                    ));
                }
                out
            };
            Some(FieldPlan::GetRelated {
                related: related.name.clone(),
                fields,
            })
        }
        RelationKind::ManyToMany => {
            // Through the join model: its `<model><Pk>` index.
            let join = rel.relation_name.as_ref()?;
            let join_model = models.iter().find(|m| &m.name == join)?;
            let pk = primary_key(model);
            let link = format!(
                "{}{}",
                lower_first(&model.name),
                upper_first(&pk.partition_key)
            );
            if !join_model.fields.iter().any(|f| f.name == link) {
                return None;
            }
            Some(FieldPlan::HasMany {
                related: join.clone(),
                key: KeySchema::new(link, &[]),
                parent_fields: vec![pk.partition_key],
            })
        }
    }
}

/// A field of a generated join model that names one side (`post`): the side's item by the
/// join model's `<side><Pk>` fields.
fn join_side_plan(models: &[Model], field: &stratus_spec::data::Field) -> Option<FieldPlan> {
    if field.relation.is_some() || field.ty.list.is_some() {
        return None;
    }
    let related = models.iter().find(|m| m.name == field.ty.name)?;
    let pk = primary_key(related);
    let mut fields = vec![format!("{}{}", field.name, upper_first(&pk.partition_key))];
    fields.extend(pk.sort_keys.iter().map(|sk| format!("{}{sk}", field.name)));
    Some(FieldPlan::GetRelated {
        related: related.name.clone(),
        fields,
    })
}

/// The join models of `@manyToMany` relations, with the indexes on their `<side><Pk>` fields
/// that the transformer creates for them.
pub fn with_join_indexes(mut join: Model) -> Model {
    let sides: Vec<String> = join
        .fields
        .iter()
        .filter(|f| f.name != "id" && f.relation.is_none() && f.ty.name == "ID")
        .map(|f| f.name.clone())
        .collect();
    for side in sides {
        if !join.indexes.iter().any(|i| i.partition_key == side) {
            join.indexes.push(stratus_spec::data::Index {
                name: Some(format!("by{}", upper_first(&side))),
                partition_key: side,
                sort_keys: Vec::new(),
                query_field: None,
                projection: None,
            });
        }
    }
    join
}

pub fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_lowercase().chain(c).collect())
        .unwrap_or_default()
}

pub fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}
