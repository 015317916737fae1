//! An in-test [`UserPoolTriggers`]: each trigger is a closure over the event's Lambda JSON
//! that returns the `response` JSON (read back into the typed response, as the functions
//! runtime does) or a failure; every event is recorded.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use stratus_auth::triggers::{PoolTrigger, PoolTriggerFuture, TriggerFailure, UserPoolTriggers};

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
}

impl UserPoolTriggers for Recorder {
    fn has(&self, trigger: PoolTrigger) -> bool {
        self.handlers.contains_key(&trigger)
    }

    fn invoke(&self, trigger: PoolTrigger, event: Value) -> PoolTriggerFuture<'_, Value> {
        self.events.lock().unwrap().push(event.clone());
        let handler = &self.handlers[&trigger];
        Box::pin(std::future::ready(handler(&event)))
    }
}
