//! The backend currently served, swapped atomically on reload.
//!
//! Readers take the lock only long enough to clone an `Arc`; a request keeps the backend it
//! started with even if a reload swaps in another one meanwhile.

use std::sync::{Arc, RwLock};
use std::time::{Duration, SystemTime};

use axum::Router;
use stratus_spec::Backend;

use crate::services::Services;

/// One loaded generation of the backend, with everything derived from it.
#[derive(Debug)]
pub struct LiveBackend {
    /// 1 for the first backend loaded, +1 on every successful reload.
    pub generation: u64,
    pub backend: Arc<Backend>,
    /// The `amplify_outputs.json` written for this generation.
    pub outputs: Arc<serde_json::Value>,
    pub loaded_at: SystemTime,
    /// Load + outputs + write time of this generation.
    pub load_duration: Duration,
    /// The services opened for this generation (the user pool, the sandbox outbox, ...).
    pub services: Services,
    /// The service routes assembled from this backend and its services.
    pub(crate) router: Router,
}

impl LiveBackend {
    /// The services this backend defines, in a stable order.
    pub fn services(&self) -> Vec<&'static str> {
        services_of(&self.backend)
    }
}

/// The services a backend defines: `auth`, `data`, `storage`, `functions`.
pub fn services_of(backend: &Backend) -> Vec<&'static str> {
    let mut services = Vec::new();
    if backend.auth.is_some() {
        services.push("auth");
    }
    if backend.data.is_some() {
        services.push("data");
    }
    if !backend.storage.is_empty() {
        services.push("storage");
    }
    if !backend.functions.is_empty() {
        services.push("functions");
    }
    services
}

#[derive(Debug, Default)]
struct Status {
    /// The error of the latest reload, cleared by the next successful one.
    last_error: Option<String>,
}

/// What the server shares between the reloader and request handlers.
#[derive(Debug, Default)]
pub struct Shared {
    current: RwLock<Option<Arc<LiveBackend>>>,
    status: RwLock<Status>,
}

impl Shared {
    pub fn new() -> Arc<Shared> {
        Arc::new(Shared::default())
    }

    /// The backend being served, if any has loaded yet.
    pub fn current(&self) -> Option<Arc<LiveBackend>> {
        // A poisoned lock only means a writer panicked between two plain assignments; the
        // value itself is always a complete `Option<Arc<_>>`.
        self.current
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone()
    }

    /// Swap in a new backend that serves no service yet (its outputs already written) and
    /// return its generation.
    pub fn swap(
        &self,
        backend: Backend,
        outputs: serde_json::Value,
        load_duration: Duration,
    ) -> Arc<LiveBackend> {
        self.swap_with(backend, outputs, Services::default(), load_duration)
    }

    /// Swap in a new backend with the services opened for it (its outputs already written)
    /// and return its generation. In-flight requests finish on the generation they started
    /// with.
    pub fn swap_with(
        &self,
        backend: Backend,
        outputs: serde_json::Value,
        services: Services,
        load_duration: Duration,
    ) -> Arc<LiveBackend> {
        let backend = Arc::new(backend);
        let router = crate::router::backend_router(&backend, &services);
        let mut current = self
            .current
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let generation = current.as_ref().map_or(0, |live| live.generation) + 1;
        let live = Arc::new(LiveBackend {
            generation,
            backend,
            outputs: Arc::new(outputs),
            loaded_at: SystemTime::now(),
            load_duration,
            services,
            router,
        });
        *current = Some(live.clone());
        drop(current);
        self.set_error(None);
        live
    }

    /// Record that the latest reload failed (the current backend, if any, keeps serving).
    pub fn record_failure(&self, error: String) {
        self.set_error(Some(error));
    }

    /// The error of the latest reload, if it failed.
    pub fn last_error(&self) -> Option<String> {
        self.status
            .read()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .last_error
            .clone()
    }

    fn set_error(&self, error: Option<String>) {
        self.status
            .write()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .last_error = error;
    }
}
