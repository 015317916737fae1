//! The SigV4-signed admin actions of `POST /cognito-idp` (service `cognito-idp`), callable
//! only with the sandbox admin key ([`AuthService::admin_credentials`]).

pub(crate) mod db;
mod users;

use serde::Deserialize;
use serde_json::{Value, json};
use stratus_sigv4::{SignedRequest, Verifier, VerifyError};
use stratus_spec::auth::VerifiableAttribute;

use super::{AttributeType, AuthService, attribute_pairs, empty, parse};
use crate::attributes::{self, Write, is_email, is_phone};
use crate::db::{InsertUserError, NewUser, UserRow, UserStatus};
use crate::error::{CResult, CognitoError, ErrorKind};
use crate::identity::PrincipalKind;
use crate::sender::{Channel, Message};
use users::{Filter, admin_get_user, group_type, page, paged, user_type};

/// The actions that need the admin key.
pub const ADMIN_ACTIONS: &[&str] = &[
    "AdminCreateUser",
    "AdminGetUser",
    "AdminDeleteUser",
    "AdminConfirmSignUp",
    "AdminSetUserPassword",
    "AdminDisableUser",
    "AdminEnableUser",
    "AdminAddUserToGroup",
    "AdminRemoveUserFromGroup",
    "AdminListGroupsForUser",
    "AdminUserGlobalSignOut",
    "ListUsers",
    "ListUsersInGroup",
    "ListGroups",
];

/// Cognito's other IAM-authenticated actions: not implemented, answered with
/// `UnsupportedOperationException` after the signature check.
const OTHER_IAM_ACTIONS: &[&str] = &[
    "AdminInitiateAuth",
    "AdminRespondToAuthChallenge",
    "AdminResetUserPassword",
    "AdminUpdateUserAttributes",
    "AdminDeleteUserAttributes",
    "AdminSetUserMFAPreference",
    "AdminSetUserSettings",
    "AdminListDevices",
    "AdminGetDevice",
    "AdminForgetDevice",
    "AdminUpdateDeviceStatus",
    "AdminLinkProviderForUser",
    "AdminDisableProviderForUser",
    "AdminListUserAuthEvents",
    "AdminUpdateAuthEventFeedback",
    "CreateGroup",
    "GetGroup",
    "UpdateGroup",
    "DeleteGroup",
    "DescribeUserPool",
    "DescribeUserPoolClient",
];

/// True for the actions that are SigV4-authenticated (Cognito's IAM-only actions).
pub fn is_admin_action(action: &str) -> bool {
    ADMIN_ACTIONS.contains(&action) || OTHER_IAM_ACTIONS.contains(&action)
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct UserRequest {
    user_pool_id: String,
    username: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct CreateUserRequest {
    user_pool_id: String,
    username: String,
    #[serde(default)]
    user_attributes: Option<Vec<AttributeType>>,
    #[serde(default)]
    temporary_password: Option<String>,
    #[serde(default)]
    message_action: Option<String>,
    #[serde(default)]
    desired_delivery_mediums: Option<Vec<String>>,
    /// Given to the PreSignUp trigger as `validationData`.
    #[serde(default)]
    validation_data: Option<Vec<AttributeType>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct SetPasswordRequest {
    user_pool_id: String,
    username: String,
    password: String,
    #[serde(default)]
    permanent: bool,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GroupMemberRequest {
    user_pool_id: String,
    username: String,
    group_name: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListGroupsForUserRequest {
    user_pool_id: String,
    username: String,
    #[serde(default)]
    limit: Option<i64>,
    #[serde(default)]
    next_token: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListUsersRequest {
    user_pool_id: String,
    #[serde(default)]
    attributes_to_get: Option<Vec<String>>,
    #[serde(default)]
    limit: Option<i64>,
    #[serde(default)]
    pagination_token: Option<String>,
    #[serde(default)]
    filter: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListUsersInGroupRequest {
    user_pool_id: String,
    group_name: String,
    #[serde(default)]
    limit: Option<i64>,
    #[serde(default)]
    next_token: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ListGroupsRequest {
    user_pool_id: String,
    #[serde(default)]
    limit: Option<i64>,
    #[serde(default)]
    next_token: Option<String>,
}

fn user_not_found() -> CognitoError {
    CognitoError::new(ErrorKind::UserNotFound, "User does not exist.")
}

fn group_not_found() -> CognitoError {
    CognitoError::new(ErrorKind::ResourceNotFound, "Group not found.")
}

/// The Cognito error for a refused signature.
fn signature_error(e: &stratus_sigv4::SigV4Error) -> CognitoError {
    let kind = match e.json_code() {
        "MissingAuthenticationTokenException" => ErrorKind::MissingAuthenticationToken,
        "UnrecognizedClientException" => ErrorKind::UnrecognizedClient,
        "ExpiredTokenException" => ErrorKind::ExpiredToken,
        "IncompleteSignatureException" => ErrorKind::IncompleteSignature,
        _ => ErrorKind::InvalidSignature,
    };
    CognitoError::new(kind, e.json_message())
}

impl AuthService {
    /// Authenticates `req` with SigV4 (service `cognito-idp`, the pool's region) and runs an
    /// admin action. Only the admin key may call them; identity-pool credentials get
    /// `AccessDeniedException`.
    pub async fn handle_admin(
        &self,
        action: &str,
        req: &SignedRequest<'_>,
        body: &[u8],
    ) -> CResult<Value> {
        if self.config().pool_triggers.is_some() {
            // The triggers see the request's ClientMetadata.
            let meta = super::pool_triggers::RequestMeta::of(action, body);
            let run = self.admin_dispatch(action, req, body);
            return super::pool_triggers::in_request(meta, run).await;
        }
        self.admin_dispatch(action, req, body).await
    }

    async fn admin_dispatch(
        &self,
        action: &str,
        req: &SignedRequest<'_>,
        body: &[u8],
    ) -> CResult<Value> {
        let region = self
            .config()
            .user_pool_id
            .split_once('_')
            .map(|(r, _)| r.to_string())
            .unwrap_or_default();
        let verified = Verifier::new("cognito-idp")
            .with_region(region)
            .verify(req, self, self.now())
            .await
            .map_err(|e| match e {
                VerifyError::Refused(e) => signature_error(&e),
                VerifyError::Resolve(e) => {
                    tracing::error!(error = %e, "admin credential lookup failed");
                    CognitoError::internal()
                }
            })?;
        if verified.principal.kind != PrincipalKind::Admin {
            return Err(CognitoError::new(
                ErrorKind::AccessDenied,
                format!(
                    "User: {} is not authorized to perform: cognito-idp:{action} on resource: {}",
                    verified.access_key_id,
                    self.config().user_pool_id
                ),
            ));
        }
        match action {
            "AdminCreateUser" => self.admin_create_user(parse(body)?).await,
            "AdminGetUser" => {
                let r: UserRequest = parse(body)?;
                self.check_pool(&r.user_pool_id)?;
                let user = self.admin_user(&r.username).await?;
                let listed = self
                    .db()
                    .listed_user(&user.sub)
                    .await?
                    .ok_or_else(user_not_found)?;
                Ok(admin_get_user(&listed))
            }
            "AdminDeleteUser" => {
                let r: UserRequest = parse(body)?;
                self.check_pool(&r.user_pool_id)?;
                let user = self.admin_user(&r.username).await?;
                let deleted = self.db().delete_user(&user.sub).await;
                self.inner.token_cache.invalidate_user(&user.sub);
                deleted?;
                Ok(empty())
            }
            "AdminConfirmSignUp" => {
                let r: UserRequest = parse(body)?;
                self.check_pool(&r.user_pool_id)?;
                let user = self.admin_user(&r.username).await?;
                if user.status != UserStatus::Unconfirmed {
                    return Err(CognitoError::not_authorized(format!(
                        "User cannot be confirmed. Current status is {}",
                        user.status.as_str()
                    )));
                }
                self.db()
                    .set_status(&user.sub, UserStatus::Confirmed, self.now())
                    .await?;
                // Trigger point: PostConfirmation (AdminConfirmSignUp).
                self.post_confirmation_trigger("PostConfirmation_ConfirmSignUp", &user.sub)
                    .await?;
                Ok(empty())
            }
            "AdminSetUserPassword" => {
                let r: SetPasswordRequest = parse(body)?;
                self.check_pool(&r.user_pool_id)?;
                self.admin_set_user_password(&r.username, &r.password, r.permanent)
                    .await?;
                Ok(empty())
            }
            "AdminDisableUser" | "AdminEnableUser" => {
                let r: UserRequest = parse(body)?;
                self.check_pool(&r.user_pool_id)?;
                self.admin_set_user_enabled(&r.username, action == "AdminEnableUser")
                    .await?;
                Ok(empty())
            }
            "AdminAddUserToGroup" => {
                let r: GroupMemberRequest = parse(body)?;
                self.check_pool(&r.user_pool_id)?;
                self.admin_add_user_to_group(&r.username, &r.group_name)
                    .await?;
                Ok(empty())
            }
            "AdminRemoveUserFromGroup" => {
                let r: GroupMemberRequest = parse(body)?;
                self.check_pool(&r.user_pool_id)?;
                let user = self.admin_user(&r.username).await?;
                if !self.db().group_exists(&r.group_name).await? {
                    return Err(group_not_found());
                }
                self.db()
                    .remove_user_from_group(&user.sub, &r.group_name)
                    .await?;
                Ok(empty())
            }
            "AdminListGroupsForUser" => {
                let r: ListGroupsForUserRequest = parse(body)?;
                self.check_pool(&r.user_pool_id)?;
                let user = self.admin_user(&r.username).await?;
                let groups = self.db().groups_of(&user.sub).await?;
                self.groups_page(groups, r.limit, r.next_token.as_deref())
            }
            "AdminUserGlobalSignOut" => {
                let r: UserRequest = parse(body)?;
                self.check_pool(&r.user_pool_id)?;
                let user = self.admin_user(&r.username).await?;
                let revoked = self.db().revoke_all_refresh(&user.sub, self.now()).await;
                self.inner.token_cache.invalidate_user(&user.sub);
                revoked?;
                Ok(empty())
            }
            "ListUsers" => self.list_users(parse(body)?).await,
            "ListUsersInGroup" => {
                let r: ListUsersInGroupRequest = parse(body)?;
                self.check_pool(&r.user_pool_id)?;
                if !self.db().group_exists(&r.group_name).await? {
                    return Err(group_not_found());
                }
                let users = self.db().users_in_group(&r.group_name).await?;
                let (users, next) = page(
                    users,
                    |u| u.username.as_str(),
                    r.limit,
                    r.next_token.as_deref(),
                    60,
                )?;
                let users = users.iter().map(|u| user_type(u, None)).collect();
                Ok(paged("Users", users, "NextToken", next))
            }
            "ListGroups" => {
                let r: ListGroupsRequest = parse(body)?;
                self.check_pool(&r.user_pool_id)?;
                let groups = self.db().groups().await?;
                self.groups_page(groups, r.limit, r.next_token.as_deref())
            }
            _ => Err(CognitoError::new(
                ErrorKind::UnsupportedOperation,
                format!("{action} is not supported by Stratus."),
            )),
        }
    }

    fn check_pool(&self, user_pool_id: &str) -> CResult<()> {
        if user_pool_id == self.config().user_pool_id {
            Ok(())
        } else {
            Err(CognitoError::new(
                ErrorKind::ResourceNotFound,
                format!("User pool {user_pool_id} does not exist."),
            ))
        }
    }

    /// A `Groups` listing response (ListGroups, AdminListGroupsForUser).
    fn groups_page(
        &self,
        groups: Vec<db::GroupRow>,
        limit: Option<i64>,
        token: Option<&str>,
    ) -> CResult<Value> {
        let (groups, next) = page(groups, |g| g.name.as_str(), limit, token, 60)?;
        let pool = &self.config().user_pool_id;
        let groups = groups.iter().map(|g| group_type(g, pool)).collect();
        Ok(paged("Groups", groups, "NextToken", next))
    }

    async fn admin_user(&self, username: &str) -> CResult<UserRow> {
        self.db()
            .user_by_login(username)
            .await?
            .ok_or_else(user_not_found)
    }

    async fn list_users(&self, r: ListUsersRequest) -> CResult<Value> {
        self.check_pool(&r.user_pool_id)?;
        let filter = Filter::parse(r.filter.as_deref().unwrap_or(""))?;
        let users: Vec<_> = self
            .db()
            .all_users()
            .await?
            .into_iter()
            .filter(|u| filter.as_ref().is_none_or(|f| f.matches(u)))
            .collect();
        let (users, next) = page(
            users,
            |u| u.username.as_str(),
            r.limit,
            r.pagination_token.as_deref(),
            60,
        )?;
        let only = r.attributes_to_get.as_deref();
        let users = users.iter().map(|u| user_type(u, only)).collect();
        Ok(paged("Users", users, "PaginationToken", next))
    }

    /// `AdminCreateUser`: the user starts in `FORCE_CHANGE_PASSWORD` with the given or a
    /// generated temporary password, sent in an invitation unless `MessageAction: SUPPRESS`.
    async fn admin_create_user(&self, r: CreateUserRequest) -> CResult<Value> {
        self.check_pool(&r.user_pool_id)?;
        match r.message_action.as_deref() {
            None | Some("SUPPRESS") => {}
            Some("RESEND") => return self.admin_resend_invitation(r).await,
            Some(other) => {
                return Err(CognitoError::invalid_parameter(format!(
                    "1 validation error detected: Value '{other}' at 'messageAction' failed to \
                     satisfy constraint: Member must satisfy enum value set: [RESEND, SUPPRESS]"
                )));
            }
        }
        let spec = self.spec();
        // Admins may set the verified flags; everything else goes through the schema.
        let mut flags = Vec::new();
        let mut given = Vec::new();
        for (name, value) in attribute_pairs(r.user_attributes) {
            if attributes::is_verified_flag(&name) {
                if value != "true" && value != "false" {
                    return Err(CognitoError::invalid_parameter(format!(
                        "Attributes did not conform to the schema: {name}: must be true or false"
                    )));
                }
                flags.push((name, value));
            } else {
                given.push((name, value));
            }
        }
        let mut attrs = attributes::validate(spec, &given, Write::SignUp)?;
        let sub = uuid::Uuid::new_v4().to_string();
        let login_attrs = &spec.username_attributes;
        let username = if login_attrs.is_empty() {
            if r.username.is_empty() || r.username.chars().any(char::is_whitespace) {
                return Err(CognitoError::invalid_parameter(
                    "1 validation error detected: Value at 'username' failed to satisfy constraint",
                ));
            }
            r.username.to_lowercase()
        } else {
            let email_ok = login_attrs.contains(&VerifiableAttribute::Email);
            let phone_ok = login_attrs.contains(&VerifiableAttribute::PhoneNumber);
            let name = if email_ok && is_email(&r.username) {
                "email"
            } else if phone_ok && is_phone(&r.username) {
                "phone_number"
            } else {
                return Err(CognitoError::invalid_parameter(
                    "Username should be either an email or a phone number.",
                ));
            };
            attrs.retain(|(n, _)| n != name);
            attrs.insert(0, (name.to_string(), r.username.clone()));
            sub.clone()
        };
        attributes::check_required(spec, &attrs)?;
        let (email_key, phone_key) = attributes::login_keys(login_attrs, &attrs);
        let password = match r.temporary_password {
            Some(pw) => {
                crate::password::check(&spec.password_policy, &pw, "temporaryPassword")?;
                pw
            }
            None => temporary_password()?,
        };
        // Trigger point: PreSignUp (PreSignUp_AdminCreateUser: may refuse; its answer is
        // ignored, as AWS documents).
        let validation_data = r
            .validation_data
            .map(|v| attribute_pairs(Some(v)).into_iter().collect());
        self.pre_sign_up_trigger(
            "PreSignUp_AdminCreateUser",
            &username,
            &attrs,
            validation_data,
        )
        .await?;
        let (verifier, hash) = self.password_material(&username, &password).await?;
        attrs.extend(flags);
        let new = NewUser {
            sub: sub.clone(),
            username: username.clone(),
            email_key,
            phone_key,
            status: UserStatus::ForceChangePassword,
            srp_salt: Some(verifier.salt_hex.clone()),
            srp_verifier: Some(verifier.verifier_hex),
            password_hash: Some(hash),
            attributes: attrs.clone(),
        };
        match self.db().insert_user(&new, self.now()).await {
            Ok(()) => {}
            Err(InsertUserError::Taken) => {
                return Err(CognitoError::new(
                    ErrorKind::UsernameExists,
                    "User account already exists",
                ));
            }
            Err(InsertUserError::Db(e)) => return Err(e.into()),
        }
        if r.message_action.as_deref() != Some("SUPPRESS") {
            let user = self.user(&sub).await?;
            self.send_invitation(
                &user,
                &r.username,
                &attrs,
                &password,
                r.desired_delivery_mediums,
            )
            .await?;
        }
        let listed = self
            .db()
            .listed_user(&sub)
            .await?
            .ok_or_else(CognitoError::internal)?;
        Ok(json!({"User": user_type(&listed, None)}))
    }

    /// `AdminCreateUser` `MessageAction: RESEND`: a user still in `FORCE_CHANGE_PASSWORD` gets
    /// a new temporary password (the given one or a generated one), which replaces the old one,
    /// and the invitation again. Other users: `UnsupportedUserStateException`; unknown ones:
    /// `UserNotFoundException`. `UserAttributes` are not changed by a resend.
    async fn admin_resend_invitation(&self, r: CreateUserRequest) -> CResult<Value> {
        let user = self.admin_user(&r.username).await?;
        if user.status != UserStatus::ForceChangePassword {
            return Err(CognitoError::new(
                ErrorKind::UnsupportedUserState,
                format!(
                    "Resend not possible. {} status is not FORCE_CHANGE_PASSWORD",
                    r.username
                ),
            ));
        }
        let password = match r.temporary_password {
            Some(pw) => {
                crate::password::check(&self.spec().password_policy, &pw, "temporaryPassword")?;
                pw
            }
            None => temporary_password()?,
        };
        self.set_password(&user, &password).await?;
        let attrs = self.db().attributes(&user.sub).await?;
        self.send_invitation(
            &user,
            &r.username,
            &attrs,
            &password,
            r.desired_delivery_mediums,
        )
        .await?;
        let listed = self
            .db()
            .listed_user(&user.sub)
            .await?
            .ok_or_else(CognitoError::internal)?;
        Ok(json!({"User": user_type(&listed, None)}))
    }

    /// The invitation with the temporary password (email unless only SMS is asked for).
    async fn send_invitation(
        &self,
        user: &UserRow,
        username: &str,
        attrs: &[(String, String)],
        password: &str,
        mediums: Option<Vec<String>>,
    ) -> CResult<()> {
        let mediums = mediums.unwrap_or_else(|| vec!["SMS".to_string()]);
        let find = |n: &str| attrs.iter().find(|(a, _)| a == n).map(|(_, v)| v.clone());
        let target = if mediums.iter().any(|m| m == "EMAIL") {
            find("email").map(|to| (Channel::Email, to))
        } else {
            None
        }
        .or_else(|| find("phone_number").map(|to| (Channel::Sms, to)))
        .or_else(|| find("email").map(|to| (Channel::Email, to)));
        let Some((channel, to)) = target else {
            return Ok(());
        };
        // defineAuth's userInvitation (emailSubject / emailBody / smsMessage callbacks) with
        // `{username}` and `{####}` (the temporary password), else Cognito's defaults.
        let invitation = self.spec().user_invitation.clone().unwrap_or_default();
        let (subject, template) = match channel {
            Channel::Email => (
                Some(
                    invitation
                        .email_subject
                        .unwrap_or_else(|| DEFAULT_INVITATION_SUBJECT.to_string()),
                ),
                invitation
                    .email_message
                    .unwrap_or_else(|| DEFAULT_INVITATION_MESSAGE.to_string()),
            ),
            Channel::Sms => (
                None,
                invitation
                    .sms_message
                    .unwrap_or_else(|| DEFAULT_INVITATION_MESSAGE.to_string()),
            ),
        };
        // Trigger point: CustomMessage (CustomMessage_AdminCreateUser).
        let (subject, template) = self
            .custom_message_trigger(
                "CustomMessage_AdminCreateUser",
                user,
                channel == Channel::Email,
                stratus_spec::auth::CODE_PLACEHOLDER,
                Some(stratus_spec::auth::USERNAME_PLACEHOLDER),
                subject,
                template,
            )
            .await?;
        let body = template
            .replace(stratus_spec::auth::USERNAME_PLACEHOLDER, username)
            .replace(stratus_spec::auth::CODE_PLACEHOLDER, password);
        let message = Message {
            id: uuid::Uuid::new_v4().to_string(),
            created_at: self.now(),
            channel,
            to,
            subject,
            body,
            code: Some(password.to_string()),
            trigger_source: "CustomMessage_AdminCreateUser".to_string(),
            username: username.to_string(),
            user_pool_id: self.config().user_pool_id.clone(),
            from: None,
            reply_to: None,
        }
        .with_pool_sender(self.spec());
        self.inner.sender.send(message).await.map_err(|e| {
            tracing::warn!(error = %e, "invitation delivery failed");
            CognitoError::new(
                ErrorKind::CodeDeliveryFailure,
                "Unable to deliver the invitation.",
            )
        })
    }
}

/// Cognito's default invitation.
const DEFAULT_INVITATION_SUBJECT: &str = "Your temporary password";
const DEFAULT_INVITATION_MESSAGE: &str =
    "Your username is {username} and temporary password is {####}.";

/// A temporary password that satisfies any Cognito policy: 16 characters with upper, lower,
/// digit and symbol.
fn temporary_password() -> CResult<String> {
    const CLASSES: [&[u8]; 4] = [
        b"ABCDEFGHJKLMNPQRSTUVWXYZ",
        b"abcdefghijkmnopqrstuvwxyz",
        b"23456789",
        b"^$*.[]{}()?!@#%&",
    ];
    let bytes = crate::crypto::random_bytes::<16>()?;
    Ok(bytes
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let class = CLASSES[i % 4];
            char::from(class[usize::from(*b) % class.len()])
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_action_names() {
        assert!(is_admin_action("AdminGetUser"));
        assert!(is_admin_action("AdminResetUserPassword"));
        assert!(!is_admin_action("AdminCreateUserNope"));
        assert!(is_admin_action("ListUsers"));
        assert!(!is_admin_action("SignUp"));
        assert!(!is_admin_action("GetUser"));
    }

    #[test]
    fn temporary_passwords_have_every_class() {
        let pw = temporary_password().unwrap();
        assert_eq!(pw.len(), 16);
        assert!(pw.chars().any(|c| c.is_ascii_uppercase()));
        assert!(pw.chars().any(|c| c.is_ascii_lowercase()));
        assert!(pw.chars().any(|c| c.is_ascii_digit()));
        assert!(pw.chars().any(|c| !c.is_ascii_alphanumeric()));
    }
}
