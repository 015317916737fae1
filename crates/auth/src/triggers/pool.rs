//! The user pool's other Lambda triggers (PreSignUp, PostConfirmation, PreAuthentication,
//! PostAuthentication, PreTokenGeneration, CustomMessage, UserMigration) as a seam sibling to
//! [`super::AuthTriggers`]: whoever builds the [`crate::AuthService`] may set
//! [`crate::AuthConfig::pool_triggers`] to an implementation of [`UserPoolTriggers`]. The pool
//! asks [`UserPoolTriggers::has`] before it builds an event, so an implementation without a
//! trigger leaves that point as it is without one.
//!
//! Events serialize to the JSON AWS documents for each trigger (the common envelope
//! [`TriggerEvent`] with version `"1"`; PreTokenGeneration is the `V1_0` event, the only one
//! `defineAuth` can select) and responses read back from the names a handler sets on
//! `event.response`.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

use super::TriggerEvent;

/// The triggers of this seam, named as Cognito names them in errors (`<name> failed with
/// error ...`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PoolTrigger {
    PreSignUp,
    PostConfirmation,
    PreAuthentication,
    PostAuthentication,
    PreTokenGeneration,
    CustomMessage,
    UserMigration,
}

impl PoolTrigger {
    pub const ALL: [PoolTrigger; 7] = [
        Self::PreSignUp,
        Self::PostConfirmation,
        Self::PreAuthentication,
        Self::PostAuthentication,
        Self::PreTokenGeneration,
        Self::CustomMessage,
        Self::UserMigration,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Self::PreSignUp => "PreSignUp",
            Self::PostConfirmation => "PostConfirmation",
            Self::PreAuthentication => "PreAuthentication",
            Self::PostAuthentication => "PostAuthentication",
            Self::PreTokenGeneration => "PreTokenGeneration",
            Self::CustomMessage => "CustomMessage",
            Self::UserMigration => "UserMigration",
        }
    }
}

/// Why a trigger gave no usable answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TriggerFailure {
    /// The handler threw, timed out or could not run: `UserLambdaValidationException:
    /// <Trigger> failed with error <message>.`
    #[error("{0}")]
    Failed(String),
    /// The handler returned something that is not the event (`undefined`, a string) or whose
    /// `response` does not have the documented shape: `InvalidLambdaResponseException`.
    #[error("{0}")]
    InvalidResponse(String),
}

/// What a trigger call returns.
pub type PoolTriggerFuture<'a, T> =
    Pin<Box<dyn Future<Output = Result<T, TriggerFailure>> + Send + 'a>>;

/// A `null` where a list or map is expected reads as empty (handlers write `null` freely).
fn null_default<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

/// `response` of the triggers that expect nothing back (`{}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NoResponse {}

// ---- PreSignUp -------------------------------------------------------------------------

/// `request` of PreSignUp (`PreSignUp_SignUp`, `PreSignUp_AdminCreateUser`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreSignUpRequest {
    /// The attributes given to SignUp / AdminCreateUser.
    pub user_attributes: BTreeMap<String, String>,
    /// The request's `ValidationData`; `null` when it had none.
    pub validation_data: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub client_metadata: BTreeMap<String, String>,
}

/// `response` of PreSignUp (ignored for `PreSignUp_AdminCreateUser`, as AWS documents).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreSignUpResponse {
    #[serde(default, deserialize_with = "null_default")]
    pub auto_confirm_user: bool,
    #[serde(default, deserialize_with = "null_default")]
    pub auto_verify_email: bool,
    #[serde(default, deserialize_with = "null_default")]
    pub auto_verify_phone: bool,
}

// ---- PostConfirmation ------------------------------------------------------------------

/// `request` of PostConfirmation (`PostConfirmation_ConfirmSignUp`,
/// `PostConfirmation_ConfirmForgotPassword`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostConfirmationRequest {
    /// The confirmed user's attributes (with `sub` and `cognito:user_status`).
    pub user_attributes: BTreeMap<String, String>,
    #[serde(default)]
    pub client_metadata: BTreeMap<String, String>,
}

// ---- PreAuthentication / PostAuthentication --------------------------------------------

/// `request` of PreAuthentication (`PreAuthentication_Authentication`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreAuthenticationRequest {
    /// Empty when the user does not exist.
    pub user_attributes: BTreeMap<String, String>,
    /// The sign-in request's `ClientMetadata`; `null` when it had none.
    pub validation_data: Option<BTreeMap<String, String>>,
    /// The pool behaves as `PreventUserExistenceErrors: ENABLED` (Amplify's app client), so the
    /// trigger also runs for names that are not users.
    pub user_not_found: bool,
}

/// `request` of PostAuthentication (`PostAuthentication_Authentication`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PostAuthenticationRequest {
    pub user_attributes: BTreeMap<String, String>,
    /// Set only when the pool tracks devices: the sign-in did not come from a confirmed device.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub new_device_used: Option<bool>,
    /// `ClientMetadata` of RespondToAuthChallenge (never of InitiateAuth, as AWS documents).
    #[serde(default)]
    pub client_metadata: BTreeMap<String, String>,
}

// ---- PreTokenGeneration ----------------------------------------------------------------

/// `groupConfiguration` / `groupOverrideDetails`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GroupConfiguration {
    #[serde(default, deserialize_with = "null_default")]
    pub groups_to_override: Vec<String>,
    #[serde(default, deserialize_with = "null_default")]
    pub iam_roles_to_override: Vec<String>,
    #[serde(default)]
    pub preferred_role: Option<String>,
}

/// `request` of PreTokenGeneration (`TokenGeneration_Authentication`,
/// `TokenGeneration_NewPasswordChallenge`, `TokenGeneration_AuthenticateDevice`,
/// `TokenGeneration_RefreshTokens`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreTokenGenerationRequest {
    pub user_attributes: BTreeMap<String, String>,
    /// The user's groups (groups carry no IAM roles here: `iamRolesToOverride` is empty and
    /// `preferredRole` `null`).
    pub group_configuration: GroupConfiguration,
    #[serde(default)]
    pub client_metadata: BTreeMap<String, String>,
}

/// `response.claimsOverrideDetails`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ClaimsOverrideDetails {
    /// Claims added to (or replacing claims of) the id token. `V1_0` values are strings.
    #[serde(default, deserialize_with = "null_default")]
    pub claims_to_add_or_override: Map<String, Value>,
    /// Claims removed from the id token (wins over `claimsToAddOrOverride`).
    #[serde(default, deserialize_with = "null_default")]
    pub claims_to_suppress: Vec<String>,
    /// When present, replaces `cognito:groups` in both tokens (and `cognito:roles` /
    /// `cognito:preferred_role` in the id token).
    #[serde(default)]
    pub group_override_details: Option<GroupConfiguration>,
}

/// `response` of PreTokenGeneration: `{"claimsOverrideDetails": null}` until the handler sets
/// it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PreTokenGenerationResponse {
    #[serde(default)]
    pub claims_override_details: Option<ClaimsOverrideDetails>,
}

// ---- CustomMessage ---------------------------------------------------------------------

/// `request` of CustomMessage (`CustomMessage_SignUp`, `_ResendCode`, `_ForgotPassword`,
/// `_UpdateUserAttribute`, `_VerifyUserAttribute`, `_AdminCreateUser`, `_Authentication`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomMessageRequest {
    pub user_attributes: BTreeMap<String, String>,
    /// `{####}`: the place of the code (the temporary password for `_AdminCreateUser`) in
    /// the returned message.
    pub code_parameter: String,
    /// `{##Click Here##}` on sign-up messages (`_SignUp`, `_ResendCode`): the place of a
    /// verification link.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link_parameter: Option<String>,
    /// `{username}` for `_AdminCreateUser`, `null` otherwise.
    pub username_parameter: Option<String>,
    #[serde(default)]
    pub client_metadata: BTreeMap<String, String>,
}

/// `response` of CustomMessage: `null`s until the handler sets them. A message without the
/// code parameter (and, for `_AdminCreateUser`, the user name parameter) is not used.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CustomMessageResponse {
    #[serde(default)]
    pub sms_message: Option<String>,
    #[serde(default)]
    pub email_message: Option<String>,
    #[serde(default)]
    pub email_subject: Option<String>,
}

// ---- UserMigration ---------------------------------------------------------------------

/// `request` of UserMigration (`UserMigration_Authentication`, `UserMigration_ForgotPassword`);
/// `userName` is the name given at sign-in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserMigrationRequest {
    /// The password given at sign-in (absent in the forgot-password flow).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
    /// The sign-in request's `ClientMetadata`; `null` when it had none.
    pub validation_data: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub client_metadata: BTreeMap<String, String>,
}

/// `response` of UserMigration. No `userAttributes`: the user is not migrated.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserMigrationResponse {
    #[serde(default, deserialize_with = "null_default")]
    pub user_attributes: BTreeMap<String, String>,
    /// `CONFIRMED`; anything else is `RESET_REQUIRED`.
    #[serde(default)]
    pub final_user_status: Option<String>,
    /// `SUPPRESS` (no welcome message is sent either way here).
    #[serde(default)]
    pub message_action: Option<String>,
    #[serde(default)]
    pub desired_delivery_mediums: Option<Vec<String>>,
    #[serde(default)]
    pub force_alias_creation: Option<bool>,
    #[serde(default, rename = "enableSMSMFA")]
    pub enable_sms_mfa: Option<bool>,
}

pub type PreSignUpEvent = TriggerEvent<PreSignUpRequest, PreSignUpResponse>;
pub type PostConfirmationEvent = TriggerEvent<PostConfirmationRequest, NoResponse>;
pub type PreAuthenticationEvent = TriggerEvent<PreAuthenticationRequest, NoResponse>;
pub type PostAuthenticationEvent = TriggerEvent<PostAuthenticationRequest, NoResponse>;
pub type PreTokenGenerationEvent =
    TriggerEvent<PreTokenGenerationRequest, PreTokenGenerationResponse>;
pub type CustomMessageEvent = TriggerEvent<CustomMessageRequest, CustomMessageResponse>;
pub type UserMigrationEvent = TriggerEvent<UserMigrationRequest, UserMigrationResponse>;

/// What Cognito answers for a handler output it cannot read
/// (`InvalidLambdaResponseException`).
pub const UNRECOGNIZABLE_OUTPUT: &str = "Unrecognizable lambda output";

/// Serialises `event`, runs it through [`UserPoolTriggers::invoke`] and reads the response back.
fn typed<'a, T, Req, Res>(
    triggers: &'a T,
    trigger: PoolTrigger,
    event: TriggerEvent<Req, Res>,
) -> PoolTriggerFuture<'a, Res>
where
    T: UserPoolTriggers + ?Sized,
    Req: Serialize,
    Res: Serialize + serde::de::DeserializeOwned + Send + 'a,
{
    let event = match serde_json::to_value(&event) {
        Ok(event) => event,
        Err(e) => {
            return Box::pin(std::future::ready(Err(TriggerFailure::Failed(
                e.to_string(),
            ))));
        }
    };
    let call = triggers.invoke(trigger, event);
    Box::pin(async move {
        let response = call.await?;
        serde_json::from_value(response).map_err(|e| {
            tracing::warn!(trigger = trigger.name(), error = %e, "{UNRECOGNIZABLE_OUTPUT}");
            TriggerFailure::InvalidResponse(UNRECOGNIZABLE_OUTPUT.into())
        })
    })
}

/// The user pool's Lambda triggers other than the custom-auth ones. Only the triggers
/// [`UserPoolTriggers::has`] reports are called. An implementation runs a trigger on the event
/// as JSON ([`UserPoolTriggers::invoke`]); the typed methods, which the pool calls, are provided.
pub trait UserPoolTriggers: Send + Sync + std::fmt::Debug {
    /// Whether the pool has `trigger`.
    fn has(&self, trigger: PoolTrigger) -> bool;

    /// Run `trigger` on `event` (the Lambda event's JSON) and answer the `response` part of
    /// what the handler returned (an empty object when it left it out).
    fn invoke(&self, trigger: PoolTrigger, event: Value) -> PoolTriggerFuture<'_, Value>;

    fn pre_sign_up(&self, event: PreSignUpEvent) -> PoolTriggerFuture<'_, PreSignUpResponse> {
        typed(self, PoolTrigger::PreSignUp, event)
    }

    fn post_confirmation(&self, event: PostConfirmationEvent) -> PoolTriggerFuture<'_, NoResponse> {
        typed(self, PoolTrigger::PostConfirmation, event)
    }

    fn pre_authentication(
        &self,
        event: PreAuthenticationEvent,
    ) -> PoolTriggerFuture<'_, NoResponse> {
        typed(self, PoolTrigger::PreAuthentication, event)
    }

    fn post_authentication(
        &self,
        event: PostAuthenticationEvent,
    ) -> PoolTriggerFuture<'_, NoResponse> {
        typed(self, PoolTrigger::PostAuthentication, event)
    }

    fn pre_token_generation(
        &self,
        event: PreTokenGenerationEvent,
    ) -> PoolTriggerFuture<'_, PreTokenGenerationResponse> {
        typed(self, PoolTrigger::PreTokenGeneration, event)
    }

    fn custom_message(
        &self,
        event: CustomMessageEvent,
    ) -> PoolTriggerFuture<'_, CustomMessageResponse> {
        typed(self, PoolTrigger::CustomMessage, event)
    }

    fn user_migration(
        &self,
        event: UserMigrationEvent,
    ) -> PoolTriggerFuture<'_, UserMigrationResponse> {
        typed(self, PoolTrigger::UserMigration, event)
    }
}

#[cfg(test)]
mod tests {
    use super::super::CallerContext;
    use super::*;
    use serde_json::json;

    fn envelope<Req, Res>(source: &str, request: Req, response: Res) -> TriggerEvent<Req, Res> {
        TriggerEvent {
            version: "1".into(),
            trigger_source: source.into(),
            region: "us-east-1".into(),
            user_pool_id: "us-east-1_x".into(),
            user_name: "u".into(),
            caller_context: CallerContext {
                aws_sdk_version: "aws-sdk-unknown-unknown".into(),
                client_id: "c".into(),
            },
            request,
            response,
        }
    }

    #[test]
    fn events_have_the_documented_json_shape() {
        let e = envelope(
            "PreSignUp_SignUp",
            PreSignUpRequest {
                user_attributes: BTreeMap::from([("email".into(), "a@b.c".into())]),
                validation_data: None,
                client_metadata: BTreeMap::new(),
            },
            PreSignUpResponse::default(),
        );
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["request"]["validationData"], Value::Null);
        assert_eq!(
            v["response"],
            json!({"autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false})
        );
        let e = envelope(
            "TokenGeneration_Authentication",
            PreTokenGenerationRequest {
                user_attributes: BTreeMap::new(),
                group_configuration: GroupConfiguration::default(),
                client_metadata: BTreeMap::new(),
            },
            PreTokenGenerationResponse::default(),
        );
        let v = serde_json::to_value(&e).unwrap();
        assert_eq!(v["response"], json!({"claimsOverrideDetails": null}));
        assert_eq!(
            v["request"]["groupConfiguration"],
            json!({"groupsToOverride": [], "iamRolesToOverride": [], "preferredRole": null})
        );
        let v = serde_json::to_value(CustomMessageResponse::default()).unwrap();
        assert_eq!(
            v,
            json!({"smsMessage": null, "emailMessage": null, "emailSubject": null})
        );
    }

    #[test]
    fn responses_read_back_from_the_documented_names() {
        let r: PreTokenGenerationResponse = serde_json::from_value(json!({
            "claimsOverrideDetails": {
                "claimsToAddOrOverride": {"tier": "gold"},
                "claimsToSuppress": null,
                "groupOverrideDetails": {"groupsToOverride": ["a"]}
            }
        }))
        .unwrap();
        let d = r.claims_override_details.unwrap();
        assert_eq!(d.claims_to_add_or_override["tier"], "gold");
        assert!(d.claims_to_suppress.is_empty());
        assert_eq!(d.group_override_details.unwrap().groups_to_override, ["a"]);
        let r: PreSignUpResponse =
            serde_json::from_value(json!({"autoConfirmUser": true, "autoVerifyEmail": null}))
                .unwrap();
        assert!(r.auto_confirm_user && !r.auto_verify_email);
        let r: UserMigrationResponse = serde_json::from_value(json!({
            "userAttributes": {"email": "a@b.c"}, "finalUserStatus": "CONFIRMED",
            "enableSMSMFA": false
        }))
        .unwrap();
        assert_eq!(r.final_user_status.as_deref(), Some("CONFIRMED"));
        assert_eq!(r.enable_sms_mfa, Some(false));
    }
}
