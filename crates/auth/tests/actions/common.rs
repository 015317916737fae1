//! A user pool on a temporary store, driven through the real router with Cognito JSON
//! requests, plus a Rust SRP client (the maths of the JS client) and outbox helpers.

use std::sync::Arc;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use stratus_auth::srp::{self, client};
use stratus_auth::{AuthConfig, AuthService, Clock as _, ManualClock, Outbox, router};
use stratus_spec::auth::AuthSpec;
use tower::ServiceExt;

pub const POOL_ID: &str = "us-east-1_AbCdEfGhI";
pub const POOL_NAME: &str = "AbCdEfGhI";
pub const CLIENT_ID: &str = "1example23456789clientid00";
pub const ORIGIN: &str = "https://127.0.0.1:8443";
pub const PASSWORD: &str = "Passw0rd!";

pub struct Harness {
    pub app: Router,
    pub service: AuthService,
    pub outbox: Arc<Outbox>,
    pub clock: ManualClock,
    pub store: stratus_store::Store,
    _dir: tempfile::TempDir,
}

/// `loginWith: { email: true }`, Amplify's default.
pub fn email_pool() -> Value {
    json!({"loginWith": {"email": true}})
}

impl Harness {
    pub async fn new(props: Value) -> Self {
        Self::with_config(props, |_| {}).await
    }

    pub async fn with_config(props: Value, tweak: impl FnOnce(&mut AuthConfig)) -> Self {
        let dir = tempfile::tempdir().unwrap();
        let store = stratus_store::Store::open(dir.path()).await.unwrap();
        let spec = AuthSpec::from_props(&props).unwrap();
        let mut config = AuthConfig::new(POOL_ID, CLIENT_ID, ORIGIN);
        tweak(&mut config);
        let outbox = Outbox::new();
        let clock = ManualClock::at_system_time();
        let service = AuthService::open_with(
            store.pool().clone(),
            spec,
            config,
            outbox.clone(),
            Arc::new(clock.clone()),
        )
        .await
        .unwrap();
        Self {
            app: router(service.clone()),
            service,
            outbox,
            clock,
            store,
            _dir: dir,
        }
    }

    pub async fn request(&self, req: Request<Body>) -> (StatusCode, HeaderMap, Vec<u8>) {
        let res = self.app.clone().oneshot(req).await.unwrap();
        let status = res.status();
        let headers = res.headers().clone();
        let body = res.into_body().collect().await.unwrap().to_bytes().to_vec();
        (status, headers, body)
    }

    pub async fn call(&self, action: &str, body: Value) -> (StatusCode, HeaderMap, Value) {
        let req = Request::post("/cognito-idp")
            .header("content-type", "application/x-amz-json-1.1")
            .header(
                "x-amz-target",
                format!("AWSCognitoIdentityProviderService.{action}"),
            )
            .body(Body::from(body.to_string()))
            .unwrap();
        let (status, headers, bytes) = self.request(req).await;
        let value: Value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("{action}: body is not JSON ({e}): {bytes:?}"));
        (status, headers, value)
    }

    /// Calls an action that must succeed.
    pub async fn ok(&self, action: &str, body: Value) -> Value {
        let (status, headers, v) = self.call(action, body).await;
        assert_eq!(status, StatusCode::OK, "{action} failed: {v}");
        assert_eq!(
            headers.get("content-type").unwrap(),
            "application/x-amz-json-1.1"
        );
        v
    }

    /// Calls an action that must fail; returns (`__type`, message) after checking the shape.
    pub async fn err(&self, action: &str, body: Value) -> (String, String) {
        let (status, headers, v) = self.call(action, body).await;
        assert!(
            status.is_client_error(),
            "{action} should fail, got {status}: {v}"
        );
        let name = v["__type"].as_str().unwrap().to_string();
        assert_eq!(
            headers.get("x-amzn-errortype").unwrap().to_str().unwrap(),
            format!("{name}:")
        );
        (name, v["message"].as_str().unwrap().to_string())
    }

    /// The code in the newest message to `to`.
    pub fn code_for(&self, to: &str) -> String {
        self.outbox
            .latest_to(to)
            .unwrap_or_else(|| panic!("no message to {to}"))
            .code
            .unwrap()
    }

    pub fn messages_to(&self, to: &str) -> usize {
        self.outbox
            .messages()
            .iter()
            .filter(|m| m.to.eq_ignore_ascii_case(to))
            .count()
    }

    pub async fn sign_up(&self, email: &str, password: &str) -> Value {
        self.ok(
            "SignUp",
            json!({"ClientId": CLIENT_ID, "Username": email, "Password": password,
                   "UserAttributes": [{"Name": "email", "Value": email}]}),
        )
        .await
    }

    /// Signs up and confirms; returns the sub.
    pub async fn confirmed_user(&self, email: &str) -> String {
        let r = self.sign_up(email, PASSWORD).await;
        let code = self.code_for(email);
        self.ok(
            "ConfirmSignUp",
            json!({"ClientId": CLIENT_ID, "Username": email, "ConfirmationCode": code}),
        )
        .await;
        r["UserSub"].as_str().unwrap().to_string()
    }

    pub async fn initiate_srp(&self, username: &str) -> (client::ClientEphemeral, Value) {
        let e = client::ephemeral().unwrap();
        let r = self
            .ok(
                "InitiateAuth",
                json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": CLIENT_ID,
                       "AuthParameters": {"USERNAME": username, "SRP_A": e.big_a.to_str_radix(16)}}),
            )
            .await;
        assert_eq!(r["ChallengeName"], "PASSWORD_VERIFIER");
        (e, r)
    }

    /// The PASSWORD_VERIFIER answer the JS client would send.
    pub fn password_claim(
        &self,
        e: &client::ClientEphemeral,
        challenge: &Value,
        password: &str,
    ) -> Value {
        let p = &challenge["ChallengeParameters"];
        let user_id = p["USER_ID_FOR_SRP"].as_str().unwrap();
        let salt = srp::parse_hex(p["SALT"].as_str().unwrap()).unwrap();
        let big_b = srp::parse_hex(p["SRP_B"].as_str().unwrap()).unwrap();
        let block_b64 = p["SECRET_BLOCK"].as_str().unwrap();
        let key = client::key(e, &big_b, &salt, POOL_NAME, user_id, password).unwrap();
        let ts = srp::format_timestamp(self.clock.now()).unwrap();
        let block = stratus_auth::crypto::b64_decode(block_b64).unwrap();
        let sig = srp::claim_signature(&key, POOL_NAME, user_id, &block, &ts);
        json!({
            "ChallengeName": "PASSWORD_VERIFIER",
            "ClientId": CLIENT_ID,
            "Session": challenge["Session"],
            "ChallengeResponses": {
                "USERNAME": user_id,
                "PASSWORD_CLAIM_SECRET_BLOCK": block_b64,
                "TIMESTAMP": ts,
                "PASSWORD_CLAIM_SIGNATURE": sig,
            },
        })
    }

    /// Full SRP sign-in; returns the RespondToAuthChallenge status and body.
    pub async fn srp(&self, username: &str, password: &str) -> (StatusCode, Value) {
        let (e, challenge) = self.initiate_srp(username).await;
        let answer = self.password_claim(&e, &challenge, password);
        let (status, _, v) = self.call("RespondToAuthChallenge", answer).await;
        (status, v)
    }

    /// SRP sign-in that must end with tokens; returns `AuthenticationResult`.
    pub async fn sign_in(&self, username: &str, password: &str) -> Value {
        let (status, v) = self.srp(username, password).await;
        assert_eq!(status, StatusCode::OK, "sign-in failed: {v}");
        assert!(
            v["AuthenticationResult"].is_object(),
            "expected tokens, got {v}"
        );
        v["AuthenticationResult"].clone()
    }

    pub async fn password_auth(&self, username: &str, password: &str) -> (StatusCode, Value) {
        let (status, _, v) = self
            .call(
                "InitiateAuth",
                json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": CLIENT_ID,
                       "AuthParameters": {"USERNAME": username, "PASSWORD": password}}),
            )
            .await;
        (status, v)
    }
}

/// Decodes a JWT payload without verifying (what the JS client does).
pub fn claims(token: &Value) -> Value {
    let token = token.as_str().unwrap();
    let payload = token.split('.').nth(1).unwrap();
    let bytes = stratus_auth::crypto::b64_decode(payload).unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

pub fn access(result: &Value) -> Value {
    result["AccessToken"].clone()
}
