//! The `auth`, `data` and `storage` contributions, key for key in the order Amplify's
//! client-config contributors write them (`@aws-amplify/client-config` v1.5).

use serde_json::{Map, Value, json};
use stratus_spec::auth::{AuthSpec, MfaMode};
use stratus_spec::data::{AuthMode, DataSpec};
use stratus_spec::storage::{StorageSpec, default_bucket};

use crate::ids::{self, REGION};
use crate::{Endpoints, OutputsError};

fn strings<'a>(items: impl IntoIterator<Item = &'a str>) -> Value {
    Value::Array(
        items
            .into_iter()
            .map(|s| Value::String(s.to_string()))
            .collect(),
    )
}

/// `auth` (AuthClientConfigContributor of client-config 1.11, schema 1.5).
pub(crate) fn auth(spec: &AuthSpec, endpoints: &Endpoints) -> Map<String, Value> {
    let mut a = Map::new();
    a.insert(
        "user_pool_id".into(),
        json!(ids::user_pool_id(&endpoints.instance_id)),
    );
    a.insert("aws_region".into(), json!(REGION));
    a.insert(
        "user_pool_client_id".into(),
        json!(ids::user_pool_client_id(&endpoints.instance_id)),
    );
    a.insert(
        "identity_pool_id".into(),
        json!(ids::identity_pool_id(&endpoints.instance_id)),
    );
    let mfa_methods = if spec.mfa.mode == MfaMode::Off {
        vec![]
    } else {
        spec.mfa.methods.clone()
    };
    a.insert(
        "mfa_methods".into(),
        strings(mfa_methods.iter().map(|m| m.as_str())),
    );
    a.insert(
        "standard_required_attributes".into(),
        strings(spec.required_standard_attributes()),
    );
    a.insert(
        "username_attributes".into(),
        strings(spec.username_attributes.iter().map(|x| x.as_str())),
    );
    a.insert(
        "user_verification_types".into(),
        strings(spec.auto_verified_attributes.iter().map(|x| x.as_str())),
    );
    let groups: Vec<Value> = spec
        .groups
        .iter()
        .map(|g| json!({ g.name.clone(): { "precedence": g.precedence } }))
        .collect();
    a.insert("groups".into(), Value::Array(groups));
    a.insert(
        "mfa_configuration".into(),
        json!(spec.mfa.mode.outputs_name()),
    );
    let p = &spec.password_policy;
    a.insert(
        "password_policy".into(),
        json!({
            "min_length": p.min_length,
            "require_lowercase": p.require_lowercase,
            "require_numbers": p.require_numbers,
            "require_symbols": p.require_symbols,
            "require_uppercase": p.require_uppercase,
        }),
    );
    // `oauth` only when both redirect lists are non-empty (no external providers: CDK's
    // `https://example.com` callback but no sign-out URL, so no `oauth`).
    let c = &spec.client;
    if !c.callback_urls.is_empty() && !c.logout_urls.is_empty() {
        // The stack outputs join the URLs with "," and the contributor splits them again.
        let split = |urls: &[String]| strings(urls.join(",").split(',').collect::<Vec<_>>());
        let providers: Vec<&str> = spec
            .external_providers
            .iter()
            .flat_map(|e| e.providers.iter())
            .filter_map(|p| p.kind.outputs_name())
            .collect();
        a.insert(
            "oauth".into(),
            json!({
                "identity_providers": strings(providers),
                "redirect_sign_in_uri": split(&c.callback_urls),
                "redirect_sign_out_uri": split(&c.logout_urls),
                "response_type": c.oauth_flows.join(","),
                "scopes": strings(c.oauth_scopes.iter().map(String::as_str)),
                // The hosted UI domain: this server (the client calls https://<domain>/oauth2/...).
                "domain": endpoints.host_port(),
            }),
        );
    }
    a.insert(
        "unauthenticated_identities_enabled".into(),
        json!(spec.allow_unauthenticated_identities),
    );
    let pl = &spec.passwordless;
    if pl.any_enabled() || pl.preferred_challenge.is_some() {
        let mut p = Map::new();
        if pl.any_enabled() {
            p.insert("email_otp_enabled".into(), json!(pl.email_otp));
            p.insert("sms_otp_enabled".into(), json!(pl.sms_otp));
            if let Some(w) = &pl.web_authn {
                let uv = serde_json::to_value(w.user_verification).unwrap_or(Value::Null);
                p.insert(
                    "web_authn".into(),
                    json!({ "relying_party_id": w.relying_party_id, "user_verification": uv }),
                );
            }
        }
        if let Some(c) = pl.preferred_challenge {
            p.insert("preferred_challenge".into(), json!(c.as_str()));
        }
        a.insert("passwordless".into(), Value::Object(p));
    }
    let mut out = Map::new();
    out.insert("auth".into(), Value::Object(a));
    out
}

fn auth_mode_name(m: AuthMode) -> &'static str {
    match m {
        AuthMode::ApiKey => "API_KEY",
        AuthMode::AwsIam => "AWS_IAM",
        AuthMode::AmazonCognitoUserPools => "AMAZON_COGNITO_USER_POOLS",
        AuthMode::OpenidConnect => "OPENID_CONNECT",
        AuthMode::AwsLambda => "AWS_LAMBDA",
    }
}

/// `data` (DataClientConfigContributor).
pub(crate) fn data(
    spec: &DataSpec,
    endpoints: &Endpoints,
    model_introspection: Value,
) -> Result<Map<String, Value>, OutputsError> {
    let modes = &spec.authorization_modes;
    let mut d = Map::new();
    d.insert(
        "url".into(),
        json!(format!("{}/graphql", endpoints.origin())),
    );
    d.insert("aws_region".into(), json!(REGION));
    let api_key_enabled =
        modes.default == AuthMode::ApiKey || modes.additional.contains(&AuthMode::ApiKey);
    if api_key_enabled {
        let key = endpoints
            .api_key
            .as_deref()
            .ok_or(OutputsError::MissingApiKey)?;
        d.insert("api_key".into(), json!(key));
    }
    d.insert(
        "default_authorization_type".into(),
        json!(auth_mode_name(modes.default)),
    );
    d.insert(
        "authorization_types".into(),
        strings(modes.additional.iter().map(|m| auth_mode_name(*m))),
    );
    d.insert("model_introspection".into(), model_introspection);
    let mut out = Map::new();
    out.insert("data".into(), Value::Object(d));
    Ok(out)
}

/// `storage` (StorageClientConfigContributor): the default bucket, then every bucket.
pub(crate) fn storage(
    buckets: &[StorageSpec],
    endpoints: &Endpoints,
) -> Result<Option<Map<String, Value>>, OutputsError> {
    let Some(default) = default_bucket(buckets)? else {
        return Ok(None);
    };
    let id = &endpoints.instance_id;
    let mut s = Map::new();
    s.insert("aws_region".into(), json!(REGION));
    s.insert(
        "bucket_name".into(),
        json!(ids::bucket_name(id, &default.name)),
    );
    let list: Vec<Value> = buckets
        .iter()
        .map(|b| {
            let mut e = Map::new();
            e.insert("name".into(), json!(b.name));
            e.insert("bucket_name".into(), json!(ids::bucket_name(id, &b.name)));
            e.insert("aws_region".into(), json!(REGION));
            if let Some(access) = &b.access {
                let paths: Map<String, Value> = access
                    .output_paths
                    .iter()
                    .map(|p| {
                        let rule: Map<String, Value> = p
                            .access
                            .iter()
                            .map(|a| (a.key.clone(), strings(a.actions.iter().map(|x| x.as_str()))))
                            .collect();
                        (p.path.clone(), Value::Object(rule))
                    })
                    .collect();
                e.insert("paths".into(), Value::Object(paths));
            }
            Value::Object(e)
        })
        .collect();
    s.insert("buckets".into(), Value::Array(list));
    let mut out = Map::new();
    out.insert("storage".into(), Value::Object(s));
    Ok(Some(out))
}
