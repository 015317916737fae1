//! InitiateAuth `CUSTOM_AUTH` and RespondToAuthChallenge `CUSTOM_CHALLENGE`, driven by the
//! DefineAuthChallenge / CreateAuthChallenge / VerifyAuthChallengeResponse triggers
//! ([`crate::triggers::AuthTriggers`], set in [`super::AuthConfig::triggers`]).
//!
//! The state machine, as Cognito runs it:
//! 1. InitiateAuth: the session starts empty, or with `{SRP_A, true}` when `AuthParameters`
//!    carry `CHALLENGE_NAME: SRP_A` (and `SRP_A`); DefineAuthChallenge is called with it.
//! 2. DefineAuthChallenge answers `failAuthentication` (→ `NotAuthorizedException: Incorrect
//!    username or password.`), `issueTokens` (→ the usual end of a sign-in: status checks,
//!    NEW_PASSWORD_REQUIRED, devices, tokens; never for an unknown user), or a challenge:
//!    `PASSWORD_VERIFIER` (only right after `SRP_A`: the SRP step, whose success is recorded as
//!    `{PASSWORD_VERIFIER, true}` before DefineAuthChallenge runs again; a wrong password ends
//!    the sign-in) or `CUSTOM_CHALLENGE` (CreateAuthChallenge makes it; its public parameters go
//!    to the client, the private ones stay in the session).
//! 3. RespondToAuthChallenge `CUSTOM_CHALLENGE` with `ANSWER`: VerifyAuthChallengeResponse
//!    judges it, `{CUSTOM_CHALLENGE, answerCorrect, challengeMetadata}` is appended, and
//!    DefineAuthChallenge decides again (back to 2).
//!
//! Every step hands out a new single-use session token that lives 3 minutes. A sign-in is
//! ended after [`MAX_CUSTOM_SESSION`] session entries.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::AuthService;
use super::session::Pending;
use super::signin::param;
use crate::db::UserRow;
use crate::error::{CResult, CognitoError, ErrorKind};
use crate::triggers::{
    AuthTriggers, ChallengeResult, CreateAuthChallengeRequest, CreateAuthChallengeResponse,
    DefineAuthChallengeRequest, DefineAuthChallengeResponse, MAX_CUSTOM_SESSION,
    NO_TRIGGER_MESSAGE, TriggerEvent, VerifyAuthChallengeResponseRequest,
    VerifyAuthChallengeResponseResponse,
};

/// A custom sign-in in progress (kept in the sign-in session between steps).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct CustomState {
    /// The name given at sign-in.
    pub login: String,
    /// `None` when the user does not exist (the triggers see `userNotFound: true`).
    pub sub: Option<String>,
    /// What the triggers see as `userName` and the client as `USERNAME`.
    pub user_name: String,
    pub session: Vec<ChallengeResult>,
}

impl AuthService {
    fn triggers(&self) -> CResult<&dyn AuthTriggers> {
        self.inner
            .config
            .triggers
            .as_deref()
            .ok_or_else(|| CognitoError::invalid_parameter(NO_TRIGGER_MESSAGE))
    }

    /// InitiateAuth `CUSTOM_AUTH`.
    pub(super) async fn custom_auth(&self, p: &BTreeMap<String, String>) -> CResult<Value> {
        self.triggers()?;
        let login = param(p, "USERNAME")?;
        let user = self.db().user_by_login(login).await?;
        let user_name = match &user {
            Some(u) => u.username.clone(),
            None => self.stand_in_user_id(login),
        };
        let mut state = CustomState {
            login: login.to_string(),
            sub: user.as_ref().map(|u| u.sub.clone()),
            user_name,
            session: Vec::new(),
        };
        let srp_a = match p.get("CHALLENGE_NAME").map(String::as_str) {
            Some("SRP_A") => {
                let a = param(p, "SRP_A")?.to_string();
                state.session.push(ChallengeResult {
                    challenge_name: "SRP_A".into(),
                    challenge_result: true,
                    challenge_metadata: None,
                });
                Some(a)
            }
            None | Some("") | Some("CUSTOM_CHALLENGE") => None,
            Some(other) => {
                return Err(CognitoError::invalid_parameter(format!(
                    "Invalid CHALLENGE_NAME {other}"
                )));
            }
        };
        self.custom_next(state, srp_a, BTreeMap::new(), None).await
    }

    /// RespondToAuthChallenge `CUSTOM_CHALLENGE`.
    pub(super) async fn answer_custom_challenge(
        &self,
        mut state: CustomState,
        private: BTreeMap<String, String>,
        metadata: Option<String>,
        responses: &BTreeMap<String, String>,
        client_metadata: BTreeMap<String, String>,
    ) -> CResult<Value> {
        let triggers = self.triggers()?;
        let answer = param(responses, "ANSWER")?.to_string();
        let user = self.custom_user(&state).await?;
        let event = self.trigger_event(
            "VerifyAuthChallengeResponse_Authentication",
            &state,
            VerifyAuthChallengeResponseRequest {
                user_attributes: self.trigger_attributes(user.as_ref()).await?,
                private_challenge_parameters: private,
                challenge_answer: answer,
                client_metadata: client_metadata.clone(),
                user_not_found: user.is_none(),
            },
            VerifyAuthChallengeResponseResponse::default(),
        );
        let verdict = triggers
            .verify_auth_challenge_response(event)
            .await
            .map_err(|e| lambda_failed("VerifyAuthChallengeResponse", &e.0))?;
        state.session.push(ChallengeResult {
            challenge_name: "CUSTOM_CHALLENGE".into(),
            challenge_result: verdict.answer_correct,
            challenge_metadata: metadata,
        });
        // A remembered device the client names leads to DEVICE_SRP_AUTH once tokens are due;
        // a key the pool does not know is ignored (the sign-in then gets a new device).
        let mut device_key = None;
        if let (Some(key), Some(u)) = (responses.get("DEVICE_KEY"), &user)
            && !key.is_empty()
            && self.device_usable(&u.sub, key).await?
        {
            device_key = Some(key.clone());
        }
        self.custom_next(state, None, client_metadata, device_key)
            .await
    }

    /// After the SRP step of a custom sign-in: the password was right.
    pub(super) async fn custom_after_password(&self, mut state: CustomState) -> CResult<Value> {
        state.session.push(ChallengeResult {
            challenge_name: "PASSWORD_VERIFIER".into(),
            challenge_result: true,
            challenge_metadata: None,
        });
        self.custom_next(state, None, BTreeMap::new(), None).await
    }

    /// Asks DefineAuthChallenge what comes next and does it.
    async fn custom_next(
        &self,
        state: CustomState,
        srp_a: Option<String>,
        client_metadata: BTreeMap<String, String>,
        device_key: Option<String>,
    ) -> CResult<Value> {
        let triggers = self.triggers()?;
        let user = self.custom_user(&state).await?;
        let attributes = self.trigger_attributes(user.as_ref()).await?;
        let event = self.trigger_event(
            "DefineAuthChallenge_Authentication",
            &state,
            DefineAuthChallengeRequest {
                user_attributes: attributes.clone(),
                session: state.session.clone(),
                client_metadata: client_metadata.clone(),
                user_not_found: user.is_none(),
            },
            DefineAuthChallengeResponse::default(),
        );
        let decision = triggers
            .define_auth_challenge(event)
            .await
            .map_err(|e| lambda_failed("DefineAuthChallenge", &e.0))?;
        if decision.fail_authentication {
            return Err(CognitoError::bad_credentials());
        }
        if decision.issue_tokens {
            // Nobody signs in as a user that does not exist, whatever the trigger says.
            let Some(user) = user else {
                return Err(CognitoError::bad_credentials());
            };
            return self.after_factor(user, device_key, true).await;
        }
        if state.session.len() >= MAX_CUSTOM_SESSION {
            return Err(CognitoError::bad_credentials());
        }
        match decision.challenge_name.as_deref() {
            Some("PASSWORD_VERIFIER") => {
                let after_srp_a = state
                    .session
                    .last()
                    .is_some_and(|c| c.challenge_name == "SRP_A");
                match srp_a {
                    Some(a) if after_srp_a => {
                        let login = state.login.clone();
                        self.srp_start_with(&login, &a, None, Some(Box::new(state)))
                            .await
                    }
                    _ => Err(invalid_lambda_response(
                        "PASSWORD_VERIFIER can only follow SRP_A",
                    )),
                }
            }
            Some("CUSTOM_CHALLENGE") => {
                let event = self.trigger_event(
                    "CreateAuthChallenge_Authentication",
                    &state,
                    CreateAuthChallengeRequest {
                        user_attributes: attributes,
                        challenge_name: "CUSTOM_CHALLENGE".into(),
                        session: state.session.clone(),
                        client_metadata,
                        user_not_found: user.is_none(),
                    },
                    CreateAuthChallengeResponse::default(),
                );
                let challenge = triggers
                    .create_auth_challenge(event)
                    .await
                    .map_err(|e| lambda_failed("CreateAuthChallenge", &e.0))?;
                let mut parameters: Map<String, Value> = challenge
                    .public_challenge_parameters
                    .iter()
                    .map(|(k, v)| (k.clone(), json!(v)))
                    .collect();
                parameters.insert("USERNAME".into(), json!(state.user_name));
                let session = self
                    .new_session(&Pending::CustomChallenge {
                        state: Box::new(state),
                        private: challenge.private_challenge_parameters,
                        metadata: challenge.challenge_metadata,
                    })
                    .await?;
                Ok(json!({
                    "ChallengeName": "CUSTOM_CHALLENGE",
                    "Session": session,
                    "ChallengeParameters": parameters,
                }))
            }
            Some(other) => Err(invalid_lambda_response(&format!(
                "Invalid challenge name {other}"
            ))),
            None => Err(invalid_lambda_response("No challenge name")),
        }
    }

    /// The user of a custom sign-in, re-read at each step (`None`: not found).
    async fn custom_user(&self, state: &CustomState) -> CResult<Option<UserRow>> {
        match &state.sub {
            Some(sub) => Ok(Some(self.user(sub).await?)),
            None => Ok(None),
        }
    }

    /// `request.userAttributes`: `sub`, the attributes, `cognito:user_status`.
    async fn trigger_attributes(
        &self,
        user: Option<&UserRow>,
    ) -> CResult<BTreeMap<String, String>> {
        match user {
            Some(user) => self.event_attributes(user).await,
            None => Ok(BTreeMap::new()),
        }
    }

    fn trigger_event<Req, Res>(
        &self,
        source: &str,
        state: &CustomState,
        request: Req,
        response: Res,
    ) -> TriggerEvent<Req, Res> {
        self.pool_event(source, &state.user_name, request, response)
    }
}

/// A trigger that failed: Cognito's `UserLambdaValidationException`.
fn lambda_failed(trigger: &str, message: &str) -> CognitoError {
    CognitoError::new(
        ErrorKind::UserLambdaValidation,
        format!("{trigger} failed with error {message}."),
    )
}

/// A trigger answer the flow cannot use.
fn invalid_lambda_response(detail: &str) -> CognitoError {
    CognitoError::new(
        ErrorKind::InvalidLambdaResponse,
        format!("Invalid lambda response: {detail}"),
    )
}
