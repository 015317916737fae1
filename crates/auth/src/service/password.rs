//! ChangePassword, ForgotPassword, ConfirmForgotPassword.

use serde::Deserialize;
use serde_json::{Value, json};
use stratus_spec::auth::AccountRecovery;

use super::signin::PasswordCheck;
use super::signup::simulated_delivery;
use super::{AuthService, Delivery, RESET_CODE_TTL, Template, empty};
use crate::db::{UserRow, UserStatus};
use crate::error::{CResult, CognitoError};
use crate::sender::Channel;

/// Code purpose of password reset.
const RESET: &str = "forgot";

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ChangePasswordRequest {
    access_token: String,
    #[serde(default)]
    previous_password: Option<String>,
    proposed_password: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ForgotPasswordRequest {
    client_id: String,
    username: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ConfirmForgotPasswordRequest {
    client_id: String,
    username: String,
    confirmation_code: String,
    password: String,
}

impl AuthService {
    pub(super) async fn change_password(&self, r: ChangePasswordRequest) -> CResult<Value> {
        let user = self.authenticate(&r.access_token).await?;
        crate::password::check(
            &self.inner.spec.password_policy,
            &r.proposed_password,
            "proposedPassword",
        )?;
        let previous = r.previous_password.unwrap_or_default();
        match self.check_current_password(&user, &previous).await? {
            PasswordCheck::Right => {}
            PasswordCheck::Wrong => return Err(CognitoError::bad_credentials()),
            PasswordCheck::Locked => return Err(CognitoError::attempt_limit()),
        }
        self.set_password(&user, &r.proposed_password).await?;
        Ok(empty())
    }

    /// New SRP verifier and hash for the user; returns the time it was stored at.
    pub(super) async fn set_password(&self, user: &UserRow, password: &str) -> CResult<i64> {
        let (verifier, hash) = self.password_material(&user.username, password).await?;
        let now = self.now();
        self.db()
            .set_password(
                &user.sub,
                &verifier.salt_hex,
                &verifier.verifier_hex,
                &hash,
                now,
            )
            .await?;
        Ok(now)
    }

    /// Where a reset code goes under the pool's account recovery setting: a verified email or
    /// phone number, in the configured order.
    async fn recovery_destination(
        &self,
        user: &UserRow,
    ) -> CResult<Option<(&'static str, Channel, String)>> {
        let attrs = self.db().attributes(&user.sub).await?;
        let get = |n: &str| attrs.iter().find(|(k, _)| k == n).map(|(_, v)| v.clone());
        let verified = |flag: &str| get(flag).as_deref() == Some("true");
        let email = get("email").filter(|_| verified("email_verified"));
        let phone = get("phone_number").filter(|_| verified("phone_number_verified"));
        let order: &[&str] = match self.inner.spec.account_recovery {
            AccountRecovery::EmailOnly => &["email"],
            AccountRecovery::PhoneOnlyWithoutMfa => &["phone"],
            AccountRecovery::EmailAndPhoneWithoutMfa => &["email", "phone"],
            AccountRecovery::PhoneWithoutMfaAndEmail | AccountRecovery::PhoneAndEmail => {
                &["phone", "email"]
            }
            AccountRecovery::None => &[],
        };
        for which in order {
            match *which {
                "email" => {
                    if let Some(e) = &email {
                        return Ok(Some(("email", Channel::Email, e.clone())));
                    }
                }
                _ => {
                    if let Some(p) = &phone {
                        return Ok(Some(("phone_number", Channel::Sms, p.clone())));
                    }
                }
            }
        }
        Ok(None)
    }

    pub(super) async fn forgot_password(&self, r: ForgotPasswordRequest) -> CResult<Value> {
        self.check_client(&r.client_id)?;
        if self.inner.spec.account_recovery == AccountRecovery::None {
            return Err(CognitoError::not_authorized(
                "User password cannot be reset in the current state.",
            ));
        }
        let mut user = self.db().user_by_login(&r.username).await?;
        if user.is_none() {
            // Trigger point: UserMigration (UserMigration_ForgotPassword).
            user = self.user_migration_trigger(&r.username, None).await?;
        }
        let user = user.filter(|u| u.enabled);
        let destination = match &user {
            Some(u) => self.recovery_destination(u).await?,
            None => None,
        };
        // Unknown, disabled or unreachable users: a simulated delivery (no enumeration).
        let (Some(user), Some((attribute, channel, to))) = (user, destination) else {
            return Ok(json!({"CodeDeliveryDetails": simulated_delivery(&r.username)}));
        };
        let d = Delivery {
            attribute,
            channel,
            to: &to,
            username: &user.username,
            trigger_source: "CustomMessage_ForgotPassword",
            template: Template::Verification,
            user: &user,
        };
        let details = self
            .send_code(&user, RESET, &d, RESET_CODE_TTL, None)
            .await?;
        Ok(json!({"CodeDeliveryDetails": details}))
    }

    pub(super) async fn confirm_forgot_password(
        &self,
        r: ConfirmForgotPasswordRequest,
    ) -> CResult<Value> {
        self.check_client(&r.client_id)?;
        crate::password::check(&self.inner.spec.password_policy, &r.password, "password")?;
        let Some(user) = self.db().user_by_login(&r.username).await? else {
            return Err(CognitoError::code_mismatch());
        };
        if !user.enabled {
            return Err(CognitoError::code_mismatch());
        }
        // A locked user may still recover: the reset clears the lockout.
        self.check_code(&user.sub, RESET, &r.confirmation_code)
            .await?;
        self.set_password(&user, &r.password).await?;
        if matches!(
            user.status,
            UserStatus::ResetRequired | UserStatus::ForceChangePassword
        ) {
            self.db()
                .set_status(&user.sub, UserStatus::Confirmed, self.now())
                .await?;
        }
        // Trigger point: PostConfirmation (ConfirmForgotPassword).
        self.post_confirmation_trigger("PostConfirmation_ConfirmForgotPassword", &user.sub)
            .await?;
        Ok(empty())
    }
}
