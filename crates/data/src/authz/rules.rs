//! `@auth` rules with the transformer's defaults filled in (`getAuthDirectiveRules`).

use serde_json::{Map, Value, json};
use stratus_spec::data::{AuthProvider, AuthRule, AuthStrategy};

use super::AuthzError;

/// The model operations, in the order of the transformer's `MODEL_OPERATIONS`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Op {
    Create,
    Update,
    Delete,
    Get,
    List,
    Search,
    Listen,
    Sync,
}

impl Op {
    pub const ALL: [Op; 8] = [
        Op::Create,
        Op::Update,
        Op::Delete,
        Op::Get,
        Op::List,
        Op::Search,
        Op::Listen,
        Op::Sync,
    ];
    /// `read` expands to these (`READ_MODEL_OPERATIONS`).
    pub const READ: [Op; 5] = [Op::Get, Op::List, Op::Search, Op::Listen, Op::Sync];

    pub fn as_str(self) -> &'static str {
        match self {
            Op::Create => "create",
            Op::Update => "update",
            Op::Delete => "delete",
            Op::Get => "get",
            Op::List => "list",
            Op::Search => "search",
            Op::Listen => "listen",
            Op::Sync => "sync",
        }
    }

    pub fn parse(s: &str) -> Option<Op> {
        Op::ALL.into_iter().find(|o| o.as_str() == s)
    }

    pub fn is_read(self) -> bool {
        Op::READ.contains(&self)
    }

    /// Bit in an [`OpSet`].
    fn bit(self) -> u8 {
        1 << (self as u8)
    }
}

/// A set of [`Op`]s.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct OpSet(u8);

impl OpSet {
    pub const EMPTY: OpSet = OpSet(0);

    pub fn all() -> OpSet {
        Op::ALL.into_iter().collect()
    }
    pub fn contains(self, op: Op) -> bool {
        self.0 & op.bit() != 0
    }
    pub fn insert(&mut self, op: Op) {
        self.0 |= op.bit();
    }
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }
    pub fn iter(self) -> impl Iterator<Item = Op> {
        Op::ALL.into_iter().filter(move |o| self.contains(*o))
    }
    pub fn any_read(self) -> bool {
        Op::READ.iter().any(|o| self.contains(*o))
    }
}

impl FromIterator<Op> for OpSet {
    fn from_iter<T: IntoIterator<Item = Op>>(iter: T) -> Self {
        let mut s = OpSet::EMPTY;
        for o in iter {
            s.insert(o);
        }
        s
    }
}

/// The provider names the transformer uses.
pub fn provider_name(p: AuthProvider) -> &'static str {
    match p {
        AuthProvider::ApiKey => "apiKey",
        AuthProvider::Iam => "iam",
        AuthProvider::IdentityPool => "identityPool",
        AuthProvider::UserPools => "userPools",
        AuthProvider::Oidc => "oidc",
        AuthProvider::Function => "function",
    }
}

pub fn strategy_name(s: AuthStrategy) -> &'static str {
    match s {
        AuthStrategy::Owner => "owner",
        AuthStrategy::Groups => "groups",
        AuthStrategy::Private => "private",
        AuthStrategy::Public => "public",
        AuthStrategy::Custom => "custom",
    }
}

/// `iam` and `identityPool` are the same provider (`isAuthProviderEqual`).
pub fn is_iam(p: AuthProvider) -> bool {
    matches!(p, AuthProvider::Iam | AuthProvider::IdentityPool)
}

/// One rule after `getAuthDirectiveRules`: provider defaulted, `read` split, operations parsed.
#[derive(Debug, Clone, PartialEq)]
pub struct NormalizedRule {
    pub rule: AuthRule,
    pub provider: AuthProvider,
    /// The operation names as the transformer keeps them (`None` when not written), with
    /// `read` replaced by `get, list, listen, search, sync` appended at the end.
    pub operation_names: Option<Vec<String>>,
    /// The operations this rule grants (all when not written).
    pub operations: OpSet,
}

impl NormalizedRule {
    /// The rule as the oracle's `auth.json` records it (keys as written plus defaults).
    pub fn to_json(&self) -> Value {
        let r = &self.rule;
        let mut m = Map::new();
        m.insert("allow".into(), json!(strategy_name(r.allow)));
        m.insert("provider".into(), json!(provider_name(self.provider)));
        if let Some(ops) = &self.operation_names {
            m.insert("operations".into(), json!(ops));
        }
        if let Some(v) = &r.owner_field {
            m.insert("ownerField".into(), json!(v));
        }
        if let Some(v) = &r.identity_claim {
            m.insert("identityClaim".into(), json!(v));
        }
        if let Some(v) = &r.groups {
            m.insert("groups".into(), json!(v));
        }
        if let Some(v) = &r.groups_field {
            m.insert("groupsField".into(), json!(v));
        }
        if let Some(v) = &r.group_claim {
            m.insert("groupClaim".into(), json!(v));
        }
        if is_iam(self.provider) {
            m.insert("generateIAMPolicy".into(), json!(true));
        }
        Value::Object(m)
    }
}

/// Fills in the defaults of one rule set. `is_field` rejects `get`/`list`/... at field level
/// as the transformer does.
pub fn normalize_rules(
    rules: &[AuthRule],
    is_field: bool,
    location: &str,
) -> Result<Vec<NormalizedRule>, AuthzError> {
    rules
        .iter()
        .map(|rule| normalize_rule(rule, is_field, location))
        .collect()
}

fn normalize_rule(
    rule: &AuthRule,
    is_field: bool,
    location: &str,
) -> Result<NormalizedRule, AuthzError> {
    let provider = rule.provider.unwrap_or(match rule.allow {
        AuthStrategy::Owner | AuthStrategy::Groups | AuthStrategy::Private => {
            AuthProvider::UserPools
        }
        AuthStrategy::Public => AuthProvider::ApiKey,
        AuthStrategy::Custom => AuthProvider::Function,
    });
    let written = rule.operations.as_deref();
    let specific_reads: Vec<&str> = written
        .unwrap_or_default()
        .iter()
        .map(String::as_str)
        .filter(|o| *o != "read" && Op::parse(o).is_some_and(Op::is_read))
        .collect();
    if is_field && !specific_reads.is_empty() {
        return Err(AuthzError::InvalidRule {
            location: location.to_string(),
            message: format!(
                "'{}' operation is not allowed at the field level.",
                specific_reads.join(",")
            ),
        });
    }
    let has_read = written.is_some_and(|ops| ops.iter().any(|o| o == "read"));
    if has_read && !specific_reads.is_empty() {
        return Err(AuthzError::InvalidRule {
            location: location.to_string(),
            message: format!(
                "'{}' operations are specified in addition to 'read'.",
                specific_reads.join(",")
            ),
        });
    }
    let operation_names = written.map(|ops| {
        let mut names: Vec<String> = ops.iter().filter(|o| *o != "read").cloned().collect();
        if has_read {
            names.extend(["get", "list", "listen", "search", "sync"].map(String::from));
        }
        names
    });
    let operations = match &operation_names {
        None => OpSet::all(),
        Some(names) => {
            let mut set = OpSet::EMPTY;
            for n in names {
                let op = Op::parse(n).ok_or_else(|| AuthzError::InvalidRule {
                    location: location.to_string(),
                    message: format!("unknown operation '{n}'"),
                })?;
                set.insert(op);
            }
            set
        }
    };
    Ok(NormalizedRule {
        rule: rule.clone(),
        provider,
        operation_names,
        operations,
    })
}
