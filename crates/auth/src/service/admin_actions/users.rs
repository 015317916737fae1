//! Cognito's `UserType` / `GroupType` shapes, the `ListUsers` filter and pagination.

use serde_json::{Value, json};

use super::db::{GroupRow, ListedUser};
use crate::crypto;
use crate::error::{CResult, CognitoError};

/// `[{"Name","Value"}]` with `sub` first; `only` restricts the names (`AttributesToGet`).
fn attributes_json(u: &ListedUser, only: Option<&[String]>) -> Vec<Value> {
    let wanted = |name: &str| only.is_none_or(|o| o.iter().any(|n| n == name));
    let mut list = Vec::new();
    if wanted("sub") {
        list.push(json!({"Name": "sub", "Value": u.sub}));
    }
    for (name, value) in &u.attributes {
        if wanted(name) {
            list.push(json!({"Name": name, "Value": value}));
        }
    }
    list
}

/// `UserType` (ListUsers, ListUsersInGroup, AdminCreateUser): dates in epoch seconds.
pub(crate) fn user_type(u: &ListedUser, only: Option<&[String]>) -> Value {
    json!({
        "Username": u.username,
        "Attributes": attributes_json(u, only),
        "UserCreateDate": u.created_at,
        "UserLastModifiedDate": u.updated_at,
        "Enabled": u.enabled,
        "UserStatus": u.status,
    })
}

/// The `AdminGetUser` response.
pub(crate) fn admin_get_user(u: &ListedUser) -> Value {
    let mut out = json!({
        "Username": u.username,
        "UserAttributes": attributes_json(u, None),
        "UserCreateDate": u.created_at,
        "UserLastModifiedDate": u.updated_at,
        "Enabled": u.enabled,
        "UserStatus": u.status,
    });
    let mut methods = Vec::new();
    if u.mfa_sms {
        methods.push("SMS_MFA");
    }
    if u.mfa_totp {
        methods.push("SOFTWARE_TOKEN_MFA");
    }
    if u.mfa_email {
        methods.push("EMAIL_OTP");
    }
    if !methods.is_empty() {
        out["UserMFASettingList"] = json!(methods);
    }
    if let Some(p) = &u.mfa_preferred {
        out["PreferredMfaSetting"] = json!(p);
    }
    out
}

/// `GroupType`.
pub(crate) fn group_type(g: &GroupRow, user_pool_id: &str) -> Value {
    let mut out = json!({
        "GroupName": g.name,
        "UserPoolId": user_pool_id,
        "CreationDate": g.created_at,
        "LastModifiedDate": g.created_at,
    });
    if let Some(p) = g.precedence {
        out["Precedence"] = json!(p);
    }
    if let Some(d) = &g.description {
        out["Description"] = json!(d);
    }
    out
}

/// A parsed `ListUsers` filter: `attribute = "value"` or `attribute ^= "prefix"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Filter {
    attribute: String,
    prefix: bool,
    value: String,
}

/// The attributes `ListUsers` can filter on.
const SEARCHABLE: &[&str] = &[
    "username",
    "email",
    "phone_number",
    "name",
    "given_name",
    "family_name",
    "preferred_username",
    "cognito:user_status",
    "status",
    "sub",
];

impl Filter {
    /// `None` for an empty filter.
    pub(crate) fn parse(input: &str) -> CResult<Option<Self>> {
        let input = input.trim();
        if input.is_empty() {
            return Ok(None);
        }
        let invalid = || CognitoError::invalid_parameter("Error while parsing filter.");
        let (attribute, rest, prefix) = if let Some((a, r)) = input.split_once("^=") {
            (a, r, true)
        } else if let Some((a, r)) = input.split_once('=') {
            (a, r, false)
        } else {
            return Err(invalid());
        };
        let attribute = attribute.trim().trim_matches('"').to_string();
        if !SEARCHABLE.contains(&attribute.as_str()) {
            return Err(CognitoError::invalid_parameter(format!(
                "Invalid search attribute: {attribute}"
            )));
        }
        let quoted = rest.trim();
        let inner = quoted
            .strip_prefix('"')
            .and_then(|q| q.strip_suffix('"'))
            .ok_or_else(invalid)?;
        let value = inner.replace("\\\"", "\"").replace("\\\\", "\\");
        Ok(Some(Self {
            attribute,
            prefix,
            value,
        }))
    }

    pub(crate) fn matches(&self, u: &ListedUser) -> bool {
        let actual: Option<&str> = match self.attribute.as_str() {
            "username" => Some(&u.username),
            "sub" => Some(&u.sub),
            "cognito:user_status" => Some(&u.status),
            "status" => Some(if u.enabled { "Enabled" } else { "Disabled" }),
            name => u
                .attributes
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str()),
        };
        let Some(actual) = actual else {
            return false;
        };
        // User names and emails compare case-insensitively, as Cognito's search does.
        let (actual, value) = match self.attribute.as_str() {
            "username" | "email" => (actual.to_lowercase(), self.value.to_lowercase()),
            _ => (actual.to_string(), self.value.clone()),
        };
        if self.prefix {
            actual.starts_with(&value)
        } else {
            actual == value
        }
    }
}

/// A listing response: `{list_key: items}`, plus `token_key` naming the next page if any.
pub(crate) fn paged(
    list_key: &str,
    items: Vec<Value>,
    token_key: &str,
    next: Option<String>,
) -> Value {
    let mut out = json!({ list_key: items });
    if let Some(n) = next {
        out[token_key] = json!(n);
    }
    out
}

/// One page of `items` (sorted by `key`) after the token's key; the token of the next page.
pub(crate) fn page<T>(
    items: Vec<T>,
    key: impl Fn(&T) -> &str,
    limit: Option<i64>,
    token: Option<&str>,
    max: i64,
) -> CResult<(Vec<T>, Option<String>)> {
    let limit = match limit {
        None => max,
        Some(l) if (0..=max).contains(&l) => l.max(1),
        Some(_) => {
            return Err(CognitoError::invalid_parameter(format!(
                "1 validation error detected: Value at 'limit' failed to satisfy constraint: Member must have value less than or equal to {max}"
            )));
        }
    };
    let after = match token {
        Some(t) => Some(
            crypto::b64_decode(t)
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| CognitoError::invalid_parameter("Invalid pagination token."))?,
        ),
        None => None,
    };
    let limit = usize::try_from(limit).unwrap_or(60);
    let mut rest: Vec<T> = items
        .into_iter()
        .filter(|i| after.as_deref().is_none_or(|a| key(i) > a))
        .collect();
    let next = if rest.len() > limit {
        rest.truncate(limit);
        rest.last().map(|last| crypto::b64(key(last).as_bytes()))
    } else {
        None
    };
    Ok((rest, next))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn user(name: &str, email: &str, enabled: bool) -> ListedUser {
        ListedUser {
            sub: format!("sub-{name}"),
            username: name.into(),
            status: "CONFIRMED".into(),
            enabled,
            created_at: 1,
            updated_at: 2,
            mfa_sms: false,
            mfa_totp: false,
            mfa_email: false,
            mfa_preferred: None,
            attributes: vec![("email".into(), email.into())],
        }
    }

    #[test]
    fn filters() {
        let alice = user("alice", "Alice@Example.com", true);
        let f = |s: &str| Filter::parse(s).unwrap().unwrap();
        assert!(f("email = \"alice@example.com\"").matches(&alice));
        assert!(f("email ^= \"ali\"").matches(&alice));
        assert!(!f("email ^= \"bob\"").matches(&alice));
        assert!(f("username = \"alice\"").matches(&alice));
        assert!(f("status = \"Enabled\"").matches(&alice));
        assert!(!f("status = \"Disabled\"").matches(&alice));
        assert!(f("cognito:user_status = \"CONFIRMED\"").matches(&alice));
        assert!(!f("given_name = \"x\"").matches(&alice));
        assert_eq!(Filter::parse("  ").unwrap(), None);
        assert!(Filter::parse("custom:x = \"1\"").is_err());
        assert!(Filter::parse("email = alice").is_err());
        assert!(Filter::parse("email").is_err());
    }

    #[test]
    fn pages() {
        let items = vec!["a", "b", "c", "d", "e"];
        let (p, next) = page(items.clone(), |s| s, Some(2), None, 60).unwrap();
        assert_eq!(p, ["a", "b"]);
        let (p, next) = page(items.clone(), |s| s, Some(2), next.as_deref(), 60).unwrap();
        assert_eq!(p, ["c", "d"]);
        let (p, next) = page(items.clone(), |s| s, Some(2), next.as_deref(), 60).unwrap();
        assert_eq!((p, next), (vec!["e"], None));
        assert!(page(items.clone(), |s| s, Some(61), None, 60).is_err());
        assert!(page(items, |s| s, None, Some("!!"), 60).is_err());
    }
}
