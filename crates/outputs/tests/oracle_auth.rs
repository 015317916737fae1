//! `AuthSpec::from_props` + the `auth` section against ground truth produced by the real
//! `@aws-amplify/backend-auth` / `auth-construct` / CDK / `client-config` (tests/data/regen.mjs).

mod common;

use serde_json::{Map, Value, json};
use stratus_outputs::generate_with;
use stratus_spec::auth::{AuthSpec, CustomAttributeType, EmailVerificationStyle, MfaMode};
use stratus_spec::{Backend, SpecErrorKind};

use common::*;
use stratus_testkit::assert_json_eq;

fn expected_kind(error: &str) -> SpecErrorKind {
    match error {
        "InvalidPasswordlessConfigError" => SpecErrorKind::InvalidPasswordlessConfig,
        _ => SpecErrorKind::AuthConstructInitialization,
    }
}

/// The CloudFormation properties `regen.mjs` captured, rebuilt from our spec.
fn spec_as_cfn(a: &AuthSpec) -> Value {
    let mut pool = Map::new();
    if let Some(n) = &a.user_pool_name {
        pool.insert("UserPoolName".into(), json!(n));
    }
    let names = |v: &[stratus_spec::auth::VerifiableAttribute]| {
        json!(v.iter().map(|x| x.as_str()).collect::<Vec<_>>())
    };
    pool.insert("UsernameAttributes".into(), names(&a.username_attributes));
    pool.insert(
        "AutoVerifiedAttributes".into(),
        names(&a.auto_verified_attributes),
    );
    let mut schema: Vec<Value> = a
        .standard_attributes
        .iter()
        .map(|s| json!({"Mutable": s.mutable, "Name": s.name, "Required": s.required}))
        .collect();
    for c in &a.custom_attributes {
        let mut e = Map::new();
        let t = match c.data_type {
            CustomAttributeType::String => "String",
            CustomAttributeType::Number => "Number",
            CustomAttributeType::Boolean => "Boolean",
            CustomAttributeType::DateTime => "DateTime",
        };
        e.insert("AttributeDataType".into(), json!(t));
        e.insert("Mutable".into(), json!(c.mutable));
        e.insert("Name".into(), json!(c.name));
        if c.min_length.is_some() || c.max_length.is_some() {
            let mut k = Map::new();
            if let Some(x) = c.max_length {
                k.insert("MaxLength".into(), json!(x.to_string()));
            }
            if let Some(x) = c.min_length {
                k.insert("MinLength".into(), json!(x.to_string()));
            }
            e.insert("StringAttributeConstraints".into(), Value::Object(k));
        }
        if c.min_value.is_some() || c.max_value.is_some() {
            let mut k = Map::new();
            let fmt = |x: f64| {
                if x.fract() == 0.0 {
                    format!("{x:.0}")
                } else {
                    x.to_string()
                }
            };
            if let Some(x) = c.max_value {
                k.insert("MaxValue".into(), json!(fmt(x)));
            }
            if let Some(x) = c.min_value {
                k.insert("MinValue".into(), json!(fmt(x)));
            }
            e.insert("NumberAttributeConstraints".into(), Value::Object(k));
        }
        schema.push(Value::Object(e));
    }
    pool.insert("Schema".into(), json!(schema));
    let p = &a.password_policy;
    let mut policies = json!({"PasswordPolicy": {"MinimumLength": p.min_length, "RequireLowercase": p.require_lowercase,
        "RequireNumbers": p.require_numbers, "RequireSymbols": p.require_symbols, "RequireUppercase": p.require_uppercase}});
    let factors = a.passwordless.allowed_first_auth_factors();
    if !factors.is_empty() {
        policies["SignInPolicy"] = json!({"AllowedFirstAuthFactors": factors.iter().map(|f| f.as_str()).collect::<Vec<_>>()});
    }
    pool.insert("Policies".into(), policies);
    Value::Object(pool)
}

fn compare_cfn(name: &str, a: &AuthSpec, exp: &Value) {
    let ours = spec_as_cfn(a);
    let pool = &exp["userPool"];
    for key in [
        "UserPoolName",
        "UsernameAttributes",
        "AutoVerifiedAttributes",
        "Schema",
        "Policies",
    ] {
        assert_eq!(ours.get(key), pool.get(key), "{name}: {key}");
    }
    // MFA
    let mfa_given =
        a.mfa.mode != MfaMode::Off || pool.get("MfaConfiguration") == Some(&json!("OFF"));
    if mfa_given {
        let cfn = match a.mfa.mode {
            MfaMode::Off => "OFF",
            MfaMode::Optional => "OPTIONAL",
            MfaMode::Required => "ON",
        };
        assert_eq!(
            pool["MfaConfiguration"],
            json!(cfn),
            "{name}: MfaConfiguration"
        );
    } else {
        assert!(
            pool.get("MfaConfiguration").is_none(),
            "{name}: MfaConfiguration"
        );
    }
    let enabled: Vec<&str> = a
        .mfa
        .methods
        .iter()
        .map(|m| match m.as_str() {
            "SMS" => "SMS_MFA",
            "TOTP" => "SOFTWARE_TOKEN_MFA",
            _ => "EMAIL_OTP",
        })
        .collect();
    assert_eq!(
        pool.get("EnabledMfas").cloned().unwrap_or(json!([])),
        json!(enabled),
        "{name}: EnabledMfas"
    );
    assert_eq!(
        pool.get("SmsAuthenticationMessage").and_then(Value::as_str),
        a.mfa.sms_message.as_deref(),
        "{name}: MFA message"
    );
    // verification
    let v = &a.verification;
    let t = &pool["VerificationMessageTemplate"];
    match v.email_style {
        EmailVerificationStyle::Code => {
            assert_eq!(t["DefaultEmailOption"], "CONFIRM_WITH_CODE", "{name}");
            assert_eq!(
                t["EmailMessage"],
                json!(v.email_message),
                "{name}: EmailMessage"
            );
            assert_eq!(
                t["EmailSubject"],
                json!(v.email_subject),
                "{name}: EmailSubject"
            );
        }
        EmailVerificationStyle::Link => {
            assert_eq!(t["DefaultEmailOption"], "CONFIRM_WITH_LINK", "{name}");
            assert_eq!(
                t["EmailMessageByLink"],
                json!(v.email_message),
                "{name}: EmailMessageByLink"
            );
            assert_eq!(
                t["EmailSubjectByLink"],
                json!(v.email_subject),
                "{name}: EmailSubjectByLink"
            );
        }
    }
    assert_eq!(t["SmsMessage"], json!(v.sms_message), "{name}: SmsMessage");
    // invitation
    let inv = pool["AdminCreateUserConfig"].get("InviteMessageTemplate");
    match &a.user_invitation {
        None => assert!(inv.is_none(), "{name}: invitation"),
        Some(i) => {
            let inv = inv.expect("invitation template");
            assert_eq!(
                inv.get("EmailMessage").and_then(Value::as_str),
                i.email_message.as_deref(),
                "{name}"
            );
            assert_eq!(
                inv.get("EmailSubject").and_then(Value::as_str),
                i.email_subject.as_deref(),
                "{name}"
            );
            assert_eq!(
                inv.get("SMSMessage").and_then(Value::as_str),
                i.sms_message.as_deref(),
                "{name}"
            );
        }
    }
    assert_eq!(
        pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"],
        json!(!a.self_sign_up_enabled),
        "{name}"
    );
    let rec: Vec<Value> = a
        .account_recovery
        .recovery_mechanisms()
        .iter()
        .map(|m| json!({"Name": m.name, "Priority": m.priority}))
        .collect();
    match pool.get("AccountRecoverySetting") {
        Some(r) => assert_eq!(r["RecoveryMechanisms"], json!(rec), "{name}: recovery"),
        None => assert!(rec.is_empty(), "{name}: recovery"),
    }
    assert_eq!(
        pool["UsernameConfiguration"]["CaseSensitive"],
        json!(a.sign_in_case_sensitive),
        "{name}"
    );
    let keep: Vec<&str> = a
        .attributes_require_verification_before_update
        .iter()
        .map(|x| x.as_str())
        .collect();
    assert_eq!(
        pool["UserAttributeUpdateSettings"]["AttributesRequireVerificationBeforeUpdate"],
        json!(keep),
        "{name}"
    );
    let w = a.passwordless.web_authn.as_ref();
    assert_eq!(
        pool.get("WebAuthnRelyingPartyID").and_then(Value::as_str),
        w.map(|w| w.relying_party_id.as_str()),
        "{name}"
    );
    // client
    let c = &exp["userPoolClient"];
    assert_eq!(
        c["ExplicitAuthFlows"],
        json!(a.client.explicit_auth_flows),
        "{name}: flows"
    );
    assert_eq!(
        c["AllowedOAuthFlows"],
        json!(a.client.oauth_flows),
        "{name}"
    );
    assert_eq!(
        c["AllowedOAuthScopes"],
        json!(a.client.oauth_scopes),
        "{name}: scopes"
    );
    assert_eq!(
        c["CallbackURLs"],
        json!(a.client.callback_urls),
        "{name}: callbacks"
    );
    assert_eq!(
        c.get("LogoutURLs").cloned().unwrap_or(json!([])),
        json!(a.client.logout_urls),
        "{name}: logout"
    );
    assert_eq!(
        c["PreventUserExistenceErrors"],
        json!(if a.prevent_user_existence_errors {
            "ENABLED"
        } else {
            "LEGACY"
        })
    );
    assert_eq!(
        exp["identityPool"]["AllowUnauthenticatedIdentities"],
        json!(a.allow_unauthenticated_identities)
    );
    let groups: Vec<Value> = a
        .groups
        .iter()
        .map(|g| json!({"GroupName": g.name, "Precedence": g.precedence}))
        .collect();
    assert_eq!(exp["groups"], json!(groups), "{name}: groups");
}

#[test]
fn every_auth_case_matches_the_real_packages() {
    let expected = data_file("auth_expected.json");
    let all = cases("auth_cases.json", "props");
    assert!(all.len() >= 30);
    for (name, props) in all {
        let exp = &expected[&name];
        let result = AuthSpec::from_props(&props);
        if let Some(error) = exp.get("error").and_then(Value::as_str) {
            let e = result
                .err()
                .unwrap_or_else(|| panic!("{name}: expected error {error}"));
            assert_spec_error(&name, &e, expected_kind(error), exp);
            continue;
        }
        let spec = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        compare_cfn(&name, &spec, exp);
        let backend = Backend {
            auth: Some(spec),
            ..Backend::default()
        };
        let mut out = generate_with(&backend, &endpoints(), stub_introspection).unwrap();
        normalize_auth(
            &mut out["auth"],
            "<userPoolId>",
            "<region>",
            "<webClientId>",
            "<identityPoolId>",
            "<oauthCognitoDomain>",
        );
        assert_json_eq(&exp["auth"], &out["auth"], &name);
    }
}
