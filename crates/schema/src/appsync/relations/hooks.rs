//! Field hooks and validation of `@hasMany`, `@hasOne` and `@belongsTo`.

use super::{RelationConfig, primary_key_field_names, string_list_arg};
use crate::SchemaError;
use crate::appsync::Transform;
use crate::appsync::scalars::is_scalar_name;
use crate::sdl::ast::{Directive, FieldDef, ObjectDef, TypeNode};

impl Transform {
    fn relational_fields(&self, name: &str) -> Vec<(ObjectDef, FieldDef, Directive)> {
        let mut out = Vec::new();
        for def in self.input.objects() {
            for f in &def.fields {
                for d in f.directives.iter().filter(|d| d.name == name) {
                    out.push((def.clone(), f.clone(), d.clone()));
                }
            }
        }
        out
    }

    pub(in crate::appsync) fn has_many_hooks(&mut self) -> Result<(), SchemaError> {
        for (object, field, d) in self.relational_fields("hasMany") {
            self.has_many_field(&object, &field, &d)?;
        }
        Ok(())
    }

    /// `HasManyTransformer.field` (also called for conversation models).
    pub(in crate::appsync) fn has_many_field(
        &mut self,
        object: &ObjectDef,
        field: &FieldDef,
        d: &Directive,
    ) -> Result<(), SchemaError> {
        if !field.ty.is_list() {
            return Err(SchemaError::at(
                d.pos,
                "@hasMany must be used with a list. Use @hasOne for non-list types.",
            ));
        }
        let config = self.relation_config("hasMany", object, field, d)?;
        self.has_many.push(config);
        Ok(())
    }

    pub(in crate::appsync) fn has_one_hooks(&mut self) -> Result<(), SchemaError> {
        for (object, field, d) in self.relational_fields("hasOne") {
            self.has_one_field(&object, &field, &d)?;
        }
        Ok(())
    }

    /// `HasOneTransformer.field` (also called for `@manyToMany` join types).
    pub(in crate::appsync) fn has_one_field(
        &mut self,
        object: &ObjectDef,
        field: &FieldDef,
        d: &Directive,
    ) -> Result<(), SchemaError> {
        let config = self.relation_config("hasOne", object, field, d)?;
        if field.ty.is_list() {
            return Err(SchemaError::at(
                d.pos,
                "@hasOne cannot be used with lists. Use @hasMany instead.",
            ));
        }
        self.has_one.push(config);
        Ok(())
    }

    pub(in crate::appsync) fn belongs_to_hooks(&mut self) -> Result<(), SchemaError> {
        for (object, field, d) in self.relational_fields("belongsTo") {
            self.belongs_to_field(&object, &field, &d)?;
        }
        Ok(())
    }

    /// `BelongsToTransformer.field` (also called for conversation models).
    pub(in crate::appsync) fn belongs_to_field(
        &mut self,
        object: &ObjectDef,
        field: &FieldDef,
        d: &Directive,
    ) -> Result<(), SchemaError> {
        if d.arg("overrideIndexName").is_some() && d.arg("references").is_none() {
            return Err(SchemaError::at(
                d.pos,
                format!(
                    "overrideIndexName cannot be used on @belongsTo without references. Modify {}.{} to use references or remove overrideIndexName.",
                    object.name, field.name
                ),
            ));
        }
        let mut config = self.relation_config("belongsTo", object, field, d)?;
        if field.ty.is_list() {
            return Err(SchemaError::at(
                d.pos,
                "@belongsTo cannot be used with lists.",
            ));
        }
        let back = config.related_type.fields.iter().find_map(|rf| {
            if rf.ty.base_name() != object.name {
                return None;
            }
            rf.directives
                .iter()
                .find(|rd| rd.name == "hasOne" || rd.name == "hasMany")
                .map(|rd| (rf.clone(), rd.name.clone()))
        });
        let Some((related_field, relation_type)) = back else {
            return Err(SchemaError::at(
                d.pos,
                format!(
                    "{} must have a relationship with {} in order to use @belongsTo.",
                    config.related_type.name, object.name
                ),
            ));
        };
        config.related_field = Some(related_field);
        config.relation_type = Some(relation_type);
        self.belongs_to.push(config);
        Ok(())
    }

    /// The shared part of the relational field hooks: arguments, related type, and the
    /// DynamoDB `fields`/`references` validation.
    fn relation_config(
        &self,
        directive_name: &'static str,
        object: &ObjectDef,
        field: &FieldDef,
        d: &Directive,
    ) -> Result<RelationConfig, SchemaError> {
        let err = |msg: String| SchemaError::at(d.pos, msg);
        let related_name = field.ty.base_name();
        let related_type = self
            .input
            .object(related_name)
            .or_else(|| self.out.get_object(related_name))
            .cloned()
            .ok_or_else(|| {
                err(format!(
                    "Object type {related_name} must be annotated with @model."
                ))
            })?;
        if !self.is_model(related_name) {
            return Err(err(format!(
                "Object type {related_name} must be annotated with @model."
            )));
        }
        let references = string_list_arg(d, "references");
        let fields_arg = string_list_arg(d, "fields");
        let index_name = d
            .arg("indexName")
            .and_then(|v| v.as_str())
            .map(str::to_string);
        let mut config = RelationConfig {
            directive_name,
            object: object.clone(),
            field: field.clone(),
            directive: d.clone(),
            related_type: related_type.clone(),
            fields: None,
            references: None,
            index_name,
            field_nodes: Vec::new(),
            related_type_index: Vec::new(),
            relation_type: None,
            related_field: None,
        };
        if let Some(references) = references {
            if fields_arg.is_some() {
                return Err(err(format!(
                    "fields and references cannot be defined in the same {directive_name}. Use 'references'"
                )));
            }
            if references.is_empty() {
                return Err(err(format!(
                    "No reference fields passed to @{directive_name} directive."
                )));
            }
            if directive_name != "belongsTo" && config.index_name.is_some() {
                return Err(err(format!(
                    "Invalid @{directive_name} directive on {}.{} - indexName is not supported with DynamoDB references.",
                    object.name, field.name
                )));
            }
            self.validate_references(&config, &references, d)?;
            if directive_name != "belongsTo" {
                config.index_name = Some(format!("gsi-{}.{}", object.name, field.name));
            }
            config.references = Some(references);
        } else {
            let fields = fields_arg.unwrap_or_default();
            if d.arg("fields").is_some() && fields.is_empty() {
                return Err(err(format!(
                    "No fields passed to @{directive_name} directive."
                )));
            }
            let enums = self.out.enum_names();
            for name in &fields {
                let node = object
                    .field(name)
                    .ok_or_else(|| err(format!("{name} is not a field in {}", object.name)))?;
                let base = node.ty.base_name();
                if !(is_scalar_name(base) || enums.iter().any(|e| e == base)) {
                    return Err(err(format!(
                        "All fields provided to @{directive_name} must be scalar or enum fields."
                    )));
                }
                config.field_nodes.push(node.clone());
            }
            config.fields = Some(fields);
        }
        if !object.has_directive("model") {
            return Err(err(format!(
                "@{directive_name} must be on an @model object type field."
            )));
        }
        Ok(config)
    }

    /// `validateParentReferencesFields` / `validateChildReferencesFields`, nullability and
    /// bidirectionality of `references:`.
    fn validate_references(
        &self,
        config: &RelationConfig,
        references: &[String],
        d: &Directive,
    ) -> Result<(), SchemaError> {
        let err = |msg: String| SchemaError::at(d.pos, msg);
        let name = config.directive_name;
        let is_belongs_to = name == "belongsTo";
        let (primary, holder) = if is_belongs_to {
            (&config.related_type, &config.object)
        } else {
            (&config.object, &config.related_type)
        };
        if primary_key_field_names(primary).len() != references.len() {
            return Err(err(format!(
                "The number of references provided to @{name} must match the number of primary keys on {}.",
                primary.name
            )));
        }
        let enums = self.out.enum_names();
        for r in references {
            let node = holder
                .field(r)
                .ok_or_else(|| err(format!("{r} is not a field in {}", holder.name)))?;
            let base = node.ty.base_name();
            if !(is_scalar_name(base) || enums.iter().any(|e| e == base)) {
                return Err(err(format!(
                    "All reference fields provided to @{name} must be scalar or enum fields."
                )));
            }
        }
        let ty = &config.field.ty;
        let related = &config.related_type.name;
        let described = |t: &str| format!("{}.{}: {t}", config.object.name, config.field.name);
        let (is, should) = if name == "hasMany" {
            (format!("[{related}!]"), format!("[{related}]"))
        } else {
            (format!("{related}!"), related.to_string())
        };
        if ty.is_non_null() {
            let base = if name == "hasMany" {
                format!("[{related}]")
            } else {
                related.to_string()
            };
            return Err(err(format!(
                "@{name} fields must not be required. Change '{}!' to '{}'",
                described(&base),
                described(&base)
            )));
        }
        if matches!(ty, TypeNode::List(inner) if inner.is_non_null()) {
            return Err(err(format!(
                "@{name} fields must not be required. Change '{}' to '{}'",
                described(&is),
                described(&should)
            )));
        }
        let counterparts: &[&str] = if is_belongs_to {
            &["hasOne", "hasMany"]
        } else {
            &["belongsTo"]
        };
        let bidirectional = config.related_type.fields.iter().any(|f| {
            f.ty.base_name() == config.object.name
                && f.directives.iter().any(|rd| {
                    counterparts.contains(&rd.name.as_str())
                        && string_list_arg(rd, "references").as_deref() == Some(references)
                })
        });
        if !bidirectional {
            return Err(err(format!(
                "Uni-directional relationships are not supported. Add a {} field in {} to match the @{name} field {}.{}, and ensure the number and type of reference fields match the number and type of primary key fields in {}.",
                counterparts
                    .iter()
                    .map(|c| format!("@{c}"))
                    .collect::<Vec<_>>()
                    .join(" or "),
                config.related_type.name,
                config.object.name,
                config.field.name,
                primary.name
            )));
        }
        Ok(())
    }
}
