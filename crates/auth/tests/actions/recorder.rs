//! An in-test [`UserPoolTriggers`]: each trigger is a closure over the event's Lambda JSON
//! that returns the `response` JSON (read back into the typed response, as the functions
//! runtime does) or a failure; every event is recorded.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;
use stratus_auth::triggers::{
    CustomMessageEvent, CustomMessageResponse, NoResponse, PoolTrigger, PoolTriggerFuture,
    PostAuthenticationEvent, PostConfirmationEvent, PreAuthenticationEvent, PreSignUpEvent,
    PreSignUpResponse, PreTokenGenerationEvent, PreTokenGenerationResponse, TriggerEvent,
    TriggerFailure, UserMigrationEvent, UserMigrationResponse, UserPoolTriggers,
};

type Handler = Box<dyn Fn(&Value) -> Result<Value, TriggerFailure> + Send + Sync>;

#[derive(Default)]
pub struct Recorder {
    handlers: HashMap<PoolTrigger, Handler>,
    events: Mutex<Vec<Value>>,
}

impl std::fmt::Debug for Recorder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recorder").finish_non_exhaustive()
    }
}

/// A handler's thrown error (`new Error(message)`).
pub fn thrown(message: &str) -> TriggerFailure {
    TriggerFailure::Failed(message.to_string())
}

impl Recorder {
    pub fn new() -> Self {
        Self::default()
    }

    /// Handles `trigger` with `f` (event JSON → response JSON).
    pub fn on(
        mut self,
        trigger: PoolTrigger,
        f: impl Fn(&Value) -> Result<Value, TriggerFailure> + Send + Sync + 'static,
    ) -> Self {
        self.handlers.insert(trigger, Box::new(f));
        self
    }

    pub fn arc(self) -> Arc<Self> {
        Arc::new(self)
    }

    /// The recorded events whose `triggerSource` starts with `prefix`, oldest first.
    pub fn events(&self, prefix: &str) -> Vec<Value> {
        self.events
            .lock()
            .unwrap()
            .iter()
            .filter(|e| e["triggerSource"].as_str().unwrap().starts_with(prefix))
            .cloned()
            .collect()
    }

    /// The newest event of `prefix`.
    pub fn last(&self, prefix: &str) -> Value {
        self.events(prefix)
            .pop()
            .unwrap_or_else(|| panic!("no {prefix} event"))
    }

    fn run<Req, Res>(
        &self,
        trigger: PoolTrigger,
        event: TriggerEvent<Req, Res>,
    ) -> PoolTriggerFuture<'_, Res>
    where
        Req: Serialize,
        Res: Serialize + DeserializeOwned + Send + 'static,
    {
        let event = serde_json::to_value(&event).unwrap();
        self.events.lock().unwrap().push(event.clone());
        let handler = &self.handlers[&trigger];
        let out = handler(&event).and_then(|response| {
            serde_json::from_value(response).map_err(|e| {
                TriggerFailure::InvalidResponse(format!("Invalid lambda response: {e}"))
            })
        });
        Box::pin(std::future::ready(out))
    }
}

impl UserPoolTriggers for Recorder {
    fn has(&self, trigger: PoolTrigger) -> bool {
        self.handlers.contains_key(&trigger)
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
