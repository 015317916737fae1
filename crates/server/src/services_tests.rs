//! The services of a generation mounted in the whole application (CORS, dispatch, fallbacks).

use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use stratus_auth::{AuthConfig, AuthService, Outbox};
use stratus_spec::Backend;
use stratus_spec::auth::AuthSpec;
use tower::ServiceExt;

use super::*;
use crate::{Shared, router};

const POOL_ID: &str = "us-east-1_Abc123XyZ";
const CLIENT_ID: &str = "abcdefghijklmnopqrstuvwxyz";
const ORIGIN: &str = "https://127.0.0.1:4280";

struct Pool {
    services: Services,
    outbox: Arc<Outbox>,
    _dir: tempfile::TempDir,
    _store: stratus_store::Store,
}

async fn pool() -> Pool {
    let dir = tempfile::tempdir().unwrap();
    let store = stratus_store::Store::open(dir.path()).await.unwrap();
    let spec = AuthSpec::from_props(&json!({"loginWith": {"email": true}})).unwrap();
    let outbox = Outbox::new();
    let auth = AuthService::open(
        &store,
        spec,
        AuthConfig::new(POOL_ID, CLIENT_ID, ORIGIN),
        outbox.clone(),
    )
    .await
    .unwrap();
    Pool {
        services: Services {
            auth: Some(auth),
            outbox: Some(outbox.clone()),
            data: None,
            storage: None,
            functions: Default::default(),
        },
        outbox,
        _dir: dir,
        _store: store,
    }
}

async fn call(app: &Router, request: Request<Body>) -> (StatusCode, HeaderMap, Value) {
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

fn cognito(action: &str, body: &Value) -> Request<Body> {
    Request::post("/cognito-idp")
        .header(header::ORIGIN, "http://localhost:5173")
        .header(header::CONTENT_TYPE, "application/x-amz-json-1.1")
        .header(
            "x-amz-target",
            format!("AWSCognitoIdentityProviderService.{action}"),
        )
        .body(Body::from(body.to_string()))
        .unwrap()
}

fn get(path: &str) -> Request<Body> {
    Request::get(path).body(Body::empty()).unwrap()
}

#[tokio::test]
async fn the_user_pool_and_outbox_are_served_and_removed_with_their_generation() {
    let pool = pool().await;
    let shared = Shared::new();
    let live = shared.swap_with(
        Backend::default(),
        json!({}),
        pool.services.clone(),
        Duration::ZERO,
    );
    assert!(live.services.auth.is_some());
    let app = router(shared.clone());

    let sign_up = json!({
        "ClientId": CLIENT_ID,
        "Username": "ada@example.com",
        "Password": "Passw0rd!",
        "UserAttributes": [{"Name": "email", "Value": "ada@example.com"}],
    });
    let (status, headers, body) = call(&app, cognito("SignUp", &sign_up)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["UserConfirmed"], false);
    assert!(body["UserSub"].is_string(), "{body}");
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");

    // The code went to the outbox, which the sandbox serves.
    let (status, _, messages) = call(&app, get("/_stratus/outbox?to=ada@example.com")).await;
    assert_eq!(status, StatusCode::OK);
    let messages = messages.as_array().unwrap();
    assert_eq!(messages.len(), 1);
    let code = messages[0]["code"].as_str().unwrap();
    assert!(messages[0]["body"].as_str().unwrap().contains(code));
    assert_eq!(pool.outbox.messages().len(), 1);

    // Errors are Cognito's, with the error type readable by a browser client.
    let (status, headers, body) = call(&app, cognito("SignUp", &sign_up)).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(body["__type"], "UsernameExistsException");
    assert_eq!(headers["x-amzn-errortype"], "UsernameExistsException:");
    assert_eq!(headers[header::ACCESS_CONTROL_EXPOSE_HEADERS], "*");

    let (status, _, jwks) = call(&app, get(&format!("/{POOL_ID}/.well-known/jwks.json"))).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(jwks["keys"][0]["alg"], "RS256");
    let (status, _, discovery) = call(
        &app,
        get(&format!("/{POOL_ID}/.well-known/openid-configuration")),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(discovery["issuer"], format!("{ORIGIN}/{POOL_ID}"));

    // A wrong method on a service path is a JSON 405, an unknown path a JSON 404.
    let (status, _, body) = call(&app, get("/cognito-idp")).await;
    assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body["errorType"], "MethodNotAllowed");
    let (status, _, body) = call(&app, get("/us-east-1_Other/.well-known/jwks.json")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["errorType"], "NotFound");

    // A generation without auth serves none of it.
    shared.swap(Backend::default(), json!({}), Duration::ZERO);
    for request in [
        cognito("SignUp", &sign_up),
        get("/_stratus/outbox"),
        get(&format!("/{POOL_ID}/.well-known/jwks.json")),
    ] {
        let (status, _, body) = call(&app, request).await;
        assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    }
}

#[tokio::test]
async fn cors_preflight_allows_the_cognito_headers() {
    let pool = pool().await;
    let shared = Shared::new();
    shared.swap_with(Backend::default(), json!({}), pool.services, Duration::ZERO);
    let requested = "content-type,x-amz-target,x-amz-user-agent,amz-sdk-invocation-id,amz-sdk-request,cache-control";
    let request = Request::builder()
        .method(Method::OPTIONS)
        .uri("/cognito-idp")
        .header(header::ORIGIN, "http://localhost:5173")
        .header(header::ACCESS_CONTROL_REQUEST_METHOD, "POST")
        .header(header::ACCESS_CONTROL_REQUEST_HEADERS, requested)
        .body(Body::empty())
        .unwrap();
    let (status, headers, _) = call(&router(shared), request).await;
    assert!(status.is_success(), "{status}");
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_METHODS], "POST");
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_HEADERS], requested);
}

#[tokio::test]
async fn endpoints_list_only_what_is_served() {
    assert!(Services::default().endpoints(ORIGIN).is_empty());
    let pool = pool().await;
    assert_eq!(
        pool.services.endpoints("https://127.0.0.1:4280/"),
        vec![
            ("user_pool", format!("{ORIGIN}/cognito-idp")),
            ("jwks", format!("{ORIGIN}/{POOL_ID}/.well-known/jwks.json")),
            ("identity_pool", format!("{ORIGIN}/cognito-identity")),
            ("outbox", format!("{ORIGIN}/_stratus/outbox")),
        ]
    );
}
