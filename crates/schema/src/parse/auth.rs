//! `@auth(rules: [...])` and the native AppSync auth directives.

use stratus_spec::data::{AuthProvider, AuthRule, AuthStrategy, AwsAuthDirective};

use super::fields::string_list;
use crate::SchemaError;
use crate::sdl::ast::{Directive, Value};
use crate::sdl::print;

/// The native AppSync directives that survive into the AppSync schema.
pub(crate) const AWS_AUTH_DIRECTIVES: &[&str] = &[
    "aws_api_key",
    "aws_iam",
    "aws_oidc",
    "aws_lambda",
    "aws_cognito_user_pools",
    "aws_auth",
];

pub(crate) fn aws_auth_directives(
    directives: &[Directive],
) -> Result<Vec<AwsAuthDirective>, SchemaError> {
    directives
        .iter()
        .filter(|d| AWS_AUTH_DIRECTIVES.contains(&d.name.as_str()))
        .map(|d| {
            let groups = if d.arg("cognito_groups").is_some() {
                Some(string_list(d, "cognito_groups")?)
            } else {
                None
            };
            Ok(AwsAuthDirective {
                name: d.name.clone(),
                cognito_groups: groups,
            })
        })
        .collect()
}

/// The rules of one `@auth` directive, as written (no defaults filled in).
pub(crate) fn rules(d: &Directive) -> Result<Vec<AuthRule>, SchemaError> {
    let items = match d.arg("rules") {
        Some(Value::List(items)) => items.as_slice(),
        Some(single @ Value::Object(_)) => std::slice::from_ref(single),
        None | Some(Value::Null) => &[],
        Some(other) => {
            return Err(SchemaError::at(
                d.pos,
                format!("@auth(rules:) must be a list, got {}", print::value(other)),
            ));
        }
    };
    items.iter().map(|item| rule(d, item)).collect()
}

fn rule(d: &Directive, item: &Value) -> Result<AuthRule, SchemaError> {
    let Value::Object(fields) = item else {
        return Err(SchemaError::at(
            d.pos,
            format!(
                "an @auth rule must be an object, got {}",
                print::value(item)
            ),
        ));
    };
    let get = |name: &str| fields.iter().find(|(n, _)| n == name).map(|(_, v)| v);
    let text = |name: &str| -> Result<Option<String>, SchemaError> {
        match get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => v.as_str().map(|s| Some(s.to_string())).ok_or_else(|| {
                SchemaError::at(
                    d.pos,
                    format!(
                        "@auth rule '{name}' must be a name, got {}",
                        print::value(v)
                    ),
                )
            }),
        }
    };
    let list = |name: &str| -> Result<Option<Vec<String>>, SchemaError> {
        match get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::List(items)) => items
                .iter()
                .map(|v| {
                    v.as_str().map(str::to_string).ok_or_else(|| {
                        SchemaError::at(d.pos, format!("@auth rule '{name}' must list names"))
                    })
                })
                .collect::<Result<Vec<_>, _>>()
                .map(Some),
            Some(v) => v
                .as_str()
                .map(|s| Some(vec![s.to_string()]))
                .ok_or_else(|| {
                    SchemaError::at(d.pos, format!("@auth rule '{name}' must list names"))
                }),
        }
    };
    let allow =
        text("allow")?.ok_or_else(|| SchemaError::at(d.pos, "an @auth rule needs 'allow'"))?;
    let allow = match allow.as_str() {
        "owner" => AuthStrategy::Owner,
        "groups" => AuthStrategy::Groups,
        "private" => AuthStrategy::Private,
        "public" => AuthStrategy::Public,
        "custom" => AuthStrategy::Custom,
        other => {
            return Err(SchemaError::at(
                d.pos,
                format!(
                    "unknown @auth strategy 'allow: {other}' (expected owner, groups, private, public or custom)"
                ),
            ));
        }
    };
    let provider = match text("provider")?.as_deref() {
        None => None,
        Some("apiKey") => Some(AuthProvider::ApiKey),
        Some("iam") => Some(AuthProvider::Iam),
        Some("identityPool") => Some(AuthProvider::IdentityPool),
        Some("userPools") => Some(AuthProvider::UserPools),
        Some("oidc") => Some(AuthProvider::Oidc),
        Some("function") => Some(AuthProvider::Function),
        Some(other) => {
            return Err(SchemaError::at(
                d.pos,
                format!(
                    "unknown @auth provider '{other}' (expected apiKey, iam, identityPool, userPools, oidc or function)"
                ),
            ));
        }
    };
    Ok(AuthRule {
        allow,
        provider,
        operations: list("operations")?,
        owner_field: text("ownerField")?,
        identity_claim: text("identityClaim")?,
        groups: list("groups")?,
        groups_field: text("groupsField")?,
        group_claim: text("groupClaim")?,
    })
}
