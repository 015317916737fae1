//! The custom authentication Lambda triggers (DefineAuthChallenge, CreateAuthChallenge,
//! VerifyAuthChallengeResponse) as a seam: whoever builds the [`crate::AuthService`] may set
//! [`crate::AuthConfig::triggers`] to an implementation of [`AuthTriggers`]; the CUSTOM_AUTH flow
//! calls it. The event and response types serialize to the JSON shapes AWS documents for these
//! triggers (`version`, `triggerSource`, `region`, `userPoolId`, `userName`, `callerContext`,
//! `request`, `response`), so a functions runtime can hand the serialized event to a user's
//! handler and read `event.response` back.
//!
//! Without triggers (`None`: no DefineAuthChallenge trigger) CUSTOM_AUTH answers what Cognito
//! answers for a pool without a DefineAuthChallenge trigger: `InvalidParameterException: Custom
//! auth lambda trigger is not configured for the user pool.`
//!
//! The pool's other triggers (PreSignUp, PostConfirmation, PreAuthentication,
//! PostAuthentication, PreTokenGeneration, CustomMessage, UserMigration) are the sibling seam
//! [`UserPoolTriggers`] ([`crate::AuthConfig::pool_triggers`]), with the same envelope.

use std::collections::BTreeMap;
use std::future::Future;
use std::pin::Pin;

use serde::{Deserialize, Serialize};

mod pool;
pub use pool::*;

/// The most entries a custom sign-in's session may reach; the next DefineAuthChallenge asking
/// for another challenge ends the sign-in (`NotAuthorizedException`). Cognito's own limit is not
/// documented where we could find it; this bound keeps a looping trigger from running forever.
pub const MAX_CUSTOM_SESSION: usize = 16;

/// The message Cognito answers CUSTOM_AUTH with when the pool has no DefineAuthChallenge
/// trigger (`InvalidParameterException`).
pub const NO_TRIGGER_MESSAGE: &str =
    "Custom auth lambda trigger is not configured for the user pool.";

/// One entry of `request.session`: a challenge presented in this sign-in and its result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ChallengeResult {
    /// `SRP_A`, `PASSWORD_VERIFIER` or `CUSTOM_CHALLENGE`.
    pub challenge_name: String,
    pub challenge_result: bool,
    /// The `challengeMetadata` CreateAuthChallenge gave this challenge (custom challenges);
    /// `null` otherwise (the key is always present, as in the events Cognito sends).
    #[serde(default)]
    pub challenge_metadata: Option<String>,
}

/// `callerContext`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CallerContext {
    pub aws_sdk_version: String,
    pub client_id: String,
}

/// The common envelope of a user-pool trigger event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TriggerEvent<Req, Res> {
    /// Always `"1"`.
    pub version: String,
    /// `DefineAuthChallenge_Authentication`, `CreateAuthChallenge_Authentication`,
    /// `VerifyAuthChallengeResponse_Authentication`.
    pub trigger_source: String,
    pub region: String,
    pub user_pool_id: String,
    /// The Cognito user name (the `sub` in email / phone sign-in pools); the name given at
    /// sign-in when the user does not exist (`request.userNotFound`).
    pub user_name: String,
    pub caller_context: CallerContext,
    pub request: Req,
    pub response: Res,
}

/// `request` of DefineAuthChallenge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DefineAuthChallengeRequest {
    pub user_attributes: BTreeMap<String, String>,
    pub session: Vec<ChallengeResult>,
    #[serde(default)]
    pub client_metadata: BTreeMap<String, String>,
    /// True when the user does not exist (PreventUserExistenceErrors is on, as in Amplify's
    /// app client): the flow runs, but no tokens can come out of it.
    pub user_not_found: bool,
}

/// `response` of DefineAuthChallenge.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DefineAuthChallengeResponse {
    /// The next challenge: `CUSTOM_CHALLENGE`, or `PASSWORD_VERIFIER` right after `SRP_A`.
    #[serde(default)]
    pub challenge_name: Option<String>,
    #[serde(default)]
    pub issue_tokens: bool,
    #[serde(default)]
    pub fail_authentication: bool,
}

/// `request` of CreateAuthChallenge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateAuthChallengeRequest {
    pub user_attributes: BTreeMap<String, String>,
    /// The challenge DefineAuthChallenge asked for (`CUSTOM_CHALLENGE`).
    pub challenge_name: String,
    pub session: Vec<ChallengeResult>,
    #[serde(default)]
    pub client_metadata: BTreeMap<String, String>,
    pub user_not_found: bool,
}

/// `response` of CreateAuthChallenge.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CreateAuthChallengeResponse {
    /// Sent to the client as the challenge's `ChallengeParameters`.
    #[serde(default)]
    pub public_challenge_parameters: BTreeMap<String, String>,
    /// Kept on the server and given to VerifyAuthChallengeResponse.
    #[serde(default)]
    pub private_challenge_parameters: BTreeMap<String, String>,
    /// Recorded in the session entry of this challenge.
    #[serde(default)]
    pub challenge_metadata: Option<String>,
}

/// `request` of VerifyAuthChallengeResponse.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyAuthChallengeResponseRequest {
    pub user_attributes: BTreeMap<String, String>,
    pub private_challenge_parameters: BTreeMap<String, String>,
    /// The client's `ChallengeResponses.ANSWER`.
    pub challenge_answer: String,
    #[serde(default)]
    pub client_metadata: BTreeMap<String, String>,
    pub user_not_found: bool,
}

/// `response` of VerifyAuthChallengeResponse.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyAuthChallengeResponseResponse {
    #[serde(default)]
    pub answer_correct: bool,
}

pub type DefineAuthChallengeEvent =
    TriggerEvent<DefineAuthChallengeRequest, DefineAuthChallengeResponse>;
pub type CreateAuthChallengeEvent =
    TriggerEvent<CreateAuthChallengeRequest, CreateAuthChallengeResponse>;
pub type VerifyAuthChallengeResponseEvent =
    TriggerEvent<VerifyAuthChallengeResponseRequest, VerifyAuthChallengeResponseResponse>;

/// A trigger that failed (threw, timed out, could not run). The client gets
/// `UserLambdaValidationException: <Trigger> failed with error <message>.`
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TriggerError(pub String);

/// What a trigger call returns.
pub type TriggerFuture<'a, T> = Pin<Box<dyn Future<Output = Result<T, TriggerError>> + Send + 'a>>;

/// The custom authentication triggers of a user pool. An implementation that has no handler for
/// DefineAuthChallenge should not be installed at all (`AuthConfig::triggers = None`).
pub trait AuthTriggers: Send + Sync + std::fmt::Debug {
    fn define_auth_challenge(
        &self,
        event: DefineAuthChallengeEvent,
    ) -> TriggerFuture<'_, DefineAuthChallengeResponse>;

    fn create_auth_challenge(
        &self,
        event: CreateAuthChallengeEvent,
    ) -> TriggerFuture<'_, CreateAuthChallengeResponse>;

    fn verify_auth_challenge_response(
        &self,
        event: VerifyAuthChallengeResponseEvent,
    ) -> TriggerFuture<'_, VerifyAuthChallengeResponseResponse>;
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn events_have_the_lambda_json_shape() {
        let event = DefineAuthChallengeEvent {
            version: "1".into(),
            trigger_source: "DefineAuthChallenge_Authentication".into(),
            region: "us-east-1".into(),
            user_pool_id: "us-east-1_x".into(),
            user_name: "u".into(),
            caller_context: CallerContext {
                aws_sdk_version: "aws-sdk-unknown-unknown".into(),
                client_id: "c".into(),
            },
            request: DefineAuthChallengeRequest {
                user_attributes: BTreeMap::from([("email".into(), "a@b.c".into())]),
                session: vec![ChallengeResult {
                    challenge_name: "SRP_A".into(),
                    challenge_result: true,
                    challenge_metadata: None,
                }],
                client_metadata: BTreeMap::new(),
                user_not_found: false,
            },
            response: DefineAuthChallengeResponse::default(),
        };
        let v = serde_json::to_value(&event).unwrap();
        assert_eq!(v["triggerSource"], "DefineAuthChallenge_Authentication");
        assert_eq!(
            v["callerContext"]["awsSdkVersion"],
            "aws-sdk-unknown-unknown"
        );
        assert_eq!(
            v["request"]["session"],
            json!([{"challengeName": "SRP_A", "challengeResult": true, "challengeMetadata": null}])
        );
        assert_eq!(v["request"]["userNotFound"], false);
        assert_eq!(
            v["response"],
            json!({"challengeName": null, "issueTokens": false, "failAuthentication": false})
        );
        // A handler's answer reads back from the documented names.
        let r: CreateAuthChallengeResponse = serde_json::from_value(json!({
            "publicChallengeParameters": {"q": "2+2"},
            "privateChallengeParameters": {"answer": "4"},
            "challengeMetadata": "MATH"
        }))
        .unwrap();
        assert_eq!(r.private_challenge_parameters["answer"], "4");
        assert_eq!(r.challenge_metadata.as_deref(), Some("MATH"));
        let r: VerifyAuthChallengeResponseResponse =
            serde_json::from_value(json!({"answerCorrect": true})).unwrap();
        assert!(r.answer_correct);
    }
}
