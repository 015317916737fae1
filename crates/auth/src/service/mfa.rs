//! TOTP and MFA preferences: AssociateSoftwareToken, VerifySoftwareToken (with an access
//! token, or with the `Session` of an MFA_SETUP challenge) and SetUserMFAPreference.

use serde::Deserialize;
use serde_json::{Value, json};
use stratus_spec::auth::{MfaMethod, MfaMode};

use super::session::{MfaKind, Pending};
use super::{AuthService, empty};
use crate::crypto;
use crate::db::{MfaFlags, UserRow};
use crate::error::{CResult, CognitoError, ErrorKind, InternalError};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AssociateRequest {
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    session: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct VerifySoftwareTokenRequest {
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    session: Option<String>,
    user_code: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct MfaSetting {
    #[serde(default)]
    enabled: bool,
    #[serde(default)]
    preferred_mfa: Option<bool>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct MfaPreferenceRequest {
    access_token: String,
    #[serde(default, rename = "SMSMfaSettings")]
    sms: Option<MfaSetting>,
    #[serde(default, rename = "SoftwareTokenMfaSettings")]
    totp: Option<MfaSetting>,
    #[serde(default, rename = "EmailMfaSettings")]
    email: Option<MfaSetting>,
}

/// RFC 6238 as authenticator apps use it: SHA-1, 6 digits, 30 s steps, ±1 step.
fn totp(secret_b32: &str) -> CResult<totp_rs::Totp> {
    let secret = totp_rs::Secret::try_from_base32(secret_b32)
        .map_err(|e| InternalError::Corrupt(format!("TOTP secret: {e}")))?;
    totp_rs::Builder::new()
        .with_secret(secret)
        .build()
        .map_err(|e| CognitoError::from(InternalError::Crypto(format!("TOTP: {e}"))))
}

/// The TOTP step a code matches at `now`.
fn totp_step(secret_b32: &str, code: &str, now: i64) -> CResult<Option<i64>> {
    let t = totp(secret_b32)?;
    let now = u64::try_from(now).unwrap_or(0);
    Ok(t.check(code.trim(), now)
        .and_then(|s| i64::try_from(s).ok()))
}

impl AuthService {
    fn totp_enabled_in_pool(&self) -> CResult<()> {
        let mfa = &self.inner.spec.mfa;
        if mfa.mode == MfaMode::Off || !mfa.methods.contains(&MfaMethod::Totp) {
            return Err(CognitoError::new(
                ErrorKind::SoftwareTokenMfaNotFound,
                "Software token TOTP multi-factor authentication (MFA) is not enabled for the \
                 user pool.",
            ));
        }
        Ok(())
    }

    /// Checks a TOTP code against the user's active secret; each step is accepted once.
    pub(super) async fn check_totp(
        &self,
        user: &UserRow,
        code: &str,
        _pending: bool,
    ) -> CResult<bool> {
        let Some(secret) = &user.totp_secret else {
            return Ok(false);
        };
        match totp_step(secret, code, self.now())? {
            Some(step) => Ok(self.db().use_totp_step(&user.sub, step).await?),
            None => Ok(false),
        }
    }

    pub(super) async fn associate_software_token(&self, r: AssociateRequest) -> CResult<Value> {
        self.totp_enabled_in_pool()?;
        let (user, session) = match (&r.access_token, &r.session) {
            (Some(token), _) => (self.authenticate(token).await?, None),
            (None, Some(session)) => {
                let (pending, _) = self.take_session(Some(session)).await?;
                let Pending::MfaSetup { ctx, options, .. } = &pending else {
                    return Err(CognitoError::invalid_session());
                };
                if !options.contains(&MfaKind::Totp) {
                    return Err(CognitoError::invalid_parameter(
                        "Software token MFA cannot be set up for this sign-in",
                    ));
                }
                let user = self.user(&ctx.sub).await?;
                (user, Some(self.new_session(&pending).await?))
            }
            (None, None) => {
                return Err(CognitoError::invalid_parameter(
                    "Either AccessToken or Session is required",
                ));
            }
        };
        let secret = totp_rs::Secret::from(crypto::random_bytes::<20>()?.to_vec()).to_base32();
        self.db().set_totp_pending(&user.sub, &secret).await?;
        let mut out = json!({"SecretCode": secret});
        if let Some(s) = session {
            out["Session"] = json!(s);
        }
        Ok(out)
    }

    pub(super) async fn verify_software_token(
        &self,
        r: VerifySoftwareTokenRequest,
    ) -> CResult<Value> {
        self.totp_enabled_in_pool()?;
        let mut setup = None;
        let user = match (&r.access_token, &r.session) {
            (Some(token), _) => self.authenticate(token).await?,
            (None, Some(session)) => {
                let (pending, expires_at) = self.take_session(Some(session)).await?;
                let Pending::MfaSetup { ctx, .. } = &pending else {
                    return Err(CognitoError::invalid_session());
                };
                let user = self.user(&ctx.sub).await?;
                setup = Some((session.clone(), pending, expires_at));
                user
            }
            (None, None) => {
                return Err(CognitoError::invalid_parameter(
                    "Either AccessToken or Session is required",
                ));
            }
        };
        let Some(secret) = user.totp_pending_secret.clone() else {
            return Err(CognitoError::new(
                ErrorKind::EnableSoftwareTokenMfa,
                "Software token has not been associated with the user",
            ));
        };
        let Some(step) = totp_step(&secret, &r.user_code, self.now())? else {
            if let Some((token, pending, expires_at)) = &setup {
                self.restore_session(token, pending, *expires_at).await?;
            }
            return Err(CognitoError::new(
                ErrorKind::EnableSoftwareTokenMfa,
                "Code mismatch",
            ));
        };
        self.db().activate_totp(&user.sub, &secret, step).await?;
        let Some((_, Pending::MfaSetup { ctx, options, .. }, _)) = setup else {
            return Ok(json!({"Status": "SUCCESS"}));
        };
        // Set up during sign-in: TOTP becomes the user's MFA method.
        let flags = MfaFlags {
            totp: true,
            ..user.mfa
        };
        let preferred = user.mfa_preferred.as_deref().or(Some("SOFTWARE_TOKEN_MFA"));
        self.db()
            .set_mfa(&user.sub, flags, preferred, self.now())
            .await?;
        let session = self
            .new_session(&Pending::MfaSetup {
                ctx,
                options,
                totp_verified: true,
            })
            .await?;
        Ok(json!({"Status": "SUCCESS", "Session": session}))
    }

    pub(super) async fn set_user_mfa_preference(&self, r: MfaPreferenceRequest) -> CResult<Value> {
        let user = self.authenticate(&r.access_token).await?;
        let mfa = &self.inner.spec.mfa;
        let attrs = self.db().attributes(&user.sub).await?;
        let has = |n: &str| attrs.iter().any(|(k, v)| k == n && !v.is_empty());
        let mut flags = user.mfa;
        let mut preferred = user.mfa_preferred.clone();
        let settings = [
            (r.sms, MfaKind::Sms, MfaMethod::Sms),
            (r.totp, MfaKind::Totp, MfaMethod::Totp),
            (r.email, MfaKind::Email, MfaMethod::Email),
        ];
        for (setting, kind, method) in settings {
            let Some(s) = setting else { continue };
            let name = kind.challenge_name();
            let flag = match kind {
                MfaKind::Sms => &mut flags.sms,
                MfaKind::Totp => &mut flags.totp,
                MfaKind::Email => &mut flags.email,
            };
            if s.enabled {
                if mfa.mode == MfaMode::Off || !mfa.methods.contains(&method) {
                    return Err(CognitoError::invalid_parameter(format!(
                        "{name} is not enabled for the user pool"
                    )));
                }
                let ready = match kind {
                    MfaKind::Sms => has("phone_number"),
                    MfaKind::Totp => user.totp_secret.is_some(),
                    MfaKind::Email => has("email"),
                };
                if !ready {
                    return Err(CognitoError::invalid_parameter(match kind {
                        MfaKind::Totp => "User has not verified software token mfa".to_string(),
                        _ => format!("User does not have delivery config set to turn on {name}"),
                    }));
                }
                *flag = true;
                match s.preferred_mfa {
                    Some(true) => preferred = Some(name.to_string()),
                    Some(false) if preferred.as_deref() == Some(name) => preferred = None,
                    _ => {}
                }
            } else {
                *flag = false;
                if preferred.as_deref() == Some(name) {
                    preferred = None;
                }
            }
        }
        self.db()
            .set_mfa(&user.sub, flags, preferred.as_deref(), self.now())
            .await?;
        Ok(empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc6238_sha1_vector() {
        // RFC 6238 appendix B: secret "12345678901234567890", T = 59 → 94287082 (8 digits);
        // with 6 digits the code is the last six.
        let secret = totp_rs::Secret::from(b"12345678901234567890".to_vec()).to_base32();
        assert_eq!(totp_step(&secret, "287082", 59).unwrap(), Some(1));
        assert_eq!(totp_step(&secret, "287083", 59).unwrap(), None);
        // ±1 step of skew.
        assert_eq!(totp_step(&secret, "287082", 89).unwrap(), Some(1));
        assert_eq!(totp_step(&secret, "287082", 150).unwrap(), None);
    }
}
