//! SignUp without a password on a pool with passwordless first factors: confirmation, the
//! ConfirmSignUp session (autoSignIn), USER_AUTH with a code, and the refusals.

use serde_json::{Value, json};
use stratus_auth::srp::client;

use crate::common::*;

fn sign_up_body(email: &str, password: Option<&str>) -> Value {
    let mut b = json!({"ClientId": CLIENT_ID, "Username": email,
                       "UserAttributes": [{"Name": "email", "Value": email}]});
    if let Some(p) = password {
        b["Password"] = json!(p);
    }
    b
}

#[tokio::test]
async fn a_user_signs_up_without_a_password_and_signs_in_with_email_codes() {
    let h = Harness::new(json!({"loginWith": {"email": {"otpLogin": true}}})).await;
    let r = h.ok("SignUp", sign_up_body("nopw@example.com", None)).await;
    assert_eq!(r["UserConfirmed"], false);
    assert_eq!(r["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL");
    let code = h.code_for("nopw@example.com");
    let confirmed = h
        .ok(
            "ConfirmSignUp",
            json!({"ClientId": CLIENT_ID, "Username": "nopw@example.com", "ConfirmationCode": code}),
        )
        .await;
    // autoSignIn: the ConfirmSignUp session signs the user in through USER_AUTH.
    let t = h
        .ok(
            "InitiateAuth",
            json!({"AuthFlow": "USER_AUTH", "ClientId": CLIENT_ID, "Session": confirmed["Session"],
                   "AuthParameters": {"USERNAME": "nopw@example.com"}}),
        )
        .await;
    let id = claims(&t["AuthenticationResult"]["IdToken"]);
    assert_eq!(id["email"], "nopw@example.com");
    assert_eq!(id["email_verified"], true);

    // The only first factor is the email code.
    let v = h
        .ok(
            "InitiateAuth",
            json!({"AuthFlow": "USER_AUTH", "ClientId": CLIENT_ID,
                   "AuthParameters": {"USERNAME": "nopw@example.com"}}),
        )
        .await;
    assert_eq!(v["AvailableChallenges"], json!(["EMAIL_OTP"]));
    let c = h
        .ok(
            "RespondToAuthChallenge",
            json!({"ChallengeName": "SELECT_CHALLENGE", "ClientId": CLIENT_ID,
                   "Session": v["Session"],
                   "ChallengeResponses": {"USERNAME": "nopw@example.com", "ANSWER": "EMAIL_OTP"}}),
        )
        .await;
    assert_eq!(c["ChallengeName"], "EMAIL_OTP");
    let otp = h.code_for("nopw@example.com");
    assert_eq!(otp.len(), 8);
    let t = h
        .ok(
            "RespondToAuthChallenge",
            json!({"ChallengeName": "EMAIL_OTP", "ClientId": CLIENT_ID, "Session": c["Session"],
                   "ChallengeResponses": {"USERNAME": "nopw@example.com", "EMAIL_OTP_CODE": otp}}),
        )
        .await;
    assert!(t["AuthenticationResult"]["AccessToken"].is_string(), "{t}");

    // A password factor is not open to this user: a preferred PASSWORD falls back to the
    // choice of what is.
    let v = h
        .ok(
            "InitiateAuth",
            json!({"AuthFlow": "USER_AUTH", "ClientId": CLIENT_ID,
                   "AuthParameters": {"USERNAME": "nopw@example.com",
                                      "PREFERRED_CHALLENGE": "PASSWORD", "PASSWORD": PASSWORD}}),
        )
        .await;
    assert_eq!(v["ChallengeName"], "SELECT_CHALLENGE");
    assert_eq!(v["AvailableChallenges"], json!(["EMAIL_OTP"]));
    // SRP with any password fails like a wrong password.
    let e = client::ephemeral().unwrap();
    let v = h
        .ok(
            "InitiateAuth",
            json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": CLIENT_ID,
                   "AuthParameters": {"USERNAME": "nopw@example.com",
                                      "SRP_A": e.big_a.to_str_radix(16)}}),
        )
        .await;
    let answer = h.password_claim(&e, &v, PASSWORD);
    let (name, message) = h.err("RespondToAuthChallenge", answer).await;
    assert_eq!(name, "NotAuthorizedException");
    assert_eq!(message, "Incorrect username or password.");

    // A blank password counts as none.
    let r = h
        .ok("SignUp", sign_up_body("blank@example.com", Some("")))
        .await;
    assert_eq!(r["UserConfirmed"], false);
    // A password, when given, is still checked against the policy.
    let (name, _) = h
        .err("SignUp", sign_up_body("weak@example.com", Some("weak")))
        .await;
    assert_eq!(name, "InvalidPasswordException");
}

#[tokio::test]
async fn a_password_is_required_without_a_usable_passwordless_factor() {
    // No passwordless factor at all.
    let h = Harness::new(email_pool()).await;
    let (name, message) = h.err("SignUp", sign_up_body("a@example.com", None)).await;
    assert_eq!(name, "InvalidParameterException");
    assert!(message.contains("'password'"), "{message}");
    let (name, _) = h
        .err("SignUp", sign_up_body("a@example.com", Some("")))
        .await;
    assert_eq!(name, "InvalidParameterException");

    // SMS codes only, and the user gives no phone number.
    let h = Harness::new(json!({"loginWith": {"email": true, "phone": {"otpLogin": true}}})).await;
    let (name, _) = h.err("SignUp", sign_up_body("b@example.com", None)).await;
    assert_eq!(name, "InvalidParameterException");
    assert_eq!(h.messages_to("b@example.com"), 0);
    // With a phone number the sign-up goes through (the code goes by SMS).
    let r = h
        .ok(
            "SignUp",
            json!({"ClientId": CLIENT_ID, "Username": "c@example.com",
                   "UserAttributes": [{"Name": "email", "Value": "c@example.com"},
                                      {"Name": "phone_number", "Value": "+15555550100"}]}),
        )
        .await;
    assert_eq!(r["CodeDeliveryDetails"]["DeliveryMedium"], "SMS", "{r}");
}
