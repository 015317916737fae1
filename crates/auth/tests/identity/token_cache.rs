//! The token check's cache (`crate::token_cache` in the crate): a user whose token was just
//! accepted (and so cached) is refused right after each write that revokes, disables or
//! deletes, on this service and on another service of the same pool and database (a reload).

use std::sync::Arc;

use serde_json::{Value, json};
use stratus_auth::{AuthConfig, AuthService, Outbox};
use stratus_spec::auth::AuthSpec;

use crate::common::*;

fn user(name: &str) -> Value {
    json!({"UserPoolId": POOL_ID, "Username": name})
}

/// Checks `token` twice (the second answer comes from the cache) and returns it.
async fn accepted(service: &AuthService, token: &Value) -> String {
    let token = token.as_str().unwrap().to_string();
    for _ in 0..2 {
        service.verify_access_token(&token).await.unwrap();
    }
    token
}

async fn refused(service: &AuthService, token: &str) -> (String, String) {
    let err = service.verify_access_token(token).await.unwrap_err();
    (err.name().to_string(), err.to_string())
}

#[tokio::test]
async fn cached_tokens_are_refused_right_after_each_revoking_write() {
    let h = Harness::new(email_pool()).await;
    h.confirmed_user("alice@example.com").await;

    // GlobalSignOut.
    let t = h.sign_in("alice@example.com", PASSWORD).await;
    let token = accepted(&h.service, &t["AccessToken"]).await;
    h.ok("GlobalSignOut", json!({"AccessToken": token})).await;
    let (name, message) = refused(&h.service, &token).await;
    assert_eq!(name, "NotAuthorizedException");
    assert!(
        message.contains("Access Token has been revoked"),
        "{message}"
    );

    // RevokeToken (the refresh token of this authentication).
    let t = h.sign_in("alice@example.com", PASSWORD).await;
    let token = accepted(&h.service, &t["AccessToken"]).await;
    h.ok(
        "RevokeToken",
        json!({"ClientId": CLIENT_ID, "Token": t["RefreshToken"]}),
    )
    .await;
    assert_eq!(
        refused(&h.service, &token).await.0,
        "NotAuthorizedException"
    );

    // AdminUserGlobalSignOut.
    let t = h.sign_in("alice@example.com", PASSWORD).await;
    let token = accepted(&h.service, &t["AccessToken"]).await;
    h.admin_ok("AdminUserGlobalSignOut", user("alice@example.com"))
        .await;
    assert_eq!(
        refused(&h.service, &token).await.0,
        "NotAuthorizedException"
    );

    // AdminDisableUser, then AdminEnableUser: a new sign-in is accepted again.
    let t = h.sign_in("alice@example.com", PASSWORD).await;
    let token = accepted(&h.service, &t["AccessToken"]).await;
    h.admin_ok("AdminDisableUser", user("alice@example.com"))
        .await;
    assert_eq!(
        refused(&h.service, &token).await.0,
        "NotAuthorizedException"
    );
    h.admin_ok("AdminEnableUser", user("alice@example.com"))
        .await;
    let t = h.sign_in("alice@example.com", PASSWORD).await;
    let token = accepted(&h.service, &t["AccessToken"]).await;

    // DeleteUser.
    h.ok("DeleteUser", json!({"AccessToken": token})).await;
    assert_eq!(refused(&h.service, &token).await.0, "UserNotFoundException");

    // AdminDeleteUser.
    h.confirmed_user("bob@example.com").await;
    let t = h.sign_in("bob@example.com", PASSWORD).await;
    let token = accepted(&h.service, &t["AccessToken"]).await;
    h.admin_ok("AdminDeleteUser", user("bob@example.com")).await;
    assert_eq!(refused(&h.service, &token).await.0, "UserNotFoundException");
}

#[tokio::test]
async fn services_of_one_pool_share_the_cache() {
    let h = Harness::new(email_pool()).await;
    h.confirmed_user("alice@example.com").await;
    // Another service on the same database and pool, as a reload opens while the data
    // service keeps the previous generation's.
    let other = AuthService::open_with(
        h.store.pool().clone(),
        AuthSpec::from_props(&email_pool()).unwrap(),
        AuthConfig::new(POOL_ID, CLIENT_ID, ORIGIN),
        Outbox::new(),
        Arc::new(h.clock.clone()),
    )
    .await
    .unwrap();
    let t = h.sign_in("alice@example.com", PASSWORD).await;
    let token = accepted(&other, &t["AccessToken"]).await;
    h.ok("GlobalSignOut", json!({"AccessToken": token})).await;
    assert_eq!(refused(&other, &token).await.0, "NotAuthorizedException");
}
