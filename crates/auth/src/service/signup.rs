//! SignUp, ConfirmSignUp, ResendConfirmationCode (and the `confirmUser` link).

use serde::Deserialize;
use serde_json::{Value, json};
use stratus_spec::auth::VerifiableAttribute;

use super::{
    AttributeType, AuthService, CONFIRMATION_CODE_TTL, Delivery, Template, attribute_pairs,
    blocking, delivery_details,
};
use crate::attributes::{self, Write, is_email, is_phone};
use crate::crypto;
use crate::db::{InsertUserError, NewUser, UserRow, UserStatus};
use crate::error::{CResult, CognitoError, ErrorKind, InternalError};
use crate::sender::Channel;
use crate::srp;

/// Code purpose of sign-up confirmation.
pub(super) const SIGNUP: &str = "signup";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct SignUpRequest {
    client_id: String,
    username: String,
    #[serde(default)]
    password: Option<String>,
    #[serde(default)]
    user_attributes: Option<Vec<AttributeType>>,
    /// Given to the PreSignUp trigger as `validationData`.
    #[serde(default)]
    validation_data: Option<Vec<AttributeType>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ConfirmSignUpRequest {
    client_id: String,
    username: String,
    confirmation_code: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ResendRequest {
    client_id: String,
    username: String,
}

/// Cognito's user name constraint (no whitespace, 1..=128 characters).
fn check_username(username: &str) -> CResult<()> {
    let n = username.chars().count();
    if n == 0
        || n > 128
        || username
            .chars()
            .any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(CognitoError::invalid_parameter(
            "1 validation error detected: Value at 'username' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
        ));
    }
    Ok(())
}

impl AuthService {
    /// The SRP verifier and argon2id hash for a password (off the async workers).
    pub(super) async fn password_material(
        &self,
        username: &str,
        password: &str,
    ) -> CResult<(srp::Verifier, String)> {
        let (pool, user, pw) = (
            self.inner.pool_name.clone(),
            username.to_string(),
            password.to_string(),
        );
        blocking(move || -> Result<_, InternalError> {
            let verifier = srp::make_verifier(&pool, &user, &pw)?;
            let hash = crypto::hash_password(&pw)?;
            Ok((verifier, hash))
        })
        .await?
        .map_err(CognitoError::from)
    }

    pub(super) async fn sign_up(&self, r: SignUpRequest) -> CResult<Value> {
        self.check_client(&r.client_id)?;
        check_username(&r.username)?;
        let spec = &self.inner.spec;
        let mut attrs =
            attributes::validate(spec, &attribute_pairs(r.user_attributes), Write::SignUp)?;
        let sub = uuid::Uuid::new_v4().to_string();

        // Who the user is to sign-in: with username attributes the given name must be an
        // email / phone number and Cognito's user name becomes the sub.
        let login_attrs = &spec.username_attributes;
        let (username, exists_message) = if login_attrs.is_empty() {
            (r.username.to_lowercase(), "User already exists")
        } else {
            let email_ok = login_attrs.contains(&VerifiableAttribute::Email);
            let phone_ok = login_attrs.contains(&VerifiableAttribute::PhoneNumber);
            let (name, message) = if email_ok && is_email(&r.username) {
                ("email", "An account with the given email already exists.")
            } else if phone_ok && is_phone(&r.username) {
                (
                    "phone_number",
                    "An account with the given phone_number already exists.",
                )
            } else {
                return Err(CognitoError::invalid_parameter(
                    match (email_ok, phone_ok) {
                        (true, true) => "Username should be either an email or a phone number.",
                        (true, false) => "Username should be an email.",
                        _ => "Username should be a phone number.",
                    },
                ));
            };
            attrs.retain(|(n, _)| n != name);
            attrs.insert(0, (name.to_string(), r.username.clone()));
            (sub.clone(), message)
        };
        attributes::check_required(spec, &attrs)?;

        let (email_key, phone_key) = attributes::login_keys(login_attrs, &attrs);

        // A missing or blank password is allowed when the pool has a passwordless first factor
        // and the user gives an address for one of them (Cognito's "Passwords at sign-up").
        let password = r.password.as_deref().filter(|p| !p.is_empty());
        match password {
            Some(pw) => crate::password::check(&spec.password_policy, pw, "password")?,
            None if spec.passwordless.any_enabled() => self.check_passwordless_sign_up(&attrs)?,
            None => {
                return Err(CognitoError::invalid_parameter(
                    "1 validation error detected: Value null at 'password' failed to satisfy \
                     constraint: Member must not be null",
                ));
            }
        }
        // Trigger point: PreSignUp (may refuse, auto-confirm, auto-verify).
        let validation_data = r
            .validation_data
            .map(|v| attribute_pairs(Some(v)).into_iter().collect());
        let pre = self
            .pre_sign_up_trigger("PreSignUp_SignUp", &username, &attrs, validation_data)
            .await?
            .unwrap_or_default();
        for (wanted, name) in [
            (pre.auto_verify_email, "email"),
            (pre.auto_verify_phone, "phone_number"),
        ] {
            if !wanted {
                continue;
            }
            if !attrs.iter().any(|(n, v)| n == name && !v.is_empty()) {
                return Err(CognitoError::new(
                    ErrorKind::InvalidLambdaResponse,
                    format!("Invalid lambda response: the user has no {name} to verify"),
                ));
            }
            let flag = attributes::verified_flag_of(name).unwrap_or_default();
            attrs.push((flag.to_string(), "true".into()));
        }
        let (verifier, hash) = match password {
            Some(pw) => {
                let (v, h) = self.password_material(&username, pw).await?;
                (Some(v), Some(h))
            }
            None => (None, None),
        };
        let new = NewUser {
            sub: sub.clone(),
            username: username.clone(),
            email_key,
            phone_key,
            status: if pre.auto_confirm_user {
                UserStatus::Confirmed
            } else {
                UserStatus::Unconfirmed
            },
            srp_salt: verifier.as_ref().map(|v| v.salt_hex.clone()),
            srp_verifier: verifier.map(|v| v.verifier_hex),
            password_hash: hash,
            attributes: attrs.clone(),
        };
        match self.db().insert_user(&new, self.now()).await {
            Ok(()) => {}
            Err(InsertUserError::Taken) => {
                return Err(CognitoError::new(ErrorKind::UsernameExists, exists_message));
            }
            Err(InsertUserError::Db(e)) => return Err(e.into()),
        }
        if pre.auto_confirm_user {
            // Trigger point: PostConfirmation (a user PreSignUp confirmed). No code is sent;
            // with choice-based sign-in the answer's Session signs the user in (USER_AUTH).
            self.post_confirmation_trigger("PostConfirmation_ConfirmSignUp", &sub)
                .await?;
            let mut out = json!({"UserConfirmed": true, "UserSub": sub});
            if self.inner.spec.client.allows_flow("ALLOW_USER_AUTH") {
                let session = self
                    .new_session(&super::session::Pending::SignUpConfirmed { sub })
                    .await?;
                out["Session"] = json!(session);
            }
            return Ok(out);
        }
        let user = self.user(&sub).await?;
        let mut out = json!({"UserConfirmed": false, "UserSub": sub});
        if let Some(details) = self
            .send_confirmation_code(&user, &attrs, "CustomMessage_SignUp")
            .await?
        {
            out["CodeDeliveryDetails"] = details;
        }
        Ok(out)
    }

    /// A sign-up without a password needs an address for one of the pool's passwordless
    /// factors (an email for EMAIL_OTP, a phone number for SMS_OTP) that the pool verifies
    /// automatically, so that the user can confirm and then sign in with a code.
    fn check_passwordless_sign_up(&self, attrs: &[(String, String)]) -> CResult<()> {
        let spec = &self.inner.spec;
        let has = |name: &str| attrs.iter().any(|(n, v)| n == name && !v.is_empty());
        let auto = |a: VerifiableAttribute| spec.auto_verified_attributes.contains(&a);
        let usable =
            (spec.passwordless.email_otp && has("email") && auto(VerifiableAttribute::Email))
                || (spec.passwordless.sms_otp
                    && has("phone_number")
                    && auto(VerifiableAttribute::PhoneNumber));
        if usable {
            Ok(())
        } else {
            Err(CognitoError::invalid_parameter(
                "A password is required: give an auto-verified email or phone number for a \
                 passwordless sign-in method of this user pool, or a password.",
            ))
        }
    }

    /// Sends the sign-up code to the auto-verified attribute the user has (phone first when
    /// both are auto-verified, as Cognito does). `None` when there is nowhere to send it.
    async fn send_confirmation_code(
        &self,
        user: &UserRow,
        attrs: &[(String, String)],
        trigger_source: &str,
    ) -> CResult<Option<Value>> {
        let auto = &self.inner.spec.auto_verified_attributes;
        let target = [VerifiableAttribute::PhoneNumber, VerifiableAttribute::Email]
            .into_iter()
            .filter(|a| auto.contains(a))
            .find_map(|a| {
                attrs
                    .iter()
                    .find(|(n, _)| n == a.as_str())
                    .map(|(_, v)| (a, v.clone()))
            });
        let Some((attr, to)) = target else {
            return Ok(None);
        };
        let channel = match attr {
            VerifiableAttribute::Email => Channel::Email,
            VerifiableAttribute::PhoneNumber => Channel::Sms,
        };
        let d = Delivery {
            attribute: attr.as_str(),
            channel,
            to: &to,
            username: &user.username,
            trigger_source,
            template: Template::Verification,
            user,
        };
        self.send_code(user, SIGNUP, &d, CONFIRMATION_CODE_TTL, Some(attr.as_str()))
            .await
            .map(Some)
    }

    pub(super) async fn confirm_sign_up(&self, r: ConfirmSignUpRequest) -> CResult<Value> {
        self.check_client(&r.client_id)?;
        // Unknown users get the wrong-code answer (no user enumeration).
        let Some(user) = self.db().user_by_login(&r.username).await? else {
            return Err(CognitoError::code_mismatch());
        };
        if user.status != UserStatus::Unconfirmed {
            return Err(CognitoError::not_authorized(format!(
                "User cannot be confirmed. Current status is {}",
                user.status.as_str()
            )));
        }
        let verified = self
            .check_code(&user.sub, SIGNUP, &r.confirmation_code)
            .await?;
        let now = self.now();
        self.db()
            .set_status(&user.sub, UserStatus::Confirmed, now)
            .await?;
        if let Some(flag) = verified.as_deref().and_then(attributes::verified_flag_of) {
            self.db()
                .set_attributes(&user.sub, &[(flag.to_string(), "true".into())], now)
                .await?;
        }
        // Trigger point: PostConfirmation (ConfirmSignUp). A failing trigger is reported; the
        // user stays confirmed.
        self.post_confirmation_trigger("PostConfirmation_ConfirmSignUp", &user.sub)
            .await?;
        // With choice-based sign-in, the confirmation signs the user in through USER_AUTH
        // with this session (autoSignIn with `authFlowType: 'USER_AUTH'`), as in Cognito.
        if self.inner.spec.client.allows_flow("ALLOW_USER_AUTH") {
            let session = self
                .new_session(&super::session::Pending::SignUpConfirmed { sub: user.sub })
                .await?;
            return Ok(json!({"Session": session}));
        }
        Ok(json!({}))
    }

    pub(super) async fn resend_confirmation_code(&self, r: ResendRequest) -> CResult<Value> {
        self.check_client(&r.client_id)?;
        let Some(user) = self.db().user_by_login(&r.username).await? else {
            return Ok(json!({"CodeDeliveryDetails": simulated_delivery(&r.username)}));
        };
        if user.status != UserStatus::Unconfirmed {
            return Err(CognitoError::invalid_parameter(
                "User is already confirmed.",
            ));
        }
        let attrs = self.db().attributes(&user.sub).await?;
        match self
            .send_confirmation_code(&user, &attrs, "CustomMessage_ResendCode")
            .await?
        {
            Some(details) => Ok(json!({"CodeDeliveryDetails": details})),
            None => Err(CognitoError::invalid_parameter(
                "Cannot resend codes. Auto verification not turned on.",
            )),
        }
    }

    /// `GET /confirmUser?client_id&user_name&confirmation_code` (the link of link-style
    /// verification emails).
    pub async fn confirm_user_link(
        &self,
        client_id: &str,
        user_name: &str,
        code: &str,
    ) -> CResult<()> {
        self.confirm_sign_up(ConfirmSignUpRequest {
            client_id: client_id.to_string(),
            username: user_name.to_string(),
            confirmation_code: code.to_string(),
        })
        .await
        .map(|_| ())
    }
}

/// What Cognito answers for a user that does not exist: a delivery that did not happen, to a
/// plausible masked destination.
pub(super) fn simulated_delivery(login: &str) -> Value {
    if is_phone(login) {
        delivery_details("phone_number", Channel::Sms, login)
    } else if is_email(login) {
        delivery_details("email", Channel::Email, login)
    } else {
        delivery_details("email", Channel::Email, &format!("{login}@{login}"))
    }
}
