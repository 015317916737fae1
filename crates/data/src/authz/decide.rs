//! Per-request decisions, following the auth resolvers the transformer generates
//! (`vtl-generator/ddb/resolvers/*`), with the stricter behaviour the README documents.

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use stratus_spec::data::{AuthProvider, AuthStrategy, DataSpec};

use super::AuthzError;
use super::caller::{Caller, IamPrincipal};
use super::filter::{AuthFilter, Condition};
use super::matrix::{Acm, AuthMatrix, CLAIM_DELIMITER, RoleDef};
use super::providers::{AuthEnvironment, ConfiguredProviders};
use super::rules::{Op, is_iam};

/// One authorization question.
#[derive(Debug, Clone, Copy)]
pub struct Request<'a> {
    pub caller: &'a Caller,
    pub model: &'a str,
    pub operation: Op,
    /// The stored item: the target of update/delete, a fetched item for get, an event's item.
    pub existing: Option<&'a Map<String, Value>>,
    /// The mutation input (create/update) or the subscription arguments (listen).
    pub input: Option<&'a Map<String, Value>>,
    /// The top-level fields the request selects (used with `existing` on reads).
    pub fields: &'a [String],
}

/// A positive decision and what the caller of the library must do with it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Grant {
    /// Reads without a known item (list, sync, search, listen, get before fetching): only
    /// items matching this filter may be returned. `None` = no restriction.
    pub filter: Option<AuthFilter>,
    /// Create: values to set on the input before writing (owner fields, as AppSync sets them).
    pub owner_values: Vec<(String, Value)>,
    /// Reads of a known item: selected fields the caller may not read. AppSync returns each
    /// as `null` with an `Unauthorized` error.
    pub hidden_fields: Vec<String>,
}

/// A refusal. AppSync reports it with `errorType: "Unauthorized"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Denial {
    /// Input fields the caller may not write (`Unauthorized on [a, b]`); empty when the whole
    /// operation is refused.
    pub fields: Vec<String>,
}

impl Denial {
    fn operation() -> Self {
        Denial { fields: Vec::new() }
    }

    pub fn error_type(&self) -> &'static str {
        "Unauthorized"
    }

    /// AppSync's message for this refusal of `type_name.field_name` (e.g. `Mutation`,
    /// `createPost`).
    pub fn message(&self, type_name: &str, field_name: &str) -> String {
        if self.fields.is_empty() {
            format!("Not Authorized to access {field_name} on type {type_name}")
        } else {
            format!("Unauthorized on [{}]", self.fields.join(", "))
        }
    }
}

/// Read decision without an item.
pub type ReadGrant = Grant;

/// A role allowed a mutation, with the fields it may write (`allowedFields`) and set to null
/// (`nullAllowedFields`).
#[derive(Debug, Clone)]
pub(super) struct MutRole {
    pub role: usize,
    pub allowed: Vec<String>,
    pub null_allowed: Vec<String>,
    /// Authorized without field checks (create: all writable; update: also all nullable).
    pub all: bool,
    /// `areAllFieldsAllowed` / `areAllFieldsNullAllowed`.
    pub all_write: bool,
    pub all_null: bool,
}

#[derive(Debug, Clone, Default)]
pub(super) struct ModelInfo {
    pub list_fields: Vec<String>,
    /// Fields with a field resolver: the roles that may read them.
    pub guards: BTreeMap<String, Vec<usize>>,
    pub create: Vec<MutRole>,
    pub update: Vec<MutRole>,
    pub delete: Vec<usize>,
}

/// Takes every authorization decision of a data API.
#[derive(Debug, Clone)]
pub struct Authorizer {
    pub(super) providers: ConfiguredProviders,
    pub(super) sandbox: bool,
    pub(super) matrix: AuthMatrix,
    pub(super) models: BTreeMap<String, ModelInfo>,
    /// `allow.resource(fn).to([...])`: function name → `query`/`mutate`/`listen`.
    pub(super) function_access: BTreeMap<String, Vec<String>>,
}

impl Authorizer {
    pub fn new(spec: &DataSpec, env: &AuthEnvironment) -> Result<Self, AuthzError> {
        let matrix = AuthMatrix::build(spec)?;
        let providers = ConfiguredProviders::new(&spec.authorization_modes, env);
        let mut models = BTreeMap::new();
        let joins = super::joins::generated_models(&spec.schema);
        let all: Vec<&stratus_spec::data::Model> =
            spec.schema.models.iter().chain(joins.iter()).collect();
        for model in &all {
            let info = match matrix.models.get(&model.name) {
                Some(acm) => super::mutate::model_info(model, acm, &all),
                None => ModelInfo::default(),
            };
            models.insert(model.name.clone(), info);
        }
        let mut function_access: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for f in &spec.function_schema_access {
            function_access
                .entry(f.function.clone())
                .or_default()
                .extend(f.actions.iter().cloned());
        }
        Ok(Authorizer {
            providers,
            sandbox: spec.authorization_modes.sandbox_mode,
            matrix,
            models,
            function_access,
        })
    }

    pub fn matrix(&self) -> &AuthMatrix {
        &self.matrix
    }

    pub fn providers(&self) -> &ConfiguredProviders {
        &self.providers
    }

    /// Answers one [`Request`].
    pub fn decide(&self, req: &Request) -> Result<Grant, Denial> {
        let empty = Map::new();
        match req.operation {
            Op::Create => self.authorize_create(req.caller, req.model, req.input.unwrap_or(&empty)),
            Op::Update => self.authorize_update(
                req.caller,
                req.model,
                req.existing,
                req.input.unwrap_or(&empty),
            ),
            Op::Delete => self.authorize_delete(req.caller, req.model, req.existing),
            Op::Listen => {
                let mut g = self.authorize_subscription(
                    req.caller,
                    req.model,
                    req.input.unwrap_or(&empty),
                )?;
                if let Some(item) = req.existing {
                    self.check_item(req.caller, req.model, Op::Listen, item)?;
                    g.hidden_fields = self.hidden_fields(req.caller, req.model, item, req.fields);
                    g.filter = None;
                }
                Ok(g)
            }
            op => {
                let mut g = self.authorize_read(req.caller, req.model, op)?;
                if let Some(item) = req.existing {
                    if g.filter.as_ref().is_some_and(|f| !f.matches(item)) {
                        return Err(Denial::operation());
                    }
                    g.filter = None;
                    g.hidden_fields = self.hidden_fields(req.caller, req.model, item, req.fields);
                }
                Ok(g)
            }
        }
    }

    /// Whether the caller's authorization mode is configured on the API.
    fn mode_configured(&self, caller: &Caller) -> bool {
        let p = &self.providers;
        match caller {
            Caller::ApiKey => p.has_api_key,
            Caller::UserPool { .. } => p.has_user_pools,
            Caller::Oidc { .. } => p.has_oidc,
            Caller::Iam { .. } => p.has_iam,
            Caller::Lambda { .. } => p.has_lambda,
        }
    }

    /// IAM principals outside the identity pool (`isNonCognitoIAMPrincipal`, admin roles):
    /// `Some(decision)` when the caller is one.
    pub(super) fn iam_principal_decision(&self, caller: &Caller, op: Op) -> Option<bool> {
        let Caller::Iam { principal, .. } = caller else {
            return None;
        };
        let p = &self.providers;
        let full = p.has_iam && (p.generic_iam_access || p.has_admin_roles);
        match principal {
            IamPrincipal::Admin => Some(full),
            IamPrincipal::Function(name) => {
                let action = match op {
                    Op::Create | Op::Update | Op::Delete => "mutate",
                    Op::Listen => "listen",
                    _ => "query",
                };
                let granted = self
                    .function_access
                    .get(name)
                    .is_some_and(|a| a.iter().any(|x| x == action));
                Some(full && granted)
            }
            IamPrincipal::Guest | IamPrincipal::Authenticated => None,
        }
    }

    /// A model without any `@auth` (the `postAuth` sandbox check).
    pub(super) fn no_rules(&self, caller: &Caller, op: Op) -> Result<Grant, Denial> {
        if let Some(ok) = self.iam_principal_decision(caller, op) {
            return if ok {
                Ok(Grant::default())
            } else {
                Err(Denial::operation())
            };
        }
        if self.sandbox && matches!(caller, Caller::ApiKey) && self.providers.has_api_key {
            return Ok(Grant::default());
        }
        Err(Denial::operation())
    }

    /// Static roles (`private`, static groups, `public`, `custom`, IAM): does the caller hold
    /// `role` regardless of the item?
    pub(super) fn static_match(&self, caller: &Caller, role: &RoleDef) -> bool {
        if !role.is_static || !self.mode_configured(caller) {
            return false;
        }
        match caller {
            Caller::ApiKey => role.provider == AuthProvider::ApiKey,
            Caller::Lambda { .. } => role.provider == AuthProvider::Function,
            Caller::Iam { principal, .. } => {
                let claim = match principal {
                    IamPrincipal::Guest => "unauthRole",
                    IamPrincipal::Authenticated => "authRole",
                    _ => return false,
                };
                is_iam(role.provider) && role.claim.as_deref() == Some(claim)
            }
            Caller::UserPool { .. } | Caller::Oidc { .. } => {
                if role.provider != user_provider(caller) {
                    return false;
                }
                match role.strategy {
                    AuthStrategy::Private => true,
                    AuthStrategy::Groups => match (&role.claim, &role.entity) {
                        (Some(claim), Some(group)) => {
                            caller.groups_in(claim).iter().any(|g| g == group)
                        }
                        _ => false,
                    },
                    _ => false,
                }
            }
        }
    }

    /// Dynamic roles (owner, group field): does the caller hold `role` for `item`?
    pub(super) fn dynamic_match(
        &self,
        caller: &Caller,
        role: &RoleDef,
        item: &Map<String, Value>,
    ) -> bool {
        if role.is_static
            || !self.mode_configured(caller)
            || !matches!(caller, Caller::UserPool { .. } | Caller::Oidc { .. })
            || role.provider != user_provider(caller)
        {
            return false;
        }
        let (Some(claim), Some(entity)) = (&role.claim, &role.entity) else {
            return false;
        };
        let value = item.get(entity).unwrap_or(&Value::Null);
        if role.is_owner() {
            let Some(id) = caller.identity(claim) else {
                return false;
            };
            match value {
                Value::Array(items) => items.iter().any(|v| id.matches(v)),
                v => id.matches(v),
            }
        } else {
            let groups = caller.groups_in(claim);
            match value {
                Value::Array(items) => items
                    .iter()
                    .any(|v| v.as_str().is_some_and(|s| groups.iter().any(|g| g == s))),
                Value::String(s) => groups.iter().any(|g| g == s),
                _ => false,
            }
        }
    }

    /// Conditions of the caller's dynamic roles for reads (`generateAuthFilter`).
    fn read_conditions(&self, caller: &Caller, roles: &[&RoleDef]) -> Vec<Condition> {
        let mut out = Vec::new();
        for role in roles {
            let (Some(claim), Some(entity)) = (&role.claim, &role.entity) else {
                continue;
            };
            let is_list = role.is_entity_list.unwrap_or(false);
            let cond = |value: String| {
                let field = entity.clone();
                if is_list {
                    Condition::Contains { field, value }
                } else {
                    Condition::Eq { field, value }
                }
            };
            if role.is_owner() {
                let names: Vec<&str> = claim.split(CLAIM_DELIMITER).collect();
                if names.len() > 1 {
                    if let Some(id) = caller.identity(claim) {
                        out.push(cond(id.full));
                    }
                    out.extend(names.iter().filter_map(|n| caller.owner_claim(n)).map(cond));
                } else if let Some(v) = caller.owner_claim(claim) {
                    out.push(cond(v));
                }
            } else {
                let groups = caller.groups_in(claim);
                if is_list {
                    out.extend(groups.into_iter().filter(|g| !g.is_empty()).map(|g| {
                        Condition::Contains {
                            field: entity.clone(),
                            value: g,
                        }
                    }));
                } else if !groups.is_empty() {
                    out.push(Condition::In {
                        field: entity.clone(),
                        values: groups,
                    });
                }
            }
        }
        out
    }

    /// A read (`get`, `list`, `sync`, `search`, `listen`) before any item is known: denied,
    /// allowed on every item, or allowed on the items matching [`Grant::filter`].
    pub fn authorize_read(&self, caller: &Caller, model: &str, op: Op) -> Result<Grant, Denial> {
        let Some(acm) = self.matrix.models.get(model) else {
            return self.no_rules(caller, op);
        };
        if let Some(ok) = self.iam_principal_decision(caller, op) {
            return if ok {
                Ok(Grant::default())
            } else {
                Err(Denial::operation())
            };
        }
        let roles: Vec<&RoleDef> = acm
            .roles_for(op, false)
            .into_iter()
            .map(|r| &acm.roles[r])
            .collect();
        if roles.iter().any(|r| self.static_match(caller, r)) {
            return Ok(Grant::default());
        }
        if !matches!(caller, Caller::UserPool { .. } | Caller::Oidc { .. })
            || !self.mode_configured(caller)
        {
            return Err(Denial::operation());
        }
        let provider = user_provider(caller);
        let dynamic: Vec<&RoleDef> = roles
            .into_iter()
            .filter(|r| !r.is_static && r.provider == provider)
            .collect();
        let conditions = self.read_conditions(caller, &dynamic);
        if conditions.is_empty() {
            return Err(Denial::operation());
        }
        Ok(Grant {
            filter: Some(AuthFilter { any_of: conditions }),
            ..Grant::default()
        })
    }

    /// May the caller read this stored item with `op`? (The item-level part of a read; use
    /// [`Authorizer::hidden_fields`] for field-level rules.)
    pub fn check_item(
        &self,
        caller: &Caller,
        model: &str,
        op: Op,
        item: &Map<String, Value>,
    ) -> Result<(), Denial> {
        let grant = self.authorize_read(caller, model, op)?;
        match grant.filter {
            Some(f) if !f.matches(item) => Err(Denial::operation()),
            _ => Ok(()),
        }
    }

    /// Of `fields`, those the caller may not read on `item` (field-level rules: AppSync's
    /// field resolvers, which answer `null` plus an `Unauthorized` error).
    pub fn hidden_fields(
        &self,
        caller: &Caller,
        model: &str,
        item: &Map<String, Value>,
        fields: &[String],
    ) -> Vec<String> {
        let (Some(info), Some(acm)) = (self.models.get(model), self.matrix.models.get(model))
        else {
            return Vec::new();
        };
        fields
            .iter()
            .filter(|f| {
                info.guards
                    .get(f.as_str())
                    .is_some_and(|roles| !self.holds_any(caller, acm, roles, item, Op::Get))
            })
            .cloned()
            .collect()
    }

    /// Whether the caller holds any of `roles` (static, or dynamic on `item`).
    pub(super) fn holds_any(
        &self,
        caller: &Caller,
        acm: &Acm,
        roles: &[usize],
        item: &Map<String, Value>,
        op: Op,
    ) -> bool {
        if let Some(ok) = self.iam_principal_decision(caller, op) {
            return ok;
        }
        roles.iter().any(|&r| {
            let role = &acm.roles[r];
            self.static_match(caller, role) || self.dynamic_match(caller, role, item)
        })
    }

    /// Subscribing (`onCreate`/`onUpdate`/`onDelete`) with `args` (owner arguments and
    /// `filter`). The returned filter holds for every event; Stratus also checks each event
    /// with [`Authorizer::check_item`] and [`Authorizer::hidden_fields`] for the subscriber.
    pub fn authorize_subscription(
        &self,
        caller: &Caller,
        model: &str,
        args: &Map<String, Value>,
    ) -> Result<Grant, Denial> {
        let grant = self.authorize_read(caller, model, Op::Listen)?;
        let Some(acm) = self.matrix.models.get(model) else {
            return Ok(grant);
        };
        if grant.filter.is_some() {
            // An owner argument must designate the subscriber (`hasValidOwnerArgument`).
            for r in acm.roles_for(Op::Listen, false) {
                let role = &acm.roles[r];
                if !role.is_owner() || role.provider != user_provider(caller) {
                    continue;
                }
                let (Some(claim), Some(entity)) = (&role.claim, &role.entity) else {
                    continue;
                };
                let Some(id) = caller.identity(claim) else {
                    continue;
                };
                match args.get(entity) {
                    None | Some(Value::Null) => {}
                    Some(Value::String(s)) if s.is_empty() => {}
                    Some(v) if id.matches(v) => {}
                    Some(_) => return Err(Denial::operation()),
                }
            }
        }
        Ok(grant)
    }

    /// A custom query, mutation or subscription with `@auth` rules (`Type:field` matrix: static
    /// rules only, as the transformer keeps them). `None` when the operation has no `@auth`
    /// (its `@aws_*` directives decide).
    pub fn authorize_custom(
        &self,
        caller: &Caller,
        type_name: &str,
        field_name: &str,
    ) -> Option<Result<(), Denial>> {
        let acm = self
            .matrix
            .non_model
            .get(&format!("{type_name}:{field_name}"))?;
        let op = match type_name {
            "Mutation" => Op::Create,
            "Subscription" => Op::Listen,
            _ => Op::Get,
        };
        let allowed = match self.iam_principal_decision(caller, op) {
            Some(ok) => ok,
            None => acm.roles.iter().any(|r| self.static_match(caller, r)),
        };
        Some(if allowed {
            Ok(())
        } else {
            Err(Denial::operation())
        })
    }

    /// Rewrites multi-claim owner values as AppSync's owner field resolver shows them
    /// (`sub::username` → `username`).
    pub fn present_owner_fields(&self, model: &str, item: &mut Map<String, Value>) {
        let Some(acm) = self.matrix.models.get(model) else {
            return;
        };
        let last = |s: &str| s.rsplit(CLAIM_DELIMITER).next().unwrap_or(s).to_string();
        for role in acm.roles.iter().filter(|r| r.is_owner()) {
            let (Some(claim), Some(entity)) = (&role.claim, &role.entity) else {
                continue;
            };
            if !claim.contains(CLAIM_DELIMITER) {
                continue;
            }
            match item.get_mut(entity) {
                Some(Value::String(s)) => *s = last(s),
                Some(Value::Array(items)) => {
                    for v in items.iter_mut() {
                        if let Value::String(s) = v {
                            *s = last(s);
                        }
                    }
                }
                _ => {}
            }
        }
    }
}

/// The provider a user-pool or OIDC caller's roles carry.
pub(super) fn user_provider(caller: &Caller) -> AuthProvider {
    match caller {
        Caller::Oidc { .. } => AuthProvider::Oidc,
        _ => AuthProvider::UserPools,
    }
}
