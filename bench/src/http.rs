//! The HTTP side: a keep-alive client, a user-pool user made through the Cognito JSON API
//! (SignUp, the code from the sandbox outbox, ConfirmSignUp, InitiateAuth USER_PASSWORD_AUTH),
//! and GraphQL POSTs.

use std::time::Duration;

use serde_json::{Value, json};

pub type Error = Box<dyn std::error::Error + Send + Sync>;

pub fn client(connections: usize) -> reqwest::Client {
    reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .no_proxy()
        .http1_only()
        .tcp_nodelay(true)
        .build()
        .expect("reqwest client")
}

async fn cognito(
    http: &reqwest::Client,
    endpoint: &str,
    action: &str,
    body: Value,
) -> Result<Value, Error> {
    let res = http
        .post(endpoint)
        .header("content-type", "application/x-amz-json-1.1")
        .header(
            "x-amz-target",
            format!("AWSCognitoIdentityProviderService.{action}"),
        )
        .body(body.to_string())
        .send()
        .await?;
    let status = res.status();
    let v: Value = res.json().await?;
    if !status.is_success() {
        return Err(format!("{action}: HTTP {status}: {v}").into());
    }
    Ok(v)
}

/// Signs up and confirms `email`, then signs in: the access token.
pub async fn user_token(
    http: &reqwest::Client,
    origin: &str,
    cognito_endpoint: &str,
    client_id: &str,
    email: &str,
) -> Result<String, Error> {
    let password = "Bench-Passw0rd!";
    cognito(
        http,
        cognito_endpoint,
        "SignUp",
        json!({"ClientId": client_id, "Username": email, "Password": password,
               "UserAttributes": [{"Name": "email", "Value": email}]}),
    )
    .await?;
    let mut code = None;
    for _ in 0..100 {
        let messages: Value = http
            .get(format!(
                "{origin}/_stratus/outbox?to={}",
                email.replace('@', "%40")
            ))
            .send()
            .await?
            .json()
            .await?;
        code = messages
            .as_array()
            .and_then(|m| m.last())
            .and_then(|m| m["code"].as_str())
            .map(str::to_string);
        if code.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let code = code.ok_or("no confirmation code in the outbox")?;
    cognito(
        http,
        cognito_endpoint,
        "ConfirmSignUp",
        json!({"ClientId": client_id, "Username": email, "ConfirmationCode": code}),
    )
    .await?;
    let r = cognito(
        http,
        cognito_endpoint,
        "InitiateAuth",
        json!({"AuthFlow": "USER_PASSWORD_AUTH", "ClientId": client_id,
               "AuthParameters": {"USERNAME": email, "PASSWORD": password}}),
    )
    .await?;
    r["AuthenticationResult"]["AccessToken"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("InitiateAuth: no access token: {r}").into())
}

/// How a GraphQL request is authorized.
#[derive(Clone)]
pub enum Auth {
    Token(String),
    ApiKey(String),
}

/// POSTs one GraphQL request; the body, checked to be a 200 without `errors`.
pub async fn graphql(
    http: &reqwest::Client,
    url: &str,
    auth: &Auth,
    query: &str,
    variables: Value,
) -> Result<String, Error> {
    let req = http
        .post(url)
        .header("content-type", "application/json")
        .body(json!({"query": query, "variables": variables}).to_string());
    let req = match auth {
        Auth::Token(t) => req.header("authorization", t),
        Auth::ApiKey(k) => req.header("x-api-key", k),
    };
    let res = req.send().await?;
    let status = res.status();
    let body = res.text().await?;
    if !status.is_success() || body.contains("\"errors\"") {
        return Err(format!("HTTP {status}: {body}").into());
    }
    Ok(body)
}
