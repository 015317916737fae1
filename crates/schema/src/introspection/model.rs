//! The codegen's model representation and the per-model steps that do not involve
//! relationships: primary key detection, implicit `id` and timestamp fields, `@primaryKey` /
//! `@index` → `key` attributes and `@auth` rule defaults.

use serde_json::{Map, Value};

use super::IntrospectionError;
use super::js::{assign, concat_nullish, length, truthy};
use super::sdl::{Directive, FieldDef, TypeInfo};
use crate::naming::{plural, to_lower, to_upper};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(clippy::enum_variant_names)] // the codegen's own names
pub(super) enum PrimaryKeyKind {
    ManagedId,
    OptionallyManagedId,
    CustomId,
}

#[derive(Debug, Clone)]
pub(super) struct PrimaryKeyInfo {
    pub kind: PrimaryKeyKind,
    /// Sort key field names; every name is a field of the model (checked when set).
    pub sort_key_fields: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum ConnectionKind {
    HasOne,
    HasMany,
    BelongsTo,
}

impl ConnectionKind {
    pub(super) fn as_str(self) -> &'static str {
        match self {
            ConnectionKind::HasOne => "HAS_ONE",
            ConnectionKind::HasMany => "HAS_MANY",
            ConnectionKind::BelongsTo => "BELONGS_TO",
        }
    }
}

/// The resolved connection of a relationship field (`field.connectionInfo`).
#[derive(Debug, Clone)]
pub(super) struct Connection {
    pub kind: ConnectionKind,
    pub associated_with: Vec<String>,
    pub target_names: Option<Vec<String>>,
}

#[derive(Debug, Clone)]
pub(super) struct Field {
    pub name: String,
    pub ty: TypeInfo,
    pub directives: Vec<Directive>,
    pub read_only: Option<bool>,
    pub primary_key: Option<PrimaryKeyInfo>,
    pub connection: Option<Connection>,
}

impl Field {
    pub(super) fn plain(name: &str, type_name: &str, nullable: bool, list: bool) -> Self {
        Field {
            name: name.to_owned(),
            ty: TypeInfo {
                list,
                ..TypeInfo::named(type_name, nullable)
            },
            directives: Vec::new(),
            read_only: None,
            primary_key: None,
            connection: None,
        }
    }

    pub(super) fn directive(&self, name: &str) -> Option<&Directive> {
        self.directives.iter().find(|d| d.name == name)
    }

    pub(super) fn has_directive(&self, name: &str) -> bool {
        self.directive(name).is_some()
    }
}

impl From<FieldDef> for Field {
    fn from(f: FieldDef) -> Self {
        Field {
            name: f.name,
            ty: f.ty,
            directives: f.directives,
            read_only: None,
            primary_key: None,
            connection: None,
        }
    }
}

#[derive(Debug, Clone)]
pub(super) struct Model {
    pub name: String,
    pub directives: Vec<Directive>,
    pub fields: Vec<Field>,
}

impl Model {
    pub(super) fn field(&self, name: &str) -> Option<&Field> {
        self.fields.iter().find(|f| f.name == name)
    }

    /// `addFieldToModel`: append unless a field of that name exists.
    pub(super) fn add_field(&mut self, field: Field) {
        if self.field(&field.name).is_none() {
            self.fields.push(field);
        }
    }

    /// `flattenFieldDirectives`: every field directive with the name of its field.
    pub(super) fn field_directives(&self) -> impl Iterator<Item = (&Field, &Directive)> {
        self.fields
            .iter()
            .flat_map(|f| f.directives.iter().map(move |d| (f, d)))
    }

    /// The field carrying `primaryKeyInfo`.
    pub(super) fn primary_key_field(&self) -> Option<&Field> {
        self.fields.iter().find(|f| f.primary_key.is_some())
    }

    /// `getModelPrimaryKeyComponentFields`: the primary key field, then its sort key fields.
    pub(super) fn primary_key_components(&self) -> Vec<&Field> {
        let Some(pk) = self.primary_key_field() else {
            return Vec::new();
        };
        let mut out = vec![pk];
        if let Some(info) = &pk.primary_key {
            out.extend(info.sort_key_fields.iter().filter_map(|n| self.field(n)));
        }
        out
    }

    /// Build a model from its definition as the visitor's `ObjectTypeDefinition` does.
    pub(super) fn from_definition(
        name: &str,
        directives: Vec<Directive>,
        fields: Vec<FieldDef>,
    ) -> Result<Self, IntrospectionError> {
        let mut model = Model {
            name: name.to_owned(),
            directives,
            fields: fields.into_iter().map(Field::from).collect(),
        };
        model.ensure_primary_key_field()?;
        let model_directive = model.directives.iter().find(|d| d.name == "model").cloned();
        if let Some(d) = model_directive {
            model.add_timestamp_fields(&d);
        }
        model.sort_fields();
        Ok(model)
    }

    /// `ensureIdField`: make `id` required, or add it at the front.
    fn ensure_id_field(&mut self) {
        if let Some(id) = self.fields.iter_mut().find(|f| f.name == "id") {
            id.ty.nullable = false;
        } else {
            self.fields
                .insert(0, Field::plain("id", "ID", false, false));
        }
    }

    fn primary_key_field_index(&self, name: &str) -> Result<usize, IntrospectionError> {
        let idx = self
            .fields
            .iter()
            .position(|f| f.name == name)
            .ok_or_else(|| {
                IntrospectionError::invalid(format!(
                    "Cannot find primary key field in type {}",
                    self.name
                ))
            })?;
        if self.fields[idx].ty.nullable {
            return Err(IntrospectionError::invalid(format!(
                "The primary key on type '{}' must reference non-null fields.",
                self.name
            )));
        }
        Ok(idx)
    }

    /// `ensurePrimaryKeyFieldV2`.
    pub(super) fn ensure_primary_key_field(&mut self) -> Result<(), IntrospectionError> {
        let with_directive = self
            .fields
            .iter()
            .find(|f| f.has_directive("primaryKey"))
            .map(|f| f.name.clone());
        let Some(pk_name) = with_directive else {
            self.ensure_id_field();
            let idx = self.primary_key_field_index("id")?;
            self.fields[idx].primary_key = Some(PrimaryKeyInfo {
                kind: PrimaryKeyKind::ManagedId,
                sort_key_fields: Vec::new(),
            });
            return Ok(());
        };
        let idx = self.primary_key_field_index(&pk_name)?;
        let sort_arg = self
            .field_directives()
            .find(|(_, d)| d.name == "primaryKey")
            .and_then(|(_, d)| d.arg("sortKeyFields"))
            .cloned();
        let mut sort_key_fields = Vec::new();
        if length(sort_arg.as_ref()).is_some_and(|n| n > 0) {
            let Some(Value::Array(names)) = &sort_arg else {
                return Err(IntrospectionError::invalid(format!(
                    "@primaryKey sortKeyFields on type {} must be a list",
                    self.name
                )));
            };
            for name in names {
                let found = name.as_str().filter(|n| self.field(n).is_some());
                let Some(n) = found else {
                    return Err(IntrospectionError::invalid(format!(
                        "Sort key field {name} not found in type {}",
                        self.name
                    )));
                };
                sort_key_fields.push(n.to_owned());
            }
        }
        let kind = if pk_name == "id" && sort_key_fields.is_empty() {
            PrimaryKeyKind::OptionallyManagedId
        } else {
            PrimaryKeyKind::CustomId
        };
        self.fields[idx].primary_key = Some(PrimaryKeyInfo {
            kind,
            sort_key_fields,
        });
        Ok(())
    }

    /// `addTimestampFields`: `createdAt`/`updatedAt` (or their renamed forms) unless
    /// `timestamps: null`.
    pub(super) fn add_timestamp_fields(&mut self, model_directive: &Directive) {
        let timestamps = model_directive.arg("timestamps");
        if matches!(timestamps, Some(Value::Null)) {
            return;
        }
        let name_of = |key: &str, default: &str| -> String {
            match timestamps.and_then(|t| t.get(key)) {
                Some(Value::String(s)) if !s.is_empty() => s.clone(),
                _ => default.to_owned(),
            }
        };
        for name in [
            name_of("createdAt", "createdAt"),
            name_of("updatedAt", "updatedAt"),
        ] {
            let mut field = Field::plain(&name, "AWSDateTime", true, false);
            field.read_only = Some(true);
            self.add_field(field);
        }
    }

    /// `sortFields`: `id` first.
    pub(super) fn sort_fields(&mut self) {
        let (ids, rest): (Vec<Field>, Vec<Field>) = std::mem::take(&mut self.fields)
            .into_iter()
            .partition(|f| f.name == "id");
        self.fields = ids.into_iter().rev().chain(rest).collect();
    }

    /// `processPrimaryKey`: a `key` attribute for `@primaryKey`.
    pub(super) fn process_primary_key(&mut self) {
        let has_primary_key_attribute = self
            .directives
            .iter()
            .any(|d| d.name == "key" && d.arg("name").is_none());
        if has_primary_key_attribute {
            return;
        }
        let Some(field) = self.fields.iter().find(|f| f.has_directive("primaryKey")) else {
            return;
        };
        let sort = field
            .directive("primaryKey")
            .and_then(|d| d.arg("sortKeyFields"));
        let fields = concat_nullish(vec![Value::String(field.name.clone())], sort);
        let mut args = Map::new();
        args.insert("fields".into(), Value::Array(fields));
        self.directives.push(Directive::new("key", args));
    }

    /// `processIndex`: a `key` attribute per `@index`.
    pub(super) fn process_index(&mut self) -> Result<(), IntrospectionError> {
        let mut keys = Vec::new();
        for field in &self.fields {
            for d in field.directives.iter().filter(|d| d.name == "index") {
                let fields = concat_nullish(
                    vec![Value::String(field.name.clone())],
                    d.arg("sortKeyFields"),
                );
                let name = match d.arg("name") {
                    None | Some(Value::Null) => {
                        Value::String(default_index_name(&self.name, &fields)?)
                    }
                    Some(other) => other.clone(),
                };
                let mut args = Map::new();
                args.insert("name".into(), name);
                assign(&mut args, "queryField", d.arg("queryField").cloned());
                args.insert("fields".into(), Value::Array(fields));
                keys.push(Directive::new("key", args));
            }
        }
        let existing: Vec<Value> = self
            .directives
            .iter()
            .filter(|d| d.name == "key" && truthy(d.arg("name")))
            .filter_map(|d| d.arg("name").cloned())
            .collect();
        self.directives.extend(
            keys.into_iter()
                .filter(|k| k.arg("name").is_none_or(|n| !existing.contains(n))),
        );
        Ok(())
    }

    /// `processAuthDirectives` for the type-level `@auth`: move it last with rule defaults
    /// filled in.
    pub(super) fn process_auth(&mut self) -> Result<(), IntrospectionError> {
        let (auth, other): (Vec<Directive>, Vec<Directive>) = std::mem::take(&mut self.directives)
            .into_iter()
            .partition(|d| d.name == "auth");
        self.directives = other;
        for d in auth {
            self.directives.push(process_auth_directive(d)?);
        }
        Ok(())
    }
}

/// `generateDefaultIndexName`.
fn default_index_name(model_name: &str, fields: &[Value]) -> Result<String, IntrospectionError> {
    let mut parts = Vec::with_capacity(fields.len());
    for f in fields {
        let s = f.as_str().ok_or_else(|| {
            IntrospectionError::invalid(format!(
                "@index sortKeyFields on {model_name} must be field names"
            ))
        })?;
        parts.push(to_upper(s));
    }
    Ok(format!(
        "{}By{}",
        to_lower(&plural(model_name)),
        parts.join("And")
    ))
}

fn str_value(s: &str) -> Value {
    Value::String(s.to_owned())
}

/// `processAuthDirective` for one `@auth` directive.
fn process_auth_directive(mut d: Directive) -> Result<Directive, IntrospectionError> {
    let rules = match d.args.get("rules") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(rules)) => rules.clone(),
        Some(_) => return Err(IntrospectionError::invalid("@auth rules must be a list")),
    };
    let default_operations = Value::Array(
        ["create", "update", "delete", "read"]
            .map(str_value)
            .to_vec(),
    );
    let mut processed = Vec::new();
    for rule in rules {
        let Value::Object(rule) = rule else {
            return Err(IntrospectionError::invalid("@auth rules must be objects"));
        };
        let allow = rule
            .get("allow")
            .and_then(Value::as_str)
            .unwrap_or_default();
        if allow == "groups" && truthy(rule.get("groupField")) {
            continue;
        }
        let operations = ["operations", "mutations"]
            .iter()
            .find_map(|k| rule.get(*k).filter(|v| truthy(Some(v))))
            .cloned()
            .unwrap_or_else(|| default_operations.clone());
        let mut out = Map::new();
        match allow {
            "owner" => {
                let identity_claim = ["identityClaim", "identityField"]
                    .iter()
                    .find_map(|k| rule.get(*k).filter(|v| truthy(Some(v))))
                    .cloned()
                    .unwrap_or_else(|| str_value("username"));
                let owner_field = rule
                    .get("ownerField")
                    .filter(|v| truthy(Some(v)))
                    .cloned()
                    .unwrap_or_else(|| str_value("owner"));
                out.insert("provider".into(), str_value("userPools"));
                out.insert("ownerField".into(), owner_field);
                for (k, v) in &rule {
                    assign(&mut out, k, Some(v.clone()));
                }
                let claim = if identity_claim == str_value("username") {
                    str_value("cognito:username")
                } else {
                    identity_claim
                };
                assign(&mut out, "identityClaim", Some(claim));
                assign(&mut out, "operations", Some(operations));
            }
            "groups" => {
                out.insert("groupClaim".into(), str_value("cognito:groups"));
                out.insert("provider".into(), str_value("userPools"));
                for (k, v) in &rule {
                    assign(&mut out, k, Some(v.clone()));
                }
                let group_field = if truthy(rule.get("groups")) {
                    None
                } else {
                    Some(
                        rule.get("groupField")
                            .filter(|v| truthy(Some(v)))
                            .cloned()
                            .unwrap_or_else(|| str_value("groups")),
                    )
                };
                assign(&mut out, "groupField", group_field);
                assign(&mut out, "operations", Some(operations));
            }
            _ => {
                out = rule.clone();
                assign(&mut out, "operations", Some(operations));
            }
        }
        processed.push(Value::Object(out));
    }
    assign(&mut d.args, "rules", Some(Value::Array(processed)));
    Ok(d)
}

/// The codegen's `modelMap`: models in insertion order, unique by name.
#[derive(Debug, Default)]
pub(super) struct Models(Vec<Model>);

impl Models {
    pub(super) fn get(&self, name: &str) -> Option<&Model> {
        self.0.iter().find(|m| m.name == name)
    }

    pub(super) fn get_mut(&mut self, name: &str) -> Option<&mut Model> {
        self.0.iter_mut().find(|m| m.name == name)
    }

    /// `modelMap[name] = model`: replaces in place, else appends.
    pub(super) fn insert(&mut self, model: Model) {
        match self.0.iter_mut().find(|m| m.name == model.name) {
            Some(slot) => *slot = model,
            None => self.0.push(model),
        }
    }

    pub(super) fn len(&self) -> usize {
        self.0.len()
    }

    pub(super) fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    pub(super) fn iter(&self) -> std::slice::Iter<'_, Model> {
        self.0.iter()
    }

    pub(super) fn iter_mut(&mut self) -> std::slice::IterMut<'_, Model> {
        self.0.iter_mut()
    }
}

impl std::ops::Index<usize> for Models {
    type Output = Model;
    fn index(&self, i: usize) -> &Model {
        &self.0[i]
    }
}

impl std::ops::IndexMut<usize> for Models {
    fn index_mut(&mut self, i: usize) -> &mut Model {
        &mut self.0[i]
    }
}
