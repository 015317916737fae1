//! The `OPENID_CONNECT` mode against a local issuer (discovery + JWKS served by an axum router
//! in the test, RS256 keys made here): verification, owner and group rules with OIDC claims,
//! key rotation, and an OIDC subscriber on the realtime socket.

mod gql;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use base64::Engine as _;
use gql::{Auth, Harness, realtime};
use jsonwebtoken::jwk::{Jwk, KeyAlgorithm};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use stratus_spec::data::{AuthMode, OidcConfig};
use stratus_testkit::fixtures::{Fixture, conformance_root};

const CLIENT: &str = "stratus-fixture-client";

struct Key {
    kid: String,
    encoding: EncodingKey,
    jwk: Jwk,
}

fn new_key(kid: &str) -> Key {
    use aws_lc_rs::encoding::AsDer;
    let kp = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048).unwrap();
    let der = kp.as_der().unwrap();
    let b64 = base64::engine::general_purpose::STANDARD.encode(der.as_ref());
    let mut pem = String::from("-----BEGIN PRIVATE KEY-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        pem.push_str(std::str::from_utf8(chunk).unwrap());
        pem.push('\n');
    }
    pem.push_str("-----END PRIVATE KEY-----\n");
    let encoding = EncodingKey::from_rsa_pem(pem.as_bytes()).unwrap();
    let mut jwk = Jwk::from_encoding_key(&encoding, Algorithm::RS256).unwrap();
    jwk.common.key_id = Some(kid.to_string());
    jwk.common.key_algorithm = Some(KeyAlgorithm::RS256);
    Key {
        kid: kid.to_string(),
        encoding,
        jwk,
    }
}

/// The local identity provider: its issuer URL and the JWKS it publishes (editable).
struct Issuer {
    url: String,
    published: Arc<Mutex<Vec<Jwk>>>,
}

#[derive(Clone)]
struct IdpState {
    url: String,
    published: Arc<Mutex<Vec<Jwk>>>,
}

async fn discovery(State(s): State<IdpState>) -> Json<Value> {
    Json(
        json!({"issuer": s.url, "jwks_uri": format!("{}/jwks.json", s.url),
                "authorization_endpoint": format!("{}/authorize", s.url)}),
    )
}

async fn jwks(State(s): State<IdpState>) -> (StatusCode, Json<Value>) {
    let keys = s.published.lock().unwrap().clone();
    (StatusCode::OK, Json(json!({ "keys": keys })))
}

async fn start_issuer(keys: &[&Key]) -> Issuer {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let published = Arc::new(Mutex::new(keys.iter().map(|k| k.jwk.clone()).collect()));
    let app = axum::Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route("/jwks.json", get(jwks))
        .with_state(IdpState {
            url: url.clone(),
            published: published.clone(),
        });
    tokio::spawn(async move {
        axum::serve(listener, app).await.unwrap();
    });
    Issuer { url, published }
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn sign(key: &Key, claims: Value) -> String {
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some(key.kid.clone());
    jsonwebtoken::encode(&header, &claims, &key.encoding).unwrap()
}

/// A token as the provider issues it: fresh `iat`/`auth_time`, an hour of validity.
fn token(key: &Key, issuer: &str, sub: &str, extra: Value) -> String {
    let mut claims = json!({"iss": issuer, "sub": sub, "username": sub, "aud": CLIENT, "iat": now(),
                            "auth_time": now(), "exp": now() + 3600});
    for (k, v) in extra.as_object().unwrap() {
        claims[k] = v.clone();
    }
    sign(key, claims)
}

/// b-auth-oidc (default mode oidc, clientId, 300 s from auth, 600 s from issue) with its
/// issuer pointed at the local provider.
async fn harness(issuer: &Issuer) -> Harness {
    let fx = Fixture::new(conformance_root().join("b-auth-oidc"));
    let mut spec = fx.data_spec().unwrap();
    assert_eq!(spec.authorization_modes.default, AuthMode::OpenidConnect);
    // The fixture's oidcAuthorizationMode (the testkit's spec carries only the modes).
    spec.authorization_modes.oidc = Some(OidcConfig {
        provider_name: "ExampleIdP".into(),
        issuer_url: issuer.url.clone(),
        client_id: Some(CLIENT.into()),
        token_expiry_from_auth_seconds: 300,
        token_expiry_from_issue_seconds: 600,
    });
    Harness::with_spec(&spec, json!({"loginWith": {"email": true}})).await
}

const CREATE_INVOICE: &str = "mutation ($input: CreateInvoiceInput!) { createInvoice(input: $input) { id amount customer accountants } }";
const LIST_INVOICES: &str = "query { listInvoices { items { id amount } } }";
const CREATE_PROFILE: &str = "mutation ($input: CreateProfileInput!) { createProfile(input: $input) { id displayName owner } }";
const UPDATE_PROFILE: &str = "mutation ($input: UpdateProfileInput!) { updateProfile(input: $input) { id displayName owner } }";

async fn refused(h: &Harness, token: &str) {
    let (status, body) = h
        .post(&Auth::Token(token.into()), LIST_INVOICES, json!({}))
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    assert_eq!(body["errors"][0]["errorType"], "UnauthorizedException");
}

#[tokio::test]
async fn oidc_tokens_owners_and_groups() {
    let key = new_key("k1");
    let issuer = start_issuer(&[&key]).await;
    let h = harness(&issuer).await;
    let alice = Auth::Token(token(&key, &issuer.url, "alice", json!({})));
    let bob = Auth::Token(token(&key, &issuer.url, "bob", json!({})));

    // allow.owner('oidc').identityClaim('sub'): the owner is the token's sub.
    let created = h
        .ok(
            &alice,
            CREATE_PROFILE,
            json!({"input": {"displayName": "A"}}),
        )
        .await;
    let profile = &created["createProfile"];
    assert_eq!(profile["owner"], "alice");
    let id = profile["id"].as_str().unwrap();
    // Bob may read it (authenticated('oidc').to(['read'])) but not change it.
    let got = h
        .ok(
            &bob,
            "query ($id: ID!) { getProfile(id: $id) { id owner } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(got["getProfile"]["owner"], "alice");
    let errors = h
        .errors(
            &bob,
            UPDATE_PROFILE,
            json!({"input": {"id": id, "displayName": "B"}}),
        )
        .await;
    assert_eq!(errors["errors"][0]["errorType"], "Unauthorized", "{errors}");
    let updated = h
        .ok(
            &alice,
            UPDATE_PROFILE,
            json!({"input": {"id": id, "displayName": "A2"}}),
        )
        .await;
    assert_eq!(updated["updateProfile"]["displayName"], "A2");

    // ownersDefinedIn('accountants', 'oidc') with the default claim `sub::username`: each
    // owner sees only their own invoices.
    let inv = h
        .ok(&alice, CREATE_INVOICE, json!({"input": {"amount": 12.5}}))
        .await;
    assert_eq!(inv["createInvoice"]["accountants"], json!(["alice"]));
    let no_username = Auth::Token(sign(
        &key,
        json!({"iss": issuer.url, "sub": "zed", "aud": CLIENT, "iat": now(),
               "auth_time": now(), "exp": now() + 3600}),
    ));
    let errors = h
        .errors(
            &no_username,
            CREATE_INVOICE,
            json!({"input": {"amount": 1.0}}),
        )
        .await;
    assert_eq!(errors["errors"][0]["errorType"], "Unauthorized", "{errors}");
    let inv_id = inv["createInvoice"]["id"].clone();
    let mine = h.ok(&alice, LIST_INVOICES, json!({})).await;
    assert_eq!(mine["listInvoices"]["items"].as_array().unwrap().len(), 1);
    let theirs = h.ok(&bob, LIST_INVOICES, json!({})).await;
    assert_eq!(theirs["listInvoices"]["items"], json!([]));

    // groups(['Finance', 'Auditors'], 'oidc') read from the default `cognito:groups` claim.
    let finance = Auth::Token(token(
        &key,
        &issuer.url,
        "carol",
        json!({"cognito:groups": ["Finance"]}),
    ));
    let seen = h.ok(&finance, LIST_INVOICES, json!({})).await;
    assert_eq!(seen["listInvoices"]["items"][0]["id"], inv_id);
    let errors = h
        .errors(
            &finance,
            CREATE_INVOICE,
            json!({"input": {"amount": 1.0, "accountants": []}}),
        )
        .await;
    assert_eq!(errors["errors"][0]["errorType"], "Unauthorized", "{errors}");
    // A group named in another claim does not count …
    let wrong_claim = Auth::Token(token(
        &key,
        &issuer.url,
        "dave",
        json!({"groups": ["Finance"]}),
    ));
    let none = h.ok(&wrong_claim, LIST_INVOICES, json!({})).await;
    assert_eq!(none["listInvoices"]["items"], json!([]));
    // … but group('Admins', 'oidc').withClaimIn('roles') reads `roles`.
    let admin = Auth::Token(token(
        &key,
        &issuer.url,
        "erin",
        json!({"roles": ["Admins"]}),
    ));
    let all = h.ok(&admin, LIST_INVOICES, json!({})).await;
    assert_eq!(all["listInvoices"]["items"][0]["id"], inv_id);

    // A user pool token is still a user pool caller: Invoice has no user-pool rule.
    let pool = h.user("frank@example.com").await;
    let errors = h.errors(&Auth::Token(pool), LIST_INVOICES, json!({})).await;
    assert_eq!(errors["errors"][0]["errorType"], "Unauthorized", "{errors}");
}

#[tokio::test]
async fn oidc_tokens_refused() {
    let key = new_key("k1");
    let issuer = start_issuer(&[&key]).await;
    let h = harness(&issuer).await;
    let ok = token(&key, &issuer.url, "alice", json!({}));
    h.ok(&Auth::Token(ok.clone()), LIST_INVOICES, json!({}))
        .await;

    // Wrong issuer (then it is taken for a user pool token, which it is not).
    refused(
        &h,
        &token(&key, "https://other.example.com", "alice", json!({})),
    )
    .await;
    // Wrong audience; a token without aud but with the access-token `client_id` is accepted.
    refused(
        &h,
        &token(&key, &issuer.url, "alice", json!({"aud": "someone-else"})),
    )
    .await;
    let access = sign(
        &key,
        json!({"iss": issuer.url, "sub": "alice", "client_id": CLIENT, "iat": now(),
               "auth_time": now(), "exp": now() + 3600}),
    );
    h.ok(&Auth::Token(access), LIST_INVOICES, json!({})).await;
    // Expired.
    refused(
        &h,
        &token(&key, &issuer.url, "alice", json!({"exp": now() - 5})),
    )
    .await;
    // tokenExpireFromIssueInSeconds (600) and tokenExpiryFromAuthInSeconds (300) exceeded.
    refused(
        &h,
        &token(&key, &issuer.url, "alice", json!({"iat": now() - 700})),
    )
    .await;
    refused(
        &h,
        &token(
            &key,
            &issuer.url,
            "alice",
            json!({"auth_time": now() - 400}),
        ),
    )
    .await;
    let no_auth_time = sign(
        &key,
        json!({"iss": issuer.url, "sub": "alice", "aud": CLIENT, "iat": now(), "exp": now() + 60}),
    );
    refused(&h, &no_auth_time).await;
    // A bad signature.
    let mut tampered = ok.clone();
    tampered.truncate(tampered.len() - 4);
    tampered.push_str("AAAA");
    refused(&h, &tampered).await;

    // A key the provider does not publish yet is refused; once published (key rotation), the
    // JWKS is fetched again and the same token is accepted.
    let next = new_key("k2");
    let rotated = token(&next, &issuer.url, "alice", json!({}));
    refused(&h, &rotated).await;
    issuer.published.lock().unwrap().push(next.jwk.clone());
    tokio::time::sleep(stratus_data::oidc::MIN_REFETCH_INTERVAL + Duration::from_millis(100)).await;
    h.ok(&Auth::Token(rotated), LIST_INVOICES, json!({})).await;
}

#[tokio::test]
async fn oidc_subscriber_on_the_realtime_socket() {
    let key = new_key("k1");
    let issuer = start_issuer(&[&key]).await;
    let h = harness(&issuer).await;
    let alice = token(&key, &issuer.url, "alice", json!({}));
    let host = h.serve().await;

    let header = json!({"Authorization": alice, "host": host});
    let mut ws = realtime::connect(&host, &header).await;
    let sub = "subscription { onCreateProfile { id displayName owner } }";
    realtime::start(&mut ws, "s1", sub, json!({}), Some(&header)).await;
    h.ok(
        &Auth::Token(alice.clone()),
        CREATE_PROFILE,
        json!({"input": {"displayName": "live"}}),
    )
    .await;
    let ev = realtime::recv(&mut ws, realtime::WAIT).await.unwrap();
    assert_eq!(ev["type"], "data", "{ev}");
    assert_eq!(
        ev["payload"]["data"]["onCreateProfile"]["displayName"],
        "live"
    );
    assert_eq!(ev["payload"]["data"]["onCreateProfile"]["owner"], "alice");

    // An expired OIDC token cannot connect.
    let expired = token(&key, &issuer.url, "alice", json!({"exp": now() - 5}));
    let header = json!({"Authorization": expired, "host": host});
    let (mut ws, _) = realtime::open(&host, &header).await;
    let err = realtime::init(&mut ws).await;
    assert_eq!(err["type"], "connection_error", "{err}");
}

#[tokio::test]
async fn an_unreachable_provider_refuses_every_token() {
    let key = new_key("k1");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let issuer = Issuer {
        url,
        published: Arc::new(Mutex::new(Vec::new())),
    };
    let h = harness(&issuer).await;
    refused(&h, &token(&key, &issuer.url, "alice", json!({}))).await;
    // Within the refetch interval the provider is not asked again; still refused.
    refused(&h, &token(&key, &issuer.url, "bob", json!({}))).await;
}
