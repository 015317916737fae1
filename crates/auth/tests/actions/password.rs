use axum::http::StatusCode;
use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn change_password() {
    let h = Harness::with_config(email_pool(), |c| c.allow_user_password_auth = true).await;
    h.confirmed_user("alice@example.com").await;
    let t = h.sign_in("alice@example.com", PASSWORD).await;
    let (name, message) = h
        .err(
            "ChangePassword",
            json!({"AccessToken": access(&t), "PreviousPassword": "nope", "ProposedPassword": "Passw0rd!3"}),
        )
        .await;
    assert_eq!(
        (name.as_str(), message.as_str()),
        ("NotAuthorizedException", "Incorrect username or password.")
    );
    let (name, _) = h
        .err(
            "ChangePassword",
            json!({"AccessToken": access(&t), "PreviousPassword": PASSWORD, "ProposedPassword": "short"}),
        )
        .await;
    assert_eq!(name, "InvalidPasswordException");
    h.ok(
        "ChangePassword",
        json!({"AccessToken": access(&t), "PreviousPassword": PASSWORD, "ProposedPassword": "Passw0rd!2"}),
    )
    .await;
    h.sign_in("alice@example.com", "Passw0rd!2").await;
    let (status, _) = h.password_auth("alice@example.com", "Passw0rd!2").await;
    assert_eq!(status, StatusCode::OK);
    let (_, v) = h.srp("alice@example.com", PASSWORD).await;
    assert_eq!(v["__type"], "NotAuthorizedException");
    let (_, v) = h.password_auth("alice@example.com", PASSWORD).await;
    assert_eq!(v["__type"], "NotAuthorizedException");
}

#[tokio::test]
async fn forgot_password_round_trip() {
    let h = Harness::new(email_pool()).await;
    h.confirmed_user("alice@example.com").await;
    let r = h
        .ok(
            "ForgotPassword",
            json!({"ClientId": CLIENT_ID, "Username": "alice@example.com"}),
        )
        .await;
    assert_eq!(
        r["CodeDeliveryDetails"],
        json!({"AttributeName": "email", "DeliveryMedium": "EMAIL", "Destination": "a***@e***"})
    );
    let msg = h.outbox.latest_to("alice@example.com").unwrap();
    assert_eq!(msg.trigger_source, "CustomMessage_ForgotPassword");
    let code = msg.code.unwrap();
    let confirm = |code: &str, pw: &str| json!({"ClientId": CLIENT_ID, "Username": "alice@example.com", "ConfirmationCode": code, "Password": pw});
    let (name, _) = h.err("ConfirmForgotPassword", confirm(&code, "weak")).await;
    assert_eq!(name, "InvalidPasswordException");
    let wrong = if code == "000000" { "000001" } else { "000000" };
    let (name, _) = h
        .err("ConfirmForgotPassword", confirm(wrong, "Passw0rd!4"))
        .await;
    assert_eq!(name, "CodeMismatchException");
    let r = h
        .ok("ConfirmForgotPassword", confirm(&code, "Passw0rd!4"))
        .await;
    assert_eq!(r, json!({}));
    h.sign_in("alice@example.com", "Passw0rd!4").await;
    // Single use.
    let (name, _) = h
        .err("ConfirmForgotPassword", confirm(&code, "Passw0rd!5"))
        .await;
    assert_eq!(name, "CodeMismatchException");

    // Reset codes live one hour.
    h.ok(
        "ForgotPassword",
        json!({"ClientId": CLIENT_ID, "Username": "alice@example.com"}),
    )
    .await;
    let code = h.code_for("alice@example.com");
    h.clock.advance(3600);
    let (name, _) = h
        .err("ConfirmForgotPassword", confirm(&code, "Passw0rd!6"))
        .await;
    assert_eq!(name, "ExpiredCodeException");
}

#[tokio::test]
async fn forgot_password_reveals_nothing() {
    let h = Harness::new(email_pool()).await;
    h.sign_up("unconfirmed@example.com", PASSWORD).await;
    let before = h.outbox.messages().len();
    for who in ["ghost@example.com", "unconfirmed@example.com"] {
        let r = h
            .ok(
                "ForgotPassword",
                json!({"ClientId": CLIENT_ID, "Username": who}),
            )
            .await;
        assert_eq!(r["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL");
    }
    assert_eq!(h.outbox.messages().len(), before, "nothing was sent");
    let (name, _) = h
        .err(
            "ConfirmForgotPassword",
            json!({"ClientId": CLIENT_ID, "Username": "ghost@example.com", "ConfirmationCode": "123456", "Password": "Passw0rd!4"}),
        )
        .await;
    assert_eq!(name, "CodeMismatchException");
}
