//! The introspection JSON document, with the codegen's key order.

use serde_json::{Map, Value, json};

use super::js::js_property_order;
use super::model::{ConnectionKind, Field, Model, PrimaryKeyKind};
use super::sdl::{FieldDef, InputValue, TypeInfo};
use super::{CodegenSchema, IntrospectionError, conversation};
use crate::naming::{constant_case, plural};

/// `METADATA_SCALAR_MAP`: scalars rendered by name.
pub(super) const SCALARS: &[&str] = &[
    "ID",
    "Boolean",
    "String",
    "AWSDate",
    "AWSTime",
    "AWSDateTime",
    "AWSEmail",
    "AWSJSON",
    "AWSURL",
    "AWSPhone",
    "AWSIPAddress",
    "Int",
    "Float",
    "AWSTimestamp",
];

impl CodegenSchema {
    /// `getType`.
    pub(super) fn type_of(&self, name: &str) -> Result<Value, IntrospectionError> {
        if SCALARS.contains(&name) {
            return Ok(Value::String(name.to_owned()));
        }
        let tagged = |tag: &str| json!({ tag: name });
        if self.enums.iter().any(|(n, _)| n == name) {
            return Ok(tagged("enum"));
        }
        if self.non_models.iter().any(|(n, _)| n == name) {
            return Ok(tagged("nonModel"));
        }
        if self.models.contains(name) {
            return Ok(tagged("model"));
        }
        if self.inputs.iter().any(|(n, _)| n == name) {
            return Ok(tagged("input"));
        }
        if self.unions.iter().any(|n| n == name) {
            return Ok(tagged("union"));
        }
        if self.interfaces.iter().any(|n| n == name) {
            return Ok(tagged("interface"));
        }
        Err(IntrospectionError::invalid(format!(
            "Unknown type {name} found during model introspection schema generation"
        )))
    }

    fn is_union_or_interface(&self, name: &str) -> bool {
        self.unions.iter().any(|n| n == name) || self.interfaces.iter().any(|n| n == name)
    }

    fn field_meta(&self, field: &Field) -> Result<Value, IntrospectionError> {
        let mut meta = Map::new();
        meta.insert("name".into(), Value::String(field.name.clone()));
        meta.insert("isArray".into(), Value::Bool(field.ty.list));
        meta.insert("type".into(), self.type_of(&field.ty.name)?);
        meta.insert("isRequired".into(), Value::Bool(!field.ty.nullable));
        meta.insert("attributes".into(), Value::Array(Vec::new()));
        if let Some(list_nullable) = field.ty.list_nullable {
            meta.insert("isArrayNullable".into(), Value::Bool(list_nullable));
        }
        if let Some(read_only) = field.read_only {
            meta.insert("isReadOnly".into(), Value::Bool(read_only));
        }
        if let Some(conn) = &field.connection {
            let mut assoc = Map::new();
            assoc.insert(
                "connectionType".into(),
                Value::String(conn.kind.as_str().to_owned()),
            );
            let names =
                |list: &[String]| Value::Array(list.iter().cloned().map(Value::String).collect());
            match conn.kind {
                ConnectionKind::HasMany => {
                    assoc.insert("associatedWith".into(), names(&conn.associated_with));
                }
                ConnectionKind::HasOne => {
                    assoc.insert("associatedWith".into(), names(&conn.associated_with));
                    assoc.insert(
                        "targetNames".into(),
                        names(conn.target_names.as_deref().unwrap_or_default()),
                    );
                }
                ConnectionKind::BelongsTo => {
                    assoc.insert(
                        "targetNames".into(),
                        names(conn.target_names.as_deref().unwrap_or_default()),
                    );
                }
            }
            meta.insert("association".into(), Value::Object(assoc));
        }
        Ok(Value::Object(meta))
    }

    /// `generateNonModelMetadata`: `{ name, fields }`.
    fn non_model_meta<'a>(
        &self,
        name: &str,
        fields: impl Iterator<Item = &'a Field>,
    ) -> Result<Map<String, Value>, IntrospectionError> {
        let mut out = Map::new();
        for field in fields {
            if self.is_union_or_interface(&field.ty.name) {
                continue;
            }
            out.insert(field.name.clone(), self.field_meta(field)?);
        }
        let mut meta = Map::new();
        meta.insert("name".into(), Value::String(name.to_owned()));
        meta.insert("fields".into(), Value::Object(out));
        Ok(meta)
    }

    fn model_meta(&self, model: &Model) -> Result<Value, IntrospectionError> {
        let mut meta = self.non_model_meta(&model.name, model.fields.iter())?;
        meta.insert("syncable".into(), Value::Bool(true));
        meta.insert("pluralName".into(), Value::String(plural(&model.name)));
        let attributes = model
            .directives
            .iter()
            .map(|d| json!({ "type": d.name, "properties": Value::Object(d.args.clone()) }))
            .collect();
        meta.insert("attributes".into(), Value::Array(attributes));
        let pk = model
            .primary_key_field()
            .and_then(|f| f.primary_key.as_ref().map(|info| (f, info)))
            .ok_or_else(|| {
                IntrospectionError::invalid(format!(
                    "No primary key found for model {}",
                    model.name
                ))
            })?;
        meta.insert(
            "primaryKeyInfo".into(),
            json!({
                "isCustomPrimaryKey": pk.1.kind == PrimaryKeyKind::CustomId,
                "primaryKeyFieldName": pk.0.name,
                "sortKeyFieldNames": pk.1.sort_key_fields,
            }),
        );
        Ok(Value::Object(meta))
    }

    fn value_meta(
        &self,
        name: &str,
        ty: &TypeInfo,
    ) -> Result<Map<String, Value>, IntrospectionError> {
        let mut meta = Map::new();
        meta.insert("name".into(), Value::String(name.to_owned()));
        meta.insert("isArray".into(), Value::Bool(ty.list));
        meta.insert("type".into(), self.type_of(&ty.name)?);
        meta.insert("isRequired".into(), Value::Bool(!ty.nullable));
        if let Some(list_nullable) = ty.list_nullable {
            meta.insert("isArrayNullable".into(), Value::Bool(list_nullable));
        }
        Ok(meta)
    }

    fn arguments(&self, params: &[InputValue]) -> Result<Map<String, Value>, IntrospectionError> {
        let mut out = Map::new();
        for p in params {
            out.insert(
                p.name.clone(),
                Value::Object(self.value_meta(&p.name, &p.ty)?),
            );
        }
        Ok(out)
    }

    /// `generateGraphQLOperationMetadata`.
    pub(super) fn operation_meta(
        &self,
        op: &FieldDef,
    ) -> Result<Map<String, Value>, IntrospectionError> {
        let mut meta = self.value_meta(&op.name, &op.ty)?;
        if !op.parameters.is_empty() {
            meta.insert(
                "arguments".into(),
                Value::Object(self.arguments(&op.parameters)?),
            );
        }
        Ok(meta)
    }

    fn operations<'a>(
        &self,
        ops: impl Iterator<Item = &'a FieldDef>,
        render: impl Fn(&Self, &FieldDef) -> Result<Value, IntrospectionError>,
    ) -> Result<Map<String, Value>, IntrospectionError> {
        let mut out = Map::new();
        for op in ops {
            out.insert(op.name.clone(), render(self, op)?);
        }
        Ok(out)
    }
}

fn has_directive(op: &FieldDef, name: &str) -> bool {
    op.directives.iter().any(|d| d.name == name)
}

fn enum_meta(name: &str, values: &[String]) -> Value {
    let keyed = values
        .iter()
        .map(|v| (constant_case(v), Value::String(v.clone())))
        .collect();
    let ordered: Vec<Value> = js_property_order(keyed)
        .into_iter()
        .map(|(_, v)| v)
        .collect();
    json!({ "name": name, "values": ordered })
}

/// `generateModelIntrospectionSchema`.
pub(super) fn document(schema: &CodegenSchema) -> Result<Value, IntrospectionError> {
    let mut models = Map::new();
    for model in schema.models.iter() {
        models.insert(model.name.clone(), schema.model_meta(model)?);
    }
    let mut non_models = Map::new();
    for (name, fields) in &schema.non_models {
        let fields: Vec<Field> = fields.iter().cloned().map(Field::from).collect();
        non_models.insert(
            name.clone(),
            Value::Object(schema.non_model_meta(name, fields.iter())?),
        );
    }
    let mut enums = Map::new();
    for (name, values) in &schema.enums {
        enums.insert(name.clone(), enum_meta(name, values));
    }

    let plain = |s: &CodegenSchema, op: &FieldDef| s.operation_meta(op).map(Value::Object);
    let returns_abstract = |op: &&FieldDef| schema.is_union_or_interface(&op.ty.name);
    // `getType` runs (and may fail) before the union/interface filter.
    for op in schema
        .queries
        .iter()
        .chain(&schema.mutations)
        .chain(&schema.subscriptions)
    {
        schema.type_of(&op.ty.name)?;
    }
    let queries = schema.operations(
        schema
            .queries
            .iter()
            .filter(|op| !returns_abstract(op) && !has_directive(op, "generation")),
        plain,
    )?;
    let generations = schema.operations(
        schema
            .queries
            .iter()
            .filter(|op| !returns_abstract(op) && has_directive(op, "generation")),
        plain,
    )?;
    let mutations = schema.operations(
        schema
            .mutations
            .iter()
            .filter(|op| !returns_abstract(op) && !has_directive(op, "conversation")),
        plain,
    )?;
    let conversations = schema.operations(
        schema
            .mutations
            .iter()
            .filter(|op| has_directive(op, "conversation")),
        conversation::route,
    )?;
    let subscriptions = schema.operations(
        schema
            .subscriptions
            .iter()
            .filter(|op| !returns_abstract(op)),
        plain,
    )?;
    let mut inputs = Map::new();
    for (name, fields) in &schema.inputs {
        let mut meta = Map::new();
        meta.insert("name".into(), Value::String(name.clone()));
        meta.insert(
            "attributes".into(),
            Value::Object(schema.arguments(fields)?),
        );
        inputs.insert(name.clone(), Value::Object(meta));
    }

    let mut out = Map::new();
    out.insert("version".into(), json!(1));
    out.insert("models".into(), Value::Object(models));
    out.insert("enums".into(), Value::Object(enums));
    out.insert("nonModels".into(), Value::Object(non_models));
    for (key, section) in [
        ("queries", queries),
        ("generations", generations),
        ("mutations", mutations),
        ("conversations", conversations),
        ("subscriptions", subscriptions),
        ("inputs", inputs),
    ] {
        if !section.is_empty() {
            out.insert(key.into(), Value::Object(section));
        }
    }
    Ok(Value::Object(out))
}
