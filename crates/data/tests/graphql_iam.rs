//! IAM (SigV4) callers: identity-pool guest credentials signed as the AWS SDKs sign them.

mod gql;

use std::time::SystemTime;

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SigningSettings, sign};
use aws_sigv4::sign::v4;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use gql::{Auth, Harness};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

const HOST: &str = "127.0.0.1:8443";

struct Creds {
    akid: String,
    secret: String,
    token: String,
}

async fn guest_credentials(h: &Harness) -> Creds {
    let body =
        json!({"IdentityPoolId": "us-east-1:00000000-0000-4000-8000-000000000000", "Logins": {}});
    let id = h
        .auth
        .handle_identity("GetId", body.to_string().as_bytes())
        .await
        .unwrap()["IdentityId"]
        .clone();
    let body = json!({"IdentityId": id});
    let r = h
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

/// A signed `POST /graphql`; `tamper` changes the body after signing.
async fn signed(h: &Harness, creds: &Creds, query: &str, tamper: bool) -> (StatusCode, Value) {
    let body = json!({"query": query, "variables": {}}).to_string();
    let headers = [
        ("host", HOST),
        ("content-type", "application/json; charset=UTF-8"),
        ("x-amz-user-agent", "aws-amplify/6.22.1 api/1 framework/100"),
    ];
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
        .time(SystemTime::now())
        .settings(SigningSettings::default())
        .build()
        .unwrap()
        .into();
    let uri = format!("https://{HOST}/graphql");
    let signable = SignableRequest::new(
        "POST",
        uri.as_str(),
        headers.into_iter(),
        SignableBody::Bytes(body.as_bytes()),
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut builder = Request::post("/graphql");
    for (k, v) in headers {
        builder = builder.header(k, v);
    }
    let sent = if tamper {
        body.replace("query", "query ")
    } else {
        body
    };
    let mut req = builder.body(sent.into_bytes()).unwrap();
    instructions.apply_to_request_http1x(&mut req);
    let res = h.app.clone().oneshot(req.map(Body::from)).await.unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap())
}

#[tokio::test]
async fn identity_pool_guests_read_what_public_identity_pool_rules_allow() {
    let h = Harness::new("b-auth-owner").await;
    let alice = Auth::Token(h.user("alice@example.com").await);
    h.ok(
        &alice,
        "mutation { createPost(input: {title: \"hello\"}) { id } }",
        json!({}),
    )
    .await;
    h.ok(
        &alice,
        "mutation { createDiary(input: {title: \"dear diary\"}) { id } }",
        json!({}),
    )
    .await;
    let guest = guest_credentials(&h).await;

    let (status, v) = signed(&h, &guest, "query { listPosts { items { title } } }", false).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["data"]["listPosts"]["items"], json!([{"title": "hello"}]));

    let (status, v) = signed(
        &h,
        &guest,
        "query { listDiaries { items { title } } }",
        false,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["errors"][0]["errorType"], "Unauthorized", "{v}");

    let (status, v) = signed(
        &h,
        &guest,
        "mutation { createPost(input: {title: \"guest\"}) { id } }",
        false,
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["errors"][0]["errorType"], "Unauthorized", "{v}");

    // A body changed after signing is refused before execution.
    let (status, v) = signed(&h, &guest, "query { listPosts { items { title } } }", true).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{v}");
    assert_eq!(v["errors"][0]["errorType"], "UnauthorizedException");
}
