use axum::body::Body;
use axum::http::{Request, StatusCode};
use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Value, json};

use stratus_auth::Clock as _;

use crate::common::*;

#[tokio::test]
async fn srp_sign_in_issues_tokens_that_verify_against_the_jwks() {
    let h = Harness::new(email_pool()).await;
    let sub = h.confirmed_user("alice@example.com").await;

    let (e, challenge) = h.initiate_srp("alice@example.com").await;
    let p = &challenge["ChallengeParameters"];
    assert_eq!(p["USER_ID_FOR_SRP"], sub.as_str());
    assert_eq!(p["USERNAME"], sub.as_str());
    assert!(challenge["Session"].as_str().unwrap().len() >= 40);
    let answer = h.password_claim(&e, &challenge, PASSWORD);
    let r = h.ok("RespondToAuthChallenge", answer.clone()).await;
    assert_eq!(r["ChallengeParameters"], json!({}));
    let result = &r["AuthenticationResult"];
    assert_eq!(result["TokenType"], "Bearer");
    assert_eq!(result["ExpiresIn"], 3600);
    assert!(result["RefreshToken"].as_str().unwrap().len() >= 40);

    // The JWKS served under the issuer verifies both tokens (independent check).
    let iss = format!("{ORIGIN}/{POOL_ID}");
    let req = Request::get(format!("/{POOL_ID}/.well-known/jwks.json"))
        .body(Body::empty())
        .unwrap();
    let (status, _, body) = h.request(req).await;
    assert_eq!(status, StatusCode::OK);
    let set: JwkSet = serde_json::from_slice(&body).unwrap();
    let verify = |token: &Value| -> Value {
        let token = token.as_str().unwrap();
        let kid = jsonwebtoken::decode_header(token).unwrap().kid.unwrap();
        let key = DecodingKey::from_jwk(set.find(&kid).unwrap()).unwrap();
        let mut v = Validation::new(Algorithm::RS256);
        v.set_issuer(&[&iss]);
        v.validate_aud = false;
        jsonwebtoken::decode::<Value>(token, &key, &v)
            .unwrap()
            .claims
    };
    let a = verify(&result["AccessToken"]);
    let id = verify(&result["IdToken"]);
    assert_eq!(a["sub"], sub.as_str());
    assert_eq!(a["token_use"], "access");
    assert_eq!(a["client_id"], CLIENT_ID);
    assert_eq!(a["username"], sub.as_str());
    assert_eq!(a["scope"], "aws.cognito.signin.user.admin");
    assert_eq!(id["token_use"], "id");
    assert_eq!(id["aud"], CLIENT_ID);
    assert_eq!(id["cognito:username"], sub.as_str());
    assert_eq!(id["email"], "alice@example.com");
    assert_eq!(id["email_verified"], true);
    assert_eq!(a["origin_jti"], id["origin_jti"]);
    assert_eq!(a["event_id"], id["event_id"]);
    assert_ne!(a["jti"], id["jti"]);
    let iat = a["iat"].as_i64().unwrap();
    assert_eq!(iat, h.clock.now());
    assert_eq!(a["exp"].as_i64().unwrap(), iat + 3600);
    assert_eq!(a["auth_time"].as_i64().unwrap(), iat);

    // Discovery document.
    let req = Request::get(format!("/{POOL_ID}/.well-known/openid-configuration"))
        .body(Body::empty())
        .unwrap();
    let (_, _, body) = h.request(req).await;
    let doc: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(doc["issuer"], iss.as_str());
    assert_eq!(doc["jwks_uri"], format!("{iss}/.well-known/jwks.json"));

    // The session was used up: replaying the answer fails.
    let (name, _) = h.err("RespondToAuthChallenge", answer).await;
    assert_eq!(name, "NotAuthorizedException");
}

#[tokio::test]
async fn wrong_password_unknown_user_and_tampering_look_the_same() {
    let h = Harness::new(email_pool()).await;
    h.confirmed_user("alice@example.com").await;

    let (status, v) = h.srp("alice@example.com", "Wr0ng-password").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        v,
        json!({"__type": "NotAuthorizedException", "message": "Incorrect username or password."})
    );

    // Unknown user: a normal-looking challenge (stable per name), then the same error.
    let (_, c1) = h.initiate_srp("ghost@example.com").await;
    let (_, c2) = h.initiate_srp("ghost@example.com").await;
    let (p1, p2) = (&c1["ChallengeParameters"], &c2["ChallengeParameters"]);
    assert_eq!(p1["SALT"], p2["SALT"]);
    assert_eq!(p1["USER_ID_FOR_SRP"], p2["USER_ID_FOR_SRP"]);
    assert!(uuid::Uuid::parse_str(p1["USER_ID_FOR_SRP"].as_str().unwrap()).is_ok());
    assert_ne!(p1["SRP_B"], p2["SRP_B"]);
    let (status, v) = h.srp("ghost@example.com", PASSWORD).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(v["message"], "Incorrect username or password.");

    // A right password with a forged secret block fails.
    let (e, challenge) = h.initiate_srp("alice@example.com").await;
    let mut answer = h.password_claim(&e, &challenge, PASSWORD);
    answer["ChallengeResponses"]["PASSWORD_CLAIM_SECRET_BLOCK"] = json!("AAAA");
    let (name, _) = h.err("RespondToAuthChallenge", answer).await;
    assert_eq!(name, "NotAuthorizedException");

    // A timestamp other than the signed one fails.
    let (e, challenge) = h.initiate_srp("alice@example.com").await;
    let mut answer = h.password_claim(&e, &challenge, PASSWORD);
    let ts = stratus_auth::srp::format_timestamp(h.clock.now() + 1).unwrap();
    answer["ChallengeResponses"]["TIMESTAMP"] = json!(ts);
    let (name, _) = h.err("RespondToAuthChallenge", answer).await;
    assert_eq!(name, "NotAuthorizedException");

    // Degenerate A is refused up front.
    let (name, _) = h
        .err(
            "InitiateAuth",
            json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": CLIENT_ID,
                   "AuthParameters": {"USERNAME": "alice@example.com", "SRP_A": "0"}}),
        )
        .await;
    assert_eq!(name, "InvalidParameterException");
}

#[tokio::test]
async fn unconfirmed_users_learn_it_only_with_the_right_password() {
    let h = Harness::new(email_pool()).await;
    h.sign_up("bob@example.com", PASSWORD).await;
    let (_, v) = h.srp("bob@example.com", "Wr0ng-password").await;
    assert_eq!(v["__type"], "NotAuthorizedException");
    let (_, v) = h.srp("bob@example.com", PASSWORD).await;
    assert_eq!(
        v,
        json!({"__type": "UserNotConfirmedException", "message": "User is not confirmed."})
    );
}

#[tokio::test]
async fn user_password_auth_needs_the_flow_and_checks_the_hash() {
    let h = Harness::new(email_pool()).await;
    h.confirmed_user("alice@example.com").await;
    let (_, v) = h.password_auth("alice@example.com", PASSWORD).await;
    assert_eq!(v["__type"], "InvalidParameterException");
    assert_eq!(
        v["message"],
        "USER_PASSWORD_AUTH flow not enabled for this client"
    );

    let h = Harness::with_config(email_pool(), |c| c.allow_user_password_auth = true).await;
    h.confirmed_user("alice@example.com").await;
    let (status, v) = h.password_auth("alice@example.com", PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert!(v["AuthenticationResult"]["IdToken"].is_string());
    let (_, v) = h.password_auth("alice@example.com", "Passw0rd?").await;
    assert_eq!(v["message"], "Incorrect username or password.");
    let (_, v) = h.password_auth("nobody@example.com", PASSWORD).await;
    assert_eq!(v["message"], "Incorrect username or password.");
}

#[tokio::test]
async fn lockout_after_five_failures_with_doubling_delay() {
    let h = Harness::with_config(email_pool(), |c| c.allow_user_password_auth = true).await;
    h.confirmed_user("alice@example.com").await;
    for _ in 0..5 {
        let (_, v) = h.password_auth("alice@example.com", "Wr0ng-pass").await;
        assert_eq!(v["message"], "Incorrect username or password.");
    }
    // Locked for 1 s: even the right password is refused, over both flows.
    let (_, v) = h.password_auth("alice@example.com", PASSWORD).await;
    assert_eq!(v["message"], "Password attempts exceeded");
    let (_, _, v) = h
        .call(
            "InitiateAuth",
            json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": CLIENT_ID,
                   "AuthParameters": {"USERNAME": "alice@example.com", "SRP_A": "1234"}}),
        )
        .await;
    assert_eq!(v["message"], "Password attempts exceeded");
    h.clock.advance(1);
    // One more failure: 2 s now.
    let (_, v) = h.password_auth("alice@example.com", "Wr0ng-pass").await;
    assert_eq!(v["message"], "Incorrect username or password.");
    h.clock.advance(1);
    let (_, v) = h.password_auth("alice@example.com", PASSWORD).await;
    assert_eq!(v["message"], "Password attempts exceeded");
    h.clock.advance(1);
    let (status, _) = h.password_auth("alice@example.com", PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
    // Success resets the counter: four failures do not lock.
    for _ in 0..4 {
        h.password_auth("alice@example.com", "Wr0ng-pass").await;
    }
    let (status, _) = h.password_auth("alice@example.com", PASSWORD).await;
    assert_eq!(status, StatusCode::OK);
}

#[tokio::test]
async fn sessions_expire_after_three_minutes() {
    let h = Harness::new(email_pool()).await;
    h.confirmed_user("alice@example.com").await;
    let (e, challenge) = h.initiate_srp("alice@example.com").await;
    h.clock.advance(180);
    let answer = h.password_claim(&e, &challenge, PASSWORD);
    let (name, message) = h.err("RespondToAuthChallenge", answer).await;
    assert_eq!(name, "NotAuthorizedException");
    assert_eq!(message, "Invalid session for the user, session is expired.");
}

#[tokio::test]
async fn disabled_users_cannot_sign_in() {
    let h = Harness::new(email_pool()).await;
    h.confirmed_user("alice@example.com").await;
    let tokens = h.sign_in("alice@example.com", PASSWORD).await;
    h.service
        .admin_set_user_enabled("alice@example.com", false)
        .await
        .unwrap();
    let (_, v) = h.srp("alice@example.com", PASSWORD).await;
    assert_eq!(v["message"], "User is disabled.");
    // Disabling revoked the live tokens too.
    let (name, _) = h
        .err("GetUser", json!({"AccessToken": access(&tokens)}))
        .await;
    assert_eq!(name, "NotAuthorizedException");
    h.service
        .admin_set_user_enabled("alice@example.com", true)
        .await
        .unwrap();
    h.sign_in("alice@example.com", PASSWORD).await;
}

#[tokio::test]
async fn new_password_required_after_a_temporary_password() {
    let h = Harness::new(json!({"loginWith": {"email": true},
        "userAttributes": {"givenName": {"required": true}}}))
    .await;
    h.ok(
        "SignUp",
        json!({"ClientId": CLIENT_ID, "Username": "erin@example.com", "Password": PASSWORD,
               "UserAttributes": [{"Name": "given_name", "Value": "Erin"}]}),
    )
    .await;
    h.service
        .admin_set_user_password("erin@example.com", "Temp0rary!", false)
        .await
        .unwrap();
    let (status, v) = h.srp("erin@example.com", "Temp0rary!").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    assert_eq!(v["ChallengeParameters"]["requiredAttributes"], "[]");
    let attrs: Value =
        serde_json::from_str(v["ChallengeParameters"]["userAttributes"].as_str().unwrap()).unwrap();
    assert_eq!(attrs["given_name"], "Erin");
    let username = v["ChallengeParameters"]["USER_ID_FOR_SRP"].clone();
    let answer = |pw: &str| {
        json!({"ChallengeName": "NEW_PASSWORD_REQUIRED", "ClientId": CLIENT_ID, "Session": v["Session"],
               "ChallengeResponses": {"USERNAME": username, "NEW_PASSWORD": pw, "userAttributes.name": "E"}})
    };
    // A weak password can be corrected within the same session.
    let (name, _) = h.err("RespondToAuthChallenge", answer("weak")).await;
    assert_eq!(name, "InvalidPasswordException");
    let r = h.ok("RespondToAuthChallenge", answer("N3w-Passw0rd")).await;
    let id = claims(&r["AuthenticationResult"]["IdToken"]);
    assert_eq!(id["name"], "E");
    h.sign_in("erin@example.com", "N3w-Passw0rd").await;
    let (_, v) = h.srp("erin@example.com", "Temp0rary!").await;
    assert_eq!(v["__type"], "NotAuthorizedException");
}

#[tokio::test]
async fn protocol_errors() {
    let h = Harness::new(email_pool()).await;
    let (name, _) = h.err("AdminCreateUserNope", json!({})).await;
    assert_eq!(name, "UnknownOperationException");
    let req = Request::post("/cognito-idp")
        .header("content-type", "application/x-amz-json-1.1")
        .body(Body::from("{}"))
        .unwrap();
    let (status, headers, _) = h.request(req).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        headers.get("x-amzn-errortype").unwrap(),
        "UnknownOperationException:"
    );
    let req = Request::post("/cognito-idp")
        .header("x-amz-target", "AWSCognitoIdentityProviderService.SignUp")
        .body(Body::from("{not json"))
        .unwrap();
    let (status, headers, _) = h.request(req).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(
        headers.get("x-amzn-errortype").unwrap(),
        "SerializationException:"
    );
    let (name, _) = h
        .err(
            "InitiateAuth",
            json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": CLIENT_ID, "AuthParameters": {"USERNAME": "x"}}),
        )
        .await;
    assert_eq!(name, "InvalidParameterException");
}

#[tokio::test]
async fn state_survives_reopening_the_store() {
    let h = Harness::new(email_pool()).await;
    h.confirmed_user("alice@example.com").await;
    let tokens = h.sign_in("alice@example.com", PASSWORD).await;
    let jwks = h.service.jwks();
    // Reopen the same pool (as a hot reload or restart does): same key, same users, and the
    // store's own migrator still accepts the database.
    let store = stratus_store::Store::open(h.store.path().parent().unwrap())
        .await
        .unwrap();
    let again = stratus_auth::AuthService::open(
        &store,
        stratus_spec::auth::AuthSpec::from_props(&email_pool()).unwrap(),
        stratus_auth::AuthConfig::new(POOL_ID, CLIENT_ID, ORIGIN),
        stratus_auth::Outbox::new(),
    )
    .await
    .unwrap();
    assert_eq!(again.jwks(), jwks);
    let verified = again
        .verify_access_token(tokens["AccessToken"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(verified.token_use, stratus_auth::tokens::TokenUse::Access);
}

#[tokio::test]
async fn expired_sessions_are_purged() {
    let h = Harness::new(email_pool()).await;
    h.confirmed_user("alice@example.com").await;
    let count = || async {
        sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM auth_sessions")
            .fetch_one(h.store.pool())
            .await
            .unwrap()
    };
    h.initiate_srp("alice@example.com").await;
    h.initiate_srp("alice@example.com").await;
    assert_eq!(count().await, 2);
    h.clock.advance(181);
    h.initiate_srp("alice@example.com").await;
    assert_eq!(count().await, 1, "the two expired sessions were deleted");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_password_guesses_are_counted() {
    let h = std::sync::Arc::new(
        Harness::with_config(email_pool(), |c| c.allow_user_password_auth = true).await,
    );
    h.confirmed_user("alice@example.com").await;
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..16 {
        let h = h.clone();
        tasks.spawn(async move {
            let (_, v) = h.password_auth("alice@example.com", "Wr0ng-pass").await;
            v["message"].as_str().unwrap().to_string()
        });
    }
    let messages = tasks.join_all().await;
    let wrong = messages
        .iter()
        .filter(|m| *m == "Incorrect username or password.")
        .count();
    let locked = messages
        .iter()
        .filter(|m| *m == "Password attempts exceeded")
        .count();
    assert_eq!((wrong, locked), (5, 11), "{messages:?}");
}
