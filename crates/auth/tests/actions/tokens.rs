use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn refresh_through_both_apis_keeps_the_authentication() {
    let h = Harness::new(email_pool()).await;
    h.confirmed_user("alice@example.com").await;
    let first = h.sign_in("alice@example.com", PASSWORD).await;
    let refresh = first["RefreshToken"].clone();
    let a0 = claims(&first["AccessToken"]);
    h.clock.advance(60);

    let r = h
        .ok(
            "GetTokensFromRefreshToken",
            json!({"ClientId": CLIENT_ID, "RefreshToken": refresh}),
        )
        .await;
    let result = &r["AuthenticationResult"];
    assert!(result.get("RefreshToken").is_none(), "no rotation");
    let a1 = claims(&result["AccessToken"]);
    assert_eq!(a1["origin_jti"], a0["origin_jti"]);
    assert_eq!(a1["auth_time"], a0["auth_time"]);
    assert_ne!(a1["jti"], a0["jti"]);
    assert_eq!(
        a1["iat"].as_i64().unwrap(),
        a0["iat"].as_i64().unwrap() + 60
    );
    assert_eq!(claims(&result["IdToken"])["email"], "alice@example.com");

    let r = h
        .ok(
            "InitiateAuth",
            json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": CLIENT_ID,
                   "AuthParameters": {"REFRESH_TOKEN": refresh}}),
        )
        .await;
    assert_eq!(
        claims(&r["AuthenticationResult"]["AccessToken"])["origin_jti"],
        a0["origin_jti"]
    );
    h.ok(
        "GetUser",
        json!({"AccessToken": r["AuthenticationResult"]["AccessToken"]}),
    )
    .await;

    let (name, message) = h
        .err(
            "GetTokensFromRefreshToken",
            json!({"ClientId": CLIENT_ID, "RefreshToken": "not-a-token"}),
        )
        .await;
    assert_eq!(
        (name.as_str(), message.as_str()),
        ("NotAuthorizedException", "Invalid Refresh Token")
    );
}

#[tokio::test]
async fn access_tokens_expire() {
    let h = Harness::new(email_pool()).await;
    h.confirmed_user("alice@example.com").await;
    let t = h.sign_in("alice@example.com", PASSWORD).await;
    h.clock.advance(3599);
    h.ok("GetUser", json!({"AccessToken": access(&t)})).await;
    h.clock.advance(1);
    let (name, message) = h.err("GetUser", json!({"AccessToken": access(&t)})).await;
    assert_eq!(
        (name.as_str(), message.as_str()),
        ("NotAuthorizedException", "Access Token has expired")
    );
    let (_, message) = h.err("GetUser", json!({"AccessToken": "a.b.c"})).await;
    assert_eq!(message, "Invalid Access Token");
    // An id token is not an access token.
    let (_, message) = h.err("GetUser", json!({"AccessToken": t["IdToken"]})).await;
    assert_eq!(message, "Invalid Access Token");
}

#[tokio::test]
async fn global_sign_out_revokes_every_session() {
    let h = Harness::new(email_pool()).await;
    h.confirmed_user("alice@example.com").await;
    let s1 = h.sign_in("alice@example.com", PASSWORD).await;
    let s2 = h.sign_in("alice@example.com", PASSWORD).await;
    h.ok("GlobalSignOut", json!({"AccessToken": access(&s1)}))
        .await;
    for s in [&s1, &s2] {
        let (name, message) = h.err("GetUser", json!({"AccessToken": access(s)})).await;
        assert_eq!(
            (name.as_str(), message.as_str()),
            ("NotAuthorizedException", "Access Token has been revoked")
        );
        let (_, message) = h
            .err(
                "GetTokensFromRefreshToken",
                json!({"ClientId": CLIENT_ID, "RefreshToken": s["RefreshToken"]}),
            )
            .await;
        assert_eq!(message, "Refresh Token has been revoked");
    }
    let err = h
        .service
        .verify_access_token(s1["AccessToken"].as_str().unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.name(), "NotAuthorizedException");
    // A new sign-in works.
    let s3 = h.sign_in("alice@example.com", PASSWORD).await;
    h.ok("GetUser", json!({"AccessToken": access(&s3)})).await;
}

#[tokio::test]
async fn revoke_token_ends_one_session_only() {
    let h = Harness::new(email_pool()).await;
    h.confirmed_user("alice@example.com").await;
    let s1 = h.sign_in("alice@example.com", PASSWORD).await;
    let s2 = h.sign_in("alice@example.com", PASSWORD).await;
    h.ok(
        "RevokeToken",
        json!({"ClientId": CLIENT_ID, "Token": s1["RefreshToken"]}),
    )
    .await;
    let (_, message) = h.err("GetUser", json!({"AccessToken": access(&s1)})).await;
    assert_eq!(message, "Access Token has been revoked");
    h.ok("GetUser", json!({"AccessToken": access(&s2)})).await;
    // Idempotent, and silent about unknown tokens.
    h.ok(
        "RevokeToken",
        json!({"ClientId": CLIENT_ID, "Token": s1["RefreshToken"]}),
    )
    .await;
    h.ok(
        "RevokeToken",
        json!({"ClientId": CLIENT_ID, "Token": "unknown"}),
    )
    .await;
    let (name, _) = h
        .err(
            "RevokeToken",
            json!({"ClientId": CLIENT_ID, "Token": s2["AccessToken"]}),
        )
        .await;
    assert_eq!(name, "UnsupportedTokenTypeException");
}

#[tokio::test]
async fn groups_appear_in_tokens_by_precedence() {
    let h =
        Harness::new(json!({"loginWith": {"email": true}, "groups": ["ADMINS", "EDITORS"]})).await;
    h.confirmed_user("alice@example.com").await;
    h.service
        .admin_add_user_to_group("alice@example.com", "EDITORS")
        .await
        .unwrap();
    h.service
        .admin_add_user_to_group("alice@example.com", "ADMINS")
        .await
        .unwrap();
    let err = h
        .service
        .admin_add_user_to_group("alice@example.com", "NOPE")
        .await
        .unwrap_err();
    assert_eq!(err.name(), "ResourceNotFoundException");
    let t = h.sign_in("alice@example.com", PASSWORD).await;
    assert_eq!(
        claims(&t["AccessToken"])["cognito:groups"],
        json!(["ADMINS", "EDITORS"])
    );
    assert_eq!(
        claims(&t["IdToken"])["cognito:groups"],
        json!(["ADMINS", "EDITORS"])
    );
    let v = h
        .service
        .verify_id_token(t["IdToken"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(v.groups, ["ADMINS", "EDITORS"]);
}

#[tokio::test]
async fn delete_user_ends_everything() {
    let h = Harness::new(email_pool()).await;
    h.confirmed_user("alice@example.com").await;
    let t = h.sign_in("alice@example.com", PASSWORD).await;
    let r = h.ok("DeleteUser", json!({"AccessToken": access(&t)})).await;
    assert_eq!(r, json!({}));
    let (name, _) = h.err("GetUser", json!({"AccessToken": access(&t)})).await;
    assert_eq!(name, "UserNotFoundException");
    let (_, v) = h.srp("alice@example.com", PASSWORD).await;
    assert_eq!(v["message"], "Incorrect username or password.");
    // The address can sign up again.
    h.sign_up("alice@example.com", PASSWORD).await;
}
