//! What the store keeps for each model, derived from the data IR (dialect-independent).

use serde::{Deserialize, Serialize};
use serde_json::Value;
use stratus_spec::data::{DataSchema, Model, RelationKind};

use super::DocumentError;
use super::filter::is_graphql_name;

/// The key of a table or an index: a partition key field and sort key fields (several sort key
/// fields form one composite sort key, their values joined with `#`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct KeySchema {
    pub partition_key: String,
    #[serde(default)]
    pub sort_keys: Vec<String>,
}

impl KeySchema {
    pub fn new(partition_key: impl Into<String>, sort_keys: &[&str]) -> KeySchema {
        KeySchema {
            partition_key: partition_key.into(),
            sort_keys: sort_keys.iter().map(|s| s.to_string()).collect(),
        }
    }

    /// Partition key then sort key fields.
    pub fn fields(&self) -> impl Iterator<Item = &str> {
        std::iter::once(self.partition_key.as_str())
            .chain(self.sort_keys.iter().map(String::as_str))
    }

    /// The DynamoDB attribute name of the sort key: `status#createdAt` for a composite key.
    pub fn sort_key_attribute(&self) -> Option<String> {
        (!self.sort_keys.is_empty()).then(|| self.sort_keys.join("#"))
    }
}

/// How one model is stored: its primary key, its secondary indexes (model `@index`es and
/// relationship keys, deduplicated, without the primary key) and its fields.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelLayout {
    pub model: String,
    pub primary_key: KeySchema,
    pub indexes: Vec<KeySchema>,
    pub fields: Vec<String>,
}

/// The layout of every model of the schema, in schema order.
///
/// Indexes: each `@index` (partition + sort keys); for a `hasMany`/`hasOne` with `references`,
/// the referencing fields on the related model (first field partition, the rest a composite sort
/// key, as the transformer's `gsi-Parent.field`); for a `belongsTo` with `references`, the same
/// fields on the model itself; for an implicit Gen 1 `hasMany` (no `fields`, `references` or
/// `indexName`), the generated `<parent><Field>Id` field on the related model.
pub fn layouts_for(schema: &DataSchema) -> Result<Vec<ModelLayout>, DocumentError> {
    let mut layouts: Vec<ModelLayout> = schema
        .models
        .iter()
        .map(base_layout)
        .collect::<Result<_, _>>()?;
    for model in &schema.models {
        for field in &model.fields {
            let Some(rel) = &field.relation else { continue };
            let (target, key) = match rel.kind {
                RelationKind::HasMany | RelationKind::HasOne if !rel.references.is_empty() => {
                    (rel.related.as_str(), key_of(&rel.references))
                }
                RelationKind::BelongsTo if !rel.references.is_empty() => {
                    (model.name.as_str(), key_of(&rel.references))
                }
                RelationKind::HasMany if rel.fields.is_empty() && rel.index_name.is_none() => {
                    let implicit =
                        format!("{}{}Id", lower_first(&model.name), upper_first(&field.name));
                    (rel.related.as_str(), Some(KeySchema::new(implicit, &[])))
                }
                _ => continue,
            };
            let Some(key) = key else { continue };
            if let Some(layout) = layouts.iter_mut().find(|l| l.model == target) {
                add_index(layout, key)?;
            }
        }
    }
    Ok(layouts)
}

fn base_layout(model: &Model) -> Result<ModelLayout, DocumentError> {
    check_name(&model.name)?;
    let primary_key = key_of(&model.primary_key).unwrap_or_else(|| KeySchema::new("id", &[]));
    for f in primary_key.fields() {
        check_name(f)?;
    }
    let mut layout = ModelLayout {
        model: model.name.clone(),
        primary_key,
        indexes: Vec::new(),
        fields: model
            .fields
            .iter()
            .filter(|f| f.relation.is_none())
            .map(|f| f.name.clone())
            .collect(),
    };
    for index in &model.indexes {
        let mut key = KeySchema::new(index.partition_key.clone(), &[]);
        key.sort_keys = index.sort_keys.clone();
        add_index(&mut layout, key)?;
    }
    Ok(layout)
}

fn key_of(fields: &[String]) -> Option<KeySchema> {
    let (first, rest) = fields.split_first()?;
    Some(KeySchema {
        partition_key: first.clone(),
        sort_keys: rest.to_vec(),
    })
}

fn add_index(layout: &mut ModelLayout, key: KeySchema) -> Result<(), DocumentError> {
    for f in key.fields() {
        check_name(f)?;
    }
    if key != layout.primary_key && !layout.indexes.contains(&key) {
        layout.indexes.push(key);
    }
    Ok(())
}

pub(crate) fn check_name(name: &str) -> Result<(), DocumentError> {
    if is_graphql_name(name) {
        Ok(())
    } else {
        Err(DocumentError::InvalidName(name.into()))
    }
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_lowercase().chain(c).collect())
        .unwrap_or_default()
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// The composite sort key value AppSync's query resolvers build from a key condition argument
/// such as `{ releasedAt: "2024", name: "x" }`: the given parts in key order joined with `#`
/// (`"2024#x"`); an absent part is skipped (`"2024"`), as the resolver template does.
pub fn composite_sort_value(parts: &[Option<&Value>]) -> String {
    let mut out = String::new();
    for (i, part) in parts.iter().enumerate() {
        let Some(v) = part.filter(|v| !v.is_null()) else {
            continue;
        };
        if i > 0 {
            out.push('#');
        }
        match v {
            Value::String(s) => out.push_str(s),
            other => out.push_str(&other.to_string()),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn composite_values_join_like_the_resolver() {
        assert_eq!(
            composite_sort_value(&[Some(&json!("2024")), Some(&json!("x"))]),
            "2024#x"
        );
        assert_eq!(composite_sort_value(&[Some(&json!("2024")), None]), "2024");
        assert_eq!(
            composite_sort_value(&[Some(&json!("a")), Some(&json!(3))]),
            "a#3"
        );
    }
}
