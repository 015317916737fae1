//! `AuthSpec::from_props`: Amplify's defaults and validations, in the order Amplify applies
//! them (factory validation, then the auth construct, then CDK).

use serde_json::Value;

use super::*;
use crate::error::{SpecError, SpecErrorKind, validate_resource_name};
use crate::props::{self, Obj};

use super::wiring::{parse_access, parse_senders, parse_triggers};

fn construct_error(message: impl Into<String>) -> SpecError {
    SpecError::new(SpecErrorKind::AuthConstructInitialization, message)
        .with_resolution("See the underlying error message for more details.")
}

/// CDK `StandardAttributeNames`: the `userAttributes` / `attributeMapping` key → Cognito name.
pub(super) fn standard_attribute_name(key: &str) -> Option<&'static str> {
    Some(match key {
        "address" => "address",
        "birthdate" => "birthdate",
        "email" => "email",
        "familyName" => "family_name",
        "gender" => "gender",
        "givenName" => "given_name",
        "locale" => "locale",
        "middleName" => "middle_name",
        "fullname" => "name",
        "nickname" => "nickname",
        "phoneNumber" => "phone_number",
        "profilePicture" => "picture",
        "preferredUsername" => "preferred_username",
        "profilePage" => "profile",
        "timezone" => "zoneinfo",
        "lastUpdateTime" => "updated_at",
        "website" => "website",
        "emailVerified" => "email_verified",
        "phoneNumberVerified" => "phone_number_verified",
        _ => return None,
    })
}

/// `truthy` in the JS sense for a login method value (`true` or a settings object).
fn enabled(v: Option<&Value>) -> bool {
    matches!(v, Some(Value::Bool(true)) | Some(Value::Object(_)))
}

struct Login<'a> {
    email: bool,
    phone: bool,
    email_obj: Option<Obj<'a>>,
    phone_obj: Option<Obj<'a>>,
    /// `(relyingPartyId as written, resolved settings)`.
    web_authn: Option<(Option<String>, WebAuthnSettings)>,
    email_otp: bool,
    sms_otp: bool,
    external: Option<Obj<'a>>,
}

/// `true | false | { settings }` → the settings object, if any.
fn settings<'a>(lw: &Obj<'a>, key: &str, path: &'a str) -> Result<Option<Obj<'a>>, SpecError> {
    match lw.get(key) {
        None | Some(Value::Bool(_)) => Ok(None),
        Some(_) => lw.obj(key, path),
    }
}

fn parse_login<'a>(lw: &Obj<'a>) -> Result<Login<'a>, SpecError> {
    let email_obj = settings(lw, "email", "defineAuth.loginWith.email")?;
    let phone_obj = settings(lw, "phone", "defineAuth.loginWith.phone")?;
    let web_authn = match lw.get("webAuthn") {
        None | Some(Value::Bool(false)) => None,
        Some(Value::Bool(true)) => Some((
            None,
            WebAuthnSettings {
                relying_party_id: "AUTO".into(),
                user_verification: UserVerification::Preferred,
            },
        )),
        Some(v @ Value::Object(_)) => {
            let w = Obj::new(v, "defineAuth.loginWith.webAuthn")?;
            let rp = w.string("relyingPartyId")?;
            let uv = match w.str("userVerification")? {
                Some("required") => UserVerification::Required,
                None | Some("preferred") => UserVerification::Preferred,
                Some(other) => {
                    return Err(SpecError::props(format!(
                        "defineAuth.loginWith.webAuthn.userVerification must be 'required' or 'preferred', found '{other}'"
                    )));
                }
            };
            let resolved = rp
                .clone()
                .filter(|r| !r.is_empty())
                .unwrap_or_else(|| "AUTO".into());
            Some((
                rp,
                WebAuthnSettings {
                    relying_party_id: resolved,
                    user_verification: uv,
                },
            ))
        }
        Some(other) => {
            return Err(SpecError::props(format!(
                "defineAuth.loginWith.webAuthn must be true or an object, found {}",
                props::kind_of(other)
            )));
        }
    };
    let otp = |o: &Option<Obj<'a>>| -> Result<bool, SpecError> {
        Ok(match o {
            Some(o) => o.bool("otpLogin")? == Some(true),
            None => false,
        })
    };
    Ok(Login {
        email: enabled(lw.get("email")),
        phone: enabled(lw.get("phone")),
        email_otp: otp(&email_obj)?,
        sms_otp: otp(&phone_obj)?,
        email_obj,
        phone_obj,
        web_authn,
        external: lw.obj(
            "externalProviders",
            "defineAuth.loginWith.externalProviders",
        )?,
    })
}

fn is_domain(id: &str) -> bool {
    let label_ok = |l: &str| {
        let b = l.as_bytes();
        !b.is_empty()
            && b[0].is_ascii_alphanumeric()
            && b[b.len() - 1].is_ascii_alphanumeric()
            && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
    };
    id.split('.').all(label_ok)
}

/// `validatePasswordlessConfig` of `@aws-amplify/backend-auth`.
fn validate_passwordless(login: &Login<'_>, mfa_mode: Option<&str>) -> Result<(), SpecError> {
    let mut errors: Vec<String> = Vec::new();
    if !login.email && !login.phone && login.external.is_none() {
        errors.push("At least one authentication method must be enabled. Configure email, phone, or external providers in loginWith.".into());
    }
    if login.web_authn.is_some() && !login.email && !login.phone {
        errors.push("Passkeys (WebAuthn) require at least one sign-up method (email or phone).\n\nEmail OTP and SMS OTP are valid passwordless sign-up methods.\nPasskeys can only be registered after initial account creation.\n\nResolution: Add email or phone to loginWith configuration.".into());
    }
    if let Some((Some(rp), _)) = &login.web_authn {
        if rp.is_empty() || rp == "AUTO" || rp == "localhost" {
        } else if rp.contains("://") {
            errors.push(format!("Invalid relying party ID: \"{rp}\". Must be a valid domain without protocol (e.g., \"example.com\"), \"localhost\" for development, or \"AUTO\" for Amplify Hosting.\n\nExamples:\n  - Valid: \"example.com\", \"app.example.com\", \"localhost\", \"AUTO\"\n  - Invalid: \"http://example.com\", \"https://example.com\""));
        } else if !is_domain(rp) {
            errors.push(format!("Invalid relying party ID: \"{rp}\". Must be a valid domain format.\n\nExamples:\n  - Valid: \"example.com\", \"app.example.com\", \"localhost\", \"AUTO\"\n  - Invalid: \"example\", \"192.168.1.1\", \"my app.com\""));
        }
    }
    let any = login.email_otp || login.sms_otp || login.web_authn.is_some();
    if any && mfa_mode == Some("REQUIRED") {
        errors.push("Passwordless authentication (Email OTP, SMS OTP, WebAuthn) cannot be used when MFA is set to REQUIRED. Amazon Cognito does not support combining MFA with passwordless authentication methods.\n\nResolution: Choose either passwordless authentication or MFA, not both.\nNote: WebAuthn passkeys with user verification can provide similar security to MFA without requiring separate MFA configuration.".into());
    }
    if errors.is_empty() {
        return Ok(());
    }
    Err(SpecError::new(
        SpecErrorKind::InvalidPasswordlessConfig,
        "Invalid passwordless authentication configuration",
    )
    .with_details(errors.join("\n\n"))
    .with_resolution("Fix the configuration errors listed above"))
}

fn parse_preferred(o: &Obj<'_>, login: &Login<'_>) -> Result<Option<AuthChallenge>, SpecError> {
    let Some(opts) = o.obj("passwordlessOptions", "defineAuth.passwordlessOptions")? else {
        return Ok(None);
    };
    let Some(pc) = opts.str("preferredChallenge")?.filter(|s| !s.is_empty()) else {
        return Ok(None);
    };
    let mut enabled = vec![AuthChallenge::Password];
    if login.email_otp {
        enabled.push(AuthChallenge::EmailOtp);
    }
    if login.sms_otp {
        enabled.push(AuthChallenge::SmsOtp);
    }
    if login.web_authn.is_some() {
        enabled.push(AuthChallenge::WebAuthn);
    }
    match enabled.iter().find(|c| c.as_str() == pc) {
        Some(c) => Ok(Some(*c)),
        None => Err(construct_error(format!(
            "Preferred challenge \"{pc}\" is not enabled in your authentication configuration. Enabled challenges: {}. This will result in a broken authentication flow in the frontend.",
            enabled
                .iter()
                .map(|c| c.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))),
    }
}

fn parse_verification(login: &Login<'_>) -> Result<VerificationMessages, SpecError> {
    let mut style = EmailVerificationStyle::Code;
    let mut subject = None;
    let mut body = None;
    if let Some(e) = &login.email_obj {
        if e.str("verificationEmailStyle")? == Some("LINK") {
            style = EmailVerificationStyle::Link;
        }
        subject = e.string("verificationEmailSubject")?;
        body = e.string("verificationEmailBody")?;
        if let Some(b) = &body {
            match style {
                EmailVerificationStyle::Code if !b.contains(CODE_PLACEHOLDER) => {
                    return Err(construct_error(
                        "Invalid email settings. Property 'verificationEmailBody' must utilize the 'code' parameter at least once as a placeholder for the verification code.",
                    ));
                }
                EmailVerificationStyle::Link if !has_link_placeholder(b) => {
                    return Err(construct_error(
                        "Invalid email settings. Property 'verificationEmailBody' must utilize the 'link' parameter at least once as a placeholder for the verification link.",
                    ));
                }
                _ => {}
            }
        }
    }
    let mut sms = None;
    if let Some(p) = &login.phone_obj {
        sms = p.string("verificationMessage")?;
        if sms
            .as_deref()
            .is_some_and(|m| !m.contains(CODE_PLACEHOLDER))
        {
            return Err(construct_error(
                "Invalid phone settings. Property 'verificationMessage' must utilize the 'code' parameter at least once as a placeholder for the verification code.",
            ));
        }
    }
    let default_body = match style {
        EmailVerificationStyle::Code => DEFAULT_VERIFICATION_CODE_MESSAGE,
        EmailVerificationStyle::Link => DEFAULT_VERIFICATION_LINK_MESSAGE,
    };
    Ok(VerificationMessages {
        email_style: style,
        email_subject: subject.unwrap_or_else(|| DEFAULT_VERIFICATION_SUBJECT.into()),
        email_message: body.unwrap_or_else(|| default_body.into()),
        sms_message: sms.unwrap_or_else(|| DEFAULT_VERIFICATION_CODE_MESSAGE.into()),
    })
}

/// `{##<text>##}` with a non-empty text.
fn has_link_placeholder(body: &str) -> bool {
    body.match_indices("{##")
        .any(|(i, _)| body[i + 3..].find("##}").is_some_and(|end| end > 0))
}

fn parse_mfa(o: &Obj<'_>, login: &Login<'_>) -> Result<MfaSettings, SpecError> {
    let Some(m) = o.obj("multifactor", "defineAuth.multifactor")? else {
        return Ok(MfaSettings {
            mode: MfaMode::Off,
            methods: vec![],
            sms_message: None,
        });
    };
    let mode = match m.required_str("mode")? {
        "OFF" => MfaMode::Off,
        "OPTIONAL" => MfaMode::Optional,
        "REQUIRED" => MfaMode::Required,
        other => {
            return Err(SpecError::props(format!(
                "defineAuth.multifactor.mode must be 'OFF', 'OPTIONAL' or 'REQUIRED', found '{other}'"
            )));
        }
    };
    if mode == MfaMode::Off {
        return Ok(MfaSettings {
            mode,
            methods: vec![],
            sms_message: None,
        });
    }
    let sms = enabled(m.get("sms"));
    let totp = m.bool("totp")?.unwrap_or(false);
    let email = m.bool("email")?.unwrap_or(false);
    if login.phone && !sms {
        return Err(construct_error(
            "Invalid MFA settings. SMS must be enabled in multiFactor if loginWith phone is enabled",
        ));
    }
    // Checked by `check_mfa_message` after the senders, as the construct does.
    let sms_message = match settings(&m, "sms", "defineAuth.multifactor.sms")? {
        Some(s) => s.string("smsMessage")?,
        None => None,
    };
    let mut methods = Vec::new();
    if sms {
        methods.push(MfaMethod::Sms);
    }
    if totp {
        methods.push(MfaMethod::Totp);
    }
    if email {
        methods.push(MfaMethod::Email);
    }
    if methods.is_empty() {
        return Err(construct_error(
            "Invalid MFA settings. At least one of totp, sms or email must be enabled when mode is OPTIONAL or REQUIRED.",
        ));
    }
    Ok(MfaSettings {
        mode,
        methods,
        sms_message,
    })
}

fn check_mfa_message(mfa: &MfaSettings) -> Result<(), SpecError> {
    let Some(m) = mfa.sms_message.as_deref() else {
        return Ok(());
    };
    if !m.contains(CODE_PLACEHOLDER) {
        return Err(construct_error(
            "Invalid MFA settings. Property 'smsMessage' must utilize the 'code' parameter at least once as a placeholder for the verification code.",
        ));
    }
    // CDK UserPool
    if m.chars().count() > 140 {
        return Err(construct_error(
            "MFA message must be between 6 and 140 characters",
        ));
    }
    Ok(())
}

fn parse_attributes(
    o: &Obj<'_>,
    login: &Login<'_>,
) -> Result<(Vec<StandardAttribute>, Vec<CustomAttribute>), SpecError> {
    let login_attr = |on: bool| on.then_some((true, true));
    // `{ email: .., phoneNumber: .., ...userStandardAttributes }` keeps the first two slots.
    let mut standard: Vec<(String, Option<(bool, bool)>)> = vec![
        ("email".into(), login_attr(login.email)),
        ("phoneNumber".into(), login_attr(login.phone)),
    ];
    let mut custom = Vec::new();
    if let Some(attrs) = o.obj("userAttributes", "defineAuth.userAttributes")? {
        for (key, value) in attrs.map() {
            let path = format!("defineAuth.userAttributes.{key}");
            if key.len() > 7 && key[..7].eq_ignore_ascii_case("custom:") {
                custom.push(parse_custom_attribute(&key[7..], value, &path)?);
                continue;
            }
            if standard_attribute_name(key).is_none() {
                return Err(SpecError::props(format!(
                    "{path}: '{key}' is not a Cognito standard attribute"
                )));
            }
            let setting = match value {
                Value::Null | Value::Bool(false) => None,
                Value::Object(_) => {
                    let a = Obj::new(value, &path)?;
                    Some((
                        a.bool("required")?.unwrap_or(false),
                        a.bool("mutable")?.unwrap_or(true),
                    ))
                }
                other => {
                    return Err(SpecError::props(format!(
                        "{path} must be an object, found {}",
                        props::kind_of(other)
                    )));
                }
            };
            match standard.iter_mut().find(|(k, _)| k == key) {
                Some(slot) => slot.1 = setting,
                None => standard.push((key.clone(), setting)),
            }
        }
    }
    let standard = standard
        .into_iter()
        .filter_map(|(k, s)| {
            let (required, mutable) = s?;
            Some(StandardAttribute {
                name: standard_attribute_name(&k)?.to_string(),
                required,
                mutable,
            })
        })
        .collect();
    Ok((standard, custom))
}

fn parse_custom_attribute(
    name: &str,
    value: &Value,
    path: &str,
) -> Result<CustomAttribute, SpecError> {
    let a = Obj::new(value, path)?;
    let data_type = match a.required_str("dataType")? {
        "String" => CustomAttributeType::String,
        "Number" => CustomAttributeType::Number,
        "Boolean" => CustomAttributeType::Boolean,
        "DateTime" => CustomAttributeType::DateTime,
        other => {
            return Err(SpecError::props(format!(
                "{path}.dataType must be String, Number, Boolean or DateTime, found '{other}'"
            )));
        }
    };
    let len = |k: &str| -> Result<Option<u32>, SpecError> {
        match a.number(k)? {
            None => Ok(None),
            Some(n) => props::whole_between(n, 0.0, 2048.0)
                .map(Some)
                .ok_or_else(|| {
                    SpecError::props(format!(
                        "{path}.{k} must be a whole number between 0 and 2048"
                    ))
                }),
        }
    };
    let is_string = data_type == CustomAttributeType::String;
    let is_number = data_type == CustomAttributeType::Number;
    Ok(CustomAttribute {
        name: name.to_string(),
        data_type,
        mutable: a.bool("mutable")?.unwrap_or(true),
        min_length: if is_string { len("minLen")? } else { None },
        max_length: if is_string { len("maxLen")? } else { None },
        min_value: if is_number { a.number("min")? } else { None },
        max_value: if is_number { a.number("max")? } else { None },
    })
}

fn parse_account_recovery(o: &Obj<'_>, login: &Login<'_>) -> Result<AccountRecovery, SpecError> {
    Ok(match o.str("accountRecovery")? {
        Some("EMAIL_AND_PHONE_WITHOUT_MFA") => AccountRecovery::EmailAndPhoneWithoutMfa,
        Some("PHONE_WITHOUT_MFA_AND_EMAIL") => AccountRecovery::PhoneWithoutMfaAndEmail,
        Some("EMAIL_ONLY") => AccountRecovery::EmailOnly,
        Some("PHONE_ONLY_WITHOUT_MFA") => AccountRecovery::PhoneOnlyWithoutMfa,
        Some("PHONE_AND_EMAIL") => AccountRecovery::PhoneAndEmail,
        Some("NONE") => AccountRecovery::None,
        Some(other) => {
            return Err(SpecError::props(format!(
                "defineAuth.accountRecovery: unknown value '{other}'"
            )));
        }
        None if login.email => AccountRecovery::EmailOnly,
        None => AccountRecovery::PhoneOnlyWithoutMfa,
    })
}

impl AuthSpec {
    /// Build from the loader's raw `defineAuth` props (see `raw-props.md`).
    pub fn from_props(raw: &Value) -> Result<Self, SpecError> {
        let location = props::location(raw);
        build(raw, location.clone()).map_err(|e| e.at(location.as_ref()))
    }
}

fn build(raw: &Value, location: Option<SourceLocation>) -> Result<AuthSpec, SpecError> {
    let o = Obj::new(raw, "defineAuth")?;
    if o.bool("$reference")? == Some(true) {
        return Err(SpecError::new(
            SpecErrorKind::Unsupported,
            "referenceAuth is not supported by a local sandbox: it points at an existing AWS user pool and identity pool.",
        )
        .with_resolution("Use defineAuth for local development."));
    }
    let user_pool_name = o.string("name")?;
    if let Some(n) = &user_pool_name {
        validate_resource_name(n)?;
    }
    let name = user_pool_name
        .clone()
        .unwrap_or_else(|| DEFAULT_AUTH_NAME.into());
    let lw = o
        .obj("loginWith", "defineAuth.loginWith")?
        .ok_or_else(|| SpecError::props("defineAuth.loginWith is required"))?;
    let login = parse_login(&lw)?;
    let raw_mfa_mode = o
        .obj("multifactor", "defineAuth.multifactor")?
        .map(|m| m.str("mode"))
        .transpose()?
        .flatten();
    validate_passwordless(&login, raw_mfa_mode)?;

    // --- the auth construct ---
    let preferred_challenge = parse_preferred(&o, &login)?;
    if !login.email && !login.phone {
        return Err(construct_error(
            "At least one of email or phone must be enabled.",
        ));
    }
    let verification = parse_verification(&login)?;
    let mfa = parse_mfa(&o, &login)?;
    let (standard_attributes, custom_attributes) = parse_attributes(&o, &login)?;
    let senders = parse_senders(&o)?;
    check_mfa_message(&mfa)?;
    let account_recovery = parse_account_recovery(&o, &login)?;
    let user_invitation = match &login.email_obj {
        Some(e) => match e.obj(
            "userInvitation",
            "defineAuth.loginWith.email.userInvitation",
        )? {
            Some(i) => Some(InvitationMessages {
                email_subject: i.string("emailSubject")?,
                email_message: i.string("emailBody")?,
                sms_message: i.string("smsMessage")?,
            }),
            None => None,
        },
        None => None,
    };
    // --- CDK UserPool checks ---
    if mfa.methods.contains(&MfaMethod::Email)
        && !matches!(senders.email, Some(EmailSender::Ses { .. }))
    {
        return Err(construct_error(
            "To enable email-based MFA, set `email` property to the Amazon SES email-sending configuration.",
        ));
    }
    let web_authn = login.web_authn.as_ref().map(|(_, w)| WebAuthnSettings {
        // Sandbox deployment: AUTO → localhost.
        relying_party_id: if w.relying_party_id == "AUTO" {
            "localhost".into()
        } else {
            w.relying_party_id.clone()
        },
        user_verification: w.user_verification,
    });
    if let Some(w) = &web_authn {
        let len = w.relying_party_id.chars().count();
        if !(1..=63).contains(&len) {
            return Err(construct_error(format!(
                "passkeyRelyingPartyId length must be (inclusively) between 1 and 63, got {len}"
            )));
        }
    }
    let passwordless = PasswordlessSettings {
        email_otp: login.email_otp,
        sms_otp: login.sms_otp,
        web_authn,
        preferred_challenge,
    };
    let external_providers = match &login.external {
        Some(ext) => Some(super::providers::parse(
            ext,
            &name,
            login.email && !login.phone,
        )?),
        None => None,
    };
    let client = client_settings(
        &passwordless,
        external_providers.as_ref(),
        login.external.as_ref(),
    )?;
    let mut groups: Vec<UserGroup> = Vec::new();
    for (i, g) in o
        .str_list("groups")?
        .unwrap_or_default()
        .into_iter()
        .enumerate()
    {
        if groups.iter().any(|x| x.name == g) {
            let prefix = user_pool_name.as_deref().unwrap_or_default();
            return Err(construct_error(format!(
                "There is already a Construct with name '{prefix}{g}GroupRole' in AmplifyAuth [{name}]"
            )));
        }
        groups.push(UserGroup {
            name: g,
            precedence: u32::try_from(i).unwrap_or(u32::MAX),
        });
    }
    let verifiable = |email: bool, phone: bool| {
        let mut v = Vec::new();
        if email {
            v.push(VerifiableAttribute::Email);
        }
        if phone {
            v.push(VerifiableAttribute::PhoneNumber);
        }
        v
    };
    Ok(AuthSpec {
        name,
        user_pool_name,
        email_login: login.email,
        phone_login: login.phone,
        username_attributes: verifiable(login.email, login.phone),
        auto_verified_attributes: verifiable(login.email, login.phone),
        attributes_require_verification_before_update: verifiable(login.email, login.phone),
        sign_in_case_sensitive: false,
        self_sign_up_enabled: true,
        prevent_user_existence_errors: true,
        password_policy: PasswordPolicy::default(),
        standard_attributes,
        custom_attributes,
        verification,
        user_invitation,
        mfa,
        account_recovery,
        passwordless,
        groups,
        allow_unauthenticated_identities: true,
        client,
        external_providers,
        triggers: parse_triggers(&o)?,
        senders,
        access: parse_access(&o)?,
        location,
    })
}

fn client_settings(
    passwordless: &PasswordlessSettings,
    external: Option<&ExternalProviders>,
    raw_external: Option<&Obj<'_>>,
) -> Result<UserPoolClientSettings, SpecError> {
    let mut flows: Vec<String> = [
        "ALLOW_CUSTOM_AUTH",
        "ALLOW_USER_SRP_AUTH",
        "ALLOW_REFRESH_TOKEN_AUTH",
    ]
    .map(String::from)
    .to_vec();
    if passwordless.any_enabled() {
        flows.push("ALLOW_USER_AUTH".into());
    }
    let (scopes, callback_urls, logout_urls) = match (external, raw_external) {
        (Some(e), Some(raw)) => {
            let scopes: Vec<String> = match raw.str_list("scopes")? {
                Some(s) => s
                    .iter()
                    .map(|x| {
                        oauth_scope_name(x).map(str::to_string).ok_or_else(|| {
                            SpecError::props(format!(
                                "defineAuth.loginWith.externalProviders.scopes: unknown scope '{x}' (PHONE, EMAIL, OPENID, PROFILE, COGNITO_ADMIN)"
                            ))
                        })
                    })
                    .collect::<Result<_, _>>()?,
                None => ["phone", "email", "openid", "profile", "aws.cognito.signin.user.admin"].map(String::from).to_vec(),
            };
            (
                cdk_scopes(scopes),
                e.callback_urls.clone(),
                e.logout_urls.clone(),
            )
        }
        // CDK's defaults for a client with OAuth but no configuration.
        _ => (
            [
                "profile",
                "phone",
                "email",
                "openid",
                "aws.cognito.signin.user.admin",
            ]
            .map(String::from)
            .to_vec(),
            vec!["https://example.com".to_string()],
            Vec::new(),
        ),
    };
    Ok(UserPoolClientSettings {
        explicit_auth_flows: flows,
        oauth_flows: vec!["code".into()],
        oauth_scopes: scopes,
        callback_urls,
        logout_urls,
    })
}

fn oauth_scope_name(s: &str) -> Option<&'static str> {
    Some(match s {
        "PHONE" => "phone",
        "EMAIL" => "email",
        "OPENID" => "openid",
        "PROFILE" => "profile",
        "COGNITO_ADMIN" => "aws.cognito.signin.user.admin",
        _ => return None,
    })
}

/// CDK `configureOAuthScopes`: de-duplicate, and add `openid` when phone/email/profile is asked.
fn cdk_scopes(scopes: Vec<String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for s in scopes {
        if !out.contains(&s) {
            out.push(s);
        }
    }
    if out
        .iter()
        .any(|s| s == "phone" || s == "email" || s == "profile")
        && !out.iter().any(|s| s == "openid")
    {
        out.push("openid".into());
    }
    out
}
