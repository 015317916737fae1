//! The services one backend generation serves, opened by the reload path (which owns the store
//! and knows the pool ids the outputs advertise) and mounted by [`crate::router`].

use std::sync::Arc;

use axum::Router;
use stratus_auth::{AuthService, Outbox};

/// `GET` path of the sandbox outbox (the messages the user pool "sent").
pub const OUTBOX_PATH: &str = "/_stratus/outbox";

/// What one generation serves besides Stratus's own `/_stratus/health` and `/_stratus/outputs`.
/// Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Services {
    /// The Cognito user pool of `defineAuth` (`POST /cognito-idp`, JWKS, discovery) and its
    /// identity pool (`POST /cognito-identity`).
    pub auth: Option<AuthService>,
    /// The sandbox outbox (`GET /_stratus/outbox`). Created once per process so that messages
    /// survive reloads; `None` outside the sandbox (`stratus serve` does not expose it).
    pub outbox: Option<Arc<Outbox>>,
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
        router
    }

    /// `(name, url)` of every endpoint really served, for start-up banners:
    /// `user_pool`, `jwks` (under the pool's issuer), `identity_pool` and `outbox`.
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
        lines
    }
}

#[cfg(test)]
#[path = "services_tests.rs"]
mod tests;
