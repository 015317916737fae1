//! USER_AUTH: SELECT_CHALLENGE with the user's first factors, preferred challenges, and
//! passwordless email / SMS codes.

use serde_json::{Value, json};
use stratus_auth::srp::client;

use crate::common::*;

fn otp_pool() -> Value {
    json!({"loginWith": {"email": {"otpLogin": true}}})
}

async fn user_auth(h: &Harness, params: Value) -> (bool, Value) {
    let (status, _, v) = h
        .call(
            "InitiateAuth",
            json!({"AuthFlow": "USER_AUTH", "ClientId": CLIENT_ID, "AuthParameters": params}),
        )
        .await;
    (status.is_success(), v)
}

async fn respond(h: &Harness, name: &str, session: &Value, responses: Value) -> (bool, Value) {
    let (status, _, v) = h
        .call(
            "RespondToAuthChallenge",
            json!({"ChallengeName": name, "ClientId": CLIENT_ID, "Session": session,
                   "ChallengeResponses": responses}),
        )
        .await;
    (status.is_success(), v)
}

#[tokio::test]
async fn select_challenge_lists_the_users_first_factors_and_email_otp_signs_in() {
    let h = Harness::new(otp_pool()).await;
    h.confirmed_user("otp@example.com").await;
    let (ok, v) = user_auth(&h, json!({"USERNAME": "otp@example.com"})).await;
    assert!(ok, "{v}");
    assert_eq!(v["ChallengeName"], "SELECT_CHALLENGE");
    assert_eq!(
        v["AvailableChallenges"],
        json!(["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"])
    );
    let before = h.messages_to("otp@example.com");
    let (ok, c) = respond(
        &h,
        "SELECT_CHALLENGE",
        &v["Session"],
        json!({"USERNAME": "otp@example.com", "ANSWER": "EMAIL_OTP"}),
    )
    .await;
    assert!(ok, "{c}");
    assert_eq!(c["ChallengeName"], "EMAIL_OTP");
    assert_eq!(
        c["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"],
        "EMAIL"
    );
    assert_eq!(h.messages_to("otp@example.com"), before + 1);
    let message = h.outbox.latest_to("otp@example.com").unwrap();
    assert_eq!(message.trigger_source, "CustomMessage_Authentication");
    let code = message.code.unwrap();
    assert!(message.body.contains(&code));

    // A wrong code keeps the session for another try; the right one signs in.
    let (ok, e) = respond(
        &h,
        "EMAIL_OTP",
        &c["Session"],
        json!({"USERNAME": "otp@example.com", "EMAIL_OTP_CODE": "00000000"}),
    )
    .await;
    assert!(!ok);
    assert_eq!(e["__type"], "CodeMismatchException");
    let (ok, t) = respond(
        &h,
        "EMAIL_OTP",
        &c["Session"],
        json!({"USERNAME": "otp@example.com", "EMAIL_OTP_CODE": code}),
    )
    .await;
    assert!(ok, "{t}");
    assert_eq!(
        claims(&access(&t["AuthenticationResult"]))["username"]
            .as_str()
            .map(str::len),
        Some(36)
    );
    // The code is single use: the session is gone.
    let (ok, e) = respond(
        &h,
        "EMAIL_OTP",
        &c["Session"],
        json!({"USERNAME": "otp@example.com", "EMAIL_OTP_CODE": code}),
    )
    .await;
    assert!(!ok);
    assert_eq!(e["__type"], "NotAuthorizedException");
}

#[tokio::test]
async fn preferred_challenges_are_taken_directly() {
    let h = Harness::new(otp_pool()).await;
    h.confirmed_user("pref@example.com").await;
    // EMAIL_OTP straight away.
    let (ok, v) = user_auth(
        &h,
        json!({"USERNAME": "pref@example.com", "PREFERRED_CHALLENGE": "EMAIL_OTP"}),
    )
    .await;
    assert!(ok);
    assert_eq!(v["ChallengeName"], "EMAIL_OTP");
    // PASSWORD with the password: tokens (or a wrong one refused).
    let (ok, v) = user_auth(
        &h,
        json!({"USERNAME": "pref@example.com", "PREFERRED_CHALLENGE": "PASSWORD",
               "PASSWORD": PASSWORD}),
    )
    .await;
    assert!(ok, "{v}");
    assert!(v["AuthenticationResult"]["IdToken"].is_string());
    let (ok, v) = user_auth(
        &h,
        json!({"USERNAME": "pref@example.com", "PREFERRED_CHALLENGE": "PASSWORD",
               "PASSWORD": "wrong"}),
    )
    .await;
    assert!(!ok);
    assert_eq!(v["__type"], "NotAuthorizedException");
    // PASSWORD_SRP: the usual PASSWORD_VERIFIER.
    let e = client::ephemeral().unwrap();
    let (ok, v) = user_auth(
        &h,
        json!({"USERNAME": "pref@example.com", "PREFERRED_CHALLENGE": "PASSWORD_SRP",
               "SRP_A": e.big_a.to_str_radix(16)}),
    )
    .await;
    assert!(ok);
    assert_eq!(v["ChallengeName"], "PASSWORD_VERIFIER");
    let answer = h.password_claim(&e, &v, PASSWORD);
    let r = h.ok("RespondToAuthChallenge", answer).await;
    assert!(r["AuthenticationResult"]["AccessToken"].is_string());
    // SELECT_CHALLENGE answered with PASSWORD.
    let (_, v) = user_auth(&h, json!({"USERNAME": "pref@example.com"})).await;
    let (ok, r) = respond(
        &h,
        "SELECT_CHALLENGE",
        &v["Session"],
        json!({"USERNAME": "pref@example.com", "ANSWER": "PASSWORD", "PASSWORD": PASSWORD}),
    )
    .await;
    assert!(ok, "{r}");
    assert!(r["AuthenticationResult"]["AccessToken"].is_string());
}

#[tokio::test]
async fn unknown_users_get_a_look_alike_challenge_that_always_fails() {
    let h = Harness::new(otp_pool()).await;
    let (ok, v) = user_auth(
        &h,
        json!({"USERNAME": "ghost@example.com", "PREFERRED_CHALLENGE": "EMAIL_OTP"}),
    )
    .await;
    assert!(ok, "{v}");
    assert_eq!(v["ChallengeName"], "EMAIL_OTP");
    assert_eq!(h.messages_to("ghost@example.com"), 0);
    let (ok, e) = respond(
        &h,
        "EMAIL_OTP",
        &v["Session"],
        json!({"USERNAME": "ghost@example.com", "EMAIL_OTP_CODE": "12345678"}),
    )
    .await;
    assert!(!ok);
    assert_eq!(e["__type"], "CodeMismatchException");
    let (_, v) = user_auth(&h, json!({"USERNAME": "ghost@example.com"})).await;
    assert_eq!(
        v["AvailableChallenges"],
        json!(["PASSWORD", "PASSWORD_SRP", "EMAIL_OTP"])
    );
}

#[tokio::test]
async fn user_auth_needs_the_flow_and_otp_needs_the_factor() {
    // No passwordless factor: ALLOW_USER_AUTH is not on the client.
    let h = Harness::new(email_pool()).await;
    h.confirmed_user("plain@example.com").await;
    let (ok, v) = user_auth(&h, json!({"USERNAME": "plain@example.com"})).await;
    assert!(!ok);
    assert_eq!(v["__type"], "InvalidParameterException");

    // With email OTP only, SMS_OTP is not a factor.
    let h = Harness::new(otp_pool()).await;
    h.confirmed_user("x@example.com").await;
    let (ok, v) = user_auth(
        &h,
        json!({"USERNAME": "x@example.com", "PREFERRED_CHALLENGE": "SMS_OTP"}),
    )
    .await;
    assert!(!ok);
    assert_eq!(v["__type"], "InvalidParameterException");
    let (_, v) = user_auth(&h, json!({"USERNAME": "x@example.com"})).await;
    let (ok, e) = respond(
        &h,
        "SELECT_CHALLENGE",
        &v["Session"],
        json!({"USERNAME": "x@example.com", "ANSWER": "SMS_OTP"}),
    )
    .await;
    assert!(!ok);
    assert_eq!(e["__type"], "InvalidParameterException");
}

#[tokio::test]
async fn confirm_sign_up_session_signs_in_through_user_auth() {
    let h = Harness::new(otp_pool()).await;
    h.sign_up("auto@example.com", PASSWORD).await;
    let code = h.code_for("auto@example.com");
    let confirmed = h
        .ok(
            "ConfirmSignUp",
            json!({"ClientId": CLIENT_ID, "Username": "auto@example.com", "ConfirmationCode": code}),
        )
        .await;
    let session = confirmed["Session"].clone();
    assert!(session.is_string(), "{confirmed}");
    // Another user's name with that session is refused (and the session is spent).
    h.confirmed_user("other@example.com").await;
    let body = |user: &str| {
        json!({"AuthFlow": "USER_AUTH", "ClientId": CLIENT_ID, "Session": session,
               "AuthParameters": {"USERNAME": user}})
    };
    let (name, _) = h.err("InitiateAuth", body("other@example.com")).await;
    assert_eq!(name, "NotAuthorizedException");
    let (name, _) = h.err("InitiateAuth", body("auto@example.com")).await;
    assert_eq!(name, "NotAuthorizedException", "single use");

    // A fresh confirmation's session signs the user in without a further factor.
    h.sign_up("auto2@example.com", PASSWORD).await;
    let code = h.code_for("auto2@example.com");
    let confirmed = h
        .ok(
            "ConfirmSignUp",
            json!({"ClientId": CLIENT_ID, "Username": "auto2@example.com", "ConfirmationCode": code}),
        )
        .await;
    let r = h
        .ok(
            "InitiateAuth",
            json!({"AuthFlow": "USER_AUTH", "ClientId": CLIENT_ID, "Session": confirmed["Session"],
                   "AuthParameters": {"USERNAME": "auto2@example.com"}}),
        )
        .await;
    assert!(r["AuthenticationResult"]["AccessToken"].is_string(), "{r}");

    // Without passwordless (no ALLOW_USER_AUTH) ConfirmSignUp answers {}.
    let plain = Harness::new(email_pool()).await;
    plain.sign_up("p@example.com", PASSWORD).await;
    let code = plain.code_for("p@example.com");
    let v = plain
        .ok(
            "ConfirmSignUp",
            json!({"ClientId": CLIENT_ID, "Username": "p@example.com", "ConfirmationCode": code}),
        )
        .await;
    assert_eq!(v, json!({}));
}
