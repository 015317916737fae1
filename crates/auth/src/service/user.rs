//! Actions of a signed-in user on their profile: GetUser, UpdateUserAttributes,
//! VerifyUserAttribute, GetUserAttributeVerificationCode, DeleteUserAttributes, DeleteUser.

use serde::Deserialize;
use serde_json::{Value, json};
use stratus_spec::auth::VerifiableAttribute;

use super::tokens::AccessTokenRequest;
use super::{
    AttributeType, AuthService, CONFIRMATION_CODE_TTL, Delivery, Template, attribute_pairs, empty,
};
use crate::attributes::{self, Write, verified_flag_of};
use crate::db::{IdentifierColumn, InsertUserError, UserRow};
use crate::error::{CResult, CognitoError, ErrorKind};
use crate::sender::Channel;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct UpdateAttributesRequest {
    access_token: String,
    user_attributes: Vec<AttributeType>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct VerifyAttributeRequest {
    access_token: String,
    attribute_name: String,
    code: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AttributeCodeRequest {
    access_token: String,
    attribute_name: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DeleteAttributesRequest {
    access_token: String,
    user_attribute_names: Vec<String>,
}

fn verifiable(name: &str) -> Option<(VerifiableAttribute, Channel, IdentifierColumn)> {
    match name {
        "email" => Some((
            VerifiableAttribute::Email,
            Channel::Email,
            IdentifierColumn::Email,
        )),
        "phone_number" => Some((
            VerifiableAttribute::PhoneNumber,
            Channel::Sms,
            IdentifierColumn::Phone,
        )),
        _ => None,
    }
}

fn verify_purpose(name: &str) -> String {
    format!("verify:{name}")
}

impl AuthService {
    pub(super) async fn get_user(&self, r: AccessTokenRequest) -> CResult<Value> {
        let user = self.authenticate(&r.access_token).await?;
        let mut list = vec![json!({"Name": "sub", "Value": user.sub})];
        for (name, value) in self.db().attributes(&user.sub).await? {
            list.push(json!({"Name": name, "Value": value}));
        }
        let mut out = json!({"Username": user.username, "UserAttributes": list});
        let mut methods = Vec::new();
        if user.mfa.sms {
            methods.push("SMS_MFA");
        }
        if user.mfa.totp {
            methods.push("SOFTWARE_TOKEN_MFA");
        }
        if user.mfa.email {
            methods.push("EMAIL_OTP");
        }
        if !methods.is_empty() {
            out["UserMFASettingList"] = json!(methods);
        }
        if let Some(p) = &user.mfa_preferred {
            out["PreferredMfaSetting"] = json!(p);
        }
        Ok(out)
    }

    /// Sets an email / phone number with its verified flag, keeping the sign-in identifier
    /// index in step (another user holding it → `AliasExistsException`).
    pub(super) async fn set_verifiable(
        &self,
        user: &UserRow,
        name: &str,
        value: &str,
        verified: bool,
        now: i64,
    ) -> CResult<()> {
        let Some((attr, _, column)) = verifiable(name) else {
            return Err(CognitoError::invalid_parameter(format!(
                "{name} cannot be verified"
            )));
        };
        if self.inner.spec.username_attributes.contains(&attr) {
            let key = value.to_lowercase();
            if self.db().identifier_taken(column, &key, &user.sub).await? {
                return Err(alias_exists(name));
            }
            match self
                .db()
                .set_identifier(&user.sub, column, Some(&key), now)
                .await
            {
                Ok(()) => {}
                Err(InsertUserError::Taken) => return Err(alias_exists(name)),
                Err(InsertUserError::Db(e)) => return Err(e.into()),
            }
        }
        let flag = verified_flag_of(name).unwrap_or("email_verified");
        self.db()
            .set_attributes(
                &user.sub,
                &[
                    (name.to_string(), value.to_string()),
                    (flag.to_string(), verified.to_string()),
                ],
                now,
            )
            .await?;
        Ok(())
    }

    async fn send_verification(
        &self,
        user: &UserRow,
        name: &str,
        to: &str,
        trigger_source: &str,
    ) -> CResult<Value> {
        let Some((_, channel, _)) = verifiable(name) else {
            return Err(CognitoError::invalid_parameter(format!(
                "{name} cannot be verified"
            )));
        };
        let d = Delivery {
            attribute: name,
            channel,
            to,
            username: &user.username,
            trigger_source,
            template: Template::Verification,
            user,
        };
        self.send_code(
            user,
            &verify_purpose(name),
            &d,
            CONFIRMATION_CODE_TTL,
            Some(to),
        )
        .await
    }

    pub(super) async fn update_user_attributes(
        &self,
        r: UpdateAttributesRequest,
    ) -> CResult<Value> {
        let user = self.authenticate(&r.access_token).await?;
        let spec = &self.inner.spec;
        let attrs = attributes::validate(
            spec,
            &attribute_pairs(Some(r.user_attributes)),
            Write::Update,
        )?;
        let current = self.db().attributes(&user.sub).await?;
        let now = self.now();
        let mut details = Vec::new();
        let mut plain = Vec::new();
        for (name, value) in attrs {
            let Some((attr, _, column)) = verifiable(&name) else {
                plain.push((name, value));
                continue;
            };
            let old = current.iter().find(|(n, _)| *n == name).map(|(_, v)| v);
            if old == Some(&value) {
                continue;
            }
            if spec.username_attributes.contains(&attr)
                && self
                    .db()
                    .identifier_taken(column, &value.to_lowercase(), &user.sub)
                    .await?
            {
                return Err(alias_exists(&name));
            }
            let keep_original = old.is_some()
                && spec
                    .attributes_require_verification_before_update
                    .contains(&attr);
            if keep_original {
                self.db()
                    .set_pending_attribute(&user.sub, &name, Some(&value))
                    .await?;
            } else {
                self.set_verifiable(&user, &name, &value, false, now)
                    .await?;
            }
            if keep_original || spec.auto_verified_attributes.contains(&attr) {
                details.push(
                    self.send_verification(
                        &user,
                        &name,
                        &value,
                        "CustomMessage_UpdateUserAttribute",
                    )
                    .await?,
                );
            }
        }
        self.db().set_attributes(&user.sub, &plain, now).await?;
        Ok(json!({"CodeDeliveryDetailsList": details}))
    }

    pub(super) async fn verify_user_attribute(&self, r: VerifyAttributeRequest) -> CResult<Value> {
        let user = self.authenticate(&r.access_token).await?;
        if verifiable(&r.attribute_name).is_none() {
            return Err(CognitoError::invalid_parameter(format!(
                "{} cannot be verified",
                r.attribute_name
            )));
        }
        let name = r.attribute_name.as_str();
        let sent_to = self
            .check_code(&user.sub, &verify_purpose(name), &r.code)
            .await?;
        let Some((value, was_pending)) = self.value_to_verify(&user.sub, name).await? else {
            return Err(CognitoError::code_mismatch());
        };
        // The code proves control of the address it was sent to, not of a later one.
        if sent_to.as_deref() != Some(value.as_str()) {
            return Err(CognitoError::code_mismatch());
        }
        self.set_verifiable(&user, name, &value, true, self.now())
            .await?;
        if was_pending {
            self.db()
                .set_pending_attribute(&user.sub, name, None)
                .await?;
        }
        Ok(empty())
    }

    pub(super) async fn get_user_attribute_verification_code(
        &self,
        r: AttributeCodeRequest,
    ) -> CResult<Value> {
        let user = self.authenticate(&r.access_token).await?;
        let name = r.attribute_name.as_str();
        if verifiable(name).is_none() {
            return Err(CognitoError::invalid_parameter(format!(
                "{name} cannot be verified"
            )));
        }
        let Some((to, _)) = self.value_to_verify(&user.sub, name).await? else {
            return Err(CognitoError::invalid_parameter(format!(
                "User does not have a {name} attribute"
            )));
        };
        let details = self
            .send_verification(&user, name, &to, "CustomMessage_VerifyUserAttribute")
            .await?;
        Ok(json!({"CodeDeliveryDetails": details}))
    }

    pub(super) async fn delete_user_attributes(
        &self,
        r: DeleteAttributesRequest,
    ) -> CResult<Value> {
        let user = self.authenticate(&r.access_token).await?;
        let mut names = Vec::new();
        for name in &r.user_attribute_names {
            attributes::check_deletable(&self.inner.spec, name)?;
            names.push(name.clone());
            if let Some((_, _, column)) = verifiable(name) {
                names.push(verified_flag_of(name).unwrap_or_default().to_string());
                if let Err(InsertUserError::Db(e)) = self
                    .db()
                    .set_identifier(&user.sub, column, None, self.now())
                    .await
                {
                    return Err(e.into());
                }
            }
        }
        self.db()
            .delete_attributes(&user.sub, &names, self.now())
            .await?;
        Ok(empty())
    }

    pub(super) async fn delete_user(&self, r: AccessTokenRequest) -> CResult<Value> {
        let user = self.authenticate(&r.access_token).await?;
        let deleted = self.db().delete_user(&user.sub).await;
        self.inner.token_cache.invalidate_user(&user.sub);
        deleted?;
        Ok(empty())
    }

    /// The value of attribute `name` a code verifies: the pending new value if there is one
    /// (with `true`), else the current value (with `false`).
    async fn value_to_verify(&self, sub: &str, name: &str) -> CResult<Option<(String, bool)>> {
        if let Some(pending) = self.db().pending_attribute(sub, name).await? {
            return Ok(Some((pending, true)));
        }
        Ok(self
            .db()
            .attributes(sub)
            .await?
            .into_iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| (v, false)))
    }
}

fn alias_exists(name: &str) -> CognitoError {
    CognitoError::new(
        ErrorKind::AliasExists,
        format!("An account with the given {name} already exists."),
    )
}
