//! How a reload wires the ways functions run besides auth and data triggers:
//!
//! - **secrets**: `secret('NAME')` values come from the sandbox's `secrets.json`
//!   ([`crate::secrets`]), read on every reload (a changed secret changes the functions'
//!   fingerprint, so their workers restart with it);
//! - **storage triggers**: `onUpload` / `onDelete` subscribe to the events of the
//!   generation's S3 API before it serves anything (`stratus_server::storage_triggers`; the
//!   subscription ends with that generation's storage service);
//! - **schedules**: `defineFunction({ schedule })` runs in one task per generation, checked
//!   before the swap (a schedule that cannot run fails the reload, as the deployment would)
//!   and started after it; the previous generation's task stops then.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use stratus_functions::schedule::{
    Clock, ScheduleConfig, ScheduledFunction, Schedules, SystemClock, scheduled_functions,
};
use stratus_functions::{Functions, RetryPolicy};
use stratus_server::storage_triggers::{self, BucketTriggers, TriggerConfig};
use stratus_spec::Backend;
use stratus_storage::StorageService;

use super::{Reloader, ServerInfo};
use crate::secrets::SecretStore;

/// The account id in the ARNs of the events (the functions runtime's).
const ACCOUNT_ID: &str = "000000000000";

/// A reloader's state for secrets, storage triggers and schedules.
pub(super) struct FunctionsWiring {
    secrets_file: Option<PathBuf>,
    clock: Arc<dyn Clock>,
    retry: RetryPolicy,
    /// The schedules of the generation being served.
    schedules: Mutex<Option<Schedules>>,
}

impl Default for FunctionsWiring {
    fn default() -> Self {
        FunctionsWiring {
            secrets_file: None,
            clock: Arc::new(SystemClock),
            retry: RetryPolicy::default(),
            schedules: Mutex::new(None),
        }
    }
}

impl Reloader {
    /// Take `secret('NAME')` values from this secrets file (`<state dir>/secrets.json`).
    pub fn with_secrets_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.functions_wiring.secrets_file = Some(path.into());
        self
    }

    /// Schedules read the time from `clock` (tests).
    #[cfg(test)]
    pub fn with_schedule_clock(mut self, clock: Arc<dyn Clock>) -> Self {
        self.functions_wiring.clock = clock;
        self
    }

    /// Asynchronous invocations (storage triggers, schedules) retry with `retry` instead of
    /// Lambda's 1 and 2 minutes (tests).
    #[cfg(test)]
    pub fn with_async_retry(mut self, retry: RetryPolicy) -> Self {
        self.functions_wiring.retry = retry;
        self
    }

    /// How many schedules the served generation runs.
    #[cfg(test)]
    pub fn running_schedules(&self) -> usize {
        self.functions_wiring
            .schedules
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .map_or(0, Schedules::len)
    }

    /// The values of `secret('NAME')` (none without a secrets file).
    pub(super) fn secrets(&self) -> Result<BTreeMap<String, String>, String> {
        match &self.functions_wiring.secrets_file {
            Some(path) => SecretStore::new(path)
                .values()
                .map_err(|e| format!("secrets: {e:#}")),
            None => Ok(BTreeMap::new()),
        }
    }

    /// The schedules of `backend`, or why one of them cannot run.
    pub(super) fn plan_schedules(
        &self,
        backend: &Backend,
    ) -> Result<Vec<ScheduledFunction>, String> {
        let (schedules, problems) = scheduled_functions(&backend.functions);
        match problems.first() {
            Some(problem) => Err(format!("functions: schedule: {problem}")),
            None => Ok(schedules),
        }
    }

    /// Run `planned` on `functions` in place of the previous generation's schedules.
    pub(super) fn start_schedules(&self, planned: Vec<ScheduledFunction>, functions: &Functions) {
        let mut config = ScheduleConfig::new(stratus_outputs::REGION, ACCOUNT_ID);
        config.retry = self.functions_wiring.retry.clone();
        config.clock = self.functions_wiring.clock.clone();
        let started = Schedules::start(functions.clone(), planned, config);
        // The previous generation's task stops as its `Schedules` is dropped.
        *self
            .functions_wiring
            .schedules
            .lock()
            .unwrap_or_else(|e| e.into_inner()) = started;
    }

    /// Deliver `service`'s object events to the `onUpload` / `onDelete` functions of
    /// `backend`'s buckets.
    pub(super) fn spawn_storage_triggers(
        &self,
        backend: &Backend,
        info: &ServerInfo,
        service: &StorageService,
        functions: &Functions,
    ) {
        let buckets = backend
            .storage
            .iter()
            .map(|spec| BucketTriggers {
                bucket: stratus_outputs::bucket_name(&info.instance_id, &spec.name),
                on_upload: spec.triggers.on_upload.clone(),
                on_delete: spec.triggers.on_delete.clone(),
            })
            .collect();
        let mut config = TriggerConfig::new(stratus_outputs::REGION, ACCOUNT_ID);
        config.retry = self.functions_wiring.retry.clone();
        // The task ends by itself when the service is dropped.
        drop(storage_triggers::spawn(
            service,
            buckets,
            functions.clone(),
            config,
        ));
    }
}

#[cfg(test)]
#[path = "reload_functions_tests.rs"]
mod tests;
