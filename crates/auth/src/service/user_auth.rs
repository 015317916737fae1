//! The choice-based `USER_AUTH` flow: `SELECT_CHALLENGE` with the first factors open to the
//! user (`PASSWORD`, `PASSWORD_SRP`, and `EMAIL_OTP` / `SMS_OTP` when the pool enables
//! passwordless sign-in), a `PREFERRED_CHALLENGE` taken directly, and one-time codes as the
//! first factor (no MFA follows them, as in Cognito).

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::session::{MAX_MFA_ATTEMPTS, Pending};
use super::signin::param;
use super::{AuthService, Delivery, Template, delivery_details};
use crate::crypto;
use crate::db::UserRow;
use crate::error::{CResult, CognitoError, ErrorKind};
use crate::sender::Channel;

/// Code purpose of first-factor one-time codes.
const OTP_CODE: &str = "otp";

impl AuthService {
    /// The first factors the pool offers (also what an unknown user is shown).
    fn pool_factors(&self) -> Vec<String> {
        let pw = &self.inner.spec.passwordless;
        let mut v = vec!["PASSWORD".to_string(), "PASSWORD_SRP".to_string()];
        if pw.email_otp {
            v.push("EMAIL_OTP".into());
        }
        if pw.sms_otp {
            v.push("SMS_OTP".into());
        }
        v
    }

    /// The first factors open to `user`: the pool's, minus codes to an address they lack.
    async fn user_factors(&self, user: &UserRow) -> CResult<Vec<String>> {
        let attrs = self.db().attributes(&user.sub).await?;
        let has = |name: &str| attrs.iter().any(|(n, v)| n == name && !v.is_empty());
        Ok(self
            .pool_factors()
            .into_iter()
            .filter(|f| match f.as_str() {
                "PASSWORD" | "PASSWORD_SRP" => user.srp_verifier.is_some(),
                "EMAIL_OTP" => has("email"),
                "SMS_OTP" => has("phone_number"),
                _ => false,
            })
            .collect())
    }

    /// InitiateAuth `USER_AUTH`.
    pub(super) async fn user_auth(&self, p: &BTreeMap<String, String>) -> CResult<Value> {
        let login = param(p, "USERNAME")?;
        let user = self.db().user_by_login(login).await?;
        let options = match &user {
            Some(u) => self.user_factors(u).await?,
            None => self.pool_factors(),
        };
        if let Some(preferred) = p.get("PREFERRED_CHALLENGE").filter(|c| !c.is_empty()) {
            if options.contains(preferred) {
                return self.start_factor(login, user.as_ref(), preferred, p).await;
            }
            if !self.pool_factors().contains(preferred) && preferred != "WEB_AUTHN" {
                return Err(CognitoError::invalid_parameter(format!(
                    "Invalid PREFERRED_CHALLENGE {preferred}"
                )));
            }
        }
        let session = self
            .new_session(&Pending::SelectChallenge {
                login: login.to_string(),
                options: options.clone(),
            })
            .await?;
        Ok(json!({
            "ChallengeName": "SELECT_CHALLENGE",
            "Session": session,
            "ChallengeParameters": {},
            "AvailableChallenges": options,
        }))
    }

    /// InitiateAuth `USER_AUTH` with the `Session` of ConfirmSignUp: the confirmed user is
    /// signed in (no further factor).
    pub(super) async fn user_auth_after_sign_up(
        &self,
        p: &BTreeMap<String, String>,
        session: &str,
    ) -> CResult<Value> {
        let login = param(p, "USERNAME")?;
        let (pending, _) = self.take_session(Some(session)).await?;
        let Pending::SignUpConfirmed { sub } = pending else {
            return Err(CognitoError::invalid_session());
        };
        let user = self
            .db()
            .user_by_login(login)
            .await?
            .filter(|u| u.sub == sub)
            .ok_or_else(CognitoError::invalid_session)?;
        let device_key = p.get("DEVICE_KEY").filter(|k| !k.is_empty()).cloned();
        self.after_factor(user, device_key, true).await
    }

    /// RespondToAuthChallenge `SELECT_CHALLENGE`.
    pub(super) async fn select_challenge(
        &self,
        login: &str,
        options: &[String],
        responses: &BTreeMap<String, String>,
    ) -> CResult<Value> {
        let answer = param(responses, "ANSWER")?;
        if !options.iter().any(|o| o == answer) {
            return Err(CognitoError::invalid_parameter(format!(
                "Invalid challenge answer {answer}"
            )));
        }
        let user = self.db().user_by_login(login).await?;
        self.start_factor(login, user.as_ref(), answer, responses)
            .await
    }

    async fn start_factor(
        &self,
        login: &str,
        user: Option<&UserRow>,
        factor: &str,
        p: &BTreeMap<String, String>,
    ) -> CResult<Value> {
        let device_key = p.get("DEVICE_KEY").filter(|k| !k.is_empty()).cloned();
        match factor {
            "PASSWORD" => {
                self.password_auth(login, param(p, "PASSWORD")?, device_key)
                    .await
            }
            "PASSWORD_SRP" => self.srp_start(login, param(p, "SRP_A")?, device_key).await,
            "EMAIL_OTP" => self.otp_start(login, user, false).await,
            "SMS_OTP" => self.otp_start(login, user, true).await,
            other => Err(CognitoError::invalid_parameter(format!(
                "The first factor {other} is not supported"
            ))),
        }
    }

    /// Sends a one-time code as the first factor. An unknown user gets a look-alike challenge
    /// (nothing is sent; every answer fails).
    async fn otp_start(&self, login: &str, user: Option<&UserRow>, sms: bool) -> CResult<Value> {
        let (attribute, channel) = if sms {
            ("phone_number", Channel::Sms)
        } else {
            ("email", Channel::Email)
        };
        // Trigger point: PreAuthentication.
        self.pre_authentication_trigger(login, user).await?;
        let (sub, code_hash, details) = match user {
            Some(user) => {
                if self.now() < user.locked_until {
                    return Err(super::signin::locked_out());
                }
                let to = self
                    .db()
                    .attributes(&user.sub)
                    .await?
                    .into_iter()
                    .find(|(n, _)| n == attribute)
                    .map(|(_, v)| v)
                    .ok_or_else(|| {
                        CognitoError::invalid_parameter(format!("User has no {attribute}"))
                    })?;
                let code = crypto::numeric_code(if sms { 6 } else { 8 })?;
                let hash = self.code_hash(&user.sub, OTP_CODE, &code);
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
                (Some(user.sub.clone()), Some(hash), details)
            }
            None => (None, None, delivery_details(attribute, channel, login)),
        };
        let session = self
            .new_session(&Pending::FirstFactorOtp {
                sms,
                sub,
                code_hash,
                attempts: 0,
            })
            .await?;
        let mut params = Map::new();
        params.insert(
            "CODE_DELIVERY_DELIVERY_MEDIUM".into(),
            details["DeliveryMedium"].clone(),
        );
        params.insert(
            "CODE_DELIVERY_DESTINATION".into(),
            details["Destination"].clone(),
        );
        Ok(json!({
            "ChallengeName": if sms { "SMS_OTP" } else { "EMAIL_OTP" },
            "Session": session,
            "ChallengeParameters": params,
        }))
    }

    /// RespondToAuthChallenge `EMAIL_OTP` / `SMS_OTP` after a passwordless start.
    pub(super) async fn answer_first_factor_otp(
        &self,
        token: &str,
        pending: Pending,
        expires_at: i64,
        responses: &BTreeMap<String, String>,
    ) -> CResult<Value> {
        let Pending::FirstFactorOtp {
            sms,
            sub,
            code_hash,
            attempts,
        } = pending
        else {
            return Err(CognitoError::invalid_session());
        };
        let code = param(
            responses,
            if sms {
                "SMS_OTP_CODE"
            } else {
                "EMAIL_OTP_CODE"
            },
        )?;
        let ok = match (&sub, &code_hash) {
            (Some(sub), Some(h)) => crypto::ct_eq(h, &self.code_hash(sub, OTP_CODE, code)),
            _ => false,
        };
        let user = match &sub {
            Some(s) if ok => self.db().user_by_sub(s).await?,
            _ => None,
        };
        let Some(user) = user else {
            if attempts + 1 < MAX_MFA_ATTEMPTS {
                let retry = Pending::FirstFactorOtp {
                    sms,
                    sub,
                    code_hash,
                    attempts: attempts + 1,
                };
                self.restore_session(token, &retry, expires_at).await?;
            }
            return Err(CognitoError::new(
                ErrorKind::CodeMismatch,
                "Invalid code received for user",
            ));
        };
        let device_key = responses
            .get("DEVICE_KEY")
            .filter(|k| !k.is_empty())
            .cloned();
        self.after_factor(user, device_key, true).await
    }
}
