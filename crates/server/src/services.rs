//! The services one backend generation serves, opened by the reload path (which owns the store
//! and knows the pool ids the outputs advertise) and mounted by [`crate::router`].

use std::sync::Arc;

use axum::Router;
use stratus_auth::{AuthService, Outbox};
use stratus_data::DataService;
use stratus_functions::Functions;
use stratus_storage::StorageService;

/// `GET` path of the sandbox outbox (the messages the user pool "sent").
pub const OUTBOX_PATH: &str = "/_stratus/outbox";
/// `GET` path of the AppSync realtime WebSocket (`data.url` + `/realtime`).
pub const REALTIME_PATH: &str = "/graphql/realtime";

/// What one generation serves besides Stratus's own `/_stratus/health` and `/_stratus/outputs`.
/// Cheap to clone.
#[derive(Clone, Default)]
pub struct Services {
    /// The Cognito user pool of `defineAuth` (`POST /cognito-idp`, JWKS, discovery) and its
    /// identity pool (`POST /cognito-identity`).
    pub auth: Option<AuthService>,
    /// The sandbox outbox (`GET /_stratus/outbox`). Created once per process so that messages
    /// survive reloads; `None` outside the sandbox (`stratus serve` does not expose it).
    pub outbox: Option<Arc<Outbox>>,
    /// The GraphQL API of `defineData` (`POST /graphql`, realtime `GET /graphql/realtime`).
    pub data: Option<DataService>,
    /// The S3 API of `defineStorage` (path-style `/<bucket>/<key>`), when a bucket is defined.
    pub storage: Option<StorageMount>,
    /// The `defineFunction` handlers (compiled; workers start on first use), which the
    /// services above call as triggers and resolvers.
    pub functions: Functions,
}

/// The storage service of a generation and the names of the buckets it serves.
#[derive(Clone)]
pub struct StorageMount {
    pub service: StorageService,
    /// The bucket names of `amplify_outputs.json` (`storage.buckets[].bucket_name`).
    pub buckets: Vec<String>,
}

impl std::fmt::Debug for StorageMount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StorageMount")
            .field("buckets", &self.buckets)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Services {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Services")
            .field("auth", &self.auth)
            .field("outbox", &self.outbox)
            .field("data", &self.data)
            .field("storage", &self.storage)
            .field("functions", &self.functions)
            .finish()
    }
}

impl Services {
    /// The routes these services answer, merged (absolute paths).
    pub(crate) fn router(&self) -> Router {
        let mut router = Router::new();
        if let Some(auth) = &self.auth {
            router = router.merge(stratus_auth::router(auth.clone()));
        }
        if let Some(outbox) = &self.outbox {
            router = router.merge(stratus_auth::outbox_router(outbox.clone()));
        }
        if let Some(data) = &self.data {
            router = router.merge(stratus_data::router(data.clone()));
        }
        // Merged, never nested: the SigV4 signature covers the full path. Its `/{bucket}/...`
        // parameters lose to the static paths above. No body limit or timeout applies (the
        // storage layer streams request bodies itself).
        if let Some(storage) = &self.storage {
            router = router.merge(stratus_storage::router(storage.service.clone()));
        }
        router
    }

    /// `(name, url)` of every endpoint really served, for start-up banners:
    /// `user_pool`, `jwks` (under the pool's issuer), `identity_pool`, `outbox`, `realtime`
    /// (the GraphQL subscriptions' WebSocket) and one
    /// `storage` line per bucket (`<origin>/<bucket>`, path-style).
    pub fn endpoints(&self, origin: &str) -> Vec<(&'static str, String)> {
        let origin = origin.trim_end_matches('/');
        let mut lines = Vec::new();
        if let Some(auth) = &self.auth {
            lines.push((
                "user_pool",
                format!("{origin}{}", stratus_auth::protocol::USER_POOL_PATH),
            ));
            lines.push(("jwks", format!("{}/.well-known/jwks.json", auth.issuer())));
            lines.push((
                "identity_pool",
                format!("{origin}{}", stratus_auth::identity::IDENTITY_POOL_PATH),
            ));
        }
        if self.outbox.is_some() {
            lines.push(("outbox", format!("{origin}{OUTBOX_PATH}")));
        }
        if self.data.is_some() {
            let host = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"))
                .unwrap_or(origin);
            lines.push(("realtime", format!("wss://{host}{REALTIME_PATH}")));
        }
        if let Some(storage) = &self.storage {
            for bucket in &storage.buckets {
                lines.push(("storage", format!("{origin}/{bucket}")));
            }
        }
        lines
    }
}

#[cfg(test)]
#[path = "services_tests.rs"]
mod tests;
