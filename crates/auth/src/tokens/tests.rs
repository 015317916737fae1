use std::sync::LazyLock;

use jsonwebtoken::jwk::JwkSet;

use super::*;

const ISS: &str = "https://127.0.0.1:8443/us-east-1_AbCdEfGhI";
const CLIENT: &str = "abcdefghijklmnopqrstuvwxyz";

// RSA key generation is the slow part; one key for all tests here.
static KEY: LazyLock<(String, Vec<u8>)> = LazyLock::new(|| generate_key().unwrap());

fn signer() -> Signer {
    Signer::from_pkcs8(&KEY.0, &KEY.1).unwrap()
}

fn subject<'a>(groups: &'a [String], attrs: &'a [(String, String)]) -> TokenSubject<'a> {
    TokenSubject {
        sub: "b8248ca9-355a-48c8-a866-4ad2b6f4b5f3",
        username: "b8248ca9-355a-48c8-a866-4ad2b6f4b5f3",
        groups,
        attributes: attrs,
        auth_time: 1_700_000_000,
        origin_jti: "origin-1",
        device_key: None,
    }
}

#[test]
fn kid_is_stable_and_base64_sha256() {
    let kid = &KEY.0;
    assert_eq!(B64.decode(kid).unwrap().len(), 32);
    // Reloading the stored key gives the same public key and so the same JWKS.
    let a = Signer::from_pkcs8(kid, &KEY.1).unwrap();
    let b = Signer::from_pkcs8(kid, &KEY.1).unwrap();
    assert_eq!(a.jwks(), b.jwks());
    assert_eq!(a.derive_kid(), *kid);
}

#[test]
fn access_token_has_cognito_claims_and_verifies_against_jwks() {
    let s = signer();
    let groups = vec!["ADMINS".to_string()];
    let claims = access_claims(
        &subject(&groups, &[]),
        ISS,
        CLIENT,
        "ev-1",
        1_700_000_100,
        3600,
        "jti-1",
    );
    let token = s.sign(&claims).unwrap();

    // Header: RS256 with our kid, no typ (as Cognito).
    let header = jsonwebtoken::decode_header(&token).unwrap();
    assert_eq!(header.alg, Algorithm::RS256);
    assert_eq!(header.kid.as_deref(), Some(s.kid()));
    assert_eq!(header.typ, None);

    // Independent verification from the published JWKS JSON only.
    let set: JwkSet = serde_json::from_value(s.jwks()).unwrap();
    let jwk = set.find(s.kid()).unwrap();
    let key = DecodingKey::from_jwk(jwk).unwrap();
    let mut v = Validation::new(Algorithm::RS256);
    v.set_issuer(&[ISS]);
    v.validate_exp = false;
    v.validate_aud = false;
    let data = jsonwebtoken::decode::<Value>(&token, &key, &v).unwrap();
    let c = data.claims;
    assert_eq!(c["token_use"], "access");
    assert_eq!(c["client_id"], CLIENT);
    assert_eq!(c["scope"], ADMIN_SCOPE);
    assert_eq!(c["cognito:groups"], json!(["ADMINS"]));
    assert_eq!(c["username"], "b8248ca9-355a-48c8-a866-4ad2b6f4b5f3");
    assert_eq!(c["iat"], 1_700_000_100);
    assert_eq!(c["exp"], 1_700_003_700);
    assert_eq!(c["auth_time"], 1_700_000_000);
    assert_eq!(c["origin_jti"], "origin-1");
    assert_eq!(c["event_id"], "ev-1");
    assert_eq!(c["jti"], "jti-1");
    assert!(c.get("aud").is_none());

    let checked = check_claims(
        &s.verify(&token).unwrap(),
        ISS,
        CLIENT,
        TokenUse::Access,
        1_700_000_200,
    )
    .unwrap();
    assert_eq!(checked.groups, ["ADMINS"]);
    assert_eq!(
        check_claims(
            &s.verify(&token).unwrap(),
            ISS,
            CLIENT,
            TokenUse::Access,
            1_700_003_700
        )
        .unwrap_err(),
        TokenError::Expired
    );
    assert_eq!(
        check_claims(
            &s.verify(&token).unwrap(),
            ISS,
            CLIENT,
            TokenUse::Id,
            1_700_000_200
        )
        .unwrap_err(),
        TokenError::WrongToken
    );
    assert_eq!(
        check_claims(
            &s.verify(&token).unwrap(),
            "https://other/pool",
            CLIENT,
            TokenUse::Access,
            1_700_000_200
        )
        .unwrap_err(),
        TokenError::WrongToken
    );
    assert_eq!(
        check_claims(
            &s.verify(&token).unwrap(),
            ISS,
            "otherclient",
            TokenUse::Access,
            1_700_000_200
        )
        .unwrap_err(),
        TokenError::WrongToken
    );
}

#[test]
fn id_token_carries_typed_attributes() {
    let s = signer();
    let attrs = vec![
        ("email".to_string(), "alice@example.com".to_string()),
        ("email_verified".to_string(), "true".to_string()),
        ("phone_number_verified".to_string(), "false".to_string()),
        ("custom:tier".to_string(), "gold".to_string()),
    ];
    let claims = id_claims(
        &subject(&[], &attrs),
        ISS,
        CLIENT,
        "ev",
        1_700_000_100,
        3600,
        "j",
    );
    let token = s.sign(&claims).unwrap();
    let c = s.verify(&token).unwrap();
    assert_eq!(c["aud"], CLIENT);
    assert_eq!(c["token_use"], "id");
    assert_eq!(
        c["cognito:username"],
        "b8248ca9-355a-48c8-a866-4ad2b6f4b5f3"
    );
    assert_eq!(c["email"], "alice@example.com");
    assert_eq!(c["email_verified"], true);
    assert_eq!(c["phone_number_verified"], false);
    assert_eq!(c["custom:tier"], "gold");
    assert!(c.get("cognito:groups").is_none());
    assert!(check_claims(&c, ISS, CLIENT, TokenUse::Id, 1_700_000_101).is_ok());
}

#[test]
fn tampering_and_foreign_keys_are_rejected() {
    let s = signer();
    let claims = access_claims(
        &subject(&[], &[]),
        ISS,
        CLIENT,
        "e",
        1_700_000_100,
        3600,
        "j",
    );
    let token = s.sign(&claims).unwrap();
    let mut parts: Vec<String> = token.split('.').map(String::from).collect();
    // Swap the payload for one claiming another subject.
    let mut forged = claims.clone();
    forged.insert("sub".into(), json!("someone-else"));
    parts[1] = crate::crypto::b64url(serde_json::to_string(&forged).unwrap().as_bytes());
    assert_eq!(
        s.verify(&parts.join(".")).unwrap_err(),
        TokenError::BadSignature
    );
    assert_eq!(s.verify("not.a.jwt").unwrap_err(), TokenError::Malformed);
    assert_eq!(s.verify("").unwrap_err(), TokenError::Malformed);

    // A token signed by another key (even with our kid) fails.
    let (_, other_der) = generate_key().unwrap();
    let other = Signer::from_pkcs8(s.kid(), &other_der).unwrap();
    let foreign = other.sign(&claims).unwrap();
    assert_eq!(s.verify(&foreign).unwrap_err(), TokenError::BadSignature);
}
