//! `@auth` rules as the auth plugin reads them (`getAuthDirectiveRules`), their validation, and
//! the AppSync service directives for a set of providers (`getServiceDirectives`).

use serde_json::Value as Json;

use super::acm::{MODEL_OPERATIONS, READ_OPERATIONS};
use crate::SchemaError;
use crate::appsync::config::{arguments_with_defaults, js_string};
use crate::sdl::ast::Directive;

/// One rule with the plugin's defaults filled in (provider, `read` expanded).
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub allow: String,
    pub provider: String,
    pub operations: Option<Vec<String>>,
    pub owner_field: Option<String>,
    pub identity_claim: Option<String>,
    pub groups: Option<Vec<String>>,
    pub groups_field: Option<String>,
    pub group_claim: Option<String>,
}

/// `AUTH_PROVIDER_DIRECTIVE_MAP`.
const PROVIDER_DIRECTIVES: &[(&str, &str)] = &[
    ("apiKey", "aws_api_key"),
    ("iam", "aws_iam"),
    ("identityPool", "aws_iam"),
    ("oidc", "aws_oidc"),
    ("userPools", "aws_cognito_user_pools"),
    ("function", "aws_lambda"),
];

/// `isAuthProviderEqual`: `iam` and `identityPool` are the same provider.
pub(crate) fn provider_eq(a: &str, b: &str) -> bool {
    a == b || (matches!(a, "iam" | "identityPool") && matches!(b, "iam" | "identityPool"))
}

fn directive_for(provider: &str) -> &'static str {
    PROVIDER_DIRECTIVES
        .iter()
        .find(|(p, _)| *p == provider)
        .map(|(_, d)| *d)
        .unwrap_or("aws_api_key")
}

/// `getServiceDirectives(providers, addDefaultIfNeeded)`.
pub(crate) fn service_directives(
    default_provider: &str,
    providers: &[String],
    add_default_if_needed: bool,
) -> Vec<Directive> {
    if providers.is_empty() {
        return Vec::new();
    }
    let mut names: Vec<&str> = Vec::new();
    let mut applied: Vec<&str> = Vec::new();
    for (provider, directive) in PROVIDER_DIRECTIVES {
        if applied.contains(directive) {
            continue;
        }
        let is_default = provider_eq(default_provider, provider);
        let needed = if is_default {
            add_default_if_needed && providers.iter().any(|p| !provider_eq(p, provider))
        } else {
            providers.iter().any(|p| provider_eq(p, provider))
        };
        if needed {
            names.push(directive);
        }
        applied.push(directive);
    }
    let default_directive = directive_for(default_provider);
    let has_default = providers.iter().any(|p| provider_eq(p, default_provider));
    let has_other = providers.iter().any(|p| !provider_eq(p, default_provider));
    if has_default && has_other && !names.contains(&default_directive) {
        names.push(default_directive);
    }
    names.into_iter().map(Directive::new).collect()
}

fn string_or_list(v: &Json) -> Option<Vec<String>> {
    match v {
        Json::Null => None,
        Json::Array(items) => Some(items.iter().map(js_string).collect()),
        other => Some(vec![js_string(other)]),
    }
}

fn opt_string(v: Option<&Json>) -> Option<String> {
    v.filter(|v| !v.is_null()).map(js_string)
}

/// `getAuthDirectiveRules`: rules with default providers and `read` expanded.
pub(crate) fn directive_rules(d: &Directive, is_field: bool) -> Result<Vec<Rule>, SchemaError> {
    let err = |msg: String| SchemaError::at(d.pos, msg);
    let args = arguments_with_defaults(d, serde_json::json!({ "rules": [] }));
    let items = match args.get("rules") {
        Some(Json::Array(items)) => items.clone(),
        Some(Json::Object(_)) => vec![args["rules"].clone()],
        _ => Vec::new(),
    };
    let mut rules = Vec::new();
    for item in items {
        let Json::Object(obj) = item else {
            return Err(err("an @auth rule must be an object".into()));
        };
        let allow = opt_string(obj.get("allow")).unwrap_or_default();
        let mut operations = obj.get("operations").and_then(string_or_list);
        let effective: Vec<String> = operations
            .clone()
            .unwrap_or_else(|| MODEL_OPERATIONS.iter().map(|s| s.to_string()).collect());
        let offending: Vec<&String> = effective
            .iter()
            .filter(|o| *o != "read" && READ_OPERATIONS.contains(&o.as_str()))
            .collect();
        if is_field && operations.is_some() && !offending.is_empty() {
            return Err(err(format!(
                "'{}' operation is not allowed at the field level.",
                offending
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            )));
        }
        if effective.iter().any(|o| o == "read") && !offending.is_empty() {
            let list = offending
                .iter()
                .map(|s| s.as_str())
                .collect::<Vec<_>>()
                .join(",");
            return Err(err(format!(
                "'{list}' operations are specified in addition to 'read'. Either remove 'read' to limit access only to '{list}' or only keep 'read' to grant all {} access.",
                READ_OPERATIONS.join(",")
            )));
        }
        let provider = match opt_string(obj.get("provider")) {
            Some(p) => p,
            None => match allow.as_str() {
                "owner" | "groups" | "private" => "userPools".to_string(),
                "public" => "apiKey".to_string(),
                "custom" => "function".to_string(),
                _ => {
                    return Err(err(format!(
                        "Need to specify an allow to assigned a provider: {allow}"
                    )));
                }
            },
        };
        if let Some(ops) = &mut operations
            && let Some(i) = ops.iter().position(|o| o == "read")
        {
            ops.remove(i);
            ops.extend(["get", "list", "listen", "search", "sync"].map(String::from));
        }
        rules.push(Rule {
            allow,
            provider,
            operations,
            owner_field: opt_string(obj.get("ownerField")),
            identity_claim: opt_string(obj.get("identityClaim")),
            groups: obj.get("groups").and_then(string_or_list),
            groups_field: opt_string(obj.get("groupsField")),
            group_claim: opt_string(obj.get("groupClaim")),
        });
    }
    Ok(rules)
}

/// The providers the API is configured with (`getConfiguredAuthProviders`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Configured {
    pub default: String,
    pub has_api_key: bool,
    pub has_user_pools: bool,
    pub has_oidc: bool,
    pub has_lambda: bool,
    pub has_iam: bool,
    pub should_add_default_service_directive: bool,
    pub generic_iam_access_enabled: bool,
}

/// `validateRules` (`validateRuleAuthStrategy` and `commonRuleValidation` for each rule).
pub(crate) fn validate_rules(
    rules: &[Rule],
    configured: &Configured,
    type_name: &str,
    d: &Directive,
) -> Result<(), SchemaError> {
    let err = |msg: String| SchemaError::at(d.pos, msg);
    if rules.is_empty() {
        return Err(err(format!(
            "@auth on {type_name} does not have any auth rules."
        )));
    }
    for rule in rules {
        let p = rule.provider.as_str();
        let ok = match rule.allow.as_str() {
            "groups" => matches!(p, "userPools" | "oidc"),
            "owner" => matches!(p, "userPools" | "oidc"),
            "public" => provider_eq(p, "apiKey") || provider_eq(p, "identityPool"),
            "private" => {
                provider_eq(p, "userPools")
                    || provider_eq(p, "identityPool")
                    || provider_eq(p, "oidc")
            }
            "custom" => p == "function",
            other => {
                return Err(err(format!("unknown @auth strategy 'allow: {other}'")));
            }
        };
        if !ok {
            return Err(err(format!(
                "@auth directive with '{}' strategy does not support the '{p}' provider.",
                rule.allow
            )));
        }
        if rule.allow == "groups" && rule.groups.is_none() && rule.groups_field.is_none() {
            return Err(err(
                "@auth directive with 'groups' should have a defined groups list or a groupsField."
                    .into(),
            ));
        }
        let missing = match p {
            "apiKey" if !configured.has_api_key => Some("API Key"),
            "oidc" if !configured.has_oidc => Some("OPENID_CONNECT"),
            "userPools" if !configured.has_user_pools => Some("Cognito User Pools"),
            "iam" | "identityPool" if !configured.has_iam => Some("IAM"),
            "function" if !configured.has_lambda => Some("Lambda"),
            _ => None,
        };
        if let Some(kind) = missing {
            return Err(err(format!(
                "@auth directive with '{p}' provider found, but the project has no {kind} authentication provider configured."
            )));
        }
        if rule.allow == "groups" && rule.identity_claim.is_some() {
            return Err(err(
                "@auth identityClaim can only be used for 'allow: owner'".into(),
            ));
        }
        if rule.allow == "owner" && rule.group_claim.is_some() {
            return Err(err(
                "@auth groupClaim can only be used 'allow: groups'".into()
            ));
        }
        if rule.groups_field.is_some() && rule.groups.is_some() {
            return Err(err(
                "This rule has groupsField and groups, please use one or the other".into(),
            ));
        }
        if rule.allow == "groups" && rule.groups.as_ref().is_some_and(Vec::is_empty) {
            return Err(err(
                "@auth rules using groups cannot have an empty list".into()
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(ds: Vec<Directive>) -> Vec<String> {
        ds.into_iter().map(|d| d.name).collect()
    }

    #[test]
    fn service_directives_follow_provider_order_and_default() {
        let p = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        // Default apiKey, type readable by apiKey and IAM: non-defaults first, then the default.
        assert_eq!(
            names(service_directives(
                "apiKey",
                &p(&["apiKey", "identityPool"]),
                false
            )),
            vec!["aws_iam", "aws_api_key"]
        );
        // With the default included explicitly it comes in map order.
        assert_eq!(
            names(service_directives(
                "apiKey",
                &p(&["apiKey", "identityPool"]),
                true
            )),
            vec!["aws_api_key", "aws_iam"]
        );
        // Only the default provider: no directive at all.
        assert!(service_directives("userPools", &p(&["userPools"]), true).is_empty());
        assert!(service_directives("userPools", &[], true).is_empty());
    }
}
