//! GetId / GetCredentialsForIdentity / GetOpenIdToken, and the credentials under SigV4.

use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings,
    UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
use serde_json::{Value, json};
use stratus_auth::{AuthConfig, AuthService, Clock as _, ManualClock, Outbox, PrincipalKind};
use stratus_sigv4::{Body, SigV4Error, SignedRequest, Verifier, VerifyError};
use stratus_spec::auth::AuthSpec;

use crate::common::*;

const IDENTITY_POOL: &str = "us-east-1:11111111-2222-3333-4444-555555555555";
const LOGINS_KEY: &str = "127.0.0.1:8443/us-east-1_AbCdEfGhI";

fn is_identity_id(v: &Value) -> bool {
    let s = v.as_str().unwrap_or_default();
    s.split_once(':')
        .is_some_and(|(r, u)| r == "us-east-1" && uuid::Uuid::parse_str(u).is_ok())
}

async fn signed_in(h: &Harness, email: &str) -> (String, String) {
    let sub = h.confirmed_user(email).await;
    let tokens = h.sign_in(email, PASSWORD).await;
    (sub, tokens["IdToken"].as_str().unwrap().to_string())
}

#[tokio::test]
async fn guests_get_an_identity_and_temporary_credentials() {
    let h = Harness::new(email_pool()).await;
    let r = h
        .identity_ok(
            "GetId",
            json!({"IdentityPoolId": IDENTITY_POOL, "Logins": {}}),
        )
        .await;
    let id = r["IdentityId"].clone();
    assert!(is_identity_id(&id), "{id}");

    // The client sends the guest identity back (no Logins key at all).
    let now = h.clock.now();
    let r = h
        .identity_ok("GetCredentialsForIdentity", json!({"IdentityId": id}))
        .await;
    assert_eq!(r["IdentityId"], id);
    let c = &r["Credentials"];
    let akid = c["AccessKeyId"].as_str().unwrap();
    assert!(akid.starts_with("ASIA") && akid.len() == 20, "{akid}");
    assert_eq!(c["SecretKey"].as_str().unwrap().len(), 40);
    assert!(c["SessionToken"].as_str().unwrap().len() > 40);
    assert_eq!(c["Expiration"], now + 3600);

    let p = h.service.resolve_credentials(akid).await.unwrap().unwrap();
    assert_eq!(p.kind, PrincipalKind::Unauthenticated);
    assert_eq!(p.identity_id.as_deref(), id.as_str());
    assert_eq!((p.sub, p.role_group), (None, None));
    assert_eq!(p.expires_at, Some(now + 3600));

    // Reused: the same identity, new keys.
    let again = h
        .identity_ok("GetCredentialsForIdentity", json!({"IdentityId": id}))
        .await;
    assert_eq!(again["IdentityId"], id);
    assert_ne!(again["Credentials"]["AccessKeyId"], c["AccessKeyId"]);
    // A second guest gets another identity.
    let other = h
        .identity_ok(
            "GetId",
            json!({"IdentityPoolId": IDENTITY_POOL, "Logins": {}}),
        )
        .await;
    assert_ne!(other["IdentityId"], id);

    let (name, _) = h
        .identity_err(
            "GetCredentialsForIdentity",
            json!({"IdentityId": "us-east-1:00000000-0000-0000-0000-000000000000"}),
        )
        .await;
    assert_eq!(name, "ResourceNotFoundException");
    let (name, _) = h
        .identity_err("GetId", json!({"IdentityPoolId": "nocolon", "Logins": {}}))
        .await;
    assert_eq!(name, "InvalidParameterException");
    let (name, _) = h.identity_err("Nope", json!({})).await;
    assert_eq!(name, "UnknownOperationException");

    // Expired credentials no longer resolve.
    h.clock.advance(3600);
    assert!(h.service.resolve_credentials(akid).await.unwrap().is_none());
}

#[tokio::test]
async fn signed_in_users_keep_one_identity_with_their_group_role() {
    let props = json!({"loginWith": {"email": true}, "groups": ["ADMINS", "EDITORS"]});
    let h = Harness::new(props).await;
    let sub = h.confirmed_user("alice@example.com").await;
    h.service
        .admin_add_user_to_group("alice@example.com", "EDITORS")
        .await
        .unwrap();
    let tokens = h.sign_in("alice@example.com", PASSWORD).await;
    let id_token = tokens["IdToken"].as_str().unwrap();
    let logins = json!({LOGINS_KEY: id_token});

    let first = h
        .identity_ok(
            "GetId",
            json!({"IdentityPoolId": IDENTITY_POOL, "Logins": logins}),
        )
        .await;
    let second = h
        .identity_ok(
            "GetId",
            json!({"IdentityPoolId": IDENTITY_POOL, "Logins": logins}),
        )
        .await;
    assert!(is_identity_id(&first["IdentityId"]));
    assert_eq!(first["IdentityId"], second["IdentityId"]);
    let id = first["IdentityId"].clone();

    let r = h
        .identity_ok(
            "GetCredentialsForIdentity",
            json!({"IdentityId": id, "Logins": logins}),
        )
        .await;
    let akid = r["Credentials"]["AccessKeyId"].as_str().unwrap();
    let p = h.service.resolve_credentials(akid).await.unwrap().unwrap();
    assert_eq!(p.kind, PrincipalKind::Authenticated);
    assert_eq!(p.sub.as_deref(), Some(sub.as_str()));
    assert_eq!(p.groups, ["EDITORS"]);
    assert_eq!(p.role_group.as_deref(), Some("EDITORS"));
    assert_eq!(p.identity_id.as_deref(), id.as_str());

    // The authenticated identity cannot be used as a guest.
    let (name, _) = h
        .identity_err("GetCredentialsForIdentity", json!({"IdentityId": id}))
        .await;
    assert_eq!(name, "NotAuthorizedException");
    // Another user's login on this identity.
    let (_, bob_token) = signed_in(&h, "bob@example.com").await;
    let (name, _) = h
        .identity_err(
            "GetCredentialsForIdentity",
            json!({"IdentityId": id, "Logins": {LOGINS_KEY: bob_token}}),
        )
        .await;
    assert_eq!(name, "NotAuthorizedException");

    // Disabling the user kills the credentials.
    h.service
        .admin_set_user_enabled("alice@example.com", false)
        .await
        .unwrap();
    assert!(h.service.resolve_credentials(akid).await.unwrap().is_none());
}

#[tokio::test]
async fn logins_must_carry_a_valid_id_token_under_our_issuer() {
    let h = Harness::new(email_pool()).await;
    h.confirmed_user("alice@example.com").await;
    let tokens = h.sign_in("alice@example.com", PASSWORD).await;
    let id_token = tokens["IdToken"].as_str().unwrap().to_string();
    let access_token = tokens["AccessToken"].as_str().unwrap().to_string();
    let get_id = |logins: Value| json!({"IdentityPoolId": IDENTITY_POOL, "Logins": logins});

    let cases = [
        json!({"cognito-idp.us-east-1.amazonaws.com/us-east-1_AbCdEfGhI": id_token}),
        json!({LOGINS_KEY: access_token}),
        json!({LOGINS_KEY: format!("{id_token}x")}),
        json!({LOGINS_KEY: id_token, "accounts.google.com": "x"}),
    ];
    for logins in cases {
        let (name, message) = h.identity_err("GetId", get_id(logins.clone())).await;
        assert_eq!(name, "NotAuthorizedException", "{logins}");
        assert!(message.starts_with("Invalid login token."), "{message}");
    }
    // The full issuer URL is accepted as a key too.
    let r = h
        .identity_ok(
            "GetId",
            get_id(json!({format!("{ORIGIN}/{POOL_ID}"): id_token})),
        )
        .await;
    assert!(is_identity_id(&r["IdentityId"]));
    // Expired id token.
    h.clock.advance(3601);
    let (name, _) = h
        .identity_err("GetId", get_id(json!({LOGINS_KEY: id_token})))
        .await;
    assert_eq!(name, "NotAuthorizedException");
}

#[tokio::test]
async fn a_guest_identity_becomes_the_users_on_first_sign_in() {
    let h = Harness::new(email_pool()).await;
    let guest = h
        .identity_ok(
            "GetId",
            json!({"IdentityPoolId": IDENTITY_POOL, "Logins": {}}),
        )
        .await["IdentityId"]
        .clone();
    let (sub, token) = signed_in(&h, "alice@example.com").await;
    let r = h
        .identity_ok(
            "GetCredentialsForIdentity",
            json!({"IdentityId": guest, "Logins": {LOGINS_KEY: token}}),
        )
        .await;
    let akid = r["Credentials"]["AccessKeyId"].as_str().unwrap();
    let p = h.service.resolve_credentials(akid).await.unwrap().unwrap();
    assert_eq!(p.sub.as_deref(), Some(sub.as_str()));
    let again = h
        .identity_ok(
            "GetId",
            json!({"IdentityPoolId": IDENTITY_POOL, "Logins": {LOGINS_KEY: token}}),
        )
        .await;
    assert_eq!(again["IdentityId"], guest);

    // Signed out, the user browses as a new guest, then signs in again: the client presents
    // the new guest id with the login and is answered with the user's identity.
    let second_guest = h
        .identity_ok(
            "GetId",
            json!({"IdentityPoolId": IDENTITY_POOL, "Logins": {}}),
        )
        .await["IdentityId"]
        .clone();
    assert_ne!(second_guest, guest);
    let r = h
        .identity_ok(
            "GetCredentialsForIdentity",
            json!({"IdentityId": second_guest, "Logins": {LOGINS_KEY: token}}),
        )
        .await;
    assert_eq!(r["IdentityId"], guest);
    let akid = r["Credentials"]["AccessKeyId"].as_str().unwrap();
    let p = h.service.resolve_credentials(akid).await.unwrap().unwrap();
    assert_eq!(p.identity_id.as_deref(), guest.as_str());
    assert_eq!(p.kind, PrincipalKind::Authenticated);
    // The second guest identity is still a guest's (not the user's).
    let r = h
        .identity_ok(
            "GetCredentialsForIdentity",
            json!({"IdentityId": second_guest}),
        )
        .await;
    assert_eq!(r["IdentityId"], second_guest);
}

#[tokio::test]
async fn open_id_tokens_name_the_identity() {
    let h = Harness::new(email_pool()).await;
    let id = h
        .identity_ok(
            "GetId",
            json!({"IdentityPoolId": IDENTITY_POOL, "Logins": {}}),
        )
        .await["IdentityId"]
        .clone();
    let r = h
        .identity_ok("GetOpenIdToken", json!({"IdentityId": id}))
        .await;
    assert_eq!(r["IdentityId"], id);
    let c = claims(&r["Token"]);
    assert_eq!(c["sub"], id);
    assert_eq!(c["amr"], json!(["unauthenticated"]));
    assert_eq!(c["iss"], format!("{ORIGIN}/cognito-identity"));
    assert_eq!(c["exp"].as_i64().unwrap() - c["iat"].as_i64().unwrap(), 600);
}

#[tokio::test]
async fn a_configured_identity_pool_id_is_enforced_and_guests_can_be_refused() {
    let h = Harness::with_config(email_pool(), |c| {
        c.identity_pool_id = Some(IDENTITY_POOL.to_string());
    })
    .await;
    let (name, _) = h
        .identity_err(
            "GetId",
            json!({"IdentityPoolId": "us-east-1:99999999-2222-3333-4444-555555555555", "Logins": {}}),
        )
        .await;
    assert_eq!(name, "ResourceNotFoundException");
    h.identity_ok(
        "GetId",
        json!({"IdentityPoolId": IDENTITY_POOL, "Logins": {}}),
    )
    .await;

    // A definition without guest access.
    let dir = tempfile::tempdir().unwrap();
    let store = stratus_store::Store::open(dir.path()).await.unwrap();
    let mut spec = AuthSpec::from_props(&email_pool()).unwrap();
    spec.allow_unauthenticated_identities = false;
    let service = AuthService::open_with(
        store.pool().clone(),
        spec,
        AuthConfig::new(POOL_ID, CLIENT_ID, ORIGIN),
        Outbox::new(),
        Arc::new(ManualClock::at_system_time()),
    )
    .await
    .unwrap();
    let err = service
        .handle_identity(
            "GetId",
            json!({"IdentityPoolId": IDENTITY_POOL, "Logins": {}})
                .to_string()
                .as_bytes(),
        )
        .await
        .unwrap_err();
    assert_eq!(err.name(), "NotAuthorizedException");
    assert_eq!(
        err.message,
        "Unauthenticated access is not supported for this identity pool."
    );
}

/// An S3-style request signed with identity-pool credentials, verified with the service as
/// the credential resolver.
fn s3_request(c: &Value, at: i64, token: Option<&str>) -> http::Request<Vec<u8>> {
    let identity = Credentials::new(
        c["AccessKeyId"].as_str().unwrap(),
        c["SecretKey"].as_str().unwrap(),
        token.map(str::to_string),
        None,
        "t",
    )
    .into();
    let mut settings = SigningSettings::default();
    settings.percent_encoding_mode = PercentEncodingMode::Single;
    settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
    settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region("us-east-1")
        .name("s3")
        .time(UNIX_EPOCH + Duration::from_secs(u64::try_from(at).unwrap()))
        .settings(settings)
        .build()
        .unwrap()
        .into();
    let uri = "https://127.0.0.1:8443/bucket/private/us-east-1%3Aabc/a.txt";
    let signable = SignableRequest::new(
        "PUT",
        uri,
        [("host", "127.0.0.1:8443")].into_iter(),
        SignableBody::Bytes(b"hello"),
    )
    .unwrap();
    let (instructions, _) = sign(signable, &params).unwrap().into_parts();
    let mut req = http::Request::put(uri)
        .header("host", "127.0.0.1:8443")
        .body(b"hello".to_vec())
        .unwrap();
    instructions.apply_to_request_http1x(&mut req);
    req
}

async fn verify_s3(
    h: &Harness,
    req: &http::Request<Vec<u8>>,
) -> Result<stratus_auth::Principal, VerifyError> {
    let (parts, body) = {
        let mut b = http::Request::builder()
            .method(req.method().clone())
            .uri(req.uri().clone());
        for (k, v) in req.headers() {
            b = b.header(k, v);
        }
        (b.body(()).unwrap().into_parts().0, req.body().clone())
    };
    let signed = SignedRequest::from_parts(&parts, Body::Bytes(&body));
    Verifier::new("s3")
        .verify(&signed, &h.service, h.clock.now())
        .await
        .map(|v| v.principal)
}

#[tokio::test]
async fn issued_credentials_verify_under_sigv4_until_they_expire() {
    let h = Harness::new(email_pool()).await;
    let id = h
        .identity_ok(
            "GetId",
            json!({"IdentityPoolId": IDENTITY_POOL, "Logins": {}}),
        )
        .await["IdentityId"]
        .clone();
    let r = h
        .identity_ok("GetCredentialsForIdentity", json!({"IdentityId": id}))
        .await;
    let c = &r["Credentials"];
    let token = c["SessionToken"].as_str().unwrap();
    let now = h.clock.now();

    let p = verify_s3(&h, &s3_request(c, now, Some(token)))
        .await
        .unwrap();
    assert_eq!(p.identity_id.as_deref(), id.as_str());
    assert_eq!(
        verify_s3(&h, &s3_request(c, now, None)).await,
        Err(VerifyError::Refused(SigV4Error::InvalidSessionToken))
    );
    let mut wrong = c.clone();
    wrong["SecretKey"] = json!("x".repeat(40));
    assert_eq!(
        verify_s3(&h, &s3_request(&wrong, now, Some(token))).await,
        Err(VerifyError::Refused(SigV4Error::SignatureMismatch))
    );
    h.clock.advance(3600);
    let late = s3_request(c, h.clock.now(), Some(token));
    assert_eq!(
        verify_s3(&h, &late).await,
        Err(VerifyError::Refused(SigV4Error::ExpiredToken))
    );
}
