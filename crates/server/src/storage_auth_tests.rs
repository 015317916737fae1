//! The S3 API mounted in the whole application, with requests signed as AWS SDKs sign them
//! (`aws-sigv4`) with the admin key and identity-pool credentials.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings,
    UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode, header};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use stratus_auth::{AuthConfig, AuthService, Outbox};
use stratus_spec::Backend;
use stratus_spec::auth::AuthSpec;
use stratus_spec::storage::StorageSpec;
use stratus_storage::{BucketConfig, FsBackend, FsOptions, StorageService};
use tower::ServiceExt;

use super::*;
use crate::services::{Services, StorageMount};
use crate::{Shared, router};

const POOL_ID: &str = "us-east-1_Abc123XyZ";
const IDENTITY_POOL_ID: &str = "us-east-1:0b5c7f0e-1111-4222-8333-944445555666";
const ORIGIN: &str = "https://127.0.0.1:4280";
const HOST: &str = "127.0.0.1:4280";
const BUCKET: &str = "files.instance.stratus";

struct Env {
    app: Router,
    auth: AuthService,
    _dir: tempfile::TempDir,
    _store: stratus_store::Store,
}

fn storage_spec() -> StorageSpec {
    let rule = |p: &str, a: &[&str]| json!({"principal": p, "actions": a});
    StorageSpec::from_props(&json!({
        "name": "files",
        "access": {
            "public/*": [rule("guest", &["read"]), rule("authenticated", &["read", "write", "delete"])],
            "private/{entity_id}/*": [{"principal": "entity", "entity": "identity", "actions": ["read", "write", "delete"]}],
        }
    }))
    .unwrap()
}

/// The application serving a user pool + identity pool and one bucket; with `with_auth` false
/// the storage authenticator has no credentials to check against.
async fn env(with_auth: bool) -> Env {
    let dir = tempfile::tempdir().unwrap();
    let store = stratus_store::Store::open(&dir.path().join("state"))
        .await
        .unwrap();
    let spec = AuthSpec::from_props(&json!({"loginWith": {"email": true}})).unwrap();
    let mut config = AuthConfig::new(POOL_ID, "abcdefghijklmnopqrstuvwxyz", ORIGIN);
    config.identity_pool_id = Some(IDENTITY_POOL_ID.to_owned());
    let auth = AuthService::open(&store, spec, config, Outbox::new())
        .await
        .unwrap();
    let backend = FsBackend::open(dir.path().join("storage"), FsOptions::default())
        .await
        .unwrap();
    let service = StorageService::new(
        Arc::new(backend),
        Arc::new(SigV4Authenticator::new(with_auth.then(|| auth.clone()))),
        vec![BucketConfig::from_spec(BUCKET, &storage_spec())],
    )
    .await
    .unwrap();
    let services = Services {
        auth: Some(auth.clone()),
        outbox: None,
        data: None,
        storage: Some(StorageMount {
            service,
            buckets: vec![BUCKET.to_owned()],
        }),
        functions: Default::default(),
    };
    let shared = Shared::new();
    shared.swap_with(Backend::default(), json!({}), services, Duration::ZERO);
    Env {
        app: router(shared),
        auth,
        _dir: dir,
        _store: store,
    }
}

struct Key {
    id: String,
    secret: String,
    token: Option<String>,
}

/// How the payload is covered.
enum Payload<'a> {
    /// `x-amz-content-sha256` = the SHA-256 of this (which may differ from the body sent).
    Sha256(&'a [u8]),
    Unsigned,
}

/// A request signed for `s3` as the AWS SDKs and aws-amplify sign it (path encoded once, not
/// normalised), with `body` sent.
fn signed(
    method: &str,
    path: &str,
    key: &Key,
    payload: Payload<'_>,
    body: &[u8],
    extra: &[(&str, &str)],
) -> Request<Body> {
    let identity = Credentials::new(&key.id, &key.secret, key.token.clone(), None, "t").into();
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("s3")
        .time(SystemTime::now())
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let uri = format!("https://{HOST}{path}");
    let mut headers: Vec<(&str, &str)> = vec![("host", HOST)];
    headers.extend_from_slice(extra);
    let signable_body = match payload {
        Payload::Sha256(bytes) => SignableBody::Bytes(bytes),
        Payload::Unsigned => SignableBody::UnsignedPayload,
    };
    let signable =
        SignableRequest::new(method, uri.as_str(), headers.iter().copied(), signable_body).unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut builder = Request::builder()
        .method(method)
        .uri(path)
        .header(header::ORIGIN, "http://localhost:5173");
    for (k, v) in &headers {
        builder = builder.header(*k, *v);
    }
    let mut request = builder.body(body.to_vec()).unwrap();
    instructions.apply_to_request_http1x(&mut request);
    request.map(Body::from)
}

async fn send(app: &Router, request: Request<Body>) -> (StatusCode, HeaderMap, String) {
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (
        status,
        headers,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

/// `<Code>` of an S3 XML error.
fn code(body: &str) -> &str {
    body.split_once("<Code>")
        .and_then(|(_, rest)| rest.split_once("</Code>"))
        .map_or("", |(c, _)| c)
}

async fn admin_key(auth: &AuthService) -> Key {
    let c = auth.admin_credentials().await.unwrap();
    Key {
        id: c.access_key_id,
        secret: c.secret_access_key,
        token: None,
    }
}

async fn identity(app: &Router, action: &str, body: Value) -> Value {
    let request = Request::post("/cognito-identity")
        .header(header::CONTENT_TYPE, "application/x-amz-json-1.1")
        .header(
            "x-amz-target",
            format!("AWSCognitoIdentityService.{action}"),
        )
        .body(Body::from(body.to_string()))
        .unwrap();
    let (status, _, text) = send(app, request).await;
    assert_eq!(status, StatusCode::OK, "{action}: {text}");
    serde_json::from_str(&text).unwrap()
}

/// Guest credentials from the identity pool, and the guest's identity id.
async fn guest(app: &Router) -> (Key, String) {
    let id = identity(app, "GetId", json!({"IdentityPoolId": IDENTITY_POOL_ID})).await;
    let id = id["IdentityId"].as_str().unwrap().to_owned();
    let c = identity(app, "GetCredentialsForIdentity", json!({"IdentityId": id})).await;
    let c = &c["Credentials"];
    let key = Key {
        id: c["AccessKeyId"].as_str().unwrap().to_owned(),
        secret: c["SecretKey"].as_str().unwrap().to_owned(),
        token: Some(c["SessionToken"].as_str().unwrap().to_owned()),
    };
    (key, id)
}

#[tokio::test]
async fn the_admin_key_and_identity_pool_credentials_reach_the_buckets_by_their_rules() {
    let env = env(true).await;
    let admin = admin_key(&env.auth).await;
    let path = format!("/{BUCKET}/public/hello.txt");

    // The admin key writes (signed SHA-256 body, metadata) and reads.
    let put = signed(
        "PUT",
        &path,
        &admin,
        Payload::Sha256(b"hello"),
        b"hello",
        &[
            ("content-type", "text/plain"),
            ("x-amz-meta-colour", "blue"),
        ],
    );
    let (status, headers, body) = send(&env.app, put).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let md5 = "\"5d41402abc4b2a76b9719d911017c592\"";
    assert_eq!(headers[header::ETAG], md5);
    let (status, headers, body) = send(
        &env.app,
        signed("GET", &path, &admin, Payload::Unsigned, b"", &[]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body, "hello");
    assert_eq!(headers["x-amz-meta-colour"], "blue");
    // The global CORS layer exposes every header (x-amz-meta-* included) to browsers.
    assert_eq!(headers[header::ACCESS_CONTROL_EXPOSE_HEADERS], "*");
    assert_eq!(headers[header::ACCESS_CONTROL_ALLOW_ORIGIN], "*");

    // A guest of the identity pool reads public/, may not write there nor read private/.
    let (guest, guest_id) = guest(&env.app).await;
    let (status, _, body) = send(
        &env.app,
        signed("GET", &path, &guest, Payload::Unsigned, b"", &[]),
    )
    .await;
    assert_eq!((status, body.as_str()), (StatusCode::OK, "hello"));
    let (status, _, body) = send(
        &env.app,
        signed(
            "PUT",
            &format!("/{BUCKET}/public/guest.txt"),
            &guest,
            Payload::Unsigned,
            b"x",
            &[],
        ),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert_eq!(code(&body), "AccessDenied");
    // private/{entity_id}/ is the identity's own; the guest's identity id is its entity id.
    let own = format!("/{BUCKET}/private/{guest_id}/note.txt");
    let (status, _, body) = send(
        &env.app,
        signed("PUT", &own, &guest, Payload::Unsigned, b"x", &[]),
    )
    .await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "guest has no private rule: {body}"
    );
    let (status, _, body) = send(
        &env.app,
        signed("PUT", &own, &admin, Payload::Unsigned, b"mine", &[]),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, _, body) = send(
        &env.app,
        signed("GET", &own, &guest, Payload::Unsigned, b"", &[]),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");

    // The auth routes still win over `/{bucket}/...`.
    let (status, _, body) = send(
        &env.app,
        Request::get(format!("/{POOL_ID}/.well-known/jwks.json"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("RS256"), "{body}");
}

#[tokio::test]
async fn refused_signatures_answer_s3_errors() {
    let env = env(true).await;
    let admin = admin_key(&env.auth).await;
    let path = format!("/{BUCKET}/public/a.txt");

    // No signature at all.
    let (status, _, body) = send(&env.app, Request::get(&path).body(Body::empty()).unwrap()).await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "AccessDenied")
    );

    // A wrong secret.
    let wrong = Key {
        secret: "x".repeat(40),
        ..admin_key(&env.auth).await
    };
    let (status, _, body) = send(
        &env.app,
        signed("GET", &path, &wrong, Payload::Unsigned, b"", &[]),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "SignatureDoesNotMatch")
    );

    // A key nobody issued.
    let unknown = Key {
        id: "AKIAUNKNOWNKEY000000".to_owned(),
        secret: "x".repeat(40),
        token: None,
    };
    let (status, _, body) = send(
        &env.app,
        signed("GET", &path, &unknown, Payload::Unsigned, b"", &[]),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "InvalidAccessKeyId")
    );

    // Identity-pool credentials without their session token.
    let (mut guest, _) = guest(&env.app).await;
    guest.token = None;
    let (status, _, body) = send(
        &env.app,
        signed("GET", &path, &guest, Payload::Unsigned, b"", &[]),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "InvalidToken")
    );

    // The signed SHA-256 is enforced on the body actually sent: nothing is stored.
    let (status, _, body) = send(
        &env.app,
        signed(
            "PUT",
            &path,
            &admin,
            Payload::Sha256(b"hello"),
            b"hellx",
            &[],
        ),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::BAD_REQUEST, "XAmzContentSHA256Mismatch")
    );
    let (status, _, body) = send(
        &env.app,
        signed("GET", &path, &admin, Payload::Unsigned, b"", &[]),
    )
    .await;
    assert_eq!((status, code(&body)), (StatusCode::NOT_FOUND, "NoSuchKey"));
}

#[tokio::test]
async fn without_a_user_pool_no_key_is_accepted() {
    let env = env(false).await;
    let admin = admin_key(&env.auth).await;
    let (status, _, body) = send(
        &env.app,
        signed(
            "GET",
            &format!("/{BUCKET}/public/a.txt"),
            &admin,
            Payload::Unsigned,
            b"",
            &[],
        ),
    )
    .await;
    assert_eq!(
        (status, code(&body)),
        (StatusCode::FORBIDDEN, "InvalidAccessKeyId")
    );
    // A malformed signature is still reported as such.
    let (status, _, body) = send(
        &env.app,
        Request::get(format!("/{BUCKET}/public/a.txt"))
            .header(header::AUTHORIZATION, "AWS4-HMAC-SHA256 Credential=x")
            .header("x-amz-date", "20260101T000000Z")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(code(&body), "AuthorizationHeaderMalformed");
}

fn principal_of(kind: stratus_auth::PrincipalKind, role_group: Option<&str>) -> Principal {
    principal(&stratus_auth::Principal {
        access_key_id: "ASIAEXAMPLE".to_owned(),
        kind,
        identity_id: Some("us-east-1:abc".to_owned()),
        sub: None,
        groups: vec!["Admins".to_owned()],
        role_group: role_group.map(str::to_owned),
        expires_at: None,
    })
}

#[test]
fn identity_pool_principals_map_to_storage_roles() {
    use stratus_auth::PrincipalKind::{Admin, Authenticated, Unauthenticated};
    let identity = |role| Principal::Identity {
        role,
        identity_id: Some("us-east-1:abc".to_owned()),
    };
    assert_eq!(principal_of(Admin, None), Principal::Admin);
    assert_eq!(
        principal_of(Unauthenticated, None),
        identity(StorageRole::Guest)
    );
    assert_eq!(
        principal_of(Authenticated, None),
        identity(StorageRole::Authenticated)
    );
    assert_eq!(
        principal_of(Authenticated, Some("Admins")),
        identity(StorageRole::Group("Admins".to_owned()))
    );
}
