//! RespondToAuthChallenge and what follows a verified first factor: account status checks,
//! NEW_PASSWORD_REQUIRED, the MFA decision (SMS_MFA, SOFTWARE_TOKEN_MFA, EMAIL_OTP,
//! SELECT_MFA_TYPE, MFA_SETUP) and finally the tokens.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value, json};
use stratus_spec::auth::{MfaMethod, MfaMode};

use super::pool_triggers::TokenSource;
use super::session::{AuthContext, MAX_MFA_ATTEMPTS, MfaKind, Pending};
use super::signin::param;
use super::{AuthService, Delivery, Template};
use crate::attributes::{self, Write, is_email};
use crate::crypto;
use crate::db::{MfaFlags, UserRow, UserStatus};
use crate::error::{CResult, CognitoError, ErrorKind};
use crate::sender::Channel;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct RespondRequest {
    challenge_name: String,
    client_id: String,
    #[serde(default)]
    challenge_responses: BTreeMap<String, String>,
    #[serde(default)]
    session: Option<String>,
    /// Given to the custom authentication triggers.
    #[serde(default)]
    client_metadata: BTreeMap<String, String>,
}

/// Code purpose of session-bound MFA codes.
const MFA_CODE: &str = "mfa";

impl AuthService {
    pub(super) async fn respond_to_auth_challenge(&self, r: RespondRequest) -> CResult<Value> {
        self.check_client(&r.client_id)?;
        let token = r.session.unwrap_or_default();
        let (pending, expires_at) = self.take_session(Some(&token)).await?;
        if pending.challenge_name() != r.challenge_name {
            self.restore_session(&token, &pending, expires_at).await?;
            return Err(CognitoError::invalid_parameter(format!(
                "Invalid challenge name {}: the session expects {}",
                r.challenge_name,
                pending.challenge_name()
            )));
        }
        let responses = &r.challenge_responses;
        match pending {
            p @ Pending::PasswordVerifier { .. } => {
                self.password_verifier(&token, expires_at, p, responses)
                    .await
            }
            Pending::CustomChallenge {
                state,
                private,
                metadata,
            } => {
                self.answer_custom_challenge(
                    *state,
                    private,
                    metadata,
                    responses,
                    r.client_metadata,
                )
                .await
            }
            Pending::DeviceSrpAuth { ctx } => self.device_srp_auth(ctx, responses).await,
            p @ Pending::DevicePasswordVerifier { .. } => {
                self.device_password_verifier(p, responses).await
            }
            Pending::SignUpConfirmed { .. } => Err(CognitoError::invalid_session()),
            Pending::SelectChallenge { login, options } => {
                self.select_challenge(&login, &options, responses).await
            }
            p @ Pending::FirstFactorOtp { .. } => {
                self.answer_first_factor_otp(&token, p, expires_at, responses)
                    .await
            }
            p @ Pending::Mfa { .. } => self.answer_mfa(&token, p, expires_at, responses).await,
            Pending::SelectMfaType { ctx, options } => {
                let answer = param(responses, "ANSWER")?;
                let kind = MfaKind::from_name(answer)
                    .filter(|k| options.contains(k))
                    .ok_or_else(|| {
                        CognitoError::invalid_parameter(format!("Invalid MFA type {answer}"))
                    })?;
                let user = self.user(&ctx.sub).await?;
                self.mfa_challenge(&user, kind, ctx, None).await
            }
            Pending::MfaSetup {
                ctx,
                options,
                totp_verified,
            } => {
                let user = self.user(&ctx.sub).await?;
                if totp_verified {
                    return self.issue_tokens(&user, &ctx).await;
                }
                match responses.get("EMAIL") {
                    Some(email) if options.contains(&MfaKind::Email) => {
                        if !is_email(email) {
                            return Err(CognitoError::invalid_parameter(
                                "Invalid email address format.",
                            ));
                        }
                        self.mfa_challenge(&user, MfaKind::Email, ctx, Some(email.clone()))
                            .await
                    }
                    _ => Err(CognitoError::invalid_parameter(
                        "MFA setup is not complete: associate and verify a software token or \
                         give an EMAIL",
                    )),
                }
            }
            Pending::NewPasswordRequired { ctx } => {
                let result = self.new_password(ctx.clone(), responses).await;
                // A rejected password or attribute may be corrected within the session.
                if let Err(e) = &result
                    && matches!(
                        e.kind,
                        ErrorKind::InvalidPassword | ErrorKind::InvalidParameter
                    )
                {
                    let pending = Pending::NewPasswordRequired { ctx };
                    self.restore_session(&token, &pending, expires_at).await?;
                }
                result
            }
        }
    }

    /// After the password (or another first factor) was verified.
    pub(super) async fn after_first_factor(
        &self,
        user: UserRow,
        device_key: Option<String>,
    ) -> CResult<Value> {
        self.after_factor(user, device_key, false).await
    }

    /// [`Self::after_first_factor`]; `passwordless` when the factor was a one-time code.
    pub(super) async fn after_factor(
        &self,
        user: UserRow,
        device_key: Option<String>,
        passwordless: bool,
    ) -> CResult<Value> {
        if !user.enabled {
            return Err(CognitoError::not_authorized("User is disabled."));
        }
        let ctx = AuthContext {
            sub: user.sub.clone(),
            auth_time: self.now(),
            device_key,
            passwordless,
            token_source: Default::default(),
        };
        match user.status {
            UserStatus::Unconfirmed => Err(CognitoError::new(
                ErrorKind::UserNotConfirmed,
                "User is not confirmed.",
            )),
            UserStatus::ResetRequired => Err(CognitoError::new(
                ErrorKind::PasswordResetRequired,
                "Password reset required for the user",
            )),
            UserStatus::ForceChangePassword => self.new_password_challenge(&user, ctx).await,
            UserStatus::Confirmed => match self.device_step(&user, &ctx).await? {
                Some(challenge) => Ok(challenge),
                None => self.mfa_step(&user, ctx).await,
            },
        }
    }

    async fn new_password_challenge(&self, user: &UserRow, ctx: AuthContext) -> CResult<Value> {
        let attrs = self.db().attributes(&user.sub).await?;
        let missing: Vec<String> = self
            .inner
            .spec
            .required_standard_attributes()
            .into_iter()
            .filter(|r| !attrs.iter().any(|(n, v)| n == r && !v.is_empty()))
            .map(|r| format!("userAttributes.{r}"))
            .collect();
        let visible: Map<String, Value> = attrs
            .iter()
            .filter(|(n, _)| !attributes::is_verified_flag(n))
            .map(|(n, v)| (n.clone(), json!(v)))
            .collect();
        let session = self
            .new_session(&Pending::NewPasswordRequired { ctx })
            .await?;
        Ok(json!({
            "ChallengeName": "NEW_PASSWORD_REQUIRED",
            "Session": session,
            "ChallengeParameters": {
                "USER_ID_FOR_SRP": user.username,
                "requiredAttributes": serde_json::to_string(&missing).unwrap_or_default(),
                "userAttributes": Value::Object(visible).to_string(),
            },
        }))
    }

    async fn new_password(
        &self,
        mut ctx: AuthContext,
        responses: &BTreeMap<String, String>,
    ) -> CResult<Value> {
        ctx.token_source = TokenSource::NewPasswordChallenge;
        let password = param(responses, "NEW_PASSWORD")?;
        crate::password::check(&self.inner.spec.password_policy, password, "password")?;
        let given: Vec<(String, String)> = responses
            .iter()
            .filter_map(|(k, v)| {
                k.strip_prefix("userAttributes.")
                    .map(|n| (n.to_string(), v.clone()))
            })
            .collect();
        let given = attributes::validate(&self.inner.spec, &given, Write::Update)?;
        let user = self.user(&ctx.sub).await?;
        let mut all = self.db().attributes(&user.sub).await?;
        for (n, v) in &given {
            all.retain(|(m, _)| m != n);
            all.push((n.clone(), v.clone()));
        }
        attributes::check_required(&self.inner.spec, &all)?;
        let now = self.set_password(&user, password).await?;
        self.db().set_attributes(&user.sub, &given, now).await?;
        self.db()
            .set_status(&user.sub, UserStatus::Confirmed, now)
            .await?;
        let user = self.user(&ctx.sub).await?;
        self.mfa_step(&user, ctx).await
    }

    /// Decides the second factor: none (tokens), one challenge, a choice, or a setup.
    pub(super) async fn mfa_step(&self, user: &UserRow, ctx: AuthContext) -> CResult<Value> {
        let mfa = &self.inner.spec.mfa;
        if mfa.mode == MfaMode::Off || ctx.passwordless {
            return self.issue_tokens(user, &ctx).await;
        }
        let attrs = self.db().attributes(&user.sub).await?;
        let has = |name: &str| attrs.iter().any(|(n, v)| n == name && !v.is_empty());
        let pool_has = |m: MfaMethod| mfa.methods.contains(&m);
        let mut enabled = Vec::new();
        if user.mfa.sms && pool_has(MfaMethod::Sms) && has("phone_number") {
            enabled.push(MfaKind::Sms);
        }
        if user.mfa.totp && pool_has(MfaMethod::Totp) && user.totp_secret.is_some() {
            enabled.push(MfaKind::Totp);
        }
        if user.mfa.email && pool_has(MfaMethod::Email) && has("email") {
            enabled.push(MfaKind::Email);
        }
        if enabled.is_empty() {
            if mfa.mode != MfaMode::Required {
                return self.issue_tokens(user, &ctx).await;
            }
            // Required: SMS to a known phone number, else the user must set a factor up.
            if pool_has(MfaMethod::Sms) && has("phone_number") {
                return self.mfa_challenge(user, MfaKind::Sms, ctx, None).await;
            }
            let options: Vec<MfaKind> = mfa
                .methods
                .iter()
                .map(|m| match m {
                    MfaMethod::Sms => MfaKind::Sms,
                    MfaMethod::Totp => MfaKind::Totp,
                    MfaMethod::Email => MfaKind::Email,
                })
                .collect();
            let names: Vec<&str> = options.iter().map(|k| k.challenge_name()).collect();
            let session = self
                .new_session(&Pending::MfaSetup {
                    ctx,
                    options: options.clone(),
                    totp_verified: false,
                })
                .await?;
            return Ok(json!({
                "ChallengeName": "MFA_SETUP",
                "Session": session,
                "ChallengeParameters": {
                    "MFAS_CAN_SETUP": serde_json::to_string(&names).unwrap_or_default(),
                    "USER_ID_FOR_SRP": user.username,
                },
            }));
        }
        let preferred = user
            .mfa_preferred
            .as_deref()
            .and_then(MfaKind::from_name)
            .filter(|k| enabled.contains(k));
        match (preferred, enabled.as_slice()) {
            (Some(k), _) | (None, &[k]) => self.mfa_challenge(user, k, ctx, None).await,
            _ => {
                let names: Vec<&str> = enabled.iter().map(|k| k.challenge_name()).collect();
                let session = self
                    .new_session(&Pending::SelectMfaType {
                        ctx,
                        options: enabled,
                    })
                    .await?;
                Ok(json!({
                    "ChallengeName": "SELECT_MFA_TYPE",
                    "Session": session,
                    "ChallengeParameters": {
                        "MFAS_CAN_CHOOSE": serde_json::to_string(&names).unwrap_or_default(),
                        "USERNAME": user.username,
                    },
                }))
            }
        }
    }

    /// Issues one MFA challenge; SMS and email codes are generated, sent and bound to the
    /// new session.
    async fn mfa_challenge(
        &self,
        user: &UserRow,
        kind: MfaKind,
        ctx: AuthContext,
        setup_email: Option<String>,
    ) -> CResult<Value> {
        let mut params = Map::new();
        params.insert("USERNAME".into(), json!(user.username));
        let mut code_hash = None;
        if kind != MfaKind::Totp {
            let (attribute, channel) = match kind {
                MfaKind::Sms => ("phone_number", Channel::Sms),
                _ => ("email", Channel::Email),
            };
            let to = match &setup_email {
                Some(e) => e.clone(),
                None => self
                    .db()
                    .attributes(&user.sub)
                    .await?
                    .into_iter()
                    .find(|(n, _)| n == attribute)
                    .map(|(_, v)| v)
                    .ok_or_else(|| {
                        CognitoError::invalid_parameter(format!("User has no {attribute}"))
                    })?,
            };
            let code = crypto::numeric_code(6)?;
            code_hash = Some(self.code_hash(&user.sub, MFA_CODE, &code));
            let d = Delivery {
                attribute,
                channel,
                to: &to,
                username: &user.username,
                trigger_source: "CustomMessage_Authentication",
                template: Template::Authentication,
                user,
            };
            let details = self.deliver(&d, &code).await?;
            params.insert(
                "CODE_DELIVERY_DELIVERY_MEDIUM".into(),
                details["DeliveryMedium"].clone(),
            );
            params.insert(
                "CODE_DELIVERY_DESTINATION".into(),
                details["Destination"].clone(),
            );
        }
        let session = self
            .new_session(&Pending::Mfa {
                kind,
                ctx,
                code_hash,
                attempts: 0,
                setup_email,
            })
            .await?;
        Ok(json!({
            "ChallengeName": kind.challenge_name(),
            "Session": session,
            "ChallengeParameters": params,
        }))
    }

    async fn answer_mfa(
        &self,
        token: &str,
        pending: Pending,
        expires_at: i64,
        responses: &BTreeMap<String, String>,
    ) -> CResult<Value> {
        let Pending::Mfa {
            kind,
            ctx,
            code_hash,
            attempts,
            setup_email,
        } = pending
        else {
            return Err(CognitoError::invalid_session());
        };
        let code = param(responses, kind.code_key())?;
        let user = self.user(&ctx.sub).await?;
        let ok = match (&code_hash, kind) {
            (_, MfaKind::Totp) => self.check_totp(&user, code, false).await?,
            (Some(h), _) => crypto::ct_eq(h, &self.code_hash(&user.sub, MFA_CODE, code)),
            (None, _) => false,
        };
        if !ok {
            if attempts + 1 < MAX_MFA_ATTEMPTS {
                let retry = Pending::Mfa {
                    kind,
                    ctx,
                    code_hash,
                    attempts: attempts + 1,
                    setup_email,
                };
                self.restore_session(token, &retry, expires_at).await?;
            }
            return Err(CognitoError::new(
                ErrorKind::CodeMismatch,
                "Invalid code received for user",
            ));
        }
        if let Some(email) = setup_email {
            self.adopt_mfa_email(&user, &email).await?;
        }
        let user = self.user(&ctx.sub).await?;
        self.issue_tokens(&user, &ctx).await
    }

    /// MFA_SETUP with EMAIL, code confirmed: the address becomes the user's verified email
    /// and email MFA is turned on.
    async fn adopt_mfa_email(&self, user: &UserRow, email: &str) -> CResult<()> {
        let now = self.now();
        self.set_verifiable(user, "email", email, true, now).await?;
        let flags = MfaFlags {
            email: true,
            ..user.mfa
        };
        let preferred = user.mfa_preferred.as_deref().or(Some("EMAIL_OTP"));
        self.db().set_mfa(&user.sub, flags, preferred, now).await?;
        Ok(())
    }
}
