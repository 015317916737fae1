//! Signing requests the way AWS SDKs do (`aws-sigv4`), and identity-pool calls.

use std::time::{Duration, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::Value;
use stratus_auth::Clock as _;

use crate::common::Harness;

pub const HOST: &str = "127.0.0.1:8443";

/// A `POST /cognito-idp` admin request signed with `(akid, secret, token)` at `at`.
pub fn signed_admin_request(
    action: &str,
    body: &Value,
    akid: &str,
    secret: &str,
    token: Option<&str>,
    at: i64,
) -> Request<Body> {
    signed_admin_request_to("/cognito-idp", action, body, akid, secret, token, at)
}

/// [`signed_admin_request`] to another path.
pub fn signed_admin_request_to(
    path: &str,
    action: &str,
    body: &Value,
    akid: &str,
    secret: &str,
    token: Option<&str>,
    at: i64,
) -> Request<Body> {
    let body = body.to_string();
    let target = format!("AWSCognitoIdentityProviderService.{action}");
    let headers = [
        ("host", HOST),
        ("content-type", "application/x-amz-json-1.1"),
        ("x-amz-target", target.as_str()),
    ];
    let identity = Credentials::new(akid, secret, token.map(str::to_string), None, "test").into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("cognito-idp")
        .time(UNIX_EPOCH + Duration::from_secs(u64::try_from(at).unwrap()))
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let uri = format!("https://{HOST}{path}");
    let signable = SignableRequest::new(
        "POST",
        uri.as_str(),
        headers.into_iter(),
        SignableBody::Bytes(body.as_bytes()),
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut builder = Request::post(path);
    for (k, v) in headers {
        builder = builder.header(k, v);
    }
    let mut req = builder.body(body.into_bytes()).unwrap();
    instructions.apply_to_request_http1x(&mut req);
    req.map(Body::from)
}

impl Harness {
    /// An admin action signed with the pool's admin key.
    pub async fn admin(&self, action: &str, body: Value) -> (StatusCode, Value) {
        let creds = self.service.admin_credentials().await.unwrap();
        let req = signed_admin_request(
            action,
            &body,
            &creds.access_key_id,
            &creds.secret_access_key,
            None,
            self.clock.now(),
        );
        self.send_json(req).await
    }

    pub async fn admin_ok(&self, action: &str, body: Value) -> Value {
        let (status, v) = self.admin(action, body).await;
        assert_eq!(status, StatusCode::OK, "{action}: {v}");
        v
    }

    pub async fn admin_err(&self, action: &str, body: Value) -> String {
        let (status, v) = self.admin(action, body).await;
        assert!(status.is_client_error(), "{action} should fail: {v}");
        v["__type"].as_str().unwrap().to_string()
    }

    pub async fn send_json(&self, req: Request<Body>) -> (StatusCode, Value) {
        let (status, headers, bytes) = self.request(req).await;
        let v: Value = serde_json::from_slice(&bytes).unwrap();
        if !status.is_success() {
            assert_eq!(
                headers.get("x-amzn-errortype").unwrap().to_str().unwrap(),
                format!("{}:", v["__type"].as_str().unwrap())
            );
        }
        (status, v)
    }

    /// An identity-pool action (unsigned, as the JS client sends it).
    pub async fn identity(&self, action: &str, body: Value) -> (StatusCode, Value) {
        let req = Request::post("/cognito-identity")
            .header("content-type", "application/x-amz-json-1.1")
            .header(
                "x-amz-target",
                format!("AWSCognitoIdentityService.{action}"),
            )
            .body(Body::from(body.to_string()))
            .unwrap();
        self.send_json(req).await
    }

    pub async fn identity_ok(&self, action: &str, body: Value) -> Value {
        let (status, v) = self.identity(action, body).await;
        assert_eq!(status, StatusCode::OK, "{action}: {v}");
        v
    }

    pub async fn identity_err(&self, action: &str, body: Value) -> (String, String) {
        let (status, v) = self.identity(action, body).await;
        assert!(status.is_client_error(), "{action} should fail: {v}");
        (
            v["__type"].as_str().unwrap().to_string(),
            v["message"].as_str().unwrap().to_string(),
        )
    }
}
