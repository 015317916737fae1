//! The user pool's Lambda triggers, run by the functions runtime: each `defineAuth({ triggers })`
//! entry names a `defineFunction`, whose handler receives the trigger event Cognito sends and
//! returns it with `response` filled in.
//!
//! - [`FunctionAuthTriggers`]: the custom-auth triggers ([`AuthTriggers`]).
//! - [`FunctionPoolTriggers`]: every other trigger ([`UserPoolTriggers`]: PreSignUp,
//!   PostConfirmation, PreAuthentication, PostAuthentication, PreTokenGeneration,
//!   CustomMessage, UserMigration).

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use std::collections::HashMap;

use stratus_auth::triggers::{
    AuthTriggers, CreateAuthChallengeEvent, CreateAuthChallengeResponse, CustomMessageEvent,
    CustomMessageResponse, DefineAuthChallengeEvent, DefineAuthChallengeResponse, NoResponse,
    PoolTrigger, PoolTriggerFuture, PostAuthenticationEvent, PostConfirmationEvent,
    PreAuthenticationEvent, PreSignUpEvent, PreSignUpResponse, PreTokenGenerationEvent,
    PreTokenGenerationResponse, TriggerError, TriggerEvent, TriggerFailure, TriggerFuture,
    UserMigrationEvent, UserMigrationResponse, UserPoolTriggers, VerifyAuthChallengeResponseEvent,
    VerifyAuthChallengeResponseResponse,
};
use stratus_functions::Functions;
use stratus_spec::auth::{AuthSpec, TriggerEvent as TriggerKind};

/// The custom-authentication triggers of one user pool, backed by its functions.
#[derive(Debug, Clone)]
pub struct FunctionAuthTriggers {
    functions: Functions,
    define: String,
    create: Option<String>,
    verify: Option<String>,
}

impl FunctionAuthTriggers {
    /// The triggers of `spec`, when it has a DefineAuthChallenge trigger (without one the pool
    /// has no custom authentication, as in Cognito).
    pub fn from_spec(spec: &AuthSpec, functions: &Functions) -> Option<Self> {
        let find = |kind: TriggerKind| {
            spec.triggers
                .iter()
                .find(|t| t.event == kind)
                .map(|t| t.function.clone())
        };
        Some(FunctionAuthTriggers {
            define: find(TriggerKind::DefineAuthChallenge)?,
            create: find(TriggerKind::CreateAuthChallenge),
            verify: find(TriggerKind::VerifyAuthChallengeResponse),
            functions: functions.clone(),
        })
    }

    async fn call<Req: Serialize, Res: Serialize + DeserializeOwned>(
        &self,
        function: Option<&str>,
        trigger: &str,
        event: TriggerEvent<Req, Res>,
    ) -> Result<Res, TriggerError> {
        let Some(function) = function else {
            return Err(TriggerError(format!(
                "the user pool has no {trigger} trigger"
            )));
        };
        let event = serde_json::to_value(&event).map_err(|e| TriggerError(e.to_string()))?;
        let returned = self
            .functions
            .invoke(function, &event)
            .await
            .map_err(|e| TriggerError(e.error_message()))?;
        // The handler returns the event; Cognito reads its `response`.
        let response = match returned {
            Value::Object(mut event) => event.remove("response").unwrap_or(Value::Null),
            _ => Value::Null,
        };
        serde_json::from_value(response)
            .map_err(|e| TriggerError(format!("Invalid lambda response: {e}")))
    }
}

impl AuthTriggers for FunctionAuthTriggers {
    fn define_auth_challenge(
        &self,
        event: DefineAuthChallengeEvent,
    ) -> TriggerFuture<'_, DefineAuthChallengeResponse> {
        Box::pin(self.call(Some(&self.define), "DefineAuthChallenge", event))
    }

    fn create_auth_challenge(
        &self,
        event: CreateAuthChallengeEvent,
    ) -> TriggerFuture<'_, CreateAuthChallengeResponse> {
        Box::pin(self.call(self.create.as_deref(), "CreateAuthChallenge", event))
    }

    fn verify_auth_challenge_response(
        &self,
        event: VerifyAuthChallengeResponseEvent,
    ) -> TriggerFuture<'_, VerifyAuthChallengeResponseResponse> {
        Box::pin(self.call(self.verify.as_deref(), "VerifyAuthChallengeResponse", event))
    }
}

/// The seam's trigger for a `defineAuth` trigger key (`None`: a custom-auth trigger).
fn pool_trigger(kind: TriggerKind) -> Option<PoolTrigger> {
    Some(match kind {
        TriggerKind::PreSignUp => PoolTrigger::PreSignUp,
        TriggerKind::PostConfirmation => PoolTrigger::PostConfirmation,
        TriggerKind::PreAuthentication => PoolTrigger::PreAuthentication,
        TriggerKind::PostAuthentication => PoolTrigger::PostAuthentication,
        TriggerKind::PreTokenGeneration => PoolTrigger::PreTokenGeneration,
        TriggerKind::CustomMessage => PoolTrigger::CustomMessage,
        TriggerKind::UserMigration => PoolTrigger::UserMigration,
        TriggerKind::DefineAuthChallenge
        | TriggerKind::CreateAuthChallenge
        | TriggerKind::VerifyAuthChallengeResponse => return None,
    })
}

/// What Cognito says of a handler output it cannot read (`undefined`, a string, a `response`
/// of the wrong shape).
const UNRECOGNIZABLE: &str = "Unrecognizable lambda output";

/// The user pool's triggers other than the custom-auth ones, backed by its functions.
#[derive(Debug, Clone)]
pub struct FunctionPoolTriggers {
    functions: Functions,
    by_trigger: HashMap<PoolTrigger, String>,
}

impl FunctionPoolTriggers {
    /// The triggers of `spec` (`None` when it has none of them).
    pub fn from_spec(spec: &AuthSpec, functions: &Functions) -> Option<Self> {
        let by_trigger: HashMap<PoolTrigger, String> = spec
            .triggers
            .iter()
            .filter_map(|t| Some((pool_trigger(t.event)?, t.function.clone())))
            .collect();
        (!by_trigger.is_empty()).then(|| FunctionPoolTriggers {
            functions: functions.clone(),
            by_trigger,
        })
    }

    fn run<Req, Res>(
        &self,
        trigger: PoolTrigger,
        event: TriggerEvent<Req, Res>,
    ) -> PoolTriggerFuture<'_, Res>
    where
        Req: Serialize + Send + 'static,
        Res: Serialize + DeserializeOwned + Send + 'static,
    {
        Box::pin(async move {
            let Some(function) = self.by_trigger.get(&trigger) else {
                return Err(TriggerFailure::Failed(format!(
                    "the user pool has no {} trigger",
                    trigger.name()
                )));
            };
            let event =
                serde_json::to_value(&event).map_err(|e| TriggerFailure::Failed(e.to_string()))?;
            let returned = self
                .functions
                .invoke(function, &event)
                .await
                .map_err(|e| TriggerFailure::Failed(e.error_message()))?;
            // The handler returns the event; Cognito reads its `response`.
            let Value::Object(mut returned) = returned else {
                tracing::warn!(
                    function,
                    trigger = trigger.name(),
                    "{UNRECOGNIZABLE}: not an object"
                );
                return Err(TriggerFailure::InvalidResponse(UNRECOGNIZABLE.into()));
            };
            let response = match returned.remove("response") {
                None | Some(Value::Null) => Value::Object(Default::default()),
                Some(r) => r,
            };
            serde_json::from_value(response).map_err(|e| {
                tracing::warn!(function, trigger = trigger.name(), error = %e, "{UNRECOGNIZABLE}");
                TriggerFailure::InvalidResponse(UNRECOGNIZABLE.into())
            })
        })
    }
}

impl UserPoolTriggers for FunctionPoolTriggers {
    fn has(&self, trigger: PoolTrigger) -> bool {
        self.by_trigger.contains_key(&trigger)
    }

    fn pre_sign_up(&self, event: PreSignUpEvent) -> PoolTriggerFuture<'_, PreSignUpResponse> {
        self.run(PoolTrigger::PreSignUp, event)
    }

    fn post_confirmation(&self, event: PostConfirmationEvent) -> PoolTriggerFuture<'_, NoResponse> {
        self.run(PoolTrigger::PostConfirmation, event)
    }

    fn pre_authentication(
        &self,
        event: PreAuthenticationEvent,
    ) -> PoolTriggerFuture<'_, NoResponse> {
        self.run(PoolTrigger::PreAuthentication, event)
    }

    fn post_authentication(
        &self,
        event: PostAuthenticationEvent,
    ) -> PoolTriggerFuture<'_, NoResponse> {
        self.run(PoolTrigger::PostAuthentication, event)
    }

    fn pre_token_generation(
        &self,
        event: PreTokenGenerationEvent,
    ) -> PoolTriggerFuture<'_, PreTokenGenerationResponse> {
        self.run(PoolTrigger::PreTokenGeneration, event)
    }

    fn custom_message(
        &self,
        event: CustomMessageEvent,
    ) -> PoolTriggerFuture<'_, CustomMessageResponse> {
        self.run(PoolTrigger::CustomMessage, event)
    }

    fn user_migration(
        &self,
        event: UserMigrationEvent,
    ) -> PoolTriggerFuture<'_, UserMigrationResponse> {
        self.run(PoolTrigger::UserMigration, event)
    }
}
