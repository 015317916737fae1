//! Who is calling, and the claims the generated resolvers read from them.

use serde_json::{Map, Value};

use super::matrix::CLAIM_DELIMITER;

/// The IAM principal behind a SigV4-signed request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IamPrincipal {
    /// Identity-pool guest credentials (the unauthenticated role).
    Guest,
    /// Identity-pool credentials of a signed-in user (the authenticated role).
    Authenticated,
    /// An IAM principal outside the identity pool with full access (admin role, console).
    Admin,
    /// A `defineFunction` function's execution role; its access is what the schema's
    /// `allow.resource(fn).to([...])` grants.
    Function(String),
}

/// The caller of one GraphQL request, as established by the chosen authorization mode.
#[derive(Debug, Clone, PartialEq)]
pub enum Caller {
    /// `x-api-key` (valid and unexpired).
    ApiKey,
    /// A verified Cognito user pool token. `claims` is the whole token payload; `sub`,
    /// `username` and `groups` are used when the payload lacks the matching claim.
    UserPool {
        sub: String,
        username: String,
        groups: Vec<String>,
        claims: Map<String, Value>,
    },
    /// A verified OIDC token.
    Oidc { claims: Map<String, Value> },
    /// SigV4 with IAM credentials.
    Iam {
        principal: IamPrincipal,
        identity_id: Option<String>,
        groups: Vec<String>,
    },
    /// A Lambda authorizer's positive answer: its `resolverContext`, and its `deniedFields`
    /// as `TypeName.FieldName`.
    Lambda {
        resolver_context: Map<String, Value>,
        denied_fields: Vec<String>,
    },
}

/// A caller's identity for an owner rule's claim (`sub::username` → full value and parts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// `sub::username` joined, or the single claim's value.
    pub full: String,
    /// The components of a multi-claim identity (empty for a single claim).
    pub parts: Vec<String>,
}

impl Identity {
    /// Whether a stored owner value designates this caller (`ownerClaim == v ||
    /// ownerClaimsList.contains(v)`).
    pub fn matches(&self, value: &Value) -> bool {
        value
            .as_str()
            .is_some_and(|v| v == self.full || self.parts.iter().any(|p| p == v))
    }

    /// The value AppSync's owner field resolver shows (the last component).
    pub fn display(&self) -> &str {
        self.parts.last().map(String::as_str).unwrap_or(&self.full)
    }
}

fn scalar_string(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

impl Caller {
    fn claims(&self) -> Option<&Map<String, Value>> {
        match self {
            Caller::UserPool { claims, .. } | Caller::Oidc { claims } => Some(claims),
            _ => None,
        }
    }

    /// `$ctx.identity.claims.get(name)`, with the user pool's own fields as fallback.
    pub fn claim(&self, name: &str) -> Option<Value> {
        if let Some(v) = self.claims().and_then(|c| c.get(name))
            && !v.is_null()
        {
            return Some(v.clone());
        }
        match (self, name) {
            (Caller::UserPool { sub, .. }, "sub") => Some(Value::String(sub.clone())),
            (Caller::UserPool { username, .. }, "username" | "cognito:username") => {
                Some(Value::String(username.clone()))
            }
            (Caller::UserPool { groups, .. }, "cognito:groups") => Some(Value::Array(
                groups.iter().cloned().map(Value::String).collect(),
            )),
            _ => None,
        }
    }

    /// `getOwnerClaim`: `username` falls back to `cognito:username`.
    pub fn owner_claim(&self, name: &str) -> Option<String> {
        let v = self.claim(name).or_else(|| {
            (name == "username")
                .then(|| self.claim("cognito:username"))
                .flatten()
        })?;
        scalar_string(&v)
    }

    /// The identity for an owner rule's `identityClaim`; `None` when any component is missing.
    pub fn identity(&self, claim: &str) -> Option<Identity> {
        let names: Vec<&str> = claim.split(CLAIM_DELIMITER).collect();
        if names.len() <= 1 {
            return Some(Identity {
                full: self.owner_claim(claim)?,
                parts: Vec::new(),
            });
        }
        let parts = names
            .iter()
            .map(|n| self.owner_claim(n))
            .collect::<Option<Vec<String>>>()?;
        Some(Identity {
            full: parts.join(CLAIM_DELIMITER),
            parts,
        })
    }

    /// Group names in a group claim: a list, a JSON-encoded list, or a single name.
    pub fn groups_in(&self, claim: &str) -> Vec<String> {
        match self.claim(claim) {
            Some(Value::Array(items)) => items.iter().filter_map(scalar_string).collect(),
            Some(Value::String(s)) => match serde_json::from_str::<Value>(&s) {
                Ok(Value::Array(items)) => items.iter().filter_map(scalar_string).collect(),
                _ => vec![s],
            },
            Some(other) => scalar_string(&other).into_iter().collect(),
            None => Vec::new(),
        }
    }
}
