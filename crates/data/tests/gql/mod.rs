//! A data API on a temporary store (with a real user pool on the same store), driven through
//! the router with the documents the aws-amplify client sends.

#![allow(dead_code)]

pub mod fake_functions;
pub mod realtime;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use stratus_auth::{AuthConfig, AuthService, Outbox};
use stratus_data::{DataService, router};
use stratus_spec::auth::AuthSpec;
use stratus_testkit::fixtures::{Fixture, conformance_root};
use tower::ServiceExt;

pub const CLIENT_ID: &str = "1example23456789clientid00";
pub const PASSWORD: &str = "Passw0rd!";

/// How a request authenticates.
#[derive(Debug, Clone)]
pub enum Auth {
    ApiKey,
    Key(String),
    Token(String),
    Header(String, String),
    None,
}

pub struct Harness {
    pub app: Router,
    pub service: DataService,
    pub auth: AuthService,
    pub outbox: Arc<Outbox>,
    pub api_key: String,
    _dir: tempfile::TempDir,
}

impl Harness {
    /// The data API of the fixture `name` with a user pool (`loginWith: { email: true }`).
    pub async fn new(name: &str) -> Harness {
        Self::with_auth(name, json!({"loginWith": {"email": true}})).await
    }

    /// [`Harness::new`] with a user pool defined by `defineAuth` props `auth_props`.
    pub async fn with_auth(name: &str, auth_props: Value) -> Harness {
        let fx = Fixture::new(conformance_root().join(name));
        let spec = fx.data_spec().unwrap();
        Self::with_spec(&spec, auth_props).await
    }

    /// The data API of `spec` with a user pool defined by `defineAuth` props `auth_props`.
    pub async fn with_spec(spec: &stratus_spec::data::DataSpec, auth_props: Value) -> Harness {
        Self::open(spec, auth_props, None).await
    }

    /// [`Harness::with_spec`] whose custom operations and Lambda authorizer call `functions`.
    pub async fn with_functions(
        spec: &stratus_spec::data::DataSpec,
        auth_props: Value,
        functions: stratus_data::FunctionBinding,
    ) -> Harness {
        Self::open(spec, auth_props, Some(functions)).await
    }

    async fn open(
        spec: &stratus_spec::data::DataSpec,
        auth_props: Value,
        functions: Option<stratus_data::FunctionBinding>,
    ) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let store = stratus_store::Store::open(dir.path()).await.unwrap();
        let api_key = store
            .ensure_api_key(Duration::from_secs(7 * 86_400))
            .await
            .unwrap()
            .key;
        let auth_spec = AuthSpec::from_props(&auth_props).unwrap();
        let mut config =
            AuthConfig::new("us-east-1_AbCdEfGhI", CLIENT_ID, "https://127.0.0.1:8443");
        config.allow_user_password_auth = true;
        let outbox = Outbox::new();
        let auth = AuthService::open(&store, auth_spec, config, outbox.clone())
            .await
            .unwrap();
        let service = match functions {
            Some(f) => DataService::open_with_functions(&store, spec, Some(auth.clone()), f).await,
            None => DataService::open(&store, spec, Some(auth.clone())).await,
        }
        .unwrap();
        Harness {
            app: router(service.clone()),
            service,
            auth,
            outbox,
            api_key,
            _dir: dir,
        }
    }

    /// Signs up, confirms and signs in `email`; returns its access token.
    pub async fn user(&self, email: &str) -> String {
        self.user_in(email, &[]).await
    }

    /// [`Harness::user`] in the user pool `groups`.
    pub async fn user_in(&self, email: &str, groups: &[&str]) -> String {
        let body = json!({"ClientId": CLIENT_ID, "Username": email, "Password": PASSWORD,
                          "UserAttributes": [{"Name": "email", "Value": email}]});
        self.auth
            .handle("SignUp", body.to_string().as_bytes())
            .await
            .unwrap();
        let code = self.outbox.latest_to(email).unwrap().code.unwrap();
        let body = json!({"ClientId": CLIENT_ID, "Username": email, "ConfirmationCode": code});
        self.auth
            .handle("ConfirmSignUp", body.to_string().as_bytes())
            .await
            .unwrap();
        for group in groups {
            self.auth
                .admin_add_user_to_group(email, group)
                .await
                .unwrap();
        }
        let body = json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": CLIENT_ID,
                          "AuthParameters": {"USERNAME": email, "PASSWORD": PASSWORD}});
        let r = self
            .auth
            .handle("InitiateAuth", body.to_string().as_bytes())
            .await
            .unwrap();
        r["AuthenticationResult"]["AccessToken"]
            .as_str()
            .unwrap()
            .to_string()
    }

    /// POST /graphql; returns the status and the JSON body.
    pub async fn post(&self, auth: &Auth, query: &str, variables: Value) -> (StatusCode, Value) {
        let body = json!({"query": query, "variables": variables}).to_string();
        self.raw(auth, body).await
    }

    pub async fn raw(&self, auth: &Auth, body: String) -> (StatusCode, Value) {
        let mut req = Request::post("/graphql")
            .header("content-type", "application/json; charset=UTF-8")
            .header("x-amz-user-agent", "aws-amplify/6.22.1 api/1 framework/100");
        req = match auth {
            Auth::ApiKey => req.header("x-api-key", &self.api_key),
            Auth::Key(k) => req.header("x-api-key", k),
            Auth::Token(t) => req.header("authorization", t),
            Auth::Header(k, v) => req.header(k.as_str(), v.as_str()),
            Auth::None => req,
        };
        let res = self
            .app
            .clone()
            .oneshot(req.body(Body::from(body)).unwrap())
            .await
            .unwrap();
        let status = res.status();
        let bytes = res.into_body().collect().await.unwrap().to_bytes();
        let value = serde_json::from_slice(&bytes)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&bytes)));
        (status, value)
    }

    /// A request that must succeed without errors; returns `data`.
    pub async fn ok(&self, auth: &Auth, query: &str, variables: Value) -> Value {
        let (status, v) = self.post(auth, query, variables).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        assert!(v.get("errors").is_none(), "unexpected errors: {v}");
        v["data"].clone()
    }

    /// A request answered with GraphQL errors (HTTP 200); returns the whole body.
    pub async fn errors(&self, auth: &Auth, query: &str, variables: Value) -> Value {
        let (status, v) = self.post(auth, query, variables).await;
        assert_eq!(status, StatusCode::OK, "{v}");
        assert!(v["errors"].is_array(), "expected errors: {v}");
        v
    }
}

/// The payload of a JWT, unverified.
pub fn claims(token: &str) -> Value {
    use base64::Engine as _;
    let payload = token.split('.').nth(1).unwrap();
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// Temporary identity-pool credentials.
pub struct Creds {
    pub akid: String,
    pub secret: String,
    pub token: String,
}

impl Harness {
    /// Guest credentials from the identity pool (GetId + GetCredentialsForIdentity).
    pub async fn guest_credentials(&self) -> Creds {
        let body = json!({"IdentityPoolId": "us-east-1:00000000-0000-4000-8000-000000000000", "Logins": {}});
        let id = self
            .auth
            .handle_identity("GetId", body.to_string().as_bytes())
            .await
            .unwrap()["IdentityId"]
            .clone();
        let body = json!({"IdentityId": id});
        let r = self
            .auth
            .handle_identity("GetCredentialsForIdentity", body.to_string().as_bytes())
            .await
            .unwrap();
        let c = &r["Credentials"];
        Creds {
            akid: c["AccessKeyId"].as_str().unwrap().into(),
            secret: c["SecretKey"].as_str().unwrap().into(),
            token: c["SessionToken"].as_str().unwrap().into(),
        }
    }
}

/// The headers of `POST https://<host><path>` with `headers` and `body`, SigV4-signed for
/// `appsync` (what the client puts in the realtime auth header).
pub fn signed_headers(
    creds: &Creds,
    host: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
) -> serde_json::Map<String, Value> {
    use aws_credential_types::Credentials;
    use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
    use aws_sigv4::sign::v4;
    let mut all: Vec<(&str, &str)> = vec![("host", host)];
    all.extend_from_slice(headers);
    let identity = Credentials::new(
        &creds.akid,
        &creds.secret,
        Some(creds.token.clone()),
        None,
        "test",
    )
    .into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("appsync")
        .time(std::time::SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let uri = format!("https://{host}{path}");
    let signable = SignableRequest::new(
        "POST",
        uri.as_str(),
        all.iter().copied(),
        SignableBody::Bytes(body.as_bytes()),
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut builder = Request::post(path);
    for (k, v) in &all {
        builder = builder.header(*k, *v);
    }
    let mut req = builder.body(()).unwrap();
    instructions.apply_to_request_http1x(&mut req);
    req.headers()
        .iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                Value::String(v.to_str().unwrap().to_string()),
            )
        })
        .collect()
}
