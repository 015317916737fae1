//! `transformSchema` of the relational plugins: connection fields, implicit foreign keys.

use super::{RelationConfig, object_primary_key, sort_key_fields_of, string_list_arg};
use crate::SchemaError;
use crate::appsync::Transform;
use crate::appsync::inputs::logical_operator_fields;
use crate::appsync::keys::scalar_key_condition_input;
use crate::appsync::scalars::{
    filter_scalar_input, is_scalar_name, key_condition_input, model_filter_input,
};
use crate::naming::{to_camel_case, to_upper};
use crate::sdl::ast::{EnumDef, FieldDef, InputObjectDef, InputValueDef, ObjectDef, TypeNode};

/// `getConnectionAttributeName` (with `respectPrimaryKeyAttributesOnConnectionField`).
pub(crate) fn connection_attribute_name(type_name: &str, field: &str, key: &str) -> String {
    to_camel_case(&[type_name, field, key])
}

impl Transform {
    pub(in crate::appsync) fn has_many_transform_schema(&mut self) -> Result<(), SchemaError> {
        for i in 0..self.has_many.len() {
            if self.has_many[i].references.is_none() {
                let index = self.related_type_index(&self.has_many[i])?;
                self.has_many[i].related_type_index = index;
            }
            let config = self.has_many[i].clone();
            self.ensure_has_many_connection_field(&config)?;
            self.extend_type_with_connection(&config)?;
        }
        Ok(())
    }

    pub(in crate::appsync) fn has_one_transform_schema(&mut self) -> Result<(), SchemaError> {
        for i in 0..self.has_one.len() {
            if self.has_one[i].references.is_none() {
                let index = self.related_type_index(&self.has_one[i])?;
                self.has_one[i].related_type_index = index;
            }
            let config = self.has_one[i].clone();
            self.ensure_has_one_connection_field(&config)?;
        }
        Ok(())
    }

    pub(in crate::appsync) fn belongs_to_transform_schema(&mut self) -> Result<(), SchemaError> {
        for i in 0..self.belongs_to.len() {
            if self.belongs_to[i].references.is_none() {
                let index = self.related_type_index(&self.belongs_to[i])?;
                self.belongs_to[i].related_type_index = index;
            }
            let config = self.belongs_to[i].clone();
            if config.relation_type.as_deref() == Some("hasOne") || config.references.is_some() {
                self.ensure_has_one_connection_field(&config)?;
            }
        }
        Ok(())
    }

    /// `getRelatedTypeIndex`: the related type's partition and sort key fields (of the primary
    /// key, or of the named `@index`).
    pub(in crate::appsync) fn related_type_index(
        &self,
        config: &RelationConfig,
    ) -> Result<Vec<FieldDef>, SchemaError> {
        let related = self.output_object(&config.related_type.name)?;
        let index_name = if config.directive_name == "hasMany" {
            config.index_name.as_deref()
        } else {
            None
        };
        let mut partition = None;
        let mut sort_names = Vec::new();
        'fields: for f in &related.fields {
            for d in &f.directives {
                let named = d.arg("name").and_then(|v| v.as_str());
                let matches = match index_name {
                    None => d.name == "primaryKey",
                    Some(idx) => d.name == "index" && named == Some(idx),
                };
                if matches {
                    partition = Some(f.name.clone());
                    sort_names = string_list_arg(d, "sortKeyFields").unwrap_or_default();
                    break 'fields;
                }
            }
        }
        let partition = match (partition, index_name) {
            (Some(p), _) => p,
            (None, Some(idx)) => {
                return Err(SchemaError::at(
                    config.directive.pos,
                    format!("Index {idx} does not exist for model {}", related.name),
                ));
            }
            (None, None) => "id".to_string(),
        };
        let partition_field = related.field(&partition).cloned().ok_or_else(|| {
            SchemaError::invalid(format!(
                "Expected partition field {partition} to be found in map."
            ))
        })?;
        let mut sort_fields = Vec::new();
        for name in &sort_names {
            sort_fields.push(related.field(name).cloned().ok_or_else(|| {
                SchemaError::invalid(format!("Expected sort field {name} to be found in map."))
            })?);
        }
        let nodes = &config.field_nodes;
        if let Some(first) = nodes.first() {
            if first.ty.base_name() != partition_field.ty.base_name() {
                return Err(SchemaError::at(
                    config.directive.pos,
                    format!(
                        "{} field is not of type {}",
                        first.name,
                        partition_field.ty.base_name()
                    ),
                ));
            }
            if nodes.len() > 1 {
                if sort_fields.len() != nodes.len() - 1 {
                    return Err(SchemaError::at(
                        config.directive.pos,
                        format!(
                            "Invalid @{} directive on {}. Partial sort keys are not accepted.",
                            config.directive_name, config.field.name
                        ),
                    ));
                }
                for (sort, node) in sort_fields.iter().zip(nodes.iter().skip(1)) {
                    if sort.ty.base_name() != node.ty.base_name() {
                        return Err(SchemaError::at(
                            config.directive.pos,
                            format!("{} field is not of type {}", node.name, sort.ty.base_name()),
                        ));
                    }
                }
            }
        }
        let mut index = vec![partition_field];
        index.extend(sort_fields);
        Ok(index)
    }

    /// `ensureHasOneConnectionField`: the implicit `<type><field><key>` foreign key on the
    /// type itself and its inputs.
    pub(in crate::appsync) fn ensure_has_one_connection_field(
        &mut self,
        config: &RelationConfig,
    ) -> Result<(), SchemaError> {
        if !config.field_nodes.is_empty() || config.references.is_some() {
            return Ok(());
        }
        let object = &config.object.name;
        let pk = object_primary_key(&config.related_type);
        let attr = connection_attribute_name(object, &config.field.name, &pk.name);
        let related_output = self.output_object(&config.related_type.name)?.clone();
        let sort_keys = sort_key_fields_of(&related_output);
        let key_type = pk.ty.base_name().to_string();
        let non_null = config.field.ty.is_non_null();
        self.add_connection_fields(
            object,
            object,
            &config.field.name,
            &attr,
            &key_type,
            &sort_keys,
            non_null,
            object,
        )
    }

    /// `ensureHasManyConnectionField`: the implicit foreign key on the related type.
    fn ensure_has_many_connection_field(
        &mut self,
        config: &RelationConfig,
    ) -> Result<(), SchemaError> {
        if !config.field_nodes.is_empty() || config.references.is_some() {
            return Ok(());
        }
        let object = &config.object.name;
        let object_output = self.output_object(object)?.clone();
        let sort_keys = sort_key_fields_of(&object_output);
        let pk = object_primary_key(&config.object);
        let attr = connection_attribute_name(object, &config.field.name, &pk.name);
        let key_type = pk.ty.base_name().to_string();
        let non_null = config.field.ty.is_non_null();
        let related = config.related_type.name.clone();
        // The subscription filter that gets the key is the *object's* (as AWS does it).
        self.add_connection_fields(
            &related,
            object,
            &config.field.name,
            &attr,
            &key_type,
            &sort_keys,
            non_null,
            object,
        )
    }

    /// Adds the foreign key (and sort key) fields to `target`'s type, create/update inputs and
    /// filter/condition inputs, and to `subscription_owner`'s subscription filter.
    #[allow(clippy::too_many_arguments)]
    fn add_connection_fields(
        &mut self,
        target: &str,
        object: &str,
        field: &str,
        attr: &str,
        key_type: &str,
        sort_keys: &[FieldDef],
        non_null: bool,
        subscription_owner: &str,
    ) -> Result<(), SchemaError> {
        let sort_attr = |sk: &FieldDef| to_camel_case(&[object, field, sk.name.as_str()]);
        let typed = |name: &str, required: bool| {
            let t = TypeNode::named(name);
            if required { TypeNode::non_null(t) } else { t }
        };
        if let Some(t) = self.out.get_object_mut(target) {
            if !t.has_field(attr) {
                t.fields
                    .push(FieldDef::new(attr, vec![], typed(key_type, non_null)));
            }
            for sk in sort_keys {
                let name = sort_attr(sk);
                if !t.has_field(&name) {
                    t.fields.push(FieldDef::new(
                        name,
                        vec![],
                        typed(sk.ty.base_name(), non_null),
                    ));
                }
            }
        }
        for (input, required) in [
            (format!("Create{}Input", to_upper(target)), non_null),
            (format!("Update{}Input", to_upper(target)), false),
        ] {
            if let Some(i) = self.out.get_input_mut(&input) {
                if !i.has_field(attr) {
                    i.fields
                        .push(InputValueDef::new(attr, typed(key_type, required)));
                }
                for sk in sort_keys {
                    let name = sort_attr(sk);
                    if !i.has_field(&name) {
                        i.fields
                            .push(InputValueDef::new(name, typed(sk.ty.base_name(), required)));
                    }
                }
            }
        }
        let filters = [
            (format!("Model{target}FilterInput"), false),
            (format!("Model{target}ConditionInput"), false),
            (
                format!("ModelSubscription{subscription_owner}FilterInput"),
                true,
            ),
        ];
        for (input, subscription) in filters {
            if let Some(i) = self.out.get_input_mut(&input) {
                if !i.has_field(attr) {
                    i.fields.push(InputValueDef::new(
                        attr,
                        TypeNode::named(filter_scalar_input(key_type, false, subscription)),
                    ));
                }
                for sk in sort_keys {
                    let name = sort_attr(sk);
                    if !i.has_field(&name) {
                        i.fields.push(InputValueDef::new(
                            name,
                            TypeNode::named(filter_scalar_input(
                                sk.ty.base_name(),
                                false,
                                subscription,
                            )),
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// `extendTypeWithConnection`: the relation field becomes a connection with arguments.
    pub(in crate::appsync) fn extend_type_with_connection(
        &mut self,
        config: &RelationConfig,
    ) -> Result<(), SchemaError> {
        let related = config.related_type.name.clone();
        self.ensure_connection_type(&related)?;
        let connection_field = make_connection_field(config);
        let object = self
            .out
            .get_object_mut(&config.object.name)
            .ok_or_else(|| {
                SchemaError::invalid(format!(
                    "Expected referenced type {} to be an object",
                    config.object.name
                ))
            })?;
        for f in &mut object.fields {
            if f.name == config.field.name {
                *f = connection_field.clone();
            }
        }
        self.out
            .add_enum_if_missing(EnumDef::new("ModelSortDirection", &["ASC", "DESC"]));
        let filter = self.relation_filter_input(&config.related_type);
        self.out.add_input_if_missing(filter);
        if config.related_type_index.len() == 2 {
            let base = config.related_type_index[1].ty.base_name();
            let input = scalar_key_condition_input(base).ok_or_else(|| {
                SchemaError::at(
                    config.directive.pos,
                    format!(
                        "Sort Key Condition could not be constructed for the sort key of {}",
                        related
                    ),
                )
            })?;
            self.out.add_input_if_missing(input);
        }
        Ok(())
    }

    /// The relational plugins' `makeModelXFilterInputObject` (from the related type as written).
    fn relation_filter_input(&self, related: &ObjectDef) -> InputObjectDef {
        let name = model_filter_input(&related.name);
        let mut fields: Vec<InputValueDef> = related
            .fields
            .iter()
            .filter_map(|f| {
                let base = f.ty.base_name();
                let is_enum = self.out.is_enum(base);
                if is_scalar_name(base) || is_enum {
                    Some(InputValueDef::new(
                        f.name.clone(),
                        TypeNode::named(filter_scalar_input(base, false, false)),
                    ))
                } else {
                    None
                }
            })
            .collect();
        fields.extend(logical_operator_fields(&name));
        InputObjectDef::new(name, fields)
    }
}

/// `makeModelConnectionField`.
fn make_connection_field(config: &RelationConfig) -> FieldDef {
    let related = &config.related_type.name;
    let mut args = vec![
        InputValueDef::new("filter", TypeNode::named(model_filter_input(related))),
        InputValueDef::new("sortDirection", TypeNode::named("ModelSortDirection")),
        InputValueDef::new("limit", TypeNode::named("Int")),
        InputValueDef::new("nextToken", TypeNode::named("String")),
    ];
    let index = &config.related_type_index;
    if let Some(fields) = &config.fields
        && fields.len() < 2
        && index.len() > 1
    {
        let arg = if index.len() == 2 {
            InputValueDef::new(
                index[1].name.clone(),
                TypeNode::named(key_condition_input(index[1].ty.base_name())),
            )
        } else {
            let names: Vec<&str> = index[1..].iter().map(|f| f.name.as_str()).collect();
            InputValueDef::new(
                to_camel_case(&names),
                TypeNode::named(format!(
                    "Model{related}{}CompositeKeyConditionInput",
                    to_upper(config.index_name.as_deref().unwrap_or("Primary"))
                )),
            )
        };
        args.insert(0, arg);
    }
    FieldDef::new(
        config.field.name.clone(),
        args,
        TypeNode::named(format!("Model{related}Connection")),
    )
    .with_directives(config.field.directives.clone())
}
