//! `defineStorage({ access })`: validation of the paths and principals, and the two things AWS
//! derives from the rules, computed the way `@aws-amplify/backend-storage` computes them:
//! the `paths` object of `amplify_outputs.json` and one allow/deny policy per IAM role
//! (guest role, authenticated role, one role per Cognito group, one per function).
//!
//! Semantics reproduced:
//! - `read` expands to `get` + `list`; duplicate actions collapse (first occurrence order).
//! - `{entity_id}` becomes `${cognito-identity.amazonaws.com:sub}` for `allow.entity(..)` and `*`
//!   for every other principal, where a trailing `/*/*` collapses to `/*`
//!   (`protected/{entity_id}/*` + `allow.authenticated` → `protected/*`).
//! - Deny by default on sub-paths: if `a/*` grants role R an action and `a/b/*` is also defined
//!   but does not grant R that action, R gets an explicit Deny on `a/b/*` (unless `a/b/*` only
//!   differs from `a/*` by the entity segment).
//! - `allow.resource(fn)` grants the function's role, but never appears in the outputs.

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::StorageAction;
use crate::error::{SpecError, SpecErrorKind};
use crate::props::{self, Obj};

/// The owner token users write in paths.
pub const ENTITY_ID_TOKEN: &str = "{entity_id}";
/// What the token becomes for `allow.entity('identity')`: the caller's Cognito identity id.
pub const ENTITY_ID_SUBSTITUTION: &str = "${cognito-identity.amazonaws.com:sub}";

/// Who a rule grants access to, as written.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "principal", content = "value")]
pub enum StoragePrincipal {
    /// `allow.guest` (identity pool unauthenticated role).
    Guest,
    /// `allow.authenticated` (identity pool authenticated role).
    Authenticated,
    /// `allow.groups([...])` (each group's role).
    Groups(Vec<String>),
    /// `allow.entity('identity')` (authenticated role, scoped to the caller's identity id).
    Entity(String),
    /// `allow.resource(fn)`: the function's execution role.
    Resource(String),
}

/// One `allow.X.to([...])` of a path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageGrant {
    pub principal: StoragePrincipal,
    /// Expanded (`read` → `get`, `list`) and de-duplicated, in first-occurrence order.
    pub actions: Vec<StorageAction>,
}

/// A path of the access definition and its grants, as written (validated).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoragePathRules {
    pub path: String,
    pub grants: Vec<StorageGrant>,
}

/// An entry of `buckets[].paths` in `amplify_outputs.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputPath {
    /// The path after substitution (`protected/${cognito-identity.amazonaws.com:sub}/*`).
    pub path: String,
    /// `guest`, `authenticated`, `groups<Name>`, `entityidentity` → actions, in AWS's order.
    /// Empty when the path only grants functions (AWS still writes `"path": {}`).
    pub access: Vec<OutputAccess>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputAccess {
    pub key: String,
    pub actions: Vec<StorageAction>,
}

/// The IAM role a request runs as. A signed-in user runs as the role of the Cognito group they
/// belong to with the lowest precedence (identity pool `Token` role mapping), otherwise as the
/// authenticated role; an unauthenticated identity runs as the guest role.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "role", content = "name")]
pub enum StorageRole {
    Guest,
    Authenticated,
    Group(String),
    Function(String),
}

/// The policy AWS attaches to one role for this bucket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RolePolicy {
    pub role: StorageRole,
    pub statements: Vec<ActionStatement>,
}

/// Allow and Deny resources of one action. Paths are IAM patterns relative to the bucket
/// (`*` and `?` wildcards, `${cognito-identity.amazonaws.com:sub}` policy variable).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ActionStatement {
    pub action: StorageAction,
    pub allow: Vec<String>,
    pub deny: Vec<String>,
}

/// A bucket's validated access definition and what AWS derives from it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageAccess {
    /// The definition as written, in definition order.
    pub rules: Vec<StoragePathRules>,
    /// `buckets[].paths` of `amplify_outputs.json`, in AWS's order.
    pub output_paths: Vec<OutputPath>,
    /// One policy per role that got any grant, in AWS's order.
    pub policies: Vec<RolePolicy>,
}

impl StorageAccess {
    pub(crate) fn from_raw(raw: &Value) -> Result<Self, SpecError> {
        let o = Obj::new(raw, "defineStorage.access")?;
        let paths: Vec<&str> = o.map().keys().map(String::as_str).collect();
        validate_paths(&paths)?;
        let mut rules = Vec::with_capacity(paths.len());
        for (path, value) in o.map() {
            let items = match value {
                Value::Array(items) => items,
                other => {
                    return Err(SpecError::props(format!(
                        "defineStorage.access[\"{path}\"] must be an array of access rules, found {}",
                        props::kind_of(other)
                    )));
                }
            };
            let grants = items
                .iter()
                .map(|item| parse_grant(item, path))
                .collect::<Result<Vec<_>, _>>()?;
            rules.push(StoragePathRules {
                path: path.clone(),
                grants,
            });
        }
        let output_paths = compute_output_paths(&rules)?;
        let policies = compute_policies(&rules)?;
        Ok(Self {
            rules,
            output_paths,
            policies,
        })
    }

    /// The policy of `role`, if the definition granted it anything on this bucket.
    pub fn policy(&self, role: &StorageRole) -> Option<&RolePolicy> {
        self.policies.iter().find(|p| &p.role == role)
    }

    /// Would AWS IAM allow `role` to perform `action` on this bucket?
    ///
    /// `target` is the object key for `get`/`write`/`delete`, and the request's `prefix`
    /// parameter for `list` (`""` when absent). `identity_id` is the caller's Cognito identity id
    /// (guests have one too); statements using `${cognito-identity.amazonaws.com:sub}` do not
    /// apply without it. An explicit Deny wins over any Allow.
    pub fn is_allowed(
        &self,
        role: &StorageRole,
        identity_id: Option<&str>,
        action: StorageAction,
        target: &str,
    ) -> bool {
        let Some(policy) = self.policy(role) else {
            return false;
        };
        let matches = |pattern: &str| {
            let Some(pattern) = substitute_identity(pattern, identity_id) else {
                return false;
            };
            match action {
                // `s3:prefix` StringLike [pattern, pattern without its trailing `*`].
                StorageAction::List => {
                    glob_match(&pattern, target)
                        || pattern
                            .strip_suffix('*')
                            .is_some_and(|p| glob_match(p, target))
                }
                _ => glob_match(&pattern, target),
            }
        };
        let mut allowed = false;
        for st in policy.statements.iter().filter(|s| s.action == action) {
            if st.deny.iter().any(|p| matches(p)) {
                return false;
            }
            allowed |= st.allow.iter().any(|p| matches(p));
        }
        allowed
    }
}

fn path_error(message: String, resolution: &str) -> SpecError {
    SpecError::new(SpecErrorKind::InvalidStorageAccessPath, message).with_resolution(resolution)
}

const FORMAT_RESOLUTION: &str = "Update all paths to match the format requirements.";
const PREFIX_RESOLUTION: &str = "Update the storage access paths such that any given path has at most one other path that is a prefix.";

/// `validate_storage_access_paths.js`: every path, in definition order.
fn validate_paths(paths: &[&str]) -> Result<(), SpecError> {
    for &path in paths {
        if path.starts_with('/') {
            return Err(path_error(
                format!("Storage access paths must not start with \"/\". Found [{path}]."),
                FORMAT_RESOLUTION,
            ));
        }
        if !path.ends_with("/*") {
            return Err(path_error(
                format!("Storage access paths must end with \"/*\". Found [{path}]."),
                FORMAT_RESOLUTION,
            ));
        }
        if path.contains("//") {
            return Err(path_error(
                format!("Path cannot contain \"//\". Found [{path}]."),
                FORMAT_RESOLUTION,
            ));
        }
        if path.find('*').is_some_and(|i| i < path.len() - 1) {
            return Err(path_error(
                format!("Wildcards are only allowed as the final part of a path. Found [{path}]."),
                "Remove all wildcards that are not the final part of the path.",
            ));
        }
        let prefixes: Vec<&str> = paths
            .iter()
            .copied()
            .filter(|&p| p != path && path.starts_with(&p.replace('*', "")))
            .collect();
        if prefixes.len() > 1 {
            return Err(path_error(
                format!(
                    "For any given path, only one other path can be a prefix of it. Found [{path}] which has prefixes [{}].",
                    prefixes.join(", ")
                ),
                PREFIX_RESOLUTION,
            ));
        }
        validate_owner_token(path, &prefixes)?;
    }
    Ok(())
}

fn validate_owner_token(path: &str, prefixes: &[&str]) -> Result<(), SpecError> {
    if !path.contains(ENTITY_ID_TOKEN) {
        return Ok(());
    }
    let t = ENTITY_ID_TOKEN;
    if !prefixes.is_empty() {
        return Err(path_error(
            format!("A path cannot be a prefix of another path that contains the {t} token."),
            PREFIX_RESOLUTION,
        )
        .with_details(format!(
            "Found [{path}] which has prefixes [{}].",
            prefixes.join(", ")
        )));
    }
    let parts: Vec<&str> = path.split(t).collect();
    if parts.len() > 2 {
        return Err(path_error(
            format!("The {t} token can only appear once in a path. Found [{path}]"),
            &format!("Remove all but one occurrence of the {t} token"),
        ));
    }
    let (before, after) = (parts[0], parts.get(1).copied().unwrap_or_default());
    if after != "/*" {
        return Err(path_error(
            format!(
                "The {t} token must be the path part right before the ending wildcard. Found [{path}]."
            ),
            &format!(
                "Update the path such that the owner token is the last path part before the ending wildcard. For example: \"foo/bar/{t}/*."
            ),
        ));
    }
    if before.is_empty() {
        return Err(path_error(
            format!("The {t} token must not be the first path part. Found [{path}]."),
            &format!("Add an additional prefix to the path. For example: \"foo/{t}/*."),
        ));
    }
    if !before.ends_with('/') {
        return Err(path_error(
            format!(
                "A path part that includes the {t} token cannot include any other characters. Found [{path}]."
            ),
            &format!(
                "Remove all other characters from the path part with the {t} token. For example: \"foo/{t}/*\""
            ),
        ));
    }
    Ok(())
}

fn parse_grant(raw: &Value, path: &str) -> Result<StorageGrant, SpecError> {
    let where_ = format!("defineStorage.access[\"{path}\"]");
    let o = Obj::new(raw, &where_)?;
    let principal = match o.required_str("principal")? {
        "guest" => StoragePrincipal::Guest,
        "authenticated" => StoragePrincipal::Authenticated,
        "groups" => StoragePrincipal::Groups(o.str_list("groups")?.unwrap_or_default()),
        "entity" => match o.str("entity")?.unwrap_or("identity") {
            "identity" => StoragePrincipal::Entity("identity".into()),
            other => {
                return Err(SpecError::props(format!(
                    "{where_}: allow.entity('{other}') is not supported; the only entity is 'identity'"
                )));
            }
        },
        "resource" => StoragePrincipal::Resource(o.function_ref("resource")?.ok_or_else(|| {
            SpecError::props(format!("{where_}: allow.resource(...) needs a function"))
        })?),
        other => {
            return Err(SpecError::props(format!(
                "{where_}: unknown principal '{other}'"
            )));
        }
    };
    let mut actions = Vec::new();
    for a in o.str_list("actions")?.unwrap_or_default() {
        let expanded: &[StorageAction] = match a.as_str() {
            "read" => &[StorageAction::Get, StorageAction::List],
            "get" => &[StorageAction::Get],
            "list" => &[StorageAction::List],
            "write" => &[StorageAction::Write],
            "delete" => &[StorageAction::Delete],
            other => {
                return Err(SpecError::props(format!(
                    "{where_}: unknown storage action '{other}' (read, get, list, write, delete)"
                )));
            }
        };
        for &x in expanded {
            if !actions.contains(&x) {
                actions.push(x);
            }
        }
    }
    Ok(StorageGrant { principal, actions })
}

/// The output keys a grant defines (`uniqueDefinitionId`s) and its duplicate-principal error.
fn unique_ids(p: &StoragePrincipal) -> Vec<(String, String, String)> {
    match p {
        StoragePrincipal::Guest => vec![(
            "guest".into(),
            "Entity access definition for guest users specified multiple times.".into(),
            "Combine all access definitions for guest users on a single path into one access rule.".into(),
        )],
        StoragePrincipal::Authenticated => vec![(
            "authenticated".into(),
            "Entity access definition for authenticated users specified multiple times.".into(),
            "Combine all access definitions for authenticated users on a single path into one access rule.".into(),
        )],
        StoragePrincipal::Groups(groups) => groups
            .iter()
            .map(|g| {
                (
                    format!("groups{g}"),
                    format!("Group access definition for {g} specified multiple times."),
                    format!("Combine all access definitions for {g} on a single path into one access rule."),
                )
            })
            .collect(),
        StoragePrincipal::Entity(e) => vec![(
            format!("entity{e}"),
            format!("Entity access definition for {e} specified multiple times."),
            format!("Combine all access definitions for {e} on a single path into one access rule."),
        )],
        StoragePrincipal::Resource(_) => Vec::new(),
    }
}

/// The path a grant applies to once `{entity_id}` is substituted.
fn substituted_path(path: &str, p: &StoragePrincipal) -> String {
    let sub = match p {
        StoragePrincipal::Entity(_) => ENTITY_ID_SUBSTITUTION,
        _ => "*",
    };
    let prefix = path.replace(ENTITY_ID_TOKEN, sub);
    match prefix.strip_suffix("/*/*") {
        Some(head) => format!("{head}/*"),
        None => prefix,
    }
}

fn compute_output_paths(rules: &[StoragePathRules]) -> Result<Vec<OutputPath>, SpecError> {
    let mut out: Vec<OutputPath> = Vec::new();
    for rule in rules {
        let mut seen: Vec<String> = Vec::new();
        for grant in &rule.grants {
            let mut config: Vec<OutputAccess> = Vec::new();
            for (id, message, resolution) in unique_ids(&grant.principal) {
                if seen.contains(&id) {
                    return Err(SpecError::new(
                        SpecErrorKind::InvalidStorageAccessDefinition,
                        message,
                    )
                    .with_resolution(resolution));
                }
                seen.push(id.clone());
                config.push(OutputAccess {
                    key: id,
                    actions: grant.actions.clone(),
                });
            }
            let prefix = substituted_path(&rule.path, &grant.principal);
            let idx = match out.iter().position(|p| p.path == prefix) {
                Some(i) => i,
                None => {
                    out.push(OutputPath {
                        path: prefix,
                        access: Vec::new(),
                    });
                    out.len() - 1
                }
            };
            // `{...existing, ...accessConfig}`: an existing key keeps its place.
            let entry = &mut out[idx].access;
            for c in config {
                match entry.iter_mut().find(|e| e.key == c.key) {
                    Some(e) => e.actions = c.actions,
                    None => entry.push(c),
                }
            }
        }
    }
    Ok(out)
}

fn role_of(p: &StoragePrincipal) -> Vec<StorageRole> {
    match p {
        StoragePrincipal::Guest => vec![StorageRole::Guest],
        StoragePrincipal::Authenticated | StoragePrincipal::Entity(_) => {
            vec![StorageRole::Authenticated]
        }
        StoragePrincipal::Groups(g) => g.iter().cloned().map(StorageRole::Group).collect(),
        StoragePrincipal::Resource(f) => vec![StorageRole::Function(f.clone())],
    }
}

/// `storage_access_orchestrator.js`: allow sets per (role, action), deny-by-default on
/// sub-paths, then sub-paths removed from allow sets.
fn compute_policies(rules: &[StoragePathRules]) -> Result<Vec<RolePolicy>, SpecError> {
    let mut policies: Vec<RolePolicy> = Vec::new();
    // Substituted path → the (policy index, statement index) pairs registered for it.
    let mut deny_map: Vec<(String, Vec<(usize, usize)>)> = Vec::new();
    for rule in rules {
        for grant in &rule.grants {
            let prefix = substituted_path(&rule.path, &grant.principal);
            for role in role_of(&grant.principal) {
                let pi = match policies.iter().position(|p| p.role == role) {
                    Some(i) => i,
                    None => {
                        policies.push(RolePolicy {
                            role,
                            statements: Vec::new(),
                        });
                        policies.len() - 1
                    }
                };
                for &action in &grant.actions {
                    let statements = &mut policies[pi].statements;
                    let si = match statements.iter().position(|s| s.action == action) {
                        Some(i) => i,
                        None => {
                            statements.push(ActionStatement {
                                action,
                                allow: Vec::new(),
                                deny: Vec::new(),
                            });
                            statements.len() - 1
                        }
                    };
                    if !statements[si].allow.contains(&prefix) {
                        statements[si].allow.push(prefix.clone());
                    }
                    match deny_map.iter_mut().find(|(p, _)| p == &prefix) {
                        Some((_, v)) => v.push((pi, si)),
                        None => deny_map.push((prefix.clone(), vec![(pi, si)])),
                    }
                }
            }
        }
    }
    let all_paths: Vec<String> = deny_map.iter().map(|(p, _)| p.clone()).collect();
    for path in &all_paths {
        let Some(parent) = find_parent(path, &all_paths) else {
            continue;
        };
        if parent == path.replace(&format!("{ENTITY_ID_SUBSTITUTION}/"), "") {
            continue;
        }
        let callbacks = deny_map
            .iter()
            .find(|(p, _)| p == parent)
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        for (pi, si) in callbacks {
            let st = &mut policies[pi].statements[si];
            if !st.allow.contains(path) && !st.deny.contains(path) {
                st.deny.push(path.clone());
            }
        }
    }
    for policy in &mut policies {
        if policy.statements.is_empty() {
            return Err(SpecError::new(
                SpecErrorKind::EmptyPolicy,
                "At least one permission must be specified",
            ));
        }
        for st in &mut policy.statements {
            let snapshot = st.allow.clone();
            st.allow.retain(|p| find_parent(p, &snapshot).is_none());
        }
    }
    Ok(policies)
}

/// The first other path that is a prefix of `path` (its `*` removed).
fn find_parent<'a>(path: &str, paths: &'a [String]) -> Option<&'a str> {
    paths
        .iter()
        .find(|p| p.as_str() != path && path.starts_with(&p.replace('*', "")))
        .map(String::as_str)
}

fn substitute_identity(pattern: &str, identity_id: Option<&str>) -> Option<String> {
    if !pattern.contains(ENTITY_ID_SUBSTITUTION) {
        return Some(pattern.to_string());
    }
    identity_id.map(|id| pattern.replace(ENTITY_ID_SUBSTITUTION, id))
}

/// IAM wildcard match: `*` any run of characters (including `/`), `?` exactly one.
pub(crate) fn glob_match(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    let (mut pi, mut ti) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some((pi, ti));
            pi += 1;
        } else if let Some((sp, st)) = star {
            pi = sp + 1;
            ti = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == '*' {
        pi += 1;
    }
    pi == p.len()
}

#[cfg(test)]
mod tests;
