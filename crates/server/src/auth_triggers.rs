//! The user pool's Lambda triggers, run by the functions runtime: each `defineAuth({ triggers })`
//! entry names a `defineFunction`, whose handler receives the trigger event Cognito sends and
//! returns it with `response` filled in.

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use stratus_auth::triggers::{
    AuthTriggers, CreateAuthChallengeEvent, CreateAuthChallengeResponse, DefineAuthChallengeEvent,
    DefineAuthChallengeResponse, TriggerError, TriggerEvent, TriggerFuture,
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
