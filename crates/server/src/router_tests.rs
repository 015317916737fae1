use axum::body::Body;
use axum::http::{HeaderValue, Request};
use http_body_util::BodyExt;
use stratus_spec::data::{DataSchema, DataSpec};

use super::*;
use serde_json::Value;

async fn call(app: &Router, request: Request<Body>) -> (StatusCode, axum::http::HeaderMap, Value) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap()
    };
    (status, headers, body)
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

fn backend_with_data() -> Backend {
    Backend {
        data: Some(serde_json::from_value::<DataSpec>(data_spec_json()).unwrap()),
        ..Backend::default()
    }
}

/// A minimal API-key `DataSpec` with an empty schema.
fn data_spec_json() -> Value {
    json!({
        "name": "amplifyData",
        "directive_sdl": "",
        "authorization_modes": {"default": "API_KEY", "additional": []},
        "schema": serde_json::to_value(DataSchema::default()).unwrap(),
    })
}

#[tokio::test]
async fn health_before_any_backend_is_unavailable_and_reports_the_error() {
    let shared = Shared::new();
    let app = router(shared.clone());
    let (status, _, body) = call(&app, get(HEALTH_PATH)).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["status"], "error");
    assert_eq!(body["generation"], 0);
    assert_eq!(body["error"], Value::Null);

    shared.record_failure("amplify/data/resource.ts:3:7: boom".into());
    let (_, _, body) = call(&app, get(HEALTH_PATH)).await;
    assert_eq!(body["error"], "amplify/data/resource.ts:3:7: boom");
    let (status, _, body) = call(&app, get("/graphql")).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("resource.ts:3:7: boom")
    );
}

#[tokio::test]
async fn health_reports_generation_services_and_errors_across_swaps() {
    let shared = Shared::new();
    let app = router(shared.clone());
    shared.swap(
        Backend::default(),
        json!({"version": "1.4"}),
        Duration::from_millis(12),
    );
    let (status, headers, body) = call(&app, get(HEALTH_PATH)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(headers[header::CACHE_CONTROL], "no-store");
    assert_eq!(body["status"], "ok");
    assert_eq!(body["generation"], 1);
    assert_eq!(body["services"], json!([]));
    assert_eq!(body["last_reload_ms"], 12.0);

    let live = shared.swap(
        backend_with_data(),
        json!({"version": "1.4", "data": {}}),
        Duration::from_millis(3),
    );
    assert_eq!(live.generation, 2);
    let (_, _, body) = call(&app, get(HEALTH_PATH)).await;
    assert_eq!(body["generation"], 2);
    assert_eq!(body["services"], json!(["data"]));

    // A failed reload keeps generation 2 serving and shows the error until the next success.
    shared.record_failure("amplify/backend.ts:1:1: nope".into());
    let (status, _, body) = call(&app, get(HEALTH_PATH)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["generation"], 2);
    assert_eq!(body["error"], "amplify/backend.ts:1:1: nope");
    shared.swap(backend_with_data(), json!({}), Duration::ZERO);
    let (_, _, body) = call(&app, get(HEALTH_PATH)).await;
    assert_eq!(body["generation"], 3);
    assert_eq!(body["error"], Value::Null);
}

#[tokio::test]
async fn outputs_endpoint_serves_the_current_outputs() {
    let shared = Shared::new();
    let app = router(shared.clone());
    let (status, _, _) = call(&app, get(OUTPUTS_PATH)).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    shared.swap(
        Backend::default(),
        json!({"version": "1.4", "n": 1}),
        Duration::ZERO,
    );
    let (status, _, body) = call(&app, get(OUTPUTS_PATH)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body, json!({"version": "1.4", "n": 1}));
    shared.swap(
        Backend::default(),
        json!({"version": "1.4", "n": 2}),
        Duration::ZERO,
    );
    let (_, _, body) = call(&app, get(OUTPUTS_PATH)).await;
    assert_eq!(body["n"], 2);
}

#[tokio::test]
async fn unknown_paths_are_json_404_and_wrong_methods_json_405() {
    let shared = Shared::new();
    shared.swap(Backend::default(), json!({}), Duration::ZERO);
    let app = router(shared);
    let (status, headers, body) = call(&app, get("/graphql?x=1")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(headers[header::CONTENT_TYPE], "application/json");
    assert_eq!(body["errorType"], "NotFound");
    assert_eq!(body["message"], "no route for GET /graphql");

    let (status, _, body) = call(
        &app,
        Request::post(HEALTH_PATH).body(Body::empty()).unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["errorType"], "MethodNotAllowed");
}

#[tokio::test]
async fn cors_preflight_allows_the_amplify_client_headers() {
    let shared = Shared::new();
    let app = router(shared);
    let requested = "authorization,x-api-key,content-type,x-amz-user-agent,x-amz-date,x-amz-security-token,x-amz-content-sha256";
    let request = Request::builder()
        .method(Method::OPTIONS)
        .uri("/graphql")
        .header(header::ORIGIN, "http://localhost:5173")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, requested)
        .body(Body::empty())
        .unwrap();
    let (status, headers, _) = call(&app, request).await;
    assert!(status.is_success(), "{status}");
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_METHODS], "POST");
    assert_eq!(
        headers[header::ACCESS_CONTROL_ALLOW_HEADERS],
        HeaderValue::from_static(requested)
    );
    assert_eq!(headers[header::ACCESS_CONTROL_MAX_AGE], "86400");

    // Actual responses (even errors) carry the CORS headers and expose every header (ETag,
    // x-amz-meta-*, ...): no credentials are used, so `*` is the wildcard.
    let request = Request::get("/nothing")
        .header(header::ORIGIN, "http://localhost:5173")
        .body(Body::empty())
        .unwrap();
    let (status, headers, _) = call(&app, request).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    assert_eq!(headers[header::ACCESS_CONTROL_EXPOSE_HEADERS], "*");
    assert!(
        headers
            .get(header::ACCESS_CONTROL_ALLOW_CREDENTIALS)
            .is_none()
    );
}

#[tokio::test]
async fn in_flight_readers_keep_their_generation() {
    let shared = Shared::new();
    shared.swap(Backend::default(), json!({"n": 1}), Duration::ZERO);
    let held = shared.current().unwrap();
    shared.swap(Backend::default(), json!({"n": 2}), Duration::ZERO);
    assert_eq!(held.generation, 1);
    assert_eq!(held.outputs["n"], 1);
    assert_eq!(shared.current().unwrap().generation, 2);
}
