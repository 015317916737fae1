//! The auth plugin (`@auth`): roles per model, owner fields, and the AppSync service
//! directives (`@aws_api_key`, `@aws_iam`, `@aws_cognito_user_pools`, ...) on types, operations
//! and custom fields.

mod acm;
mod checks;
mod rules;

use std::collections::HashMap;

use stratus_spec::data::AuthMode;

use self::acm::{Acm, MODEL_OPERATIONS};
use self::rules::{
    Configured, Rule, directive_rules, provider_eq, service_directives, validate_rules,
};
use super::Transform;
use super::config::ModelConfig;
use crate::SchemaError;
use crate::sdl::ast::{Definition, Directive, FieldDef, InputValueDef, ObjectDef, TypeNode};

const NON_MODEL_OPERATIONS: &[&str] = &["list", "get", "search", "listen", "sync"];

/// One role of the access control matrix (`roleMap` values).
#[derive(Debug, Clone)]
struct RoleDef {
    provider: String,
    strategy: String,
    is_static: bool,
    entity: Option<String>,
}

#[derive(Debug, Default)]
pub(crate) struct AuthState {
    configured: Configured,
    roles: HashMap<String, RoleDef>,
    /// `authModelConfig`, in insertion order.
    model_acms: Vec<(String, Acm)>,
    /// `modelDirectiveConfig` of the auth plugin.
    model_configs: HashMap<String, ModelConfig>,
    /// `authNonModelConfig`: `Type:field` → matrix.
    non_model_acms: Vec<(String, Acm)>,
    /// `seenNonModelTypes`: type → directive names already applied.
    seen_non_model: HashMap<String, Vec<String>>,
}

fn provider_name(mode: AuthMode) -> &'static str {
    match mode {
        AuthMode::AmazonCognitoUserPools => "userPools",
        AuthMode::ApiKey => "apiKey",
        AuthMode::AwsIam => "identityPool",
        AuthMode::OpenidConnect => "oidc",
        AuthMode::AwsLambda => "function",
    }
}

fn set_acm(list: &mut Vec<(String, Acm)>, name: &str, acm: Acm) {
    match list.iter_mut().find(|(n, _)| n == name) {
        Some(entry) => entry.1 = acm,
        None => list.push((name.to_string(), acm)),
    }
}

impl Transform {
    /// `AuthTransformer.before`: the configured providers.
    pub(super) fn auth_before(&mut self) {
        let mut modes = vec![self.default_mode];
        modes.extend(self.additional_modes.iter().copied());
        let has = |m: AuthMode| modes.contains(&m);
        self.auth.configured = Configured {
            default: provider_name(self.default_mode).to_string(),
            has_api_key: has(AuthMode::ApiKey),
            has_user_pools: has(AuthMode::AmazonCognitoUserPools),
            has_oidc: has(AuthMode::OpenidConnect),
            has_lambda: has(AuthMode::AwsLambda),
            has_iam: has(AuthMode::AwsIam),
            should_add_default_service_directive: self.enable_iam
                && self.default_mode != AuthMode::AwsIam,
            generic_iam_access_enabled: self.enable_iam,
        };
    }

    /// Object and field hooks of the auth plugin, definition by definition.
    pub(super) fn auth_hooks(&mut self) -> Result<(), SchemaError> {
        let defs: Vec<ObjectDef> = self
            .input
            .definitions
            .iter()
            .filter_map(|d| match d {
                Definition::Object(o) => Some(o.clone()),
                _ => None,
            })
            .collect();
        for def in &defs {
            for d in def.directives.iter().filter(|d| d.name == "auth") {
                if def.extend {
                    return Err(SchemaError::at(
                        d.pos,
                        format!(
                            "Directives are not supported on object or interface extensions. See the '@auth' directive on '{}'",
                            def.name
                        ),
                    ));
                }
                self.auth_object(def, d)?;
            }
            for f in &def.fields {
                for d in f.directives.iter().filter(|d| d.name == "auth") {
                    self.auth_field(def, f, d)?;
                }
            }
        }
        Ok(())
    }

    /// `AuthTransformer.object`.
    pub(super) fn auth_object(
        &mut self,
        def: &ObjectDef,
        d: &Directive,
    ) -> Result<(), SchemaError> {
        let Some(model) = def.directive("model") else {
            return Err(SchemaError::at(
                d.pos,
                "Types annotated with @auth must also be annotated with @model.",
            ));
        };
        let is_join = self.join_types.contains(&def.name);
        let rules = directive_rules(d, false)?;
        validate_rules(&rules, &self.auth.configured, &def.name, d)?;
        let resources = def.fields.iter().map(|f| f.name.clone()).collect();
        let mut acm = Acm::new(def.name.clone(), MODEL_OPERATIONS, resources);
        self.convert_rules_to_roles(&mut acm, &rules, is_join, None, None)?;
        self.auth
            .model_configs
            .insert(def.name.clone(), ModelConfig::for_auth(&def.name, model));
        set_acm(&mut self.auth.model_acms, &def.name, acm);
        Ok(())
    }

    /// `AuthTransformer.field`.
    fn auth_field(
        &mut self,
        parent: &ObjectDef,
        field: &FieldDef,
        d: &Directive,
    ) -> Result<(), SchemaError> {
        if parent.is_interface {
            return Err(SchemaError::at(
                d.pos,
                format!(
                    "The @auth directive cannot be placed on an interface's field. See {}.{}",
                    parent.name, field.name
                ),
            ));
        }
        let is_root = [&self.out.query, &self.out.mutation, &self.out.subscription]
            .iter()
            .any(|r| **r == parent.name);
        let model = parent.directive("model");
        let rules = directive_rules(d, true)?;
        for rule in &rules {
            if rule.operations.as_ref().is_some_and(|o| !o.is_empty()) {
                if is_root {
                    return Err(SchemaError::at(
                        d.pos,
                        "@auth rules on fields within Query, Mutation, Subscription cannot specify 'operations' argument as these rules are already on an operation already.",
                    ));
                }
                if model.is_none() {
                    return Err(SchemaError::at(
                        d.pos,
                        "@auth rules on fields within types that does not have @model directive cannot specify 'operations' argument as there are operations will be generated by the CLI.",
                    ));
                }
            }
        }
        validate_rules(&rules, &self.auth.configured, &field.name, d)?;
        let type_name = parent.name.clone();
        if let Some(model) = model {
            let mut acm = if self.auth.model_configs.contains_key(&type_name) {
                let mut acm = self
                    .auth
                    .model_acms
                    .iter()
                    .find(|(n, _)| *n == type_name)
                    .map(|(_, a)| a.clone())
                    .ok_or_else(|| {
                        SchemaError::invalid(format!("no @auth matrix for {type_name}"))
                    })?;
                acm.reset_access_for_resource(&field.name);
                acm
            } else {
                self.auth
                    .model_configs
                    .insert(type_name.clone(), ModelConfig::for_auth(&type_name, model));
                let resources = parent.fields.iter().map(|f| f.name.clone()).collect();
                Acm::new(type_name.clone(), MODEL_OPERATIONS, resources)
            };
            self.convert_rules_to_roles(&mut acm, &rules, false, Some(&field.name), None)?;
            set_acm(&mut self.auth.model_acms, &type_name, acm);
        } else {
            let static_rules: Vec<Rule> = rules
                .into_iter()
                .filter(|r| r.allow != "owner" && r.groups_field.is_none())
                .collect();
            let key = format!("{type_name}:{}", field.name);
            let mut acm = Acm::new(key.clone(), NON_MODEL_OPERATIONS, vec![key.clone()]);
            let ops: Vec<String> = NON_MODEL_OPERATIONS.iter().map(|s| s.to_string()).collect();
            self.convert_rules_to_roles(&mut acm, &static_rules, false, Some(&key), Some(&ops))?;
            set_acm(&mut self.auth.non_model_acms, &key, acm);
        }
        Ok(())
    }

    /// `convertRulesToRoles`.
    fn convert_rules_to_roles(
        &mut self,
        acm: &mut Acm,
        rules: &[Rule],
        allow_overwrite: bool,
        field: Option<&str>,
        override_operations: Option<&[String]>,
    ) -> Result<(), SchemaError> {
        let name = acm.name().to_string();
        for rule in rules {
            let operations: Vec<String> = override_operations
                .map(<[String]>::to_vec)
                .or_else(|| rule.operations.clone())
                .unwrap_or_else(|| MODEL_OPERATIONS.iter().map(|s| s.to_string()).collect());
            let role_def = |strategy: &str, is_static: bool, entity: Option<String>| RoleDef {
                provider: rule.provider.clone(),
                strategy: strategy.to_string(),
                is_static,
                entity,
            };
            if let (Some(groups), None) = (&rule.groups, &rule.groups_field) {
                let claim = rule
                    .group_claim
                    .clone()
                    .unwrap_or_else(|| "cognito:groups".into());
                for group in groups {
                    let role = format!("{name}:{}:staticGroup:{group}:{claim}", rule.provider);
                    self.auth.roles.insert(
                        role.clone(),
                        role_def(&rule.allow, true, Some(group.clone())),
                    );
                    acm.set_role(&role, field, &operations, allow_overwrite)?;
                }
                continue;
            }
            let (role, def) = match rule.provider.as_str() {
                "apiKey" => (
                    format!("{name}:apiKey:public"),
                    role_def(&rule.allow, true, None),
                ),
                "function" => (
                    format!("{name}:function:custom"),
                    role_def(&rule.allow, true, None),
                ),
                "iam" | "identityPool" => (
                    format!("{name}:iam:{}", rule.allow),
                    role_def(&rule.allow, true, None),
                ),
                "oidc" | "userPools" => match rule.allow.as_str() {
                    "groups" => {
                        let claim = rule
                            .group_claim
                            .clone()
                            .unwrap_or_else(|| "cognito:groups".into());
                        let entity = rule.groups_field.clone().unwrap_or_else(|| "groups".into());
                        (
                            format!("{name}:{}:dynamicGroup:{entity}:{claim}", rule.provider),
                            role_def("groups", false, Some(entity)),
                        )
                    }
                    "owner" => {
                        let entity = rule.owner_field.clone().unwrap_or_else(|| "owner".into());
                        let claim = rule
                            .identity_claim
                            .clone()
                            .unwrap_or_else(|| "sub::username".into());
                        (
                            format!("{name}:{}:owner:{entity}:{claim}", rule.provider),
                            role_def("owner", false, Some(entity)),
                        )
                    }
                    "private" => (
                        format!("{name}:{}:private", rule.provider),
                        role_def("private", true, None),
                    ),
                    other => {
                        return Err(SchemaError::invalid(format!(
                            "Could not create a role from allow: {other}, provider: {}",
                            rule.provider
                        )));
                    }
                },
                other => {
                    return Err(SchemaError::invalid(format!(
                        "Could not create a role from provider {other}"
                    )));
                }
            };
            self.auth.roles.entry(role.clone()).or_insert(def);
            acm.set_role(&role, field, &operations, allow_overwrite)?;
        }
        Ok(())
    }

    fn role(&self, role: &str) -> Option<&RoleDef> {
        self.auth.roles.get(role)
    }

    /// `getAuthProviders`: the roles' providers in order, plus `identityPool` for Gen 2's IAM
    /// access.
    fn auth_providers(&self, roles: &[String]) -> Vec<String> {
        let mut providers: Vec<String> = Vec::new();
        for r in roles {
            if let Some(def) = self.role(r)
                && !providers.contains(&def.provider)
            {
                providers.push(def.provider.clone());
            }
        }
        if self.auth.configured.generic_iam_access_enabled
            && !providers.iter().any(|p| p == "identityPool")
        {
            providers.push("identityPool".to_string());
        }
        providers
    }

    fn service_directives(&self, providers: &[String], add_default: bool) -> Vec<Directive> {
        service_directives(&self.auth.configured.default, providers, add_default)
    }

    /// `AuthTransformer.transformSchema`.
    pub(super) fn auth_transform_schema(&mut self) -> Result<(), SchemaError> {
        self.add_iam_to_custom_operations();
        self.add_iam_to_custom_types()?;
        self.remove_auth_fields_from_subscription_filters();
        let mut searchable_providers: Vec<String> = Vec::new();
        for (model, acm) in self.auth.model_acms.clone() {
            let owner_fields: Vec<String> = acm
                .roles()
                .iter()
                .filter_map(|r| self.role(r))
                .filter(|d| d.strategy == "owner")
                .filter_map(|d| d.entity.clone())
                .collect();
            for input in [
                format!("Model{model}FilterInput"),
                format!("Model{model}ConditionInput"),
                format!("ModelSubscription{model}FilterInput"),
            ] {
                if let Some(i) = self.out.get_input_mut(&input) {
                    for owner in &owner_fields {
                        if !i.has_field(owner) {
                            i.fields.push(InputValueDef::new(
                                owner.clone(),
                                TypeNode::named("ModelStringInput"),
                            ));
                        }
                    }
                }
            }
            if let Some(o) = self.out.get_object_mut(&model) {
                for owner in &owner_fields {
                    if !o.has_field(owner) {
                        o.fields.push(FieldDef::new(
                            owner.clone(),
                            vec![],
                            TypeNode::named("String"),
                        ));
                    }
                }
            }
            let providers = self.auth_providers(acm.roles());
            let add_default = if providers.is_empty() {
                self.auth.configured.should_add_default_service_directive
            } else {
                false
            };
            let directives = self.service_directives(&providers, add_default);
            let has_searchable = self
                .out
                .get_object(&model)
                .is_some_and(|o| o.has_directive("searchable"));
            if has_searchable {
                for p in &providers {
                    if !searchable_providers.contains(p) {
                        searchable_providers.push(p.clone());
                    }
                }
            }
            if !directives.is_empty() {
                self.out.extend_type_with_directives(&model, &directives)?;
            }
            self.protect_schema_operations(&model, &acm)?;
            let def = self.output_object(&model)?.clone();
            self.propagate_auth_directives(&def, &providers)?;
        }
        for (key, acm) in self.auth.non_model_acms.clone() {
            let Some((type_name, field_name)) = key.split_once(':') else {
                continue;
            };
            let providers = self.auth_providers(acm.roles());
            let directives = self.service_directives(&providers, false);
            if !directives.is_empty() {
                self.out
                    .add_directives_to_field(type_name, field_name, &directives);
            }
        }
        if !searchable_providers.is_empty() {
            let directives = self.service_directives(&searchable_providers, false);
            for t in super::searchable::AGGREGATE_TYPES {
                self.out.extend_type_with_directives(t, &directives)?;
            }
        }
        Ok(())
    }

    /// `addCustomOperationFieldsToAuthNonModelConfig`: custom operations get `@aws_iam`.
    fn add_iam_to_custom_operations(&mut self) {
        if !self.sandbox && !self.enable_iam {
            return;
        }
        let iam = [Directive::new("aws_iam")];
        let roots = [
            self.out.query.clone(),
            self.out.mutation.clone(),
            self.out.subscription.clone(),
        ];
        let targets: Vec<(String, String)> = self
            .input
            .definitions
            .iter()
            .filter_map(|d| match d {
                Definition::Object(o) if roots.contains(&o.name) => Some(o),
                _ => None,
            })
            .flat_map(|o| {
                o.fields
                    .iter()
                    .filter(|f| !f.has_directive("aws_iam"))
                    .map(|f| (o.name.clone(), f.name.clone()))
                    .collect::<Vec<_>>()
            })
            .collect();
        for (type_name, field) in targets {
            self.out.add_directives_to_field(&type_name, &field, &iam);
        }
    }

    /// `addIamAuthToCustomTypes`: non-model object types (including the root types written in
    /// the input) get `@aws_iam`.
    fn add_iam_to_custom_types(&mut self) -> Result<(), SchemaError> {
        if !self.sandbox && !self.enable_iam {
            return Ok(());
        }
        let targets: Vec<String> = self
            .input
            .definitions
            .iter()
            .filter_map(|d| match d {
                Definition::Object(o)
                    if !o.extend
                        && !o.is_interface
                        && !o.has_directive("model")
                        && !o.has_directive("aws_iam") =>
                {
                    Some(o.name.clone())
                }
                _ => None,
            })
            .collect();
        for t in targets {
            self.out
                .extend_type_with_directives(&t, &[Directive::new("aws_iam")])?;
        }
        Ok(())
    }

    /// `removeAuthFieldsFromSubscriptionFilter`: dynamic user pool/OIDC entities cannot be
    /// subscription filters.
    fn remove_auth_fields_from_subscription_filters(&mut self) {
        let mut removals = Vec::new();
        for (model, acm) in &self.auth.model_acms {
            for r in acm.roles() {
                if let Some(def) = self.role(r)
                    && !def.is_static
                    && (provider_eq(&def.provider, "userPools")
                        || provider_eq(&def.provider, "oidc"))
                    && let Some(entity) = &def.entity
                {
                    removals.push((model.clone(), entity.clone()));
                }
            }
        }
        for (model, entity) in removals {
            if let Some(i) = self
                .out
                .get_input_mut(&format!("ModelSubscription{model}FilterInput"))
            {
                i.fields.retain(|f| f.name != entity);
            }
        }
    }

    /// `doesTypeHaveRulesForOperation`.
    fn has_rules_for_operation(&self, acm: &Acm, operation: &str) -> bool {
        let roles = acm.roles_per_operation(operation, operation == "delete");
        let default = &self.auth.configured.default;
        roles.iter().any(|r| {
            self.role(r)
                .is_some_and(|d| provider_eq(&d.provider, default))
        }) || (roles.is_empty() && self.auth.configured.should_add_default_service_directive)
    }

    fn add_service_directive(
        &mut self,
        type_name: &str,
        operation: &str,
        operation_name: Option<&str>,
        acm: &Acm,
    ) -> Result<(), SchemaError> {
        let Some(operation_name) = operation_name else {
            return Ok(());
        };
        let include_default = self.has_rules_for_operation(acm, operation);
        let roles = acm.roles_per_operation(operation, operation == "delete");
        let providers = self.auth_providers(&roles);
        let directives = self.service_directives(&providers, include_default);
        if !directives.is_empty() {
            self.out
                .add_directives_to_operation(type_name, operation_name, &directives)?;
        }
        Ok(())
    }

    /// `protectSchemaOperations`.
    fn protect_schema_operations(&mut self, model: &str, acm: &Acm) -> Result<(), SchemaError> {
        let Some(config) = self.auth.model_configs.get(model).cloned() else {
            return Ok(());
        };
        let (query, mutation, subscription) = (
            self.out.query.clone(),
            self.out.mutation.clone(),
            self.out.subscription.clone(),
        );
        self.add_service_directive(&query, "get", config.query("get").as_deref(), acm)?;
        self.add_service_directive(&query, "list", config.query("list").as_deref(), acm)?;
        for op in ["create", "update", "delete"] {
            self.add_service_directive(&mutation, op, config.mutation(op).as_deref(), acm)?;
        }
        let indices = self
            .index_queries
            .iter()
            .find(|(m, _)| m == model)
            .map(|(_, l)| l.clone())
            .unwrap_or_default();
        for entry in indices {
            let query_field = entry.split(':').nth(1).unwrap_or_default().to_string();
            self.add_service_directive(&query, "list", Some(&query_field), acm)?;
            self.add_service_directive(&query, "get", Some(&query_field), acm)?;
        }
        let searchable = self
            .out
            .get_object(model)
            .and_then(|o| o.directive("searchable").cloned().map(|d| (o.clone(), d)));
        if let Some((def, d)) = searchable {
            let name = super::searchable::search_field_name(&def, &d);
            self.add_service_directive(&query, "search", name.as_deref(), acm)?;
        }
        if config.subscription_level() != "on" {
            return Ok(());
        }
        let model_def = self.output_object(model)?.clone();
        let owner_args: Vec<InputValueDef> = acm
            .roles_per_operation("listen", false)
            .iter()
            .filter_map(|r| self.role(r))
            .filter(|d| d.strategy == "owner")
            .filter_map(|d| d.entity.clone())
            .filter(|entity| !model_def.field(entity).is_some_and(|f| f.ty.is_list()))
            .map(|entity| InputValueDef::new(entity, TypeNode::named("String")))
            .collect();
        for (key, mutation_op) in [
            ("onCreate", "create"),
            ("onUpdate", "update"),
            ("onDelete", "delete"),
        ] {
            if config.mutation(mutation_op).is_none() {
                continue;
            }
            for name in config.subscription_names(key) {
                self.add_service_directive(&subscription, "listen", Some(&name), acm)?;
                if let Some(sub) = self.out.get_object_mut(&subscription)
                    && let Some(f) = sub.fields.iter_mut().find(|f| f.name == name)
                {
                    f.args.extend(owner_args.iter().cloned());
                }
            }
        }
        Ok(())
    }

    /// `propagateAuthDirectivesToNestedTypes`.
    fn propagate_auth_directives(
        &mut self,
        def: &ObjectDef,
        providers: &[String],
    ) -> Result<(), SchemaError> {
        for nested in self.nested_non_model_types(def) {
            let name = nested.name.clone();
            let seen = self.auth.seen_non_model.get(&name).cloned();
            let mut directives = self.service_directives(providers, seen.is_some());
            match &seen {
                None => {
                    self.auth.seen_non_model.insert(
                        name.clone(),
                        directives.iter().map(|d| d.name.clone()).collect(),
                    );
                }
                Some(current) => {
                    directives.retain(|d| !current.contains(&d.name));
                    let mut all: Vec<String> = directives.iter().map(|d| d.name.clone()).collect();
                    all.extend(current.iter().cloned());
                    self.auth.seen_non_model.insert(name.clone(), all);
                }
            }
            if !directives.is_empty() || seen.is_none() {
                self.out.extend_type_with_directives(&name, &directives)?;
                self.propagate_auth_directives(&nested, providers)?;
            }
        }
        Ok(())
    }
}
