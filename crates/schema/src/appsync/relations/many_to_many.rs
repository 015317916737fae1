//! `@manyToMany`: a join model with two `@index`ed keys and two `@hasOne` fields, and a
//! `@hasMany`-style connection on each side.

use super::{RelationConfig, object_primary_key, sort_key_fields_of};
use crate::SchemaError;
use crate::appsync::Transform;
use crate::naming::{graphql_name, to_camel_case, to_lower, to_pascal_case, to_upper};
use crate::sdl::ast::{Definition, Directive, FieldDef, ObjectDef, TypeNode, Value};

#[derive(Debug, Default)]
pub(crate) struct ManyToManyState {
    /// Relation name → the indexes (into `configs`) of its two directives, in first-seen order.
    relations: Vec<(String, Vec<usize>)>,
    configs: Vec<RelationConfig>,
}

impl Transform {
    pub(in crate::appsync) fn many_to_many_hooks(&mut self) -> Result<(), SchemaError> {
        let mut found = Vec::new();
        for def in self.input.objects() {
            for f in &def.fields {
                for d in f.directives.iter().filter(|d| d.name == "manyToMany") {
                    found.push((def.clone(), f.clone(), d.clone()));
                }
            }
        }
        for (object, field, d) in found {
            if !object.has_directive("model") {
                return Err(SchemaError::at(
                    d.pos,
                    "@manyToMany must be on an @model object type field.",
                ));
            }
            if !field.ty.is_list() {
                return Err(SchemaError::at(
                    d.pos,
                    "@manyToMany must be used with a list.",
                ));
            }
            let relation_name = d
                .arg("relationName")
                .and_then(Value::as_str)
                .ok_or_else(|| SchemaError::at(d.pos, "@manyToMany needs a relationName"))?
                .to_string();
            let name = graphql_name(&to_upper(&relation_name));
            let index = self.many_to_many.configs.len();
            let placeholder = object.clone();
            self.many_to_many.configs.push(RelationConfig {
                directive_name: "manyToMany",
                object,
                field,
                directive: d.clone(),
                related_type: placeholder,
                fields: None,
                references: None,
                index_name: None,
                field_nodes: Vec::new(),
                related_type_index: Vec::new(),
                relation_type: None,
                related_field: None,
            });
            match self
                .many_to_many
                .relations
                .iter_mut()
                .find(|(n, _)| *n == name)
            {
                Some((_, ds)) if ds.len() >= 2 => {
                    return Err(SchemaError::at(
                        d.pos,
                        format!(
                            "@manyToMany relation '{relation_name}' must be used in exactly two locations."
                        ),
                    ));
                }
                Some((_, ds)) => ds.push(index),
                None => self.many_to_many.relations.push((name, vec![index])),
            }
        }
        Ok(())
    }

    pub(in crate::appsync) fn many_to_many_validate(&self) -> Result<(), SchemaError> {
        for (name, ds) in &self.many_to_many.relations {
            let d1 = &self.many_to_many.configs[ds[0]];
            let Some(d2) = ds.get(1).map(|i| &self.many_to_many.configs[*i]) else {
                return Err(SchemaError::at(
                    d1.directive.pos,
                    format!("@manyToMany relation '{name}' must be used in exactly two locations."),
                ));
            };
            for (a, b) in [(d1, d2), (d2, d1)] {
                let expected = a.field.ty.base_name();
                if expected != b.object.name {
                    return Err(SchemaError::at(
                        a.directive.pos,
                        format!(
                            "@manyToMany relation '{name}' expects '{expected}' but got '{}'.",
                            b.object.name
                        ),
                    ));
                }
            }
            if self.out.has_type(name) {
                return Err(SchemaError::at(
                    d1.directive.pos,
                    format!(
                        "@manyToMany relation name '{name}' (derived from '{}') already exists as a type in the schema.",
                        d1.directive
                            .arg("relationName")
                            .and_then(Value::as_str)
                            .unwrap_or_default()
                    ),
                ));
            }
        }
        Ok(())
    }

    /// `ManyToManyTransformer.prepare`: build and register each join model.
    pub(in crate::appsync) fn many_to_many_prepare(&mut self) -> Result<(), SchemaError> {
        let relations = self.many_to_many.relations.clone();
        for (name, ds) in relations {
            self.join_types.push(name.clone());
            let (i1, i2) = (ds[0], ds[1]);
            let d1 = self.many_to_many.configs[i1].clone();
            let d2 = self.many_to_many.configs[i2].clone();
            let side1 = self.join_side(&d1.object)?;
            let side2 = self.join_side(&d2.object)?;

            let model = Directive::new("model");
            let auth = join_auth_directive(&d1.object, &d2.object);
            let mut directives = vec![model.clone()];
            directives.extend(auth.clone());
            let mut join = ObjectDef::blank(name.clone());
            join.fields = vec![FieldDef::new(
                "id",
                vec![],
                TypeNode::non_null(TypeNode::named("ID")),
            )];
            join.fields.push(side1.key_field.clone());
            join.fields.extend(side1.sort_fields.iter().cloned());
            join.fields.push(side2.key_field.clone());
            join.fields.extend(side2.sort_fields.iter().cloned());
            join.fields.push(side1.has_one_field.clone());
            join.fields.push(side2.has_one_field.clone());
            join.directives = directives;
            self.out.add(Definition::Object(join.clone()))?;

            for (index, side) in [(i1, &side1), (i2, &side2)] {
                let c = &mut self.many_to_many.configs[index];
                c.index_name = Some(side.index_name.clone());
                c.fields = Some(side.key_names.clone());
                c.field_nodes = side.key_nodes.clone();
                c.related_type = join.clone();
                c.related_type_index = vec![side.key_field.clone()];
            }
            self.model_object(&name, &model)?;
            for side in [&side1, &side2] {
                if let Some(f) = join.field(&side.has_one_field.name)
                    && let Some(d) = f.directive("hasOne")
                {
                    self.has_one_field(&join, f, d)?;
                }
            }
            if let Some(auth) = &auth {
                self.auth_object(&join, auth)?;
            }
            for side in [&side1, &side2] {
                if let Some(f) = join.field(&side.key_field.name)
                    && let Some(d) = f.directive("index")
                {
                    self.index_field(&join, f, d)?;
                }
            }
        }
        Ok(())
    }

    /// One side of a join model: its key field (`postId: ID! @index(name: "byPost")`), sort
    /// key fields and the `@hasOne` back to the model.
    fn join_side(&self, object: &ObjectDef) -> Result<JoinSide, SchemaError> {
        let output = self.output_object(&object.name)?.clone();
        let partition = partition_key_field(&output);
        let sort_keys = sort_key_fields_of(&output);
        let type_name = &object.name;
        let field_name = to_lower(type_name);
        let index_name = format!("by{type_name}");
        let pk_name = object_primary_key(object).name;
        let key_name = format!(
            "{}{}",
            to_camel_case(&[field_name.as_str()]),
            to_pascal_case(&[pk_name])
        );
        let sort_names: Vec<String> = sort_keys
            .iter()
            .map(|k| format!("{field_name}{}", k.name))
            .collect();
        let index = Directive::new("index")
            .with_arg("name", Value::string(index_name.clone()))
            .with_arg("sortKeyFields", Value::string_list(sort_names.clone()));
        let key_field = FieldDef::new(
            key_name.clone(),
            vec![],
            TypeNode::non_null(TypeNode::named(partition.ty.base_name())),
        )
        .with_directives(vec![index]);
        let sort_fields = sort_keys
            .iter()
            .map(|k| {
                FieldDef::new(
                    format!("{field_name}{}", k.name),
                    vec![],
                    TypeNode::non_null(TypeNode::named(k.ty.base_name())),
                )
            })
            .collect();
        let has_one = Directive::new("hasOne").with_arg(
            "fields",
            Value::string_list(std::iter::once(key_name).chain(sort_names)),
        );
        let has_one_field = FieldDef::new(
            field_name,
            vec![],
            TypeNode::non_null(TypeNode::named(type_name.clone())),
        )
        .with_directives(vec![has_one]);
        let mut key_nodes = vec![partition.clone()];
        key_nodes.extend(sort_keys.iter().cloned());
        Ok(JoinSide {
            index_name,
            key_field,
            sort_fields,
            has_one_field,
            key_names: key_nodes.iter().map(|k| k.name.clone()).collect(),
            key_nodes,
        })
    }

    pub(in crate::appsync) fn many_to_many_transform_schema(&mut self) -> Result<(), SchemaError> {
        for config in self.many_to_many.configs.clone() {
            // `ensureHasManyConnectionField` returns early: the join's keys are `fieldNodes`.
            self.extend_type_with_connection(&config)?;
        }
        Ok(())
    }
}

struct JoinSide {
    index_name: String,
    key_field: FieldDef,
    sort_fields: Vec<FieldDef>,
    has_one_field: FieldDef,
    key_names: Vec<String>,
    key_nodes: Vec<FieldDef>,
}

/// `getPartitionKeyFieldNoContext`.
fn partition_key_field(object: &ObjectDef) -> FieldDef {
    let mut name = "id".to_string();
    for f in &object.fields {
        if f.has_directive("primaryKey") {
            name = f.name.clone();
        }
    }
    object
        .field(&name)
        .cloned()
        .unwrap_or_else(|| FieldDef::new("id", vec![], TypeNode::non_null(TypeNode::named("ID"))))
}

/// `createJoinTableAuthDirective`: both sides' `@auth` rules, concatenated.
fn join_auth_directive(t1: &ObjectDef, t2: &ObjectDef) -> Option<Directive> {
    let rules = |t: &ObjectDef| -> Vec<Value> {
        match t.directive("auth").and_then(|d| d.arg("rules")) {
            Some(Value::List(items)) => items.clone(),
            _ => Vec::new(),
        }
    };
    let all: Vec<Value> = rules(t1).into_iter().chain(rules(t2)).collect();
    if all.is_empty() {
        None
    } else {
        Some(Directive::new("auth").with_arg("rules", Value::List(all)))
    }
}
