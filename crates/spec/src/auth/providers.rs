//! `loginWith.externalProviders` (auth construct `setupExternalProviders` + CDK identity
//! provider defaults).

use serde_json::{Map, Value};

use super::parse::standard_attribute_name;
use super::{ExternalProviders, IdentityProvider, IdentityProviderKind};
use crate::error::{SpecError, SpecErrorKind};
use crate::props::{Obj, SecretValue};

fn construct_error(message: String) -> SpecError {
    SpecError::new(SpecErrorKind::AuthConstructInitialization, message)
        .with_resolution("See the underlying error message for more details.")
}

/// CDK's 3..32 characters rule and pattern for OIDC/SAML provider names.
fn check_provider_name(name: &str, check_pattern: bool) -> Result<(), SpecError> {
    let len = name.chars().count();
    if !(3..=32).contains(&len) {
        return Err(construct_error(format!(
            "Expected provider name to be between 3 and 32 characters, received {name} ({len} characters)"
        )));
    }
    if check_pattern {
        let chars: Vec<char> = name.chars().collect();
        let ok = chars[0] != '_'
            && !chars[0].is_whitespace()
            && !chars[1].is_whitespace()
            && !chars[1].is_control()
            && chars[2..].iter().all(|c| *c != '_' && !c.is_whitespace());
        if !ok {
            return Err(construct_error(format!(
                "Expected provider name must match [^_p{{Z}}][p{{L}}p{{M}}p{{S}}p{{N}}p{{P}}][^_p{{Z}}]+, received {name}"
            )));
        }
    }
    Ok(())
}

fn attribute_mapping(p: &Obj<'_>, map_email: bool) -> Result<Vec<(String, String)>, SpecError> {
    let mut out: Vec<(String, String)> = Vec::new();
    if map_email {
        out.push(("email".into(), "email".into()));
    }
    let mut set = |k: String, v: String| match out.iter_mut().find(|(x, _)| *x == k) {
        Some(slot) => slot.1 = v,
        None => out.push((k, v)),
    };
    let Some(m) = p.obj("attributeMapping", "attributeMapping")? else {
        return Ok(out);
    };
    for (key, value) in m.map() {
        match (key.as_str(), value) {
            ("custom", Value::Object(custom)) => {
                for (ck, cv) in custom {
                    let cv = cv.as_str().ok_or_else(|| {
                        SpecError::props(format!("attributeMapping.custom.{ck} must be a string"))
                    })?;
                    set(ck.clone(), cv.to_string());
                }
            }
            (_, Value::String(v)) => {
                let name = standard_attribute_name(key).ok_or_else(|| {
                    SpecError::props(format!(
                        "attributeMapping.{key} is not a standard attribute"
                    ))
                })?;
                set(name.to_string(), v.clone());
            }
            _ => {
                return Err(SpecError::props(format!(
                    "attributeMapping.{key} must be a string"
                )));
            }
        }
    }
    Ok(out)
}

fn provider(
    p: &Obj<'_>,
    kind: IdentityProviderKind,
    provider_name: String,
    credential_keys: &[&str],
    default_scopes: &[&str],
    map_email: bool,
) -> Result<IdentityProvider, SpecError> {
    let mut credentials = Vec::new();
    for k in credential_keys {
        if let Some(v) = p.secret_or_string(k)? {
            credentials.push(((*k).to_string(), v));
        }
    }
    let scopes = p
        .str_list("scopes")?
        .unwrap_or_else(|| default_scopes.iter().map(|s| (*s).to_string()).collect());
    let attribute_mapping = attribute_mapping(p, map_email)?;
    let skip = |k: &str| {
        credential_keys.contains(&k) || matches!(k, "scopes" | "attributeMapping" | "name")
    };
    let settings: Map<String, Value> = p
        .map()
        .iter()
        .filter(|(k, _)| !skip(k))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Ok(IdentityProvider {
        kind,
        provider_name,
        credentials,
        scopes,
        attribute_mapping,
        settings,
    })
}

pub(super) fn parse(
    ext: &Obj<'_>,
    auth_name: &str,
    map_email: bool,
) -> Result<ExternalProviders, SpecError> {
    let logout_urls = ext.str_list("logoutUrls")?;
    let callback_urls = ext.str_list("callbackUrls")?;
    if logout_urls.as_ref().is_some_and(Vec::is_empty) {
        return Err(construct_error(
            "You must define logoutUrls when configuring external login providers.".into(),
        ));
    }
    if callback_urls.as_ref().is_some_and(Vec::is_empty) {
        return Err(construct_error(
            "You must define callbackUrls when configuring external login providers.".into(),
        ));
    }
    let mut providers = Vec::new();
    let two = ["clientId", "clientSecret"];
    if let Some(g) = ext.obj("google", "externalProviders.google")? {
        providers.push(provider(
            &g,
            IdentityProviderKind::Google,
            "Google".into(),
            &two,
            &["profile"],
            map_email,
        )?);
    }
    if let Some(f) = ext.obj("facebook", "externalProviders.facebook")? {
        providers.push(provider(
            &f,
            IdentityProviderKind::Facebook,
            "Facebook".into(),
            &two,
            &["public_profile"],
            map_email,
        )?);
    }
    if let Some(a) = ext.obj("loginWithAmazon", "externalProviders.loginWithAmazon")? {
        providers.push(provider(
            &a,
            IdentityProviderKind::LoginWithAmazon,
            "LoginWithAmazon".into(),
            &two,
            &["profile"],
            map_email,
        )?);
    }
    if let Some(a) = ext.obj("signInWithApple", "externalProviders.signInWithApple")? {
        let keys = ["clientId", "teamId", "keyId", "privateKey"];
        providers.push(provider(
            &a,
            IdentityProviderKind::SignInWithApple,
            "SignInWithApple".into(),
            &keys,
            &["name"],
            map_email,
        )?);
    }
    for (i, item) in ext
        .array("oidc")?
        .map(Vec::as_slice)
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let o = Obj::new(item, "externalProviders.oidc[]")?;
        let name = match o.str("name")? {
            Some(n) => {
                check_provider_name(n, true)?;
                n.to_string()
            }
            None => format!("{auth_name}{i}Oidc"),
        };
        providers.push(provider(
            &o,
            IdentityProviderKind::Oidc,
            name,
            &two,
            &["openid"],
            map_email,
        )?);
    }
    if let Some(s) = ext.obj("saml", "externalProviders.saml")? {
        let name = match s.str("name")? {
            Some(n) => {
                check_provider_name(n, false)?;
                n.to_string()
            }
            None => format!("{auth_name}Saml"),
        };
        // SAML never gets the automatic email mapping.
        providers.push(provider(
            &s,
            IdentityProviderKind::Saml,
            name,
            &[],
            &[],
            false,
        )?);
    }
    Ok(ExternalProviders {
        providers,
        callback_urls: callback_urls.unwrap_or_else(|| vec!["https://example.com".into()]),
        logout_urls: logout_urls.unwrap_or_default(),
    })
}

impl IdentityProvider {
    /// A credential (`clientId`, `clientSecret`, ...), if configured.
    pub fn credential(&self, key: &str) -> Option<&SecretValue> {
        self.credentials
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }
}
