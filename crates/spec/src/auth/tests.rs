use serde_json::{Value, json};

use super::*;
use crate::error::{SpecError, SpecErrorKind};

fn auth(v: Value) -> AuthSpec {
    AuthSpec::from_props(&v).unwrap()
}

fn err(v: Value) -> SpecError {
    AuthSpec::from_props(&v).unwrap_err()
}

#[test]
fn email_only_defaults() {
    let a = auth(json!({"loginWith": {"email": true}}));
    assert_eq!(a.name, "amplifyAuth");
    assert_eq!(a.user_pool_name, None);
    assert_eq!(a.user_pool_id_env_var(), "AMPLIFY_AUTH_USERPOOL_ID");
    assert_eq!(a.username_attributes, [VerifiableAttribute::Email]);
    assert_eq!(a.auto_verified_attributes, [VerifiableAttribute::Email]);
    assert_eq!(a.required_standard_attributes(), ["email"]);
    assert_eq!(a.password_policy, PasswordPolicy::default());
    assert_eq!(
        a.mfa,
        MfaSettings {
            mode: MfaMode::Off,
            methods: vec![],
            sms_message: None
        }
    );
    assert_eq!(a.account_recovery, AccountRecovery::EmailOnly);
    assert_eq!(
        a.account_recovery.recovery_mechanisms(),
        [RecoveryMechanism {
            name: "verified_email".into(),
            priority: 1
        }]
    );
    assert_eq!(a.verification.email_style, EmailVerificationStyle::Code);
    assert_eq!(a.verification.email_subject, "Verify your new account");
    assert_eq!(
        a.verification.email_message,
        "The verification code to your new account is {####}"
    );
    assert_eq!(
        a.verification.sms_message,
        "The verification code to your new account is {####}"
    );
    assert!(a.user_invitation.is_none());
    assert!(!a.passwordless.any_enabled());
    assert!(a.passwordless.allowed_first_auth_factors().is_empty());
    assert_eq!(
        a.client.explicit_auth_flows,
        [
            "ALLOW_CUSTOM_AUTH",
            "ALLOW_USER_SRP_AUTH",
            "ALLOW_REFRESH_TOKEN_AUTH"
        ]
    );
    assert_eq!(a.client.callback_urls, ["https://example.com"]);
    assert!(a.client.logout_urls.is_empty());
    assert!(
        a.allow_unauthenticated_identities && a.self_sign_up_enabled && !a.sign_in_case_sensitive
    );
    assert!(a.groups.is_empty() && a.external_providers.is_none());
}

#[test]
fn phone_only_recovery_default() {
    let a = auth(json!({"loginWith": {"phone": true}}));
    assert_eq!(a.account_recovery, AccountRecovery::PhoneOnlyWithoutMfa);
    assert_eq!(a.required_standard_attributes(), ["phone_number"]);
    assert_eq!(a.username_attributes, [VerifiableAttribute::PhoneNumber]);
}

fn rich() -> Value {
    json!({
        "name": "myauth",
        "$location": {"file": "amplify/auth/resource.ts", "line": 3, "column": 21},
        "loginWith": {
            "email": {"verificationEmailStyle": "CODE", "verificationEmailSubject": "Verify", "verificationEmailBody": "Code: {####}",
                      "otpLogin": true, "userInvitation": {"emailSubject": "Welcome", "emailBody": "User {username} pw {####}"}},
            "phone": {"verificationMessage": "Your code {####}"},
            "webAuthn": {"relyingPartyId": "example.com", "userVerification": "required"},
            "externalProviders": {
                "google": {"clientId": {"$secret": "GOOGLE_CLIENT_ID"}, "clientSecret": {"$secret": "GOOGLE_CLIENT_SECRET"},
                           "scopes": ["email", "profile"], "attributeMapping": {"email": "email", "givenName": "given_name", "custom": {"custom:tier": "hd"}}},
                "oidc": [{"name": "MicrosoftEntraID", "clientId": {"$secret": "OIDC_ID"}, "clientSecret": {"$secret": "OIDC_SECRET"},
                          "issuerUrl": "https://login.microsoftonline.com/tenant/v2.0", "scopes": ["openid", "email"]}],
                "saml": {"name": "Okta", "metadata": {"metadataType": "URL", "metadataContent": "https://example.okta.com/m"}},
                "scopes": ["EMAIL", "OPENID", "PROFILE"],
                "callbackUrls": ["http://localhost:3000/", "https://app.example.com/"],
                "logoutUrls": ["http://localhost:3000/"]
            }
        },
        "multifactor": {"mode": "OPTIONAL", "totp": true, "sms": {"smsMessage": "MFA {####}"}, "email": true},
        "userAttributes": {
            "givenName": {"required": true, "mutable": true},
            "birthdate": {"required": false},
            "custom:tier": {"dataType": "String", "mutable": true, "minLen": 1, "maxLen": 16},
            "custom:score": {"dataType": "Number", "min": 0, "max": 100},
            "custom:since": {"dataType": "DateTime", "mutable": false}
        },
        "accountRecovery": "EMAIL_AND_PHONE_WITHOUT_MFA",
        "groups": ["ADMINS", "EDITORS"],
        "triggers": {"preSignUp": {"$function": "preSignUp"}},
        "senders": {"email": {"fromEmail": "noreply@example.com", "fromName": "Example", "replyTo": "support@example.com"}},
        "passwordlessOptions": {"preferredChallenge": "EMAIL_OTP"},
        "access": [{"resource": {"$function": "preSignUp"}, "actions": ["addUserToGroup", "manageUsers"]}]
    })
}

#[test]
fn rich_definition() {
    let a = auth(rich());
    assert_eq!(
        (a.name.as_str(), a.user_pool_name.as_deref()),
        ("myauth", Some("myauth"))
    );
    assert_eq!(a.user_pool_id_env_var(), "MYAUTH_USERPOOL_ID");
    assert_eq!(
        a.required_standard_attributes(),
        ["email", "phone_number", "given_name"]
    );
    assert_eq!(
        a.standard_attributes[3],
        StandardAttribute {
            name: "birthdate".into(),
            required: false,
            mutable: true
        }
    );
    assert_eq!(a.custom_attributes[0].name, "tier");
    assert_eq!(
        (
            a.custom_attributes[0].min_length,
            a.custom_attributes[0].max_length
        ),
        (Some(1), Some(16))
    );
    assert_eq!(
        (
            a.custom_attributes[1].min_value,
            a.custom_attributes[1].max_value
        ),
        (Some(0.0), Some(100.0))
    );
    assert!(!a.custom_attributes[2].mutable);
    assert_eq!(
        a.mfa.methods,
        [MfaMethod::Sms, MfaMethod::Totp, MfaMethod::Email]
    );
    assert_eq!(a.mfa.sms_message.as_deref(), Some("MFA {####}"));
    assert_eq!(a.verification.email_message, "Code: {####}");
    assert_eq!(a.verification.sms_message, "Your code {####}");
    let inv = a.user_invitation.clone().unwrap();
    assert_eq!(
        inv.email_message.as_deref(),
        Some("User {username} pw {####}")
    );
    assert_eq!(
        a.groups[1],
        UserGroup {
            name: "EDITORS".into(),
            precedence: 1
        }
    );
    assert_eq!(
        a.passwordless.allowed_first_auth_factors(),
        [
            AuthChallenge::Password,
            AuthChallenge::EmailOtp,
            AuthChallenge::WebAuthn
        ]
    );
    assert_eq!(
        a.passwordless.web_authn.as_ref().unwrap().relying_party_id,
        "example.com"
    );
    assert_eq!(
        a.passwordless.preferred_challenge,
        Some(AuthChallenge::EmailOtp)
    );
    assert!(a.client.allows_flow("ALLOW_USER_AUTH"));
    assert_eq!(a.client.oauth_scopes, ["email", "openid", "profile"]);
    let ext = a.external_providers.as_ref().unwrap();
    let names: Vec<&str> = ext
        .providers
        .iter()
        .map(|p| p.provider_name.as_str())
        .collect();
    assert_eq!(names, ["Google", "MicrosoftEntraID", "Okta"]);
    let google = &ext.providers[0];
    assert_eq!(
        google.credential("clientId"),
        Some(&SecretValue::Secret("GOOGLE_CLIENT_ID".into()))
    );
    // email and phone both enabled: no automatic email mapping
    assert_eq!(
        google.attribute_mapping,
        [
            ("email".to_string(), "email".to_string()),
            ("given_name".into(), "given_name".into()),
            ("custom:tier".into(), "hd".into())
        ]
    );
    assert_eq!(
        ext.providers[1].settings.get("issuerUrl"),
        Some(&json!("https://login.microsoftonline.com/tenant/v2.0"))
    );
    assert_eq!(
        a.triggers,
        [AuthTrigger {
            event: TriggerEvent::PreSignUp,
            function: "preSignUp".into()
        }]
    );
    assert_eq!(
        a.access[0].iam_actions[0],
        "cognito-idp:AdminAddUserToGroup"
    );
    assert_eq!(a.access[0].iam_actions.len(), 14);
    assert!(matches!(a.senders.email, Some(EmailSender::Ses { .. })));
    assert_eq!(a.location.map(|l| l.line), Some(3));
}

#[test]
fn auto_email_mapping_and_default_scopes() {
    let a = auth(json!({"loginWith": {"email": true, "externalProviders": {
        "facebook": {"clientId": "id", "clientSecret": {"$secret": "S"}},
        "callbackUrls": ["app://cb/"], "logoutUrls": ["app://out/"]}}}));
    let fb = &a.external_providers.as_ref().unwrap().providers[0];
    assert_eq!(
        fb.attribute_mapping,
        [("email".to_string(), "email".to_string())]
    );
    assert_eq!(fb.scopes, ["public_profile"]);
    assert_eq!(
        fb.credential("clientId"),
        Some(&SecretValue::Plain("id".into()))
    );
    assert_eq!(
        a.client.oauth_scopes,
        [
            "phone",
            "email",
            "openid",
            "profile",
            "aws.cognito.signin.user.admin"
        ]
    );
    assert_eq!(a.client.callback_urls, ["app://cb/"]);
}

#[test]
fn link_style_and_webauthn_auto() {
    let a =
        auth(json!({"loginWith": {"email": {"verificationEmailStyle": "LINK"}, "webAuthn": true}}));
    assert_eq!(a.verification.email_style, EmailVerificationStyle::Link);
    assert_eq!(
        a.verification.email_message,
        "Verify your account by clicking on {##Verify Email##}"
    );
    let w = a.passwordless.web_authn.unwrap();
    assert_eq!(
        (w.relying_party_id.as_str(), w.user_verification),
        ("localhost", UserVerification::Preferred)
    );
}

#[test]
fn user_overrides_login_attribute_in_place() {
    let a = auth(
        json!({"loginWith": {"email": true}, "userAttributes": {"nickname": {"required": true}, "email": {"required": false}}}),
    );
    let names: Vec<&str> = a
        .standard_attributes
        .iter()
        .map(|s| s.name.as_str())
        .collect();
    assert_eq!(names, ["email", "nickname"]);
    assert_eq!(a.required_standard_attributes(), ["nickname"]);
}

#[test]
fn error_messages() {
    let cases: Vec<(Value, SpecErrorKind, &str)> = vec![
        (
            json!({"loginWith": {"email": true, "externalProviders": {"google": {"clientId": "a", "clientSecret": "b"}, "callbackUrls": ["x"], "logoutUrls": []}}}),
            SpecErrorKind::AuthConstructInitialization,
            "You must define logoutUrls when configuring external login providers.",
        ),
        (
            json!({"loginWith": {"phone": true}, "multifactor": {"mode": "OPTIONAL", "totp": true}}),
            SpecErrorKind::AuthConstructInitialization,
            "Invalid MFA settings. SMS must be enabled in multiFactor if loginWith phone is enabled",
        ),
        (
            json!({"loginWith": {"email": true}, "passwordlessOptions": {"preferredChallenge": "SMS_OTP"}}),
            SpecErrorKind::AuthConstructInitialization,
            "Preferred challenge \"SMS_OTP\" is not enabled in your authentication configuration. Enabled challenges: PASSWORD. This will result in a broken authentication flow in the frontend.",
        ),
        (
            json!({"loginWith": {"email": true}, "multifactor": {"mode": "OPTIONAL", "email": true}}),
            SpecErrorKind::AuthConstructInitialization,
            "To enable email-based MFA, set `email` property to the Amazon SES email-sending configuration.",
        ),
        (
            json!({"loginWith": {"email": {"verificationEmailBody": "no code"}}}),
            SpecErrorKind::AuthConstructInitialization,
            "Invalid email settings. Property 'verificationEmailBody' must utilize the 'code' parameter at least once as a placeholder for the verification code.",
        ),
        (
            json!({"loginWith": {"email": true}, "groups": ["A", "A"]}),
            SpecErrorKind::AuthConstructInitialization,
            "There is already a Construct with name 'AGroupRole' in AmplifyAuth [amplifyAuth]",
        ),
        (
            json!({"loginWith": {}}),
            SpecErrorKind::InvalidPasswordlessConfig,
            "Invalid passwordless authentication configuration",
        ),
        (
            json!({"loginWith": {"email": true}, "accountRecovery": "SOMETIMES"}),
            SpecErrorKind::InvalidProps,
            "defineAuth.accountRecovery: unknown value 'SOMETIMES'",
        ),
        (
            json!({"$reference": true, "userPoolId": "x"}),
            SpecErrorKind::Unsupported,
            "referenceAuth is not supported by a local sandbox: it points at an existing AWS user pool and identity pool.",
        ),
        (
            json!({"loginWith": {"email": true}, "access": [{"resource": {"$function": "f"}, "actions": []}]}),
            SpecErrorKind::EmptyPolicy,
            "At least one action must be specified.",
        ),
    ];
    for (v, kind, message) in cases {
        let e = err(v);
        assert_eq!((e.kind, e.message.as_str()), (kind, message));
    }
    let e = err(json!({"loginWith": {}}));
    assert_eq!(
        e.details.as_deref(),
        Some(
            "At least one authentication method must be enabled. Configure email, phone, or external providers in loginWith."
        )
    );
}

#[test]
fn preferred_group_is_lowest_precedence() {
    let a = auth(json!({"loginWith": {"email": true}, "groups": ["ADMINS", "EDITORS", "READERS"]}));
    assert_eq!(
        a.preferred_group(&["READERS", "EDITORS"])
            .map(|g| g.name.as_str()),
        Some("EDITORS")
    );
    assert_eq!(a.preferred_group(&["runtime-only"]), None);
    assert_eq!(a.preferred_group::<&str>(&[]), None);
}

#[test]
fn serde_round_trip() {
    let a = auth(rich());
    let v = serde_json::to_value(&a).unwrap();
    let back: AuthSpec = serde_json::from_value(v.clone()).unwrap();
    assert_eq!(serde_json::to_value(&back).unwrap(), v);
    assert_eq!(v["mfa"]["methods"], json!(["SMS", "TOTP", "EMAIL"]));
}
