//! The data API's authorization modes, computed exactly like `@aws-amplify/backend-data`
//! (`convert_authorization_modes.js`) and `@aws-amplify/graphql-api-construct`
//! (`authorization-modes.js`, which fixes the order of the additional modes).

use serde_json::Value;
use stratus_spec::data::{AuthMode, AuthorizationModes, LambdaAuthorizer, OidcConfig};

const DEFAULT_API_KEY_EXPIRATION_DAYS: u32 = 7;
const DEFAULT_LAMBDA_TTL_SECONDS: u32 = 60;

/// Why the modes could not be computed (the message is Amplify's).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthModeError(pub String);

/// Compute the API's modes from `defineData({ authorizationModes })` (raw JSON, `None` when
/// absent) and whether the backend has an auth resource (`defineAuth` / `referenceAuth`).
pub fn compute(modes: Option<&Value>, has_auth: bool) -> Result<AuthorizationModes, AuthModeError> {
    let modes = modes.filter(|m| !m.is_null());
    let sandbox_mode = modes.is_none() && !has_auth;
    let field = |key: &str| modes.and_then(|m| m.get(key)).filter(|v| !v.is_null());

    let default_name = match field("defaultAuthorizationMode").and_then(Value::as_str) {
        Some(name) => name.to_string(),
        None => default_mode(modes, has_auth)?.to_string(),
    };
    let default = mode_of(&default_name).ok_or_else(|| {
        AuthModeError(format!(
            "Invalid defaultAuthorizationMode '{default_name}': expected one of iam, identityPool, userPool, oidc, apiKey, lambda"
        ))
    })?;

    let api_key_props = field("apiKeyAuthorizationMode");
    let has_api_key = api_key_props.is_some() || default_name == "apiKey" || sandbox_mode;
    let lambda = field("lambdaAuthorizationMode");
    let oidc = field("oidcAuthorizationMode");

    // convertAuthConfigToAppSyncAuth: API_KEY, AWS_LAMBDA, OPENID_CONNECT, USER_POOLS, AWS_IAM.
    let mut configured = Vec::new();
    if has_api_key {
        configured.push(AuthMode::ApiKey);
    }
    if lambda.is_some() {
        configured.push(AuthMode::AwsLambda);
    }
    if oidc.is_some() {
        configured.push(AuthMode::OpenidConnect);
    }
    if has_auth {
        configured.push(AuthMode::AmazonCognitoUserPools);
    }
    configured.push(AuthMode::AwsIam);

    let default = if configured.len() == 1 {
        configured[0]
    } else {
        default
    };
    if !configured.contains(&default) {
        return Err(AuthModeError(format!(
            "defaultAuthorizationMode '{default_name}' is not configured on the API: {}",
            missing_mode_hint(default)
        )));
    }
    let additional = configured.into_iter().filter(|m| *m != default).collect();

    let api_key_expires_in_days = has_api_key.then(|| {
        api_key_props
            .and_then(|p| p.get("expiresInDays"))
            .and_then(Value::as_u64)
            .and_then(|d| u32::try_from(d).ok())
            .unwrap_or(DEFAULT_API_KEY_EXPIRATION_DAYS)
    });
    let api_key_description = api_key_props
        .and_then(|p| p.get("description"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let lambda_authorizer = lambda.map(|l| LambdaAuthorizer {
        function: l
            .get("function")
            .and_then(|f| f.get("$function"))
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        ttl_seconds: l
            .get("timeToLiveInSeconds")
            .and_then(Value::as_u64)
            .and_then(|t| u32::try_from(t).ok())
            .unwrap_or(DEFAULT_LAMBDA_TTL_SECONDS),
    });
    let oidc = oidc.map(|o| OidcConfig {
        provider_name: str_of(o, "oidcProviderName"),
        issuer_url: str_of(o, "oidcIssuerUrl"),
        client_id: o
            .get("clientId")
            .and_then(Value::as_str)
            .map(str::to_string),
        token_expiry_from_auth_seconds: o
            .get("tokenExpiryFromAuthInSeconds")
            .and_then(Value::as_u64)
            .unwrap_or(0),
        token_expiry_from_issue_seconds: o
            .get("tokenExpireFromIssueInSeconds")
            .and_then(Value::as_u64)
            .unwrap_or(0),
    });

    Ok(AuthorizationModes {
        default,
        additional,
        sandbox_mode,
        api_key_expires_in_days,
        api_key_description,
        lambda_authorizer,
        oidc,
    })
}

fn str_of(v: &Value, key: &str) -> String {
    v.get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// computeDefaultAuthorizationMode of backend-data.
fn default_mode(modes: Option<&Value>, has_auth: bool) -> Result<&'static str, AuthModeError> {
    match modes {
        None if !has_auth => return Ok("apiKey"),
        None => return Ok("userPool"),
        Some(m) if !has_auth => {
            if let Some(obj) = m.as_object()
                && obj.len() == 1
            {
                let set = |k: &str| obj.get(k).is_some_and(|v| !v.is_null());
                if set("oidcAuthorizationMode") {
                    return Ok("oidc");
                }
                if set("lambdaAuthorizationMode") {
                    return Ok("lambda");
                }
                if set("apiKeyAuthorizationMode") {
                    return Ok("apiKey");
                }
            }
        }
        Some(_) => {}
    }
    Err(AuthModeError(
        "DefineDataConfigurationError: A defaultAuthorizationMode is required if multiple authorization modes are configured\nResolution: When calling 'defineData' specify 'authorizationModes.defaultAuthorizationMode'"
            .into(),
    ))
}

fn mode_of(name: &str) -> Option<AuthMode> {
    Some(match name {
        "iam" | "identityPool" => AuthMode::AwsIam,
        "userPool" => AuthMode::AmazonCognitoUserPools,
        "oidc" => AuthMode::OpenidConnect,
        "apiKey" => AuthMode::ApiKey,
        "lambda" => AuthMode::AwsLambda,
        _ => return None,
    })
}

fn missing_mode_hint(mode: AuthMode) -> &'static str {
    match mode {
        AuthMode::AmazonCognitoUserPools => "add defineAuth to the backend",
        AuthMode::OpenidConnect => "add authorizationModes.oidcAuthorizationMode",
        AuthMode::AwsLambda => "add authorizationModes.lambdaAuthorizationMode",
        AuthMode::ApiKey => "add authorizationModes.apiKeyAuthorizationMode",
        AuthMode::AwsIam => "IAM is always enabled",
    }
}

/// The AppSync names, as `amplify_outputs.json` reports them.
#[cfg(test)]
fn appsync_name(mode: AuthMode) -> &'static str {
    match mode {
        AuthMode::ApiKey => "API_KEY",
        AuthMode::AwsIam => "AWS_IAM",
        AuthMode::AmazonCognitoUserPools => "AMAZON_COGNITO_USER_POOLS",
        AuthMode::OpenidConnect => "OPENID_CONNECT",
        AuthMode::AwsLambda => "AWS_LAMBDA",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names(m: &AuthorizationModes) -> (String, Vec<&'static str>) {
        (
            appsync_name(m.default).to_string(),
            m.additional.iter().map(|a| appsync_name(*a)).collect(),
        )
    }

    #[test]
    fn sandbox_mode_without_auth_and_modes() {
        let m = compute(None, false).unwrap();
        assert!(m.sandbox_mode);
        assert_eq!(names(&m), ("API_KEY".into(), vec!["AWS_IAM"]));
        assert_eq!(m.api_key_expires_in_days, Some(7));
    }

    #[test]
    fn auth_without_modes_defaults_to_user_pool_without_api_key() {
        let m = compute(None, true).unwrap();
        assert!(!m.sandbox_mode);
        assert_eq!(
            names(&m),
            ("AMAZON_COGNITO_USER_POOLS".into(), vec!["AWS_IAM"])
        );
        assert_eq!(m.api_key_expires_in_days, None);
    }

    #[test]
    fn api_key_default_with_auth() {
        let m = compute(
            Some(&json!({"defaultAuthorizationMode": "apiKey", "apiKeyAuthorizationMode": {"expiresInDays": 30}})),
            true,
        )
        .unwrap();
        assert_eq!(
            names(&m),
            (
                "API_KEY".into(),
                vec!["AMAZON_COGNITO_USER_POOLS", "AWS_IAM"]
            )
        );
        assert_eq!(m.api_key_expires_in_days, Some(30));
    }

    #[test]
    fn multiple_modes_without_default_is_an_error() {
        let e = compute(Some(&json!({"apiKeyAuthorizationMode": {}})), true).unwrap_err();
        assert!(e.0.contains("defaultAuthorizationMode is required"));
        let m = compute(Some(&json!({"apiKeyAuthorizationMode": {}})), false).unwrap();
        assert_eq!(names(&m), ("API_KEY".into(), vec!["AWS_IAM"]));
    }

    #[test]
    fn lambda_and_oidc_order() {
        let m = compute(
            Some(&json!({
                "defaultAuthorizationMode": "oidc",
                "lambdaAuthorizationMode": {"function": {"$function": "authz"}},
                "oidcAuthorizationMode": {"oidcProviderName": "p", "oidcIssuerUrl": "https://i",
                    "tokenExpiryFromAuthInSeconds": 300, "tokenExpireFromIssueInSeconds": 600}
            })),
            true,
        )
        .unwrap();
        assert_eq!(
            names(&m),
            (
                "OPENID_CONNECT".into(),
                vec!["AWS_LAMBDA", "AMAZON_COGNITO_USER_POOLS", "AWS_IAM"]
            )
        );
        assert_eq!(
            m.lambda_authorizer
                .as_ref()
                .map(|l| (l.function.as_str(), l.ttl_seconds)),
            Some(("authz", 60))
        );
    }

    #[test]
    fn a_single_configured_mode_wins_over_the_requested_default() {
        // graphql-api-construct: with one provider (IAM) the default is that provider.
        let m = compute(
            Some(&json!({"defaultAuthorizationMode": "userPool"})),
            false,
        )
        .unwrap();
        assert_eq!(names(&m), ("AWS_IAM".into(), vec![]));
        let e = compute(
            Some(&json!({"defaultAuthorizationMode": "oidc", "apiKeyAuthorizationMode": {}})),
            false,
        );
        assert!(e.is_err());
    }
}
