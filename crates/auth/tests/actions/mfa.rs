use axum::http::StatusCode;
use serde_json::{Value, json};

use stratus_auth::Clock as _;

use crate::common::*;

fn totp_code(secret: &str, at: i64) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret).unwrap();
    let t = totp_rs::Builder::new().with_secret(secret).build().unwrap();
    t.generate(u64::try_from(at).unwrap()).to_string()
}

fn mfa_pool(mode: &str) -> Value {
    json!({"loginWith": {"email": true},
           "multifactor": {"mode": mode, "totp": true, "sms": true, "email": true},
           "senders": {"email": {"fromEmail": "noreply@example.com"}}})
}

/// Associates and verifies TOTP with an access token; returns the secret.
async fn setup_totp(h: &Harness, token: &Value) -> String {
    let r = h
        .ok("AssociateSoftwareToken", json!({"AccessToken": token}))
        .await;
    let secret = r["SecretCode"].as_str().unwrap().to_string();
    assert!(totp_rs::Secret::try_from_base32(&secret).is_ok());
    let (name, message) = h
        .err(
            "VerifySoftwareToken",
            json!({"AccessToken": token, "UserCode": "000000x"}),
        )
        .await;
    assert_eq!(
        (name.as_str(), message.as_str()),
        ("EnableSoftwareTokenMFAException", "Code mismatch")
    );
    let r = h
        .ok(
            "VerifySoftwareToken",
            json!({"AccessToken": token, "UserCode": totp_code(&secret, h.clock.now()), "FriendlyDeviceName": "phone"}),
        )
        .await;
    assert_eq!(r, json!({"Status": "SUCCESS"}));
    secret
}

/// PASSWORD_VERIFIER that must answer with a challenge.
async fn challenge(h: &Harness, user: &str) -> Value {
    let (status, v) = h.srp(user, PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert!(v["ChallengeName"].is_string(), "expected a challenge: {v}");
    v
}

fn answer(c: &Value, name: &str, responses: Value) -> Value {
    let mut r = responses;
    r["USERNAME"] = c["ChallengeParameters"]["USERNAME"].clone();
    json!({"ChallengeName": name, "ClientId": CLIENT_ID, "Session": c["Session"], "ChallengeResponses": r})
}

#[tokio::test]
async fn totp_mfa_with_retry_and_replay_protection() {
    let h = Harness::new(mfa_pool("OPTIONAL")).await;
    h.confirmed_user("alice@example.com").await;
    let t = h.sign_in("alice@example.com", PASSWORD).await;

    let (name, message) = h
        .err(
            "SetUserMFAPreference",
            json!({"AccessToken": access(&t), "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
        )
        .await;
    assert_eq!(
        (name.as_str(), message.as_str()),
        (
            "InvalidParameterException",
            "User has not verified software token mfa"
        )
    );
    let secret = setup_totp(&h, &access(&t)).await;
    // Verified but not enabled yet: sign-in has no second factor.
    h.sign_in("alice@example.com", PASSWORD).await;
    h.ok(
        "SetUserMFAPreference",
        json!({"AccessToken": access(&t), "SoftwareTokenMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
    )
    .await;
    let u = h.ok("GetUser", json!({"AccessToken": access(&t)})).await;
    assert_eq!(u["PreferredMfaSetting"], "SOFTWARE_TOKEN_MFA");
    assert_eq!(u["UserMFASettingList"], json!(["SOFTWARE_TOKEN_MFA"]));

    h.clock.advance(30);
    let c = challenge(&h, "alice@example.com").await;
    assert_eq!(c["ChallengeName"], "SOFTWARE_TOKEN_MFA");
    let (name, message) = h
        .err(
            "RespondToAuthChallenge",
            answer(
                &c,
                "SOFTWARE_TOKEN_MFA",
                json!({"SOFTWARE_TOKEN_MFA_CODE": "000000x"}),
            ),
        )
        .await;
    assert_eq!(
        (name.as_str(), message.as_str()),
        ("CodeMismatchException", "Invalid code received for user")
    );
    let code = totp_code(&secret, h.clock.now());
    let r = h
        .ok(
            "RespondToAuthChallenge",
            answer(
                &c,
                "SOFTWARE_TOKEN_MFA",
                json!({"SOFTWARE_TOKEN_MFA_CODE": code}),
            ),
        )
        .await;
    assert!(r["AuthenticationResult"]["AccessToken"].is_string());

    // The same code cannot be used twice.
    let c = challenge(&h, "alice@example.com").await;
    let (name, _) = h
        .err(
            "RespondToAuthChallenge",
            answer(
                &c,
                "SOFTWARE_TOKEN_MFA",
                json!({"SOFTWARE_TOKEN_MFA_CODE": code}),
            ),
        )
        .await;
    assert_eq!(name, "CodeMismatchException");

    // Three wrong codes end the session.
    let c = challenge(&h, "alice@example.com").await;
    for _ in 0..3 {
        let (name, _) = h
            .err(
                "RespondToAuthChallenge",
                answer(
                    &c,
                    "SOFTWARE_TOKEN_MFA",
                    json!({"SOFTWARE_TOKEN_MFA_CODE": "000000x"}),
                ),
            )
            .await;
        assert_eq!(name, "CodeMismatchException");
    }
    h.clock.advance(30);
    let (name, _) = h
        .err(
            "RespondToAuthChallenge",
            answer(
                &c,
                "SOFTWARE_TOKEN_MFA",
                json!({"SOFTWARE_TOKEN_MFA_CODE": totp_code(&secret, h.clock.now())}),
            ),
        )
        .await;
    assert_eq!(name, "NotAuthorizedException");
}

#[tokio::test]
async fn sms_and_email_codes_and_choosing_between_factors() {
    let h = Harness::new(mfa_pool("OPTIONAL")).await;
    h.confirmed_user("alice@example.com").await;
    let t = h.sign_in("alice@example.com", PASSWORD).await;
    let (name, _) = h
        .err(
            "SetUserMFAPreference",
            json!({"AccessToken": access(&t), "SMSMfaSettings": {"Enabled": true}}),
        )
        .await;
    assert_eq!(name, "InvalidParameterException", "no phone number yet");
    h.ok(
        "UpdateUserAttributes",
        json!({"AccessToken": access(&t), "UserAttributes": [{"Name": "phone_number", "Value": "+15555550123"}]}),
    )
    .await;
    h.ok(
        "SetUserMFAPreference",
        json!({"AccessToken": access(&t), "SMSMfaSettings": {"Enabled": true}, "EmailMfaSettings": {"Enabled": true}}),
    )
    .await;

    let c = challenge(&h, "alice@example.com").await;
    assert_eq!(c["ChallengeName"], "SELECT_MFA_TYPE");
    assert_eq!(
        c["ChallengeParameters"]["MFAS_CAN_CHOOSE"],
        "[\"SMS_MFA\",\"EMAIL_OTP\"]"
    );
    let c = h
        .ok(
            "RespondToAuthChallenge",
            answer(&c, "SELECT_MFA_TYPE", json!({"ANSWER": "SMS_MFA"})),
        )
        .await;
    assert_eq!(c["ChallengeName"], "SMS_MFA");
    assert_eq!(
        c["ChallengeParameters"]["CODE_DELIVERY_DELIVERY_MEDIUM"],
        "SMS"
    );
    assert_eq!(
        c["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"],
        "+*******0123"
    );
    let msg = h.outbox.latest_to("+15555550123").unwrap();
    assert_eq!(msg.trigger_source, "CustomMessage_Authentication");
    assert_eq!(
        msg.body,
        format!("Your authentication code is {}.", msg.code.clone().unwrap())
    );
    let r = h
        .ok(
            "RespondToAuthChallenge",
            answer(&c, "SMS_MFA", json!({"SMS_MFA_CODE": msg.code.unwrap()})),
        )
        .await;
    assert!(r["AuthenticationResult"].is_object());

    // Email preferred: EMAIL_OTP directly.
    h.ok(
        "SetUserMFAPreference",
        json!({"AccessToken": access(&t), "EmailMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
    )
    .await;
    let c = challenge(&h, "alice@example.com").await;
    assert_eq!(c["ChallengeName"], "EMAIL_OTP");
    assert_eq!(
        c["ChallengeParameters"]["CODE_DELIVERY_DESTINATION"],
        "a***@e***"
    );
    let code = h.code_for("alice@example.com");
    let r = h
        .ok(
            "RespondToAuthChallenge",
            answer(&c, "EMAIL_OTP", json!({"EMAIL_OTP_CODE": code})),
        )
        .await;
    assert!(r["AuthenticationResult"].is_object());

    // Turning factors off ends MFA.
    h.ok(
        "SetUserMFAPreference",
        json!({"AccessToken": access(&t), "EmailMfaSettings": {"Enabled": false}, "SMSMfaSettings": {"Enabled": false}}),
    )
    .await;
    h.sign_in("alice@example.com", PASSWORD).await;
}

#[tokio::test]
async fn required_mfa_sets_up_totp_during_sign_in() {
    let h = Harness::new(json!({"loginWith": {"email": true},
        "multifactor": {"mode": "REQUIRED", "totp": true}}))
    .await;
    h.confirmed_user("alice@example.com").await;
    let c = challenge(&h, "alice@example.com").await;
    assert_eq!(c["ChallengeName"], "MFA_SETUP");
    assert_eq!(
        c["ChallengeParameters"]["MFAS_CAN_SETUP"],
        "[\"SOFTWARE_TOKEN_MFA\"]"
    );
    let a = h
        .ok("AssociateSoftwareToken", json!({"Session": c["Session"]}))
        .await;
    let secret = a["SecretCode"].as_str().unwrap().to_string();
    // The old session is used up; the new one continues.
    let (name, _) = h
        .err("AssociateSoftwareToken", json!({"Session": c["Session"]}))
        .await;
    assert_eq!(name, "NotAuthorizedException");
    let (name, _) = h
        .err(
            "VerifySoftwareToken",
            json!({"Session": a["Session"], "UserCode": "000000x"}),
        )
        .await;
    assert_eq!(name, "EnableSoftwareTokenMFAException");
    let v = h
        .ok(
            "VerifySoftwareToken",
            json!({"Session": a["Session"], "UserCode": totp_code(&secret, h.clock.now())}),
        )
        .await;
    assert_eq!(v["Status"], "SUCCESS");
    let username = c["ChallengeParameters"]["USER_ID_FOR_SRP"].clone();
    let r = h
        .ok(
            "RespondToAuthChallenge",
            json!({"ChallengeName": "MFA_SETUP", "ClientId": CLIENT_ID, "Session": v["Session"],
                   "ChallengeResponses": {"USERNAME": username}}),
        )
        .await;
    assert!(r["AuthenticationResult"]["AccessToken"].is_string());

    h.clock.advance(30);
    let c = challenge(&h, "alice@example.com").await;
    assert_eq!(c["ChallengeName"], "SOFTWARE_TOKEN_MFA");
    h.ok(
        "RespondToAuthChallenge",
        answer(
            &c,
            "SOFTWARE_TOKEN_MFA",
            json!({"SOFTWARE_TOKEN_MFA_CODE": totp_code(&secret, h.clock.now())}),
        ),
    )
    .await;
}

#[tokio::test]
async fn required_mfa_sets_up_email_during_sign_in() {
    let h = Harness::new(json!({"loginWith": {"email": true},
        "multifactor": {"mode": "REQUIRED", "totp": true, "email": true},
        "senders": {"email": {"fromEmail": "noreply@example.com"}}}))
    .await;
    h.confirmed_user("alice@example.com").await;
    let c = challenge(&h, "alice@example.com").await;
    assert_eq!(c["ChallengeName"], "MFA_SETUP");
    assert_eq!(
        c["ChallengeParameters"]["MFAS_CAN_SETUP"],
        "[\"SOFTWARE_TOKEN_MFA\",\"EMAIL_OTP\"]"
    );
    let username = c["ChallengeParameters"]["USER_ID_FOR_SRP"].clone();
    let c = h
        .ok(
            "RespondToAuthChallenge",
            json!({"ChallengeName": "MFA_SETUP", "ClientId": CLIENT_ID, "Session": c["Session"],
                   "ChallengeResponses": {"USERNAME": username, "EMAIL": "alice@example.com"}}),
        )
        .await;
    assert_eq!(c["ChallengeName"], "EMAIL_OTP");
    let code = h.code_for("alice@example.com");
    h.ok(
        "RespondToAuthChallenge",
        answer(&c, "EMAIL_OTP", json!({"EMAIL_OTP_CODE": code})),
    )
    .await;
    // Email MFA is now on.
    let c = challenge(&h, "alice@example.com").await;
    assert_eq!(c["ChallengeName"], "EMAIL_OTP");
}

#[tokio::test]
async fn totp_needs_the_pool_to_allow_it() {
    let h = Harness::new(email_pool()).await;
    h.confirmed_user("alice@example.com").await;
    let t = h.sign_in("alice@example.com", PASSWORD).await;
    let (name, _) = h
        .err("AssociateSoftwareToken", json!({"AccessToken": access(&t)}))
        .await;
    assert_eq!(name, "SoftwareTokenMFANotFoundException");
}
