//! The user pool's Lambda triggers other than the custom-auth ones
//! ([`crate::triggers::UserPoolTriggers`], set in [`super::AuthConfig::pool_triggers`]), at the
//! points Cognito calls them:
//!
//! | trigger | called from |
//! | --- | --- |
//! | PreSignUp | SignUp (`PreSignUp_SignUp`), AdminCreateUser (`PreSignUp_AdminCreateUser`) |
//! | PostConfirmation | ConfirmSignUp, AdminConfirmSignUp, a SignUp PreSignUp auto-confirmed (`PostConfirmation_ConfirmSignUp`), ConfirmForgotPassword (`PostConfirmation_ConfirmForgotPassword`) |
//! | PreAuthentication | the start of a password / SRP / one-time-code first factor (`PreAuthentication_Authentication`) |
//! | PostAuthentication | a sign-in about to get tokens (`PostAuthentication_Authentication`) |
//! | PreTokenGeneration | every token minting (`TokenGeneration_Authentication`, `_NewPasswordChallenge`, `_AuthenticateDevice`, `_RefreshTokens`) |
//! | CustomMessage | every code or invitation sent (`CustomMessage_<source>`) |
//! | UserMigration | USER_PASSWORD_AUTH / USER_AUTH `PASSWORD` (`UserMigration_Authentication`) and ForgotPassword (`UserMigration_ForgotPassword`) for names that are not users |
//!
//! A trigger that fails answers `UserLambdaValidationException: <Trigger> failed with error
//! <message>.`; an unusable answer `InvalidLambdaResponseException`.
//!
//! The triggers' `clientMetadata` / `validationData` come from the `ClientMetadata` of the
//! request being served, kept in a task-local for the request ([`in_request`]) only when the
//! pool has such triggers.

use std::collections::BTreeMap;
use std::future::Future;

use serde::Deserialize;
use serde_json::{Map, Value, json};
use stratus_spec::auth::VerifiableAttribute;

use super::AuthService;
use crate::attributes::{self, Write, is_email, is_phone};
use crate::db::{InsertUserError, MfaFlags, NewUser, UserRow, UserStatus};
use crate::error::{CResult, CognitoError, ErrorKind};
use crate::triggers::{
    CallerContext, ClaimsOverrideDetails, CustomMessageRequest, CustomMessageResponse, NoResponse,
    PoolTrigger, PostAuthenticationRequest, PostConfirmationRequest, PreAuthenticationRequest,
    PreSignUpRequest, PreSignUpResponse, PreTokenGenerationRequest, PreTokenGenerationResponse,
    TriggerEvent, TriggerFailure, UserMigrationRequest, UserMigrationResponse, UserPoolTriggers,
};

tokio::task_local! {
    static REQUEST: RequestMeta;
}

/// What the triggers of one request learn about the request itself.
#[derive(Debug, Clone, Default)]
pub(crate) struct RequestMeta {
    action: String,
    /// `ClientMetadata`, when the request carried one.
    client_metadata: Option<BTreeMap<String, String>>,
}

#[derive(Deserialize)]
struct MetadataOnly {
    #[serde(rename = "ClientMetadata", default)]
    client_metadata: Option<BTreeMap<String, String>>,
}

impl RequestMeta {
    pub(crate) fn of(action: &str, body: &[u8]) -> Self {
        Self {
            action: action.to_string(),
            client_metadata: serde_json::from_slice::<MetadataOnly>(body)
                .ok()
                .and_then(|m| m.client_metadata),
        }
    }
}

/// Runs `f` as the request `meta` describes.
pub(crate) async fn in_request<F: Future>(meta: RequestMeta, f: F) -> F::Output {
    REQUEST.scope(meta, f).await
}

fn current() -> RequestMeta {
    REQUEST.try_with(Clone::clone).unwrap_or_default()
}

/// Events' `clientMetadata`: the request's `ClientMetadata`, except InitiateAuth's, which
/// triggers see only as `validationData` (as AWS documents for PostAuthentication,
/// PreTokenGeneration and CustomMessage).
fn client_metadata() -> BTreeMap<String, String> {
    let meta = current();
    if meta.action == "InitiateAuth" {
        BTreeMap::new()
    } else {
        meta.client_metadata.unwrap_or_default()
    }
}

/// PreAuthentication's and UserMigration's `validationData`: the sign-in request's
/// `ClientMetadata`.
fn validation_data() -> Option<BTreeMap<String, String>> {
    current().client_metadata
}

/// Claims a PreTokenGeneration response cannot add, replace or remove (AWS's list, plus the
/// group claims, which only `groupOverrideDetails` changes).
const RESERVED_CLAIMS: &[&str] = &[
    "acr",
    "amr",
    "aud",
    "at_hash",
    "auth_time",
    "azp",
    "cognito:username",
    "exp",
    "iat",
    "identities",
    "iss",
    "jti",
    "nbf",
    "nonce",
    "origin_jti",
    "sub",
    "token_use",
    "cognito:groups",
    "cognito:roles",
    "cognito:preferred_role",
];

fn reserved(claim: &str) -> bool {
    RESERVED_CLAIMS.contains(&claim) || claim.starts_with("dev:")
}

/// A trigger's failure as the client sees it.
fn failure(trigger: PoolTrigger, e: TriggerFailure) -> CognitoError {
    match e {
        TriggerFailure::Failed(message) => CognitoError::new(
            ErrorKind::UserLambdaValidation,
            format!("{} failed with error {message}.", trigger.name()),
        ),
        TriggerFailure::InvalidResponse(message) => {
            CognitoError::new(ErrorKind::InvalidLambdaResponse, message)
        }
    }
}

fn invalid_response(detail: impl std::fmt::Display) -> CognitoError {
    CognitoError::new(
        ErrorKind::InvalidLambdaResponse,
        format!("Invalid lambda response: {detail}"),
    )
}

/// Where a token minting comes from (PreTokenGeneration's trigger source).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, Deserialize)]
pub(crate) enum TokenSource {
    #[default]
    Authentication,
    NewPasswordChallenge,
    AuthenticateDevice,
    RefreshTokens,
}

impl TokenSource {
    fn trigger_source(self) -> &'static str {
        match self {
            Self::Authentication => "TokenGeneration_Authentication",
            Self::NewPasswordChallenge => "TokenGeneration_NewPasswordChallenge",
            Self::AuthenticateDevice => "TokenGeneration_AuthenticateDevice",
            Self::RefreshTokens => "TokenGeneration_RefreshTokens",
        }
    }

    pub(crate) fn is_default(&self) -> bool {
        *self == Self::default()
    }
}

impl AuthService {
    /// The pool's triggers when they include `trigger`.
    pub(super) fn pool_trigger(&self, trigger: PoolTrigger) -> Option<&dyn UserPoolTriggers> {
        self.inner
            .config
            .pool_triggers
            .as_deref()
            .filter(|t| t.has(trigger))
    }

    /// The envelope every user-pool trigger event shares.
    pub(super) fn pool_event<Req, Res>(
        &self,
        source: &str,
        user_name: &str,
        request: Req,
        response: Res,
    ) -> TriggerEvent<Req, Res> {
        let pool = &self.inner.config.user_pool_id;
        TriggerEvent {
            version: "1".into(),
            trigger_source: source.into(),
            region: pool
                .split_once('_')
                .map(|(r, _)| r)
                .unwrap_or_default()
                .into(),
            user_pool_id: pool.clone(),
            user_name: user_name.into(),
            caller_context: CallerContext {
                aws_sdk_version: "aws-sdk-unknown-unknown".into(),
                client_id: self.inner.config.client_id.clone(),
            },
            request,
            response,
        }
    }

    /// `request.userAttributes` of a user: the attributes, `sub` and `cognito:user_status`.
    pub(super) async fn event_attributes(
        &self,
        user: &UserRow,
    ) -> CResult<BTreeMap<String, String>> {
        let mut map: BTreeMap<String, String> =
            self.db().attributes(&user.sub).await?.into_iter().collect();
        map.insert("sub".into(), user.sub.clone());
        map.insert(
            "cognito:user_status".into(),
            user.status.as_str().to_string(),
        );
        Ok(map)
    }

    /// PreSignUp; `None` when the pool has no such trigger.
    pub(super) async fn pre_sign_up_trigger(
        &self,
        source: &str,
        user_name: &str,
        attrs: &[(String, String)],
        validation_data: Option<BTreeMap<String, String>>,
    ) -> CResult<Option<PreSignUpResponse>> {
        let Some(t) = self.pool_trigger(PoolTrigger::PreSignUp) else {
            return Ok(None);
        };
        let event = self.pool_event(
            source,
            user_name,
            PreSignUpRequest {
                user_attributes: attrs.iter().cloned().collect(),
                validation_data,
                client_metadata: client_metadata(),
            },
            PreSignUpResponse::default(),
        );
        let response = t
            .pre_sign_up(event)
            .await
            .map_err(|e| failure(PoolTrigger::PreSignUp, e))?;
        Ok(Some(response))
    }

    /// PostConfirmation for a user just confirmed (or whose password was just reset).
    pub(super) async fn post_confirmation_trigger(&self, source: &str, sub: &str) -> CResult<()> {
        let Some(t) = self.pool_trigger(PoolTrigger::PostConfirmation) else {
            return Ok(());
        };
        let user = self.user(sub).await?;
        let event = self.pool_event(
            source,
            &user.username,
            PostConfirmationRequest {
                user_attributes: self.event_attributes(&user).await?,
                client_metadata: client_metadata(),
            },
            NoResponse {},
        );
        t.post_confirmation(event)
            .await
            .map_err(|e| failure(PoolTrigger::PostConfirmation, e))?;
        Ok(())
    }

    /// PreAuthentication at the start of a first factor (also for names that are not users:
    /// `userNotFound`). A failure refuses the sign-in.
    pub(super) async fn pre_authentication_trigger(
        &self,
        login: &str,
        user: Option<&UserRow>,
    ) -> CResult<()> {
        let Some(t) = self.pool_trigger(PoolTrigger::PreAuthentication) else {
            return Ok(());
        };
        let (user_name, user_attributes) = match user {
            Some(u) => (u.username.clone(), self.event_attributes(u).await?),
            None => (login.to_string(), BTreeMap::new()),
        };
        let event = self.pool_event(
            "PreAuthentication_Authentication",
            &user_name,
            PreAuthenticationRequest {
                user_attributes,
                validation_data: validation_data(),
                user_not_found: user.is_none(),
            },
            NoResponse {},
        );
        t.pre_authentication(event)
            .await
            .map_err(|e| failure(PoolTrigger::PreAuthentication, e))?;
        Ok(())
    }

    /// PostAuthentication before the tokens of a sign-in are made; a failure refuses them.
    pub(super) async fn post_authentication_trigger(
        &self,
        user: &UserRow,
        device_key: Option<&str>,
    ) -> CResult<()> {
        let Some(t) = self.pool_trigger(PoolTrigger::PostAuthentication) else {
            return Ok(());
        };
        let new_device_used = if self.tracking() == super::DeviceTracking::Off {
            None
        } else {
            let known = match device_key {
                Some(key) => self
                    .db()
                    .device(&user.sub, key)
                    .await?
                    .is_some_and(|d| d.confirmed()),
                None => false,
            };
            Some(!known)
        };
        let event = self.pool_event(
            "PostAuthentication_Authentication",
            &user.username,
            PostAuthenticationRequest {
                user_attributes: self.event_attributes(user).await?,
                new_device_used,
                client_metadata: client_metadata(),
            },
            NoResponse {},
        );
        t.post_authentication(event)
            .await
            .map_err(|e| failure(PoolTrigger::PostAuthentication, e))?;
        Ok(())
    }

    /// PreTokenGeneration (`V1_0`): the overrides for the tokens about to be signed.
    pub(super) async fn pre_token_generation_trigger(
        &self,
        source: TokenSource,
        user: &UserRow,
        groups: &[String],
        attributes: &[(String, String)],
    ) -> CResult<Option<ClaimsOverrideDetails>> {
        let Some(t) = self.pool_trigger(PoolTrigger::PreTokenGeneration) else {
            return Ok(None);
        };
        let mut user_attributes: BTreeMap<String, String> = attributes.iter().cloned().collect();
        user_attributes.insert("sub".into(), user.sub.clone());
        user_attributes.insert(
            "cognito:user_status".into(),
            user.status.as_str().to_string(),
        );
        let event = self.pool_event(
            source.trigger_source(),
            &user.username,
            PreTokenGenerationRequest {
                user_attributes,
                group_configuration: crate::triggers::GroupConfiguration {
                    groups_to_override: groups.to_vec(),
                    iam_roles_to_override: Vec::new(),
                    preferred_role: None,
                },
                client_metadata: client_metadata(),
            },
            PreTokenGenerationResponse::default(),
        );
        let response = t
            .pre_token_generation(event)
            .await
            .map_err(|e| failure(PoolTrigger::PreTokenGeneration, e))?;
        let Some(details) = response.claims_override_details else {
            return Ok(None);
        };
        if let Some((name, _)) = details
            .claims_to_add_or_override
            .iter()
            .find(|(_, v)| !v.is_string())
        {
            return Err(invalid_response(format_args!(
                "claimsToAddOrOverride.{name} must be a string"
            )));
        }
        Ok(Some(details))
    }

    /// CustomMessage for a message about to be sent: the subject and template to use (the
    /// defaults unless the handler returned a message with the placeholders).
    #[allow(clippy::too_many_arguments)]
    pub(super) async fn custom_message_trigger(
        &self,
        source: &str,
        user: &UserRow,
        email: bool,
        code_parameter: &str,
        username_parameter: Option<&str>,
        subject: Option<String>,
        template: String,
    ) -> CResult<(Option<String>, String)> {
        let Some(t) = self.pool_trigger(PoolTrigger::CustomMessage) else {
            return Ok((subject, template));
        };
        let link_parameter = matches!(source, "CustomMessage_SignUp" | "CustomMessage_ResendCode")
            .then(|| "{##Click Here##}".to_string());
        let event = self.pool_event(
            source,
            &user.username,
            CustomMessageRequest {
                user_attributes: self.event_attributes(user).await?,
                code_parameter: code_parameter.to_string(),
                link_parameter,
                username_parameter: username_parameter.map(str::to_string),
                client_metadata: client_metadata(),
            },
            CustomMessageResponse::default(),
        );
        let r = t
            .custom_message(event)
            .await
            .map_err(|e| failure(PoolTrigger::CustomMessage, e))?;
        // A message must keep the placeholders to be used (the code, and for invitations the
        // user name); otherwise the pool's own message goes out.
        let usable = |m: &String| {
            m.contains(code_parameter) && username_parameter.is_none_or(|u| m.contains(u))
        };
        let (message, subject) = if email {
            (r.email_message, r.email_subject.or(subject))
        } else {
            (r.sms_message, subject)
        };
        let template = message.filter(usable).unwrap_or(template);
        Ok((subject, template))
    }

    /// UserMigration for a name that is not a user: the user the trigger describes, created
    /// (`None`: the trigger has no such user, or the pool no such trigger).
    pub(super) async fn user_migration_trigger(
        &self,
        login: &str,
        password: Option<&str>,
    ) -> CResult<Option<UserRow>> {
        let Some(t) = self.pool_trigger(PoolTrigger::UserMigration) else {
            return Ok(None);
        };
        let source = if password.is_some() {
            "UserMigration_Authentication"
        } else {
            "UserMigration_ForgotPassword"
        };
        let event = self.pool_event(
            source,
            login,
            UserMigrationRequest {
                password: password.map(str::to_string),
                validation_data: validation_data(),
                client_metadata: client_metadata(),
            },
            UserMigrationResponse::default(),
        );
        let r = t
            .user_migration(event)
            .await
            .map_err(|e| failure(PoolTrigger::UserMigration, e))?;
        if r.user_attributes.is_empty() {
            return Ok(None);
        }
        self.create_migrated_user(login, password, r)
            .await
            .map(Some)
    }

    async fn create_migrated_user(
        &self,
        login: &str,
        password: Option<&str>,
        r: UserMigrationResponse,
    ) -> CResult<UserRow> {
        let spec = &self.inner.spec;
        let (mut flags, mut given) = (Vec::new(), Vec::new());
        for (name, value) in r.user_attributes {
            if attributes::is_verified_flag(&name) {
                flags.push((name, (value == "true").to_string()));
            } else if name != "sub" {
                given.push((name, value));
            }
        }
        let mut attrs = attributes::validate(spec, &given, Write::SignUp)
            .map_err(|e| invalid_response(e.message))?;
        let sub = uuid::Uuid::new_v4().to_string();
        let login_attrs = &spec.username_attributes;
        let username = if login_attrs.is_empty() {
            login.to_lowercase()
        } else {
            // The name signed in with is the user's email / phone number.
            let name = if login_attrs.contains(&VerifiableAttribute::Email) && is_email(login) {
                "email"
            } else if login_attrs.contains(&VerifiableAttribute::PhoneNumber) && is_phone(login) {
                "phone_number"
            } else {
                return Err(invalid_response(
                    "the user name is not a sign-in attribute of this user pool",
                ));
            };
            if !attrs
                .iter()
                .any(|(n, v)| n == name && v.eq_ignore_ascii_case(login))
            {
                attrs.retain(|(n, _)| n != name);
                attrs.insert(0, (name.to_string(), login.to_string()));
            }
            sub.clone()
        };
        attributes::check_required(spec, &attrs).map_err(|e| invalid_response(e.message))?;
        let (email_key, phone_key) = attributes::login_keys(login_attrs, &attrs);
        let (verifier, hash) = match password {
            Some(pw) => {
                let (v, h) = self.password_material(&username, pw).await?;
                (Some(v), Some(h))
            }
            None => (None, None),
        };
        let status = match (r.final_user_status.as_deref(), password) {
            (Some("CONFIRMED"), Some(_)) => UserStatus::Confirmed,
            _ => UserStatus::ResetRequired,
        };
        attrs.extend(flags);
        let new = NewUser {
            sub: sub.clone(),
            username,
            email_key,
            phone_key,
            status,
            srp_salt: verifier.as_ref().map(|v| v.salt_hex.clone()),
            srp_verifier: verifier.map(|v| v.verifier_hex),
            password_hash: hash,
            attributes: attrs.clone(),
        };
        match self.db().insert_user(&new, self.now()).await {
            Ok(()) => {}
            Err(InsertUserError::Taken) => {
                let alias = if login_attrs.is_empty() {
                    "username"
                } else {
                    "email"
                };
                return Err(CognitoError::new(
                    ErrorKind::AliasExists,
                    format!("An account with the given {alias} already exists."),
                ));
            }
            Err(InsertUserError::Db(e)) => return Err(e.into()),
        }
        if r.enable_sms_mfa == Some(true) && attrs.iter().any(|(n, _)| n == "phone_number") {
            let flags = MfaFlags {
                sms: true,
                ..MfaFlags::default()
            };
            self.db()
                .set_mfa(&sub, flags, Some("SMS_MFA"), self.now())
                .await?;
        }
        self.user(&sub).await
    }
}

/// Applies PreTokenGeneration's overrides to the claims about to be signed: the group
/// override to both tokens, claims to the id token (reserved claims are left alone; a
/// suppressed claim stays suppressed even when also overridden).
pub(super) fn apply_overrides(
    details: &ClaimsOverrideDetails,
    access: &mut Map<String, Value>,
    id: &mut Map<String, Value>,
) {
    if let Some(groups) = &details.group_override_details {
        for claims in [&mut *access, &mut *id] {
            claims.remove("cognito:groups");
            if !groups.groups_to_override.is_empty() {
                claims.insert("cognito:groups".into(), json!(groups.groups_to_override));
            }
        }
        id.remove("cognito:roles");
        id.remove("cognito:preferred_role");
        if !groups.iam_roles_to_override.is_empty() {
            id.insert("cognito:roles".into(), json!(groups.iam_roles_to_override));
        }
        if let Some(role) = &groups.preferred_role {
            id.insert("cognito:preferred_role".into(), json!(role));
        }
    }
    for (name, value) in &details.claims_to_add_or_override {
        if !reserved(name) {
            id.insert(name.clone(), value.clone());
        }
    }
    for name in &details.claims_to_suppress {
        if !reserved(name) {
            id.remove(name);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::triggers::GroupConfiguration;

    #[test]
    fn overrides_respect_reserved_claims_and_suppression() {
        let mut access = Map::new();
        access.insert("cognito:groups".into(), json!(["old"]));
        let mut id = access.clone();
        id.insert("sub".into(), json!("s"));
        id.insert("email".into(), json!("a@b.c"));
        let details = ClaimsOverrideDetails {
            claims_to_add_or_override: serde_json::from_value(
                json!({"tier": "gold", "sub": "evil", "dev:x": "y", "name": "N"}),
            )
            .unwrap(),
            claims_to_suppress: vec!["email".into(), "name".into(), "iss".into()],
            group_override_details: Some(GroupConfiguration {
                groups_to_override: vec!["a".into(), "b".into()],
                iam_roles_to_override: vec![],
                preferred_role: Some("arn:role".into()),
            }),
        };
        apply_overrides(&details, &mut access, &mut id);
        assert_eq!(access["cognito:groups"], json!(["a", "b"]));
        assert_eq!(id["cognito:groups"], json!(["a", "b"]));
        assert_eq!(id["tier"], "gold");
        assert_eq!(id["sub"], "s");
        assert!(!id.contains_key("dev:x"));
        assert!(!id.contains_key("email") && !id.contains_key("name"));
        assert_eq!(id["cognito:preferred_role"], "arn:role");
        assert!(!access.contains_key("tier"));
        // An empty group list removes the claim.
        let details = ClaimsOverrideDetails {
            group_override_details: Some(GroupConfiguration::default()),
            ..Default::default()
        };
        apply_overrides(&details, &mut access, &mut id);
        assert!(!access.contains_key("cognito:groups") && !id.contains_key("cognito:groups"));
    }
}
