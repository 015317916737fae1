//! The access-control matrix (`AccessControlMatrix` + `convertRulesToRoles` of the Amplify auth
//! transformer): roles derived from the rules, and which operations each role may perform on
//! each field.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};
use stratus_spec::data::{AuthProvider, AuthStrategy, DataSpec, Field};

use super::AuthzError;
use super::rules::{NormalizedRule, Op, OpSet, normalize_rules, provider_name, strategy_name};

/// Default owner field (`DEFAULT_OWNER_FIELD`).
pub const DEFAULT_OWNER_FIELD: &str = "owner";
/// Default dynamic groups field (`DEFAULT_GROUPS_FIELD`).
pub const DEFAULT_GROUPS_FIELD: &str = "groups";
/// Default identity claim in Gen 2 (`useSubUsernameForDefaultIdentityClaim`).
pub const DEFAULT_IDENTITY_CLAIM: &str = "sub::username";
/// Default group claim (`DEFAULT_GROUP_CLAIM`).
pub const DEFAULT_GROUP_CLAIM: &str = "cognito:groups";
/// Separator of multi-claim identities (`IDENTITY_CLAIM_DELIMITER`).
pub const CLAIM_DELIMITER: &str = "::";

/// A role of the matrix (`roleMap` entry) with its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RoleDef {
    /// `Post:userPools:owner:owner:sub::username`, `Post:apiKey:public`, ...
    pub name: String,
    pub provider: AuthProvider,
    pub strategy: AuthStrategy,
    /// Static roles do not depend on the item (private, public, static groups, custom).
    pub is_static: bool,
    /// Identity claim (owner), group claim (groups), `authRole`/`unauthRole` (IAM).
    pub claim: Option<String>,
    /// Owner field, groups field, or the static group name.
    pub entity: Option<String>,
    /// Whether the owner/groups field is a list (owner and dynamic group roles only).
    pub is_entity_list: Option<bool>,
}

impl RoleDef {
    /// The definition as the oracle records it (without the resolver-time `allowedFields`).
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        m.insert("provider".into(), json!(provider_name(self.provider)));
        m.insert("strategy".into(), json!(strategy_name(self.strategy)));
        m.insert("static".into(), json!(self.is_static));
        if let Some(c) = &self.claim {
            m.insert("claim".into(), json!(c));
        }
        if let Some(e) = &self.entity {
            m.insert("entity".into(), json!(e));
        }
        if let Some(l) = self.is_entity_list {
            m.insert("isEntityList".into(), json!(l));
        }
        Value::Object(m)
    }

    pub fn is_owner(&self) -> bool {
        self.strategy == AuthStrategy::Owner
    }

    pub fn is_dynamic_group(&self) -> bool {
        self.strategy == AuthStrategy::Groups && !self.is_static
    }
}

/// One type's (or custom operation's) matrix: roles × resources → operations.
#[derive(Debug, Clone)]
pub struct Acm {
    pub name: String,
    pub operations: Vec<Op>,
    /// Field names (model) or `Type:field` (non-model).
    pub resources: Vec<String>,
    pub roles: Vec<RoleDef>,
    /// `matrix[role][resource]`.
    matrix: Vec<Vec<OpSet>>,
}

impl Acm {
    fn new(name: &str, operations: Vec<Op>, resources: Vec<String>) -> Self {
        Acm {
            name: name.to_string(),
            operations,
            resources,
            roles: Vec::new(),
            matrix: Vec::new(),
        }
    }

    fn role_index(&self, name: &str) -> Option<usize> {
        self.roles.iter().position(|r| r.name == name)
    }

    fn resource_index(&self, name: &str) -> Option<usize> {
        self.resources.iter().position(|r| r == name)
    }

    /// `AccessControlMatrix.setRole`.
    fn set_role(
        &mut self,
        role: RoleDef,
        resource: Option<&str>,
        ops: OpSet,
        allow_overwrite: bool,
    ) -> Result<(), AuthzError> {
        let res_idx = match resource {
            Some(r) => Some(
                self.resource_index(r)
                    .ok_or_else(|| AuthzError::InvalidRule {
                        location: self.name.clone(),
                        message: format!("Resource: {r} is not configured in the ACM"),
                    })?,
            ),
            None => None,
        };
        let full = || vec![ops; self.resources.len()];
        match self.role_index(&role.name) {
            None => {
                let vector = match res_idx {
                    Some(i) => (0..self.resources.len())
                        .map(|j| if i == j { ops } else { OpSet::EMPTY })
                        .collect(),
                    None => full(),
                };
                self.roles.push(role);
                self.matrix.push(vector);
            }
            Some(idx) if res_idx.is_some() || allow_overwrite => match res_idx {
                Some(i) => self.matrix[idx][i] = ops,
                None => self.matrix[idx] = full(),
            },
            Some(_) => {
                return Err(AuthzError::InvalidRule {
                    location: self.name.clone(),
                    message: format!("@auth {} already exists for {}", role.name, self.name),
                });
            }
        }
        Ok(())
    }

    fn reset_resource(&mut self, resource: &str) {
        if let Some(i) = self.resource_index(resource) {
            for row in &mut self.matrix {
                row[i] = OpSet::EMPTY;
            }
        }
    }

    /// The operations `role` may perform on `resource` (empty when either is unknown).
    pub fn access(&self, role: usize, resource: &str) -> OpSet {
        match (self.matrix.get(role), self.resource_index(resource)) {
            (Some(row), Some(i)) => row[i],
            _ => OpSet::EMPTY,
        }
    }

    pub fn is_allowed(&self, role: usize, resource: &str, op: Op) -> bool {
        self.access(role, resource).contains(op)
    }

    /// `getRolesPerOperation`: roles allowed `op` on any (or, with `full`, every) resource.
    pub fn roles_for(&self, op: Op, full: bool) -> Vec<usize> {
        (0..self.roles.len())
            .filter(|&r| {
                let row = &self.matrix[r];
                if full {
                    row.iter().all(|s| s.contains(op))
                } else {
                    row.iter().any(|s| s.contains(op))
                }
            })
            .collect()
    }

    /// Resources `role` may perform `op` on.
    pub fn resources_for(&self, role: usize, op: Op) -> Vec<String> {
        self.resources
            .iter()
            .enumerate()
            .filter(|(i, _)| self.matrix[role][*i].contains(op))
            .map(|(_, r)| r.clone())
            .collect()
    }
}

/// One `convertRulesToRoles` call, as recorded in the oracle's `auth.json` `rules`.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub type_name: String,
    pub field: Option<String>,
    pub override_operations: Option<Vec<Op>>,
    pub rules: Vec<NormalizedRule>,
}

/// The matrices of a whole schema.
#[derive(Debug, Clone, Default)]
pub struct AuthMatrix {
    /// Models with `@auth` on the type or on a field.
    pub models: BTreeMap<String, Acm>,
    /// `Type:field` for field-level `@auth` outside models (custom queries and mutations).
    pub non_model: BTreeMap<String, Acm>,
    pub rule_sets: Vec<RuleSet>,
}

/// The read operations of a non-model field matrix, in the transformer's order.
const NON_MODEL_OPS: [Op; 5] = [Op::List, Op::Get, Op::Search, Op::Listen, Op::Sync];

impl AuthMatrix {
    /// Computes every matrix of `spec` as the auth transformer does.
    pub fn build(spec: &DataSpec) -> Result<Self, AuthzError> {
        let mut out = AuthMatrix::default();
        let joins = super::joins::generated_models(&spec.schema);
        let all = spec.schema.models.iter().map(|m| (m, false));
        let join_names: Vec<String> = super::joins::join_models(&spec.schema)
            .into_iter()
            .map(|m| m.name)
            .collect();
        let generated = joins.iter().map(|m| (m, join_names.contains(&m.name)));
        for (model, is_join) in all.chain(generated) {
            let resources: Vec<String> = model.fields.iter().map(|f| f.name.clone()).collect();
            let mut acm: Option<Acm> = None;
            if !model.auth.is_empty() {
                let rules = normalize_rules(&model.auth, false, &model.name)?;
                let mut m = Acm::new(&model.name, Op::ALL.to_vec(), resources.clone());
                convert(&mut m, &rules, &model.fields, is_join, None, None)?;
                out.rule_sets.push(RuleSet {
                    type_name: model.name.clone(),
                    field: None,
                    override_operations: None,
                    rules,
                });
                acm = Some(m);
            }
            for field in model.fields.iter().filter(|f| !f.auth.is_empty()) {
                let location = format!("{}.{}", model.name, field.name);
                let rules = normalize_rules(&field.auth, true, &location)?;
                let m = acm.get_or_insert_with(|| {
                    Acm::new(&model.name, Op::ALL.to_vec(), resources.clone())
                });
                m.reset_resource(&field.name);
                convert(m, &rules, &model.fields, false, Some(&field.name), None)?;
                out.rule_sets.push(RuleSet {
                    type_name: model.name.clone(),
                    field: Some(field.name.clone()),
                    override_operations: None,
                    rules,
                });
            }
            if let Some(m) = acm {
                out.models.insert(model.name.clone(), m);
            }
        }
        let roots = [
            ("Query", &spec.schema.queries),
            ("Mutation", &spec.schema.mutations),
            ("Subscription", &spec.schema.subscriptions),
        ];
        let mut non_model_fields: Vec<(String, String, &[stratus_spec::data::AuthRule])> = roots
            .iter()
            .flat_map(|(t, ops)| {
                ops.iter()
                    .filter(|o| !o.auth.is_empty())
                    .map(|o| (t.to_string(), o.name.clone(), o.auth.as_slice()))
            })
            .collect();
        for t in &spec.schema.types {
            for f in t.fields.iter().filter(|f| !f.auth.is_empty()) {
                non_model_fields.push((t.name.clone(), f.name.clone(), f.auth.as_slice()));
            }
        }
        for (type_name, field_name, auth) in non_model_fields {
            let name = format!("{type_name}:{field_name}");
            let rules = normalize_rules(auth, true, &name)?;
            let static_rules: Vec<NormalizedRule> = rules
                .into_iter()
                .filter(|r| r.rule.allow != AuthStrategy::Owner && r.rule.groups_field.is_none())
                .collect();
            let mut m = Acm::new(&name, NON_MODEL_OPS.to_vec(), vec![name.clone()]);
            let ops: OpSet = NON_MODEL_OPS.into_iter().collect();
            convert(&mut m, &static_rules, &[], false, Some(&name), Some(ops))?;
            out.rule_sets.push(RuleSet {
                type_name: name.clone(),
                field: Some(name.clone()),
                override_operations: Some(NON_MODEL_OPS.to_vec()),
                rules: static_rules,
            });
            out.non_model.insert(name, m);
        }
        Ok(out)
    }
}

fn field_is_list(fields: &[Field], name: &str) -> bool {
    fields
        .iter()
        .find(|f| f.name == name)
        .is_some_and(|f| f.ty.list.is_some())
}

/// `convertRulesToRoles`.
fn convert(
    acm: &mut Acm,
    rules: &[NormalizedRule],
    fields: &[Field],
    allow_overwrite: bool,
    resource: Option<&str>,
    override_ops: Option<OpSet>,
) -> Result<(), AuthzError> {
    let name = acm.name.clone();
    for nr in rules {
        let rule = &nr.rule;
        let ops = override_ops.unwrap_or(nr.operations);
        let provider = provider_name(nr.provider);
        if let (Some(groups), None) = (&rule.groups, &rule.groups_field) {
            let claim = rule.group_claim.as_deref().unwrap_or(DEFAULT_GROUP_CLAIM);
            for group in groups {
                let role = RoleDef {
                    name: format!("{name}:{provider}:staticGroup:{group}:{claim}"),
                    provider: nr.provider,
                    strategy: rule.allow,
                    is_static: true,
                    claim: Some(claim.to_string()),
                    entity: Some(group.clone()),
                    is_entity_list: None,
                };
                acm.set_role(role, resource, ops, allow_overwrite)?;
            }
            continue;
        }
        let invalid = || AuthzError::InvalidRule {
            location: name.clone(),
            message: format!(
                "Could not create a role from {{allow: {}, provider: {provider}}}",
                strategy_name(rule.allow)
            ),
        };
        // A role that does not depend on the item.
        let fixed = |role: String, claim: Option<&str>| RoleDef {
            name: role,
            provider: nr.provider,
            strategy: rule.allow,
            is_static: true,
            claim: claim.map(str::to_string),
            entity: None,
            is_entity_list: None,
        };
        // A role read from the item's `field` (owner or dynamic groups).
        let dynamic = |role: String, claim: &str, field: &str| RoleDef {
            name: role,
            provider: nr.provider,
            strategy: rule.allow,
            is_static: false,
            claim: Some(claim.to_string()),
            entity: Some(field.to_string()),
            is_entity_list: Some(field_is_list(fields, field)),
        };
        let role = match nr.provider {
            AuthProvider::ApiKey => fixed(format!("{name}:apiKey:public"), None),
            AuthProvider::Function => fixed(format!("{name}:function:custom"), None),
            AuthProvider::Iam | AuthProvider::IdentityPool => fixed(
                format!("{name}:iam:{}", strategy_name(rule.allow)),
                Some(if rule.allow == AuthStrategy::Private {
                    "authRole"
                } else {
                    "unauthRole"
                }),
            ),
            AuthProvider::UserPools | AuthProvider::Oidc => match rule.allow {
                AuthStrategy::Groups => {
                    let claim = rule.group_claim.as_deref().unwrap_or(DEFAULT_GROUP_CLAIM);
                    let field = rule.groups_field.as_deref().unwrap_or(DEFAULT_GROUPS_FIELD);
                    dynamic(
                        format!("{name}:{provider}:dynamicGroup:{field}:{claim}"),
                        claim,
                        field,
                    )
                }
                AuthStrategy::Owner => {
                    let field = rule.owner_field.as_deref().unwrap_or(DEFAULT_OWNER_FIELD);
                    let claim = rule
                        .identity_claim
                        .as_deref()
                        .unwrap_or(DEFAULT_IDENTITY_CLAIM);
                    dynamic(
                        format!("{name}:{provider}:owner:{field}:{claim}"),
                        claim,
                        field,
                    )
                }
                AuthStrategy::Private => fixed(format!("{name}:{provider}:private"), None),
                _ => return Err(invalid()),
            },
        };
        acm.set_role(role, resource, ops, allow_overwrite)?;
    }
    Ok(())
}
