//! PreTokenGeneration (V1_0) and CustomMessage through the [`stratus_auth::UserPoolTriggers`]
//! seam: every way tokens are minted and every message the pool sends, with in-test handlers.

use std::sync::Arc;

use serde_json::{Value, json};
use stratus_auth::triggers::PoolTrigger;

use crate::common::*;
use crate::devices::{confirm, device_srp};
use crate::recorder::{Recorder, thrown};

async fn harness(props: Value, recorder: Recorder) -> (Harness, Arc<Recorder>) {
    let r = recorder.arc();
    let t = r.clone();
    let h = Harness::with_config(props, move |c| c.pool_triggers = Some(t)).await;
    (h, r)
}

/// Adds a claim naming the trigger source, replaces the groups, hides the name.
fn token_shaper() -> Recorder {
    Recorder::new().on(PoolTrigger::PreTokenGeneration, |e| {
        let mut groups: Vec<Value> = e["request"]["groupConfiguration"]["groupsToOverride"]
            .as_array()
            .unwrap()
            .clone();
        groups.push(json!("members"));
        Ok(json!({"claimsOverrideDetails": {
            "claimsToAddOrOverride": {
                "source": e["triggerSource"],
                "tier": "gold",
                "family_name": "Overridden",
                "sub": "not-allowed",
            },
            "claimsToSuppress": ["name", "tier_hidden"],
            "groupOverrideDetails": {"groupsToOverride": groups},
        }}))
    })
}

fn props_with_groups() -> Value {
    json!({"loginWith": {"email": true}, "groups": ["admins"]})
}

#[tokio::test]
async fn pre_token_generation_shapes_the_tokens() {
    let (h, r) = harness(props_with_groups(), token_shaper()).await;
    h.ok(
        "SignUp",
        json!({"ClientId": CLIENT_ID, "Username": "ivy@example.com", "Password": PASSWORD,
               "UserAttributes": [{"Name": "email", "Value": "ivy@example.com"},
                                  {"Name": "name", "Value": "Ivy"},
                                  {"Name": "family_name", "Value": "Green"}]}),
    )
    .await;
    let code = h.code_for("ivy@example.com");
    h.ok(
        "ConfirmSignUp",
        json!({"ClientId": CLIENT_ID, "Username": "ivy@example.com", "ConfirmationCode": code}),
    )
    .await;
    h.service
        .admin_add_user_to_group("ivy@example.com", "admins")
        .await
        .unwrap();
    let tokens = h.sign_in("ivy@example.com", PASSWORD).await;

    let e = r.last("TokenGeneration_");
    assert_eq!(e["triggerSource"], "TokenGeneration_Authentication");
    assert_eq!(
        e["request"]["groupConfiguration"],
        json!({"groupsToOverride": ["admins"], "iamRolesToOverride": [], "preferredRole": null})
    );
    assert_eq!(e["request"]["userAttributes"]["name"], "Ivy");
    assert_eq!(e["response"], json!({"claimsOverrideDetails": null}));

    let id = claims(&tokens["IdToken"]);
    assert_eq!(id["source"], "TokenGeneration_Authentication");
    assert_eq!(id["tier"], "gold");
    assert_eq!(id["family_name"], "Overridden");
    assert!(id.get("name").is_none(), "suppressed: {id}");
    assert_ne!(id["sub"], "not-allowed", "sub cannot be overridden");
    assert_eq!(id["cognito:groups"], json!(["admins", "members"]));
    let access = claims(&access(&tokens));
    assert_eq!(access["cognito:groups"], json!(["admins", "members"]));
    assert!(
        access.get("tier").is_none(),
        "V1_0 customizes the id token only"
    );
    // The services that check tokens see the overridden groups.
    let verified = h
        .service
        .verify_access_token(tokens["AccessToken"].as_str().unwrap())
        .await
        .unwrap();
    assert_eq!(verified.groups, ["admins", "members"]);

    // Refresh: TokenGeneration_RefreshTokens, the overrides applied again.
    let refreshed = h
        .ok(
            "InitiateAuth",
            json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": CLIENT_ID,
                   "AuthParameters": {"REFRESH_TOKEN": tokens["RefreshToken"]}}),
        )
        .await;
    let id = claims(&refreshed["AuthenticationResult"]["IdToken"]);
    assert_eq!(id["source"], "TokenGeneration_RefreshTokens");
    assert_eq!(id["cognito:groups"], json!(["admins", "members"]));
    let refreshed = h
        .ok(
            "GetTokensFromRefreshToken",
            json!({"ClientId": CLIENT_ID, "RefreshToken": tokens["RefreshToken"],
                   "ClientMetadata": {"k": "v"}}),
        )
        .await;
    assert!(refreshed["AuthenticationResult"]["IdToken"].is_string());
    assert_eq!(
        r.last("TokenGeneration_")["request"]["clientMetadata"],
        json!({"k": "v"})
    );
}

#[tokio::test]
async fn pre_token_generation_sources_and_failures() {
    let (h, r) = harness(email_pool(), token_shaper()).await;
    // NEW_PASSWORD_REQUIRED.
    h.confirmed_user("jay@example.com").await;
    h.service
        .admin_set_user_password("jay@example.com", "Temp0rary!pw", false)
        .await
        .unwrap();
    let (status, challenge) = h.srp("jay@example.com", "Temp0rary!pw").await;
    assert!(status.is_success());
    assert_eq!(challenge["ChallengeName"], "NEW_PASSWORD_REQUIRED");
    let done = h
        .ok(
            "RespondToAuthChallenge",
            json!({"ChallengeName": "NEW_PASSWORD_REQUIRED", "ClientId": CLIENT_ID,
                   "Session": challenge["Session"],
                   "ChallengeResponses": {"USERNAME": "jay@example.com",
                                          "NEW_PASSWORD": PASSWORD}}),
        )
        .await;
    let id = claims(&done["AuthenticationResult"]["IdToken"]);
    assert_eq!(id["source"], "TokenGeneration_NewPasswordChallenge");

    // A confirmed device: TokenGeneration_AuthenticateDevice.
    let first = h.sign_in("jay@example.com", PASSWORD).await;
    let device = confirm(&h, &first).await;
    let (e, challenge) = h.initiate_srp("jay@example.com").await;
    let mut answer = h.password_claim(&e, &challenge, PASSWORD);
    answer["ChallengeResponses"]["DEVICE_KEY"] = json!(device.key);
    let challenge = h.ok("RespondToAuthChallenge", answer).await;
    let (ok, v) = device_srp(&h, &challenge, &device, &device.password).await;
    assert!(ok, "{v}");
    let id = claims(&v["AuthenticationResult"]["IdToken"]);
    assert_eq!(id["source"], "TokenGeneration_AuthenticateDevice");
    assert!(r.events("TokenGeneration_").len() >= 3);

    // Failures: a thrown error, a non-string claim (V1_0 claims are strings).
    let (h, _) = harness(
        email_pool(),
        Recorder::new().on(
            PoolTrigger::PreTokenGeneration,
            |e| match e["request"]["userAttributes"]["email"].as_str() {
                Some("throw@example.com") => Err(thrown("claims service down")),
                _ => Ok(json!({"claimsOverrideDetails": {"claimsToAddOrOverride": {"n": 3}}})),
            },
        ),
    )
    .await;
    h.confirmed_user("throw@example.com").await;
    let (_, v) = h.srp("throw@example.com", PASSWORD).await;
    assert_eq!(v["__type"], "UserLambdaValidationException");
    assert_eq!(
        v["message"],
        "PreTokenGeneration failed with error claims service down."
    );
    h.confirmed_user("number@example.com").await;
    let (_, v) = h.srp("number@example.com", PASSWORD).await;
    assert_eq!(v["__type"], "InvalidLambdaResponseException", "{v}");
}

/// Rewrites every message, keeping the code placeholder, except for `plain@`.
fn messenger() -> Recorder {
    Recorder::new().on(PoolTrigger::CustomMessage, |e| {
        let source = e["triggerSource"].as_str().unwrap();
        let code = e["request"]["codeParameter"].as_str().unwrap();
        let email = e["request"]["userAttributes"]["email"]
            .as_str()
            .unwrap_or("");
        if email.starts_with("boom@") {
            return Err(thrown("template store unreachable"));
        }
        if email.starts_with("nocode@") {
            // No placeholder: the message is not used, the subject is.
            return Ok(json!({"emailSubject": "Subject only", "emailMessage": "no code here"}));
        }
        let body = match e["request"]["usernameParameter"].as_str() {
            Some(user) => format!("[{source}] user {user} password {code}"),
            None => format!("[{source}] your code is {code}"),
        };
        Ok(
            json!({"emailSubject": format!("Custom {source}"), "emailMessage": body,
                  "smsMessage": body}),
        )
    })
}

#[tokio::test]
async fn custom_message_rewrites_every_message() {
    let (h, r) = harness(email_pool(), messenger()).await;
    h.ok(
        "SignUp",
        json!({"ClientId": CLIENT_ID, "Username": "kim@example.com", "Password": PASSWORD,
               "UserAttributes": [{"Name": "email", "Value": "kim@example.com"}],
               "ClientMetadata": {"lang": "en"}}),
    )
    .await;
    let m = h.outbox.latest_to("kim@example.com").unwrap();
    let code = m.code.clone().unwrap();
    assert_eq!(m.subject.as_deref(), Some("Custom CustomMessage_SignUp"));
    assert_eq!(
        m.body,
        format!("[CustomMessage_SignUp] your code is {code}")
    );
    let e = r.last("CustomMessage_");
    assert_eq!(e["triggerSource"], "CustomMessage_SignUp");
    assert_eq!(e["request"]["codeParameter"], "{####}");
    assert_eq!(e["request"]["linkParameter"], "{##Click Here##}");
    assert_eq!(e["request"]["usernameParameter"], Value::Null);
    assert_eq!(e["request"]["clientMetadata"], json!({"lang": "en"}));
    assert_eq!(
        e["request"]["userAttributes"]["cognito:user_status"],
        "UNCONFIRMED"
    );
    assert_eq!(
        e["response"],
        json!({"smsMessage": null, "emailMessage": null, "emailSubject": null})
    );

    let sent = |source: &str| {
        let m = h.outbox.latest_to("kim@example.com").unwrap();
        assert_eq!(m.trigger_source, source);
        assert_eq!(
            m.body,
            format!("[{source}] your code is {}", m.code.clone().unwrap())
        );
        m.code.unwrap()
    };
    h.ok(
        "ResendConfirmationCode",
        json!({"ClientId": CLIENT_ID, "Username": "kim@example.com"}),
    )
    .await;
    let code = sent("CustomMessage_ResendCode");
    h.ok(
        "ConfirmSignUp",
        json!({"ClientId": CLIENT_ID, "Username": "kim@example.com", "ConfirmationCode": code}),
    )
    .await;
    h.ok(
        "ForgotPassword",
        json!({"ClientId": CLIENT_ID, "Username": "kim@example.com"}),
    )
    .await;
    sent("CustomMessage_ForgotPassword");
    let e = r.last("CustomMessage_ForgotPassword");
    assert!(e["request"].get("linkParameter").is_none(), "{e}");

    let tokens = h.sign_in("kim@example.com", PASSWORD).await;
    h.ok(
        "UpdateUserAttributes",
        json!({"AccessToken": access(&tokens),
               "UserAttributes": [{"Name": "email", "Value": "kim2@example.com"}]}),
    )
    .await;
    let m = h.outbox.latest_to("kim2@example.com").unwrap();
    assert_eq!(m.trigger_source, "CustomMessage_UpdateUserAttribute");
    assert!(
        m.body.starts_with("[CustomMessage_UpdateUserAttribute]"),
        "{}",
        m.body
    );
    h.ok(
        "GetUserAttributeVerificationCode",
        json!({"AccessToken": access(&tokens), "AttributeName": "email"}),
    )
    .await;
    let m = h.outbox.latest_to("kim2@example.com").unwrap();
    assert_eq!(m.trigger_source, "CustomMessage_VerifyUserAttribute");
    assert!(
        m.body.starts_with("[CustomMessage_VerifyUserAttribute]"),
        "{}",
        m.body
    );
}

#[tokio::test]
async fn custom_message_for_sign_in_codes() {
    // Email codes as a first factor (USER_AUTH EMAIL_OTP): CustomMessage_Authentication, and
    // InitiateAuth's ClientMetadata is not given to the trigger.
    let props = json!({"loginWith": {"email": {"otpLogin": true}}});
    let (h, r) = harness(props, messenger()).await;
    h.confirmed_user("lee@example.com").await;
    h.ok(
        "InitiateAuth",
        json!({"AuthFlow": "USER_AUTH", "ClientId": CLIENT_ID,
               "AuthParameters": {"USERNAME": "lee@example.com",
                                  "PREFERRED_CHALLENGE": "EMAIL_OTP"},
               "ClientMetadata": {"secret": "x"}}),
    )
    .await;
    let m = h.outbox.latest_to("lee@example.com").unwrap();
    assert_eq!(m.trigger_source, "CustomMessage_Authentication");
    assert_eq!(
        m.body,
        format!(
            "[CustomMessage_Authentication] your code is {}",
            m.code.unwrap()
        )
    );
    let e = r.last("CustomMessage_Authentication");
    assert_eq!(e["request"]["clientMetadata"], json!({}));
}

#[tokio::test]
async fn custom_message_without_the_code_and_failures() {
    let (h, _) = harness(email_pool(), messenger()).await;
    h.sign_up("nocode@example.com", PASSWORD).await;
    let m = h.outbox.latest_to("nocode@example.com").unwrap();
    assert_eq!(m.subject.as_deref(), Some("Subject only"));
    let code = m.code.clone().unwrap();
    assert!(m.body.contains(&code), "the pool's own message: {}", m.body);
    assert!(!m.body.contains("no code here"));

    let (name, message) = h
        .err(
            "SignUp",
            json!({"ClientId": CLIENT_ID, "Username": "boom@example.com", "Password": PASSWORD,
                   "UserAttributes": [{"Name": "email", "Value": "boom@example.com"}]}),
        )
        .await;
    assert_eq!(name, "UserLambdaValidationException");
    assert_eq!(
        message,
        "CustomMessage failed with error template store unreachable."
    );
    assert_eq!(h.messages_to("boom@example.com"), 0);
}
