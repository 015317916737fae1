//! The HTTP surface: Stratus's own `/_stratus/*` routes, then everything else dispatched to the
//! router assembled from the live backend. CORS for browser clients and one compact log line
//! per request wrap both.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::{Duration, Instant, UNIX_EPOCH};

use axum::Router;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode, Uri, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Json, Response};
use axum::routing::get;
use serde_json::json;
use stratus_spec::Backend;
use tower::ServiceExt;
use tower_http::cors::{AllowHeaders, AllowMethods, AllowOrigin, CorsLayer, ExposeHeaders};

use crate::live::Shared;
use crate::services::Services;

/// Path of the health endpoint.
pub const HEALTH_PATH: &str = "/_stratus/health";
/// Path of the endpoint serving the current `amplify_outputs.json`.
pub const OUTPUTS_PATH: &str = "/_stratus/outputs";

/// The whole application: CORS, request log, `/_stratus/*`, then the live backend's routes.
pub fn router(shared: Arc<Shared>) -> Router {
    Router::new()
        .route(HEALTH_PATH, get(health))
        .route(OUTPUTS_PATH, get(outputs))
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(dispatch)
        .with_state(shared)
        .layer(cors())
        .layer(middleware::from_fn(log_request))
}

/// The routes of one backend generation: those of the services opened for it (absolute paths,
/// merged), every other path a JSON 404.
pub(crate) fn backend_router(_backend: &Arc<Backend>, services: &Services) -> Router {
    services
        .router()
        .method_not_allowed_fallback(method_not_allowed)
        .fallback(not_found)
}

/// Browsers call from the app's own origin (`http://localhost:5173`, ...). The Amplify client
/// sends `authorization`, `x-api-key`, `content-type`, `x-amz-user-agent` and, for storage, any
/// number of `x-amz-*` headers, so allowed headers mirror the preflight's request (what S3's
/// `AllowedHeaders: *` does). No cookies are used, so any origin may call, and every response
/// header is exposed (`Access-Control-Expose-Headers: *`): storage answers with `ETag`,
/// `x-amz-meta-*` and others that the client reads, and a fixed list here would replace the
/// list the storage layer sets per response.
fn cors() -> CorsLayer {
    CorsLayer::new()
        .allow_origin(AllowOrigin::any())
        .allow_methods(AllowMethods::mirror_request())
        .allow_headers(AllowHeaders::mirror_request())
        .expose_headers(ExposeHeaders::any())
        .allow_private_network(true)
        .max_age(Duration::from_secs(86_400))
}

async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    // The query is left out: realtime and presigned URLs carry credentials there.
    let path = request.uri().path().to_owned();
    let start = Instant::now();
    let response = next.run(request).await;
    let ms = start.elapsed().as_secs_f64() * 1000.0;
    tracing::info!(
        target: "stratus::request",
        "{method} {path} {} {ms:.1} ms",
        response.status().as_u16()
    );
    response
}

async fn health(State(shared): State<Arc<Shared>>) -> Response {
    let live = shared.current();
    let error = shared.last_error();
    let body = match &live {
        Some(live) => json!({
            "status": "ok",
            "generation": live.generation,
            "services": live.services(),
            "loaded_at_ms": live
                .loaded_at
                .duration_since(UNIX_EPOCH)
                .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
            "last_reload_ms": live.load_duration.as_secs_f64() * 1000.0,
            "error": error,
        }),
        None => json!({
            "status": "error",
            "generation": 0,
            "services": [],
            "error": error,
        }),
    };
    let status = if live.is_some() {
        StatusCode::OK
    } else {
        StatusCode::SERVICE_UNAVAILABLE
    };
    (status, [(header::CACHE_CONTROL, "no-store")], Json(body)).into_response()
}

async fn outputs(State(shared): State<Arc<Shared>>) -> Response {
    match shared.current() {
        Some(live) => (
            [(header::CACHE_CONTROL, "no-store")],
            Json(live.outputs.as_ref().clone()),
        )
            .into_response(),
        None => no_backend(&shared),
    }
}

async fn dispatch(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    match shared.current() {
        Some(live) => {
            let result: Result<Response, Infallible> = live.router.clone().oneshot(request).await;
            match result {
                Ok(response) => response,
                Err(never) => match never {},
            }
        }
        None => no_backend(&shared),
    }
}

fn no_backend(shared: &Shared) -> Response {
    let message = match shared.last_error() {
        Some(error) => format!("no backend is loaded: {error}"),
        None => "no backend is loaded yet".to_owned(),
    };
    error_response(
        StatusCode::SERVICE_UNAVAILABLE,
        "ServiceUnavailable",
        message,
    )
}

async fn not_found(method: Method, uri: Uri) -> Response {
    error_response(
        StatusCode::NOT_FOUND,
        "NotFound",
        format!("no route for {method} {}", uri.path()),
    )
}

async fn method_not_allowed(method: Method, uri: Uri) -> Response {
    error_response(
        StatusCode::METHOD_NOT_ALLOWED,
        "MethodNotAllowed",
        format!("{method} is not allowed on {}", uri.path()),
    )
}

fn error_response(status: StatusCode, error_type: &str, message: String) -> Response {
    (
        status,
        Json(json!({ "errorType": error_type, "message": message })),
    )
        .into_response()
}

#[cfg(test)]
#[path = "router_tests.rs"]
mod tests;
