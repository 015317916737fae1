//! The model transformer (`@model`): implicit fields, the get/list queries, create/update/delete
//! mutations, onCreate/onUpdate/onDelete subscriptions and their inputs.

use super::Transform;
use super::config::ModelConfig;
use crate::SchemaError;
use crate::sdl::ast::{Directive, EnumDef, FieldDef, InputValueDef, TypeNode, Value};

/// The operation kinds a model field generates inputs for (`getInputs`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Op {
    Get,
    List,
    Create,
    Update,
    Delete,
    OnCreate,
    OnUpdate,
    OnDelete,
}

impl Transform {
    /// `ModelTransformer.object` for every `@model` type.
    pub(super) fn model_hooks(&mut self) -> Result<(), SchemaError> {
        let defs: Vec<_> = self.input.objects().cloned().collect();
        for def in defs {
            for d in def.directives.iter().filter(|d| d.name == "model") {
                if def.extend {
                    return Err(SchemaError::at(
                        d.pos,
                        format!(
                            "Directives are not supported on object or interface extensions. See the '@model' directive on '{}'",
                            def.name
                        ),
                    ));
                }
                self.model_object(&def.name, d)?;
            }
        }
        Ok(())
    }

    pub(super) fn model_object(
        &mut self,
        type_name: &str,
        d: &Directive,
    ) -> Result<(), SchemaError> {
        let roots = [&self.out.query, &self.out.mutation, &self.out.subscription];
        if roots.iter().any(|r| *r == type_name) {
            return Err(SchemaError::at(
                d.pos,
                format!(
                    "'{type_name}' is a reserved type name and currently in use within the default schema element."
                ),
            ));
        }
        self.model_configs
            .insert(type_name.to_string(), ModelConfig::for_model(type_name, d));
        if !self.is_model(type_name) {
            self.model_types.push(type_name.to_string());
        }
        Ok(())
    }

    /// `ModelTransformer.transformSchema`.
    pub(super) fn model_transform_schema(&mut self) -> Result<(), SchemaError> {
        self.add_model_condition_inputs();
        self.out
            .add_enum_if_missing(EnumDef::new("ModelSortDirection", &["ASC", "DESC"]));
        for type_name in self.model_types.clone() {
            let before = self.output_object(&type_name)?.clone();
            self.add_auto_generatable_fields(&type_name)?;
            let def = self.output_object(&type_name)?.clone();
            let has_auth = def.has_directive("auth");
            self.create_non_model_inputs(&def)?;

            let query_fields = self.create_query_fields(&def)?;
            self.out.add_query_fields(query_fields.clone())?;
            let mutation_fields = self.create_mutation_fields(&before)?;
            self.out.add_mutation_fields(mutation_fields.clone())?;
            let subscription_fields = self.create_subscription_fields(&def)?;
            self.out
                .add_subscription_fields(subscription_fields.clone())?;

            if !has_auth {
                let directives = self.default_service_directives();
                if !directives.is_empty() {
                    self.out
                        .extend_type_with_directives(&type_name, &directives)?;
                    self.propagate_directives_to_nested_types(&def, &directives)?;
                    let roots = [
                        (self.out.query.clone(), &query_fields),
                        (self.out.mutation.clone(), &mutation_fields),
                        (self.out.subscription.clone(), &subscription_fields),
                    ];
                    for (root, fields) in roots {
                        for f in fields {
                            self.out
                                .add_directives_to_operation(&root, &f.name, &directives)?;
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// The service directives for types and operations without `@auth`.
    pub(super) fn default_service_directives(&self) -> Vec<Directive> {
        use stratus_spec::data::AuthMode;
        let mut names = Vec::new();
        if self.sandbox && self.enable_iam {
            names.extend(["aws_api_key", "aws_iam"]);
        } else if self.sandbox && self.default_mode != AuthMode::ApiKey {
            names.push("aws_api_key");
        } else if self.enable_iam && self.default_mode != AuthMode::AwsIam {
            names.push("aws_iam");
        }
        names.into_iter().map(Directive::new).collect()
    }

    pub(super) fn output_object(
        &self,
        name: &str,
    ) -> Result<&crate::sdl::ast::ObjectDef, SchemaError> {
        self.out
            .get_object(name)
            .ok_or_else(|| SchemaError::invalid(format!("Type {name} is missing in outputs")))
    }

    /// `addAutoGeneratableFields`: `id: ID!` and the timestamp fields, when missing.
    fn add_auto_generatable_fields(&mut self, type_name: &str) -> Result<(), SchemaError> {
        let config = self.model_configs.get(type_name).cloned();
        let Some(obj) = self.out.get_object_mut(type_name) else {
            return Err(SchemaError::invalid(format!(
                "Type {type_name} is missing in outputs"
            )));
        };
        if !obj.has_field("id") {
            obj.fields.push(FieldDef::new(
                "id",
                vec![],
                TypeNode::non_null(TypeNode::named("ID")),
            ));
        }
        if let Some(config) = config {
            for key in ["createdAt", "updatedAt"] {
                if let Some(name) = config.timestamp_field(key)
                    && !obj.has_field(&name)
                {
                    obj.fields.push(FieldDef::new(
                        name,
                        vec![],
                        TypeNode::non_null(TypeNode::named("AWSDateTime")),
                    ));
                }
            }
        }
        Ok(())
    }

    fn create_query_fields(
        &mut self,
        def: &crate::sdl::ast::ObjectDef,
    ) -> Result<Vec<FieldDef>, SchemaError> {
        let config = self.model_config(&def.name)?;
        let mut fields = Vec::new();
        if let Some(get) = config.query("get") {
            let args = self.model_inputs(def, Op::Get)?;
            fields.push(FieldDef::new(get, args, TypeNode::named(def.name.clone())));
        }
        if let Some(list) = config.query("list") {
            let connection = self.ensure_list_connection(&def.name)?;
            let args = self.model_inputs(def, Op::List)?;
            fields.push(FieldDef::new(list, args, TypeNode::named(connection)));
        }
        Ok(fields)
    }

    fn create_mutation_fields(
        &mut self,
        def: &crate::sdl::ast::ObjectDef,
    ) -> Result<Vec<FieldDef>, SchemaError> {
        let config = self.model_config(&def.name)?;
        let mut fields = Vec::new();
        for (kind, name) in config.mutations() {
            let op = match kind.as_str() {
                "create" => Op::Create,
                "update" => Op::Update,
                "delete" => Op::Delete,
                other => {
                    return Err(SchemaError::invalid(format!(
                        "Unknown mutation type '{other}' in @model on {}",
                        def.name
                    )));
                }
            };
            let args = self.model_inputs(def, op)?;
            fields.push(FieldDef::new(name, args, TypeNode::named(def.name.clone())));
        }
        Ok(fields)
    }

    fn create_subscription_fields(
        &mut self,
        def: &crate::sdl::ast::ObjectDef,
    ) -> Result<Vec<FieldDef>, SchemaError> {
        let config = self.model_config(&def.name)?;
        if config.subscription_level() == "off" {
            return Ok(Vec::new());
        }
        // subscription field name → the mutations it listens to, in first-seen order.
        let mut map: Vec<(String, Vec<Op>)> = Vec::new();
        for (op, key, mutation) in [
            (Op::OnCreate, "onCreate", "create"),
            (Op::OnUpdate, "onUpdate", "update"),
            (Op::OnDelete, "onDelete", "delete"),
        ] {
            if config.mutation(mutation).is_none() {
                continue;
            }
            for name in config.subscription_names(key) {
                match map.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, ops)) => ops.push(op),
                    None => map.push((name, vec![op])),
                }
            }
        }
        let mut fields = Vec::new();
        for (name, ops) in map {
            let mut args = Vec::new();
            let mut mutations = Vec::new();
            for op in ops {
                args.extend(self.model_inputs(def, op)?);
                let kind = match op {
                    Op::OnCreate => "create",
                    Op::OnUpdate => "update",
                    _ => "delete",
                };
                if let Some(m) = config.mutation(kind) {
                    mutations.push(m);
                }
            }
            let subscribe = Directive::new("aws_subscribe")
                .with_arg("mutations", Value::string_list(mutations));
            fields.push(
                FieldDef::new(name, args, TypeNode::named(def.name.clone()))
                    .with_directives(vec![subscribe]),
            );
        }
        Ok(fields)
    }

    pub(super) fn model_config(&self, type_name: &str) -> Result<ModelConfig, SchemaError> {
        self.model_configs
            .get(type_name)
            .cloned()
            .ok_or_else(|| SchemaError::invalid(format!("{type_name} is not a @model type")))
    }

    /// `getInputs`: the arguments of a model operation, adding the input types it uses.
    pub(super) fn model_inputs(
        &mut self,
        def: &crate::sdl::ast::ObjectDef,
        op: Op,
    ) -> Result<Vec<InputValueDef>, SchemaError> {
        let name = &def.name;
        let mut condition = None;
        if matches!(op, Op::Create | Op::Update | Op::Delete) {
            let cond_name = format!("Model{name}ConditionInput");
            let config = self.model_config(name)?;
            let mut inputs = self.enum_filter_inputs(def);
            inputs.push(self.mutation_condition_input(&cond_name, def, &config));
            for input in inputs {
                self.out.add_input_if_missing(input);
            }
            condition = Some(cond_name);
        }
        let named = |n: String| TypeNode::named(n);
        let args = match op {
            Op::Get => vec![InputValueDef::new(
                "id",
                TypeNode::non_null(TypeNode::named("ID")),
            )],
            Op::List => {
                let filter_name = format!("Model{name}FilterInput");
                let mut inputs = self.enum_filter_inputs(def);
                inputs.push(self.list_filter_input(&filter_name, def));
                for input in inputs {
                    self.out.add_input_if_missing(input);
                }
                vec![
                    InputValueDef::new("filter", named(filter_name)),
                    InputValueDef::new("limit", named("Int".into())),
                    InputValueDef::new("nextToken", named("String".into())),
                ]
            }
            Op::Create | Op::Update | Op::Delete => {
                let config = self.model_config(name)?;
                let input = match op {
                    Op::Create => self.create_input(def, &config),
                    Op::Update => self.update_input(def, &config),
                    _ => self.delete_input(def),
                };
                let input_name = input.name.clone();
                self.out.add_input_if_missing(input);
                vec![
                    InputValueDef::new("input", TypeNode::non_null(named(input_name))),
                    InputValueDef::new("condition", named(condition.unwrap_or_default())),
                ]
            }
            Op::OnCreate | Op::OnUpdate | Op::OnDelete => {
                let filter_name = format!("ModelSubscription{name}FilterInput");
                let mut inputs = self.enum_filter_inputs(def);
                inputs.push(self.subscription_filter_input(&filter_name, def));
                for input in inputs {
                    self.out.add_input_if_missing(input);
                }
                vec![InputValueDef::new("filter", named(filter_name))]
            }
        };
        Ok(args)
    }
}
