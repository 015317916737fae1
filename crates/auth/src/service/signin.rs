//! InitiateAuth (USER_SRP_AUTH, USER_PASSWORD_AUTH, REFRESH_TOKEN_AUTH) and the
//! PASSWORD_VERIFIER answer.

use std::collections::BTreeMap;

use num_bigint::BigUint;
use serde::Deserialize;
use serde_json::{Value, json};

use super::session::Pending;
use super::{AuthService, blocking};
use crate::crypto;
use crate::db::UserRow;
use crate::error::{CResult, CognitoError, InternalError};
use crate::srp;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct InitiateAuthRequest {
    auth_flow: String,
    client_id: String,
    #[serde(default)]
    auth_parameters: BTreeMap<String, String>,
    /// USER_AUTH after ConfirmSignUp (autoSignIn).
    #[serde(default)]
    session: Option<String>,
}

/// The custom sign-in an SRP step belongs to, if any.
type CustomSrp = Option<Box<super::custom_auth::CustomState>>;

pub(super) fn param<'a>(params: &'a BTreeMap<String, String>, name: &str) -> CResult<&'a str> {
    params
        .get(name)
        .map(String::as_str)
        .filter(|v| !v.is_empty())
        .ok_or_else(|| {
            CognitoError::invalid_parameter(format!("Missing required parameter {name}"))
        })
}

/// The message of a sign-in refused because of the lockout.
pub(super) fn locked_out() -> CognitoError {
    CognitoError::not_authorized("Password attempts exceeded")
}

impl AuthService {
    pub(super) async fn initiate_auth(&self, r: InitiateAuthRequest) -> CResult<Value> {
        self.check_client(&r.client_id)?;
        let client = &self.inner.spec.client;
        let p = &r.auth_parameters;
        match r.auth_flow.as_str() {
            "USER_SRP_AUTH" => {
                if !client.allows_flow("ALLOW_USER_SRP_AUTH") {
                    return Err(flow_not_enabled("USER_SRP_AUTH"));
                }
                let device_key = p.get("DEVICE_KEY").cloned();
                self.srp_start(param(p, "USERNAME")?, param(p, "SRP_A")?, device_key)
                    .await
            }
            "USER_PASSWORD_AUTH" => {
                if !(client.allows_flow("ALLOW_USER_PASSWORD_AUTH")
                    || self.inner.config.allow_user_password_auth)
                {
                    return Err(flow_not_enabled("USER_PASSWORD_AUTH"));
                }
                let device_key = p.get("DEVICE_KEY").cloned();
                self.password_auth(param(p, "USERNAME")?, param(p, "PASSWORD")?, device_key)
                    .await
            }
            "REFRESH_TOKEN_AUTH" | "REFRESH_TOKEN" => {
                if !client.allows_flow("ALLOW_REFRESH_TOKEN_AUTH") {
                    return Err(flow_not_enabled("REFRESH_TOKEN_AUTH"));
                }
                let result = self.refresh(param(p, "REFRESH_TOKEN")?).await?;
                Ok(json!({"AuthenticationResult": result, "ChallengeParameters": {}}))
            }
            "USER_AUTH" => {
                if !client.allows_flow("ALLOW_USER_AUTH") {
                    return Err(flow_not_enabled("USER_AUTH"));
                }
                match r.session.as_deref().filter(|s| !s.is_empty()) {
                    Some(session) => self.user_auth_after_sign_up(p, session).await,
                    None => self.user_auth(p).await,
                }
            }
            "CUSTOM_AUTH" => {
                if !client.allows_flow("ALLOW_CUSTOM_AUTH") {
                    return Err(flow_not_enabled("CUSTOM_AUTH"));
                }
                self.custom_auth(p).await
            }
            other => Err(CognitoError::invalid_parameter(format!(
                "1 validation error detected: Value '{other}' at 'authFlow' failed to satisfy \
                 constraint: Member must satisfy enum value set: [USER_SRP_AUTH, \
                 REFRESH_TOKEN_AUTH, REFRESH_TOKEN, CUSTOM_AUTH, USER_PASSWORD_AUTH, USER_AUTH]"
            ))),
        }
    }

    /// USER_SRP_AUTH step 1: answer `PASSWORD_VERIFIER` with salt, B and a secret block. An
    /// unknown user gets a stand-in challenge with parameters derived from the pool secret (so
    /// they are stable per name and look like real ones); its answer always fails.
    pub(super) async fn srp_start(
        &self,
        login: &str,
        srp_a: &str,
        device_key: Option<String>,
    ) -> CResult<Value> {
        self.srp_start_with(login, srp_a, device_key, None).await
    }

    /// [`Self::srp_start`]; `custom` when the SRP step belongs to a CUSTOM_AUTH sign-in.
    pub(super) async fn srp_start_with(
        &self,
        login: &str,
        srp_a: &str,
        device_key: Option<String>,
        custom: CustomSrp,
    ) -> CResult<Value> {
        let a = srp::parse_hex(srp_a)
            .map_err(|_| CognitoError::invalid_parameter("Invalid SRP_A value"))?;
        if &a % srp::n() == BigUint::ZERO {
            return Err(CognitoError::invalid_parameter("Invalid SRP_A value"));
        }
        let user = self.db().user_by_login(login).await?;
        if custom.is_none() {
            // Trigger point: PreAuthentication (not in custom sign-ins, as reported of Cognito).
            self.pre_authentication_trigger(login, user.as_ref())
                .await?;
        }
        let real = user.as_ref().and_then(|u| {
            Some((
                u.sub.clone(),
                u.username.clone(),
                u.srp_salt.clone()?,
                u.srp_verifier.clone()?,
                u.locked_until,
            ))
        });
        let (sub, user_id, salt, verifier) = match real {
            Some((sub, user_id, salt, verifier, locked_until)) => {
                if self.now() < locked_until {
                    return Err(locked_out());
                }
                let salt = srp::parse_hex(&salt).map_err(InternalError::from)?;
                let verifier = srp::parse_hex(&verifier).map_err(InternalError::from)?;
                (Some(sub), user_id, salt, verifier)
            }
            None => {
                let (user_id, salt, verifier) = self.stand_in_srp(login).await?;
                (None, user_id, salt, verifier)
            }
        };
        let eph = blocking(move || srp::server_ephemeral(&verifier))
            .await?
            .map_err(InternalError::from)?;
        let secret_block = crypto::secret_block()?;
        let pending = Pending::PasswordVerifier {
            sub,
            user_id_for_srp: user_id.clone(),
            srp_a: srp_a.to_string(),
            srp_b: eph.big_b_hex.clone(),
            b: eph.b_hex,
            secret_block: secret_block.clone(),
            device_key,
            custom,
        };
        let session = self.new_session(&pending).await?;
        Ok(json!({
            "ChallengeName": "PASSWORD_VERIFIER",
            "Session": session,
            "ChallengeParameters": {
                "SALT": salt.to_str_radix(16),
                "SECRET_BLOCK": secret_block,
                "SRP_B": eph.big_b_hex,
                "USERNAME": user_id,
                "USER_ID_FOR_SRP": user_id,
            },
        }))
    }

    /// The user name a name that is not a user gets (stable, secret-derived; a uuid like a real
    /// one in email / phone sign-in pools).
    pub(super) fn stand_in_user_id(&self, login: &str) -> String {
        let login = login.trim().to_lowercase();
        if self.inner.spec.username_attributes.is_empty() {
            login
        } else {
            let mut b = [0u8; 16];
            b.copy_from_slice(
                &crypto::keyed_hash(&self.inner.secret, &[b"srp-user", login.as_bytes()])[..16],
            );
            uuid::Builder::from_random_bytes(b).into_uuid().to_string()
        }
    }

    /// Stable, secret-derived SRP parameters for a name that is not a user.
    async fn stand_in_srp(&self, login: &str) -> CResult<(String, BigUint, BigUint)> {
        let key = &self.inner.secret;
        let user_id = self.stand_in_user_id(login);
        let login = login.trim().to_lowercase();
        let salt = BigUint::from_bytes_be(
            &crypto::keyed_hash(key, &[b"srp-salt", login.as_bytes()])[..16],
        );
        let x = BigUint::from_bytes_be(&crypto::keyed_hash(key, &[b"srp-x", login.as_bytes()]));
        let verifier = blocking(move || srp_g().modpow(&x, srp::n())).await?;
        Ok((user_id, salt, verifier))
    }

    /// USER_SRP_AUTH step 2.
    pub(super) async fn password_verifier(
        &self,
        token: &str,
        expires_at: i64,
        pending: Pending,
        responses: &BTreeMap<String, String>,
    ) -> CResult<Value> {
        // A device key the pool does not know is refused before anything is counted, and the
        // session stays usable: the client drops its device keys and answers again without.
        if let Pending::PasswordVerifier { sub: Some(sub), .. } = &pending
            && let Some(key) = responses.get("DEVICE_KEY").filter(|k| !k.is_empty())
            && !self.device_usable(sub, key).await?
        {
            self.restore_session(token, &pending, expires_at).await?;
            return Err(super::devices::no_device());
        }
        let Pending::PasswordVerifier {
            sub,
            user_id_for_srp,
            srp_a,
            srp_b,
            b,
            secret_block,
            device_key,
            custom,
        } = pending
        else {
            return Err(CognitoError::invalid_session());
        };
        let given_block = param(responses, "PASSWORD_CLAIM_SECRET_BLOCK")?;
        let signature = param(responses, "PASSWORD_CLAIM_SIGNATURE")?.to_string();
        let timestamp = param(responses, "TIMESTAMP")?.to_string();
        let user = match &sub {
            Some(sub) => self.db().user_by_sub(sub).await?,
            None => None,
        };
        let verifier_hex = user.as_ref().and_then(|u| u.srp_verifier.clone());
        let (Some(user), Some(verifier_hex)) = (user, verifier_hex) else {
            return Err(CognitoError::bad_credentials());
        };
        if !self.db().begin_attempt(&user.sub, self.now()).await? {
            return Err(locked_out());
        }
        let block_ok = crypto::ct_eq(given_block.as_bytes(), secret_block.as_bytes());
        let block = crypto::b64_decode(&secret_block)
            .ok_or_else(|| InternalError::Corrupt("secret block".into()))?;
        let verifier = srp::parse_hex(&verifier_hex).map_err(InternalError::from)?;
        let pool = self.inner.pool_name.clone();
        let claim_ok = blocking(move || {
            srp::parse_timestamp(&timestamp).is_some()
                && srp::server_key(&srp_a, &srp_b, &b, &verifier).is_ok_and(|key| {
                    srp::verify_claim(
                        &key,
                        &pool,
                        &user_id_for_srp,
                        &block,
                        &timestamp,
                        &signature,
                    )
                })
        })
        .await?;
        if !(block_ok && claim_ok) {
            return Err(CognitoError::bad_credentials());
        }
        self.db().reset_failures(&user.sub).await?;
        if let Some(state) = custom {
            return self.custom_after_password(*state).await;
        }
        // The client sends a remembered device's key with the password claim.
        let device_key = responses
            .get("DEVICE_KEY")
            .filter(|k| !k.is_empty())
            .cloned()
            .or(device_key);
        self.after_first_factor(user, device_key).await
    }

    /// USER_PASSWORD_AUTH: the password itself, checked against the argon2id hash.
    pub(super) async fn password_auth(
        &self,
        login: &str,
        password: &str,
        device_key: Option<String>,
    ) -> CResult<Value> {
        let mut user = self.db().user_by_login(login).await?;
        if user.is_none() {
            // Trigger point: UserMigration (UserMigration_Authentication).
            user = self.user_migration_trigger(login, Some(password)).await?;
        }
        // Trigger point: PreAuthentication.
        self.pre_authentication_trigger(login, user.as_ref())
            .await?;
        let hash = user.as_ref().and_then(|u| u.password_hash.clone());
        let (Some(user), Some(hash)) = (user, hash) else {
            let pw = password.to_string();
            blocking(move || crypto::burn_password_check(&pw)).await?;
            return Err(CognitoError::bad_credentials());
        };
        if !self.db().begin_attempt(&user.sub, self.now()).await? {
            return Err(locked_out());
        }
        let pw = password.to_string();
        let ok = blocking(move || crypto::verify_password(&pw, &hash)).await?;
        if !ok {
            return Err(CognitoError::bad_credentials());
        }
        self.db().reset_failures(&user.sub).await?;
        self.after_first_factor(user, device_key).await
    }

    /// Checks a user's current password (argon2id) with lockout accounting.
    pub(super) async fn check_current_password(
        &self,
        user: &UserRow,
        password: &str,
    ) -> CResult<PasswordCheck> {
        let Some(hash) = user.password_hash.clone() else {
            return Ok(PasswordCheck::Wrong);
        };
        if !self.db().begin_attempt(&user.sub, self.now()).await? {
            return Ok(PasswordCheck::Locked);
        }
        let pw = password.to_string();
        if !blocking(move || crypto::verify_password(&pw, &hash)).await? {
            return Ok(PasswordCheck::Wrong);
        }
        self.db().reset_failures(&user.sub).await?;
        Ok(PasswordCheck::Right)
    }
}

/// Outcome of [`AuthService::check_current_password`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum PasswordCheck {
    Right,
    Wrong,
    Locked,
}

fn srp_g() -> BigUint {
    BigUint::from(2u32)
}

fn flow_not_enabled(flow: &str) -> CognitoError {
    CognitoError::invalid_parameter(format!("{flow} flow not enabled for this client"))
}
