//! Throttling through the protocol: per user and per client `TooManyRequestsException`,
//! per-user message limits as `LimitExceededException`, refill with time, and the defaults
//! leaving normal use alone.

use serde_json::json;
use stratus_auth::{Rate, ThrottleConfig};

use crate::common::*;

fn tight(per_client: Rate, per_user: Rate, per_user_messages: Rate) -> ThrottleConfig {
    ThrottleConfig {
        enabled: true,
        per_client,
        per_user,
        per_user_messages,
    }
}

#[tokio::test]
async fn per_user_requests_are_throttled_and_refill() {
    let h = Harness::with_config(email_pool(), |c| {
        c.throttle = tight(
            Rate::new(1000.0, 1000.0),
            Rate::new(1.0, 3.0),
            Rate::new(1.0, 100.0),
        );
    })
    .await;
    h.confirmed_user("t@example.com").await; // SignUp + ConfirmSignUp: 2 of 3
    let (status, _) = h.password_auth("t@example.com", "wrong").await;
    assert_eq!(status, 400);
    let (name, message) = h
        .err(
            "ForgotPassword",
            json!({"ClientId": CLIENT_ID, "Username": "T@example.com"}),
        )
        .await;
    assert_eq!(name, "TooManyRequestsException", "{message}");
    // Another user is not affected.
    let (name, _) = h
        .err(
            "ConfirmSignUp",
            json!({"ClientId": CLIENT_ID, "Username": "u@example.com", "ConfirmationCode": "1"}),
        )
        .await;
    assert_ne!(name, "TooManyRequestsException");
    // One second later one request passes.
    h.clock.advance(1);
    h.ok(
        "ForgotPassword",
        json!({"ClientId": CLIENT_ID, "Username": "t@example.com"}),
    )
    .await;
    let (name, _) = h
        .err(
            "ForgotPassword",
            json!({"ClientId": CLIENT_ID, "Username": "t@example.com"}),
        )
        .await;
    assert_eq!(name, "TooManyRequestsException");
}

#[tokio::test]
async fn per_client_requests_are_throttled() {
    let h = Harness::with_config(email_pool(), |c| {
        c.throttle = tight(
            Rate::new(1.0, 4.0),
            Rate::new(100.0, 100.0),
            Rate::new(1.0, 100.0),
        );
    })
    .await;
    for i in 0..4 {
        let (name, _) = h
            .err(
                "ConfirmSignUp",
                json!({"ClientId": CLIENT_ID, "Username": format!("u{i}@example.com"),
                       "ConfirmationCode": "123456"}),
            )
            .await;
        assert_eq!(name, "CodeMismatchException");
    }
    let (name, _) = h
        .err(
            "ConfirmSignUp",
            json!({"ClientId": CLIENT_ID, "Username": "u9@example.com", "ConfirmationCode": "1"}),
        )
        .await;
    assert_eq!(name, "TooManyRequestsException");
    // Access-token actions count against the pool's client too.
    let (name, _) = h.err("GetUser", json!({"AccessToken": "x.y.z"})).await;
    assert_eq!(name, "TooManyRequestsException");
}

#[tokio::test]
async fn codes_per_user_are_limited_with_limit_exceeded() {
    let h = Harness::with_config(email_pool(), |c| {
        c.throttle = tight(
            Rate::new(1000.0, 1000.0),
            Rate::new(100.0, 100.0),
            Rate::new(0.1, 2.0),
        );
    })
    .await;
    h.sign_up("m@example.com", PASSWORD).await; // message 1
    h.ok(
        "ResendConfirmationCode",
        json!({"ClientId": CLIENT_ID, "Username": "m@example.com"}),
    )
    .await; // message 2
    let (name, message) = h
        .err(
            "ResendConfirmationCode",
            json!({"ClientId": CLIENT_ID, "Username": "m@example.com"}),
        )
        .await;
    assert_eq!(name, "LimitExceededException");
    assert_eq!(
        message,
        "Attempt limit exceeded, please try after some time."
    );
    assert_eq!(h.messages_to("m@example.com"), 2);
    h.clock.advance(10);
    h.ok(
        "ResendConfirmationCode",
        json!({"ClientId": CLIENT_ID, "Username": "m@example.com"}),
    )
    .await;
    assert_eq!(h.messages_to("m@example.com"), 3);
}

#[tokio::test]
async fn defaults_leave_a_busy_user_alone() {
    let h = Harness::new(email_pool()).await;
    h.confirmed_user("busy@example.com").await;
    // 60 failed sign-ins (a minute of lockout-free retries each): within the defaults.
    for _ in 0..60 {
        let (status, v) = h.password_auth("busy@example.com", "wrong-password").await;
        assert_eq!(status, 400);
        assert_ne!(v["__type"], "TooManyRequestsException");
        h.clock.advance(1000); // past any lockout
    }
}
