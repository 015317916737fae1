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
    AuthTriggers, CreateAuthChallengeEvent, CreateAuthChallengeResponse, DefineAuthChallengeEvent,
    DefineAuthChallengeResponse, PoolTrigger, PoolTriggerFuture, TriggerError, TriggerEvent,
    TriggerFailure, TriggerFuture, UNRECOGNIZABLE_OUTPUT, UserPoolTriggers,
    VerifyAuthChallengeResponseEvent, VerifyAuthChallengeResponseResponse,
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
}

impl UserPoolTriggers for FunctionPoolTriggers {
    fn has(&self, trigger: PoolTrigger) -> bool {
        self.by_trigger.contains_key(&trigger)
    }

    fn invoke(&self, trigger: PoolTrigger, event: Value) -> PoolTriggerFuture<'_, Value> {
        Box::pin(async move {
            let Some(function) = self.by_trigger.get(&trigger) else {
                return Err(TriggerFailure::Failed(format!(
                    "the user pool has no {} trigger",
                    trigger.name()
                )));
            };
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
                    "{UNRECOGNIZABLE_OUTPUT}: not an object"
                );
                return Err(TriggerFailure::InvalidResponse(
                    UNRECOGNIZABLE_OUTPUT.into(),
                ));
            };
            Ok(match returned.remove("response") {
                None | Some(Value::Null) => Value::Object(Default::default()),
                Some(r) => r,
            })
        })
    }
}
