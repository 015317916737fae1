//! Creates and gets per second through the whole data path (router, user-pool token check,
//! GraphQL, owner authorization, store) at concurrency 32, with p50/p99 latencies.
//!
//! `cargo run -p stratus-data --release --example graphql_throughput [requests]`

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::http::Request;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use stratus_auth::{AuthConfig, AuthService, Outbox};
use stratus_data::{DataService, router};
use stratus_spec::auth::AuthSpec;
use stratus_testkit::fixtures::{Fixture, conformance_root};
use tower::ServiceExt;

const CLIENT_ID: &str = "1example23456789clientid00";
const CONCURRENCY: usize = 32;

async fn token(auth: &AuthService, outbox: &Outbox, email: &str) -> String {
    let pw = "Passw0rd!";
    let body = json!({"ClientId": CLIENT_ID, "Username": email, "Password": pw,
                      "UserAttributes": [{"Name": "email", "Value": email}]});
    auth.handle("SignUp", body.to_string().as_bytes())
        .await
        .unwrap();
    let code = outbox.latest_to(email).unwrap().code.unwrap();
    let body = json!({"ClientId": CLIENT_ID, "Username": email, "ConfirmationCode": code});
    auth.handle("ConfirmSignUp", body.to_string().as_bytes())
        .await
        .unwrap();
    let body = json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": CLIENT_ID,
                      "AuthParameters": {"USERNAME": email, "PASSWORD": pw}});
    let r = auth
        .handle("InitiateAuth", body.to_string().as_bytes())
        .await
        .unwrap();
    r["AuthenticationResult"]["AccessToken"]
        .as_str()
        .unwrap()
        .to_string()
}

async fn post(app: &axum::Router, token: &str, query: &str, variables: Value) -> Value {
    let body = json!({"query": query, "variables": variables}).to_string();
    let req = Request::post("/graphql")
        .header("content-type", "application/json")
        .header("authorization", token)
        .body(Body::from(body))
        .unwrap();
    let res = app.clone().oneshot(req).await.unwrap();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    serde_json::from_slice(&bytes).unwrap()
}

fn report(what: &str, total: Duration, mut lat: Vec<Duration>) {
    lat.sort();
    let n = lat.len();
    let p = |q: f64| lat[((n as f64 * q) as usize).min(n - 1)];
    println!(
        "{what}: {n} in {:.2?} = {:.0}/s, p50 {:.2?}, p99 {:.2?}",
        total,
        n as f64 / total.as_secs_f64(),
        p(0.50),
        p(0.99)
    );
}

async fn run<F, Fut>(requests: usize, f: F) -> (Duration, Vec<Duration>)
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    let f = Arc::new(f);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..CONCURRENCY {
        let f = f.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::new();
            let mut i = w;
            while i < requests {
                let t = Instant::now();
                f(i).await;
                lat.push(t.elapsed());
                i += CONCURRENCY;
            }
            lat
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    (start.elapsed(), all)
}

#[tokio::main]
async fn main() {
    let requests: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5000);
    let spec = Fixture::new(conformance_root().join("ex-todo-owner"))
        .data_spec()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = stratus_store::Store::open(dir.path()).await.unwrap();
    let mut config = AuthConfig::new("us-east-1_AbCdEfGhI", CLIENT_ID, "https://127.0.0.1:8443");
    config.allow_user_password_auth = true;
    let outbox = Outbox::new();
    let auth = AuthService::open(
        &store,
        AuthSpec::from_props(&json!({"loginWith": {"email": true}})).unwrap(),
        config,
        outbox.clone(),
    )
    .await
    .unwrap();
    let data = DataService::open(&store, &spec, Some(auth.clone()))
        .await
        .unwrap();
    let app = router(data);
    let token = Arc::new(token(&auth, &outbox, "bench@example.com").await);

    let create = "mutation ($input: CreateTodoInput!) { createTodo(input: $input) { id content done priority createdAt updatedAt owner } }";
    let (app2, token2) = (app.clone(), token.clone());
    let (total, lat) = run(requests, move |i| {
        let (app, token) = (app2.clone(), token2.clone());
        async move {
            let v = post(
                &app,
                &token,
                create,
                json!({"input": {"id": format!("t{i}"), "content": "x", "priority": i}}),
            )
            .await;
            assert!(v.get("errors").is_none(), "{v}");
        }
    })
    .await;
    report("create", total, lat);

    let get = "query ($id: ID!) { getTodo(id: $id) { id content done priority createdAt updatedAt owner } }";
    let (app2, token2) = (app.clone(), token.clone());
    let (total, lat) = run(requests, move |i| {
        let (app, token) = (app2.clone(), token2.clone());
        async move {
            let v = post(&app, &token, get, json!({"id": format!("t{i}")})).await;
            assert!(v["data"]["getTodo"]["id"].is_string(), "{v}");
        }
    })
    .await;
    report("get", total, lat);
}
