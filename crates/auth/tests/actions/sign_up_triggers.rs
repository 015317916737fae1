//! PreSignUp, PostConfirmation, PreAuthentication, PostAuthentication and UserMigration through
//! the [`stratus_auth::UserPoolTriggers`] seam, with in-test handlers ([`Recorder`]): the events
//! Cognito documents at the points it calls them, what their answers change, and their failures.

use std::sync::Arc;

use serde_json::{Value, json};
use stratus_auth::triggers::PoolTrigger;

use crate::common::*;
use crate::recorder::{Recorder, thrown};

async fn harness(recorder: Recorder) -> (Harness, Arc<Recorder>) {
    let r = recorder.arc();
    let t = r.clone();
    // USER_PASSWORD_AUTH on, as the sandbox has it (the flow the migration trigger needs).
    let h = Harness::with_config(email_pool(), move |c| {
        c.pool_triggers = Some(t);
        c.allow_user_password_auth = true;
    })
    .await;
    (h, r)
}

fn sign_up_body(email: &str) -> Value {
    json!({"ClientId": CLIENT_ID, "Username": email, "Password": PASSWORD,
           "UserAttributes": [{"Name": "email", "Value": email}]})
}

/// PreSignUp as the Amplify docs write it: auto-confirm one domain, refuse another.
fn gatekeeper() -> Recorder {
    Recorder::new()
        .on(PoolTrigger::PreSignUp, |e| {
            let email = e["request"]["userAttributes"]["email"].as_str().unwrap();
            if email.ends_with("@blocked.test") {
                return Err(thrown("sign-ups from blocked.test are closed"));
            }
            let auto = email.ends_with("@auto.test");
            Ok(json!({"autoConfirmUser": auto, "autoVerifyEmail": auto, "autoVerifyPhone": false}))
        })
        .on(PoolTrigger::PostConfirmation, |_| Ok(json!({})))
}

#[tokio::test]
async fn pre_sign_up_auto_confirms_and_verifies() {
    let (h, r) = harness(gatekeeper()).await;
    let mut body = sign_up_body("ann@auto.test");
    body["ValidationData"] = json!([{"Name": "invite", "Value": "X1"}]);
    body["ClientMetadata"] = json!({"source": "test"});
    let out = h.ok("SignUp", body).await;
    assert_eq!(out["UserConfirmed"], true, "{out}");
    assert!(out.get("CodeDeliveryDetails").is_none(), "{out}");
    assert_eq!(h.messages_to("ann@auto.test"), 0, "no code is sent");

    let e = r.last("PreSignUp_");
    assert_eq!(e["triggerSource"], "PreSignUp_SignUp");
    assert_eq!(e["version"], "1");
    assert_eq!(e["userPoolId"], POOL_ID);
    assert_eq!(e["region"], "us-east-1");
    assert_eq!(e["callerContext"]["clientId"], CLIENT_ID);
    // Email sign-in: Cognito's user name is the sub.
    assert_eq!(e["userName"], out["UserSub"]);
    assert_eq!(
        e["request"]["userAttributes"],
        json!({"email": "ann@auto.test"})
    );
    assert_eq!(e["request"]["validationData"], json!({"invite": "X1"}));
    assert_eq!(e["request"]["clientMetadata"], json!({"source": "test"}));
    assert_eq!(
        e["response"],
        json!({"autoConfirmUser": false, "autoVerifyEmail": false, "autoVerifyPhone": false})
    );

    // The auto-confirmation runs PostConfirmation with SignUp's ClientMetadata.
    let pc = r.last("PostConfirmation_");
    assert_eq!(pc["triggerSource"], "PostConfirmation_ConfirmSignUp");
    assert_eq!(
        pc["request"]["userAttributes"]["cognito:user_status"],
        "CONFIRMED"
    );
    assert_eq!(pc["request"]["userAttributes"]["email_verified"], "true");
    assert_eq!(pc["request"]["clientMetadata"], json!({"source": "test"}));

    // Signed in right away, with the email verified.
    let tokens = h.sign_in("ann@auto.test", PASSWORD).await;
    assert_eq!(claims(&tokens["IdToken"])["email_verified"], true);

    // Another domain signs up as usual.
    let out = h.sign_up("bob@example.com", PASSWORD).await;
    assert_eq!(out["UserConfirmed"], false);
    assert_eq!(h.messages_to("bob@example.com"), 1);
}

#[tokio::test]
async fn pre_sign_up_refusal_creates_no_user() {
    let (h, r) = harness(gatekeeper()).await;
    let (name, message) = h.err("SignUp", sign_up_body("eve@blocked.test")).await;
    assert_eq!(name, "UserLambdaValidationException");
    assert_eq!(
        message,
        "PreSignUp failed with error sign-ups from blocked.test are closed."
    );
    assert_eq!(r.events("PreSignUp_").len(), 1);
    assert_eq!(h.messages_to("eve@blocked.test"), 0);
    // Not a user: a correct password gets the unknown-user answer, not UserNotConfirmed.
    let (status, v) = h.password_auth("eve@blocked.test", PASSWORD).await;
    assert!(status.is_client_error());
    assert_eq!(v["__type"], "NotAuthorizedException", "{v}");
}

#[tokio::test]
async fn pre_sign_up_runs_after_request_validation() {
    let (h, r) = harness(gatekeeper()).await;
    let mut body = sign_up_body("weak@auto.test");
    body["Password"] = json!("short");
    let (name, _) = h.err("SignUp", body).await;
    assert_eq!(name, "InvalidPasswordException");
    assert!(r.events("PreSignUp_").is_empty());
    // An unusable answer: auto-verifying a phone number the user does not have.
    let (h, _) = harness(Recorder::new().on(PoolTrigger::PreSignUp, |_| {
        Ok(json!({"autoConfirmUser": true, "autoVerifyPhone": true}))
    }))
    .await;
    let (name, _) = h.err("SignUp", sign_up_body("nophone@auto.test")).await;
    assert_eq!(name, "InvalidLambdaResponseException");
    let (h, _) = harness(Recorder::new().on(PoolTrigger::PreSignUp, |_| {
        Ok(json!({"autoConfirmUser": "yes"}))
    }))
    .await;
    let (name, _) = h.err("SignUp", sign_up_body("str@auto.test")).await;
    assert_eq!(name, "InvalidLambdaResponseException");
}

#[tokio::test]
async fn a_trigger_set_without_a_trigger_changes_nothing() {
    // Only PostAuthentication: sign-up, confirmation, messages and tokens are as without.
    let (h, r) =
        harness(Recorder::new().on(PoolTrigger::PostAuthentication, |_| Ok(json!({})))).await;
    let out = h.sign_up("plain@example.com", PASSWORD).await;
    assert_eq!(out["UserConfirmed"], false);
    let message = h.outbox.latest_to("plain@example.com").unwrap();
    assert_eq!(message.trigger_source, "CustomMessage_SignUp");
    h.ok(
        "ConfirmSignUp",
        json!({"ClientId": CLIENT_ID, "Username": "plain@example.com",
               "ConfirmationCode": message.code.unwrap()}),
    )
    .await;
    h.sign_in("plain@example.com", PASSWORD).await;
    assert!(r.events("PreSignUp_").is_empty() && r.events("PostConfirmation_").is_empty());
    assert_eq!(r.events("PostAuthentication_").len(), 1);
}

#[tokio::test]
async fn post_confirmation_after_confirm_sign_up_and_password_reset() {
    let (h, r) = harness(Recorder::new().on(PoolTrigger::PostConfirmation, |e| {
        if e["request"]["clientMetadata"]["explode"] == "yes" {
            return Err(thrown("welcome mail bounced"));
        }
        Ok(json!({}))
    }))
    .await;
    let sub = h.sign_up("carl@example.com", PASSWORD).await["UserSub"].clone();
    assert!(
        r.events("PostConfirmation_").is_empty(),
        "not before confirming"
    );
    let code = h.code_for("carl@example.com");
    h.ok(
        "ConfirmSignUp",
        json!({"ClientId": CLIENT_ID, "Username": "carl@example.com", "ConfirmationCode": code,
               "ClientMetadata": {"plan": "pro"}}),
    )
    .await;
    let e = r.last("PostConfirmation_");
    assert_eq!(e["triggerSource"], "PostConfirmation_ConfirmSignUp");
    assert_eq!(e["userName"], sub);
    let attrs = &e["request"]["userAttributes"];
    assert_eq!(attrs["sub"], sub);
    assert_eq!(attrs["email"], "carl@example.com");
    assert_eq!(attrs["email_verified"], "true");
    assert_eq!(attrs["cognito:user_status"], "CONFIRMED");
    assert_eq!(e["request"]["clientMetadata"], json!({"plan": "pro"}));
    assert_eq!(e["response"], json!({}));

    h.ok(
        "ForgotPassword",
        json!({"ClientId": CLIENT_ID, "Username": "carl@example.com"}),
    )
    .await;
    let code = h.code_for("carl@example.com");
    h.ok(
        "ConfirmForgotPassword",
        json!({"ClientId": CLIENT_ID, "Username": "carl@example.com", "ConfirmationCode": code,
               "Password": "N3w-Passw0rd!"}),
    )
    .await;
    assert_eq!(
        r.last("PostConfirmation_")["triggerSource"],
        "PostConfirmation_ConfirmForgotPassword"
    );
    assert_eq!(r.events("PostConfirmation_").len(), 2);

    // A failing trigger is reported; the confirmation itself stands.
    h.sign_up("dora@example.com", PASSWORD).await;
    let code = h.code_for("dora@example.com");
    let (name, message) = h
        .err(
            "ConfirmSignUp",
            json!({"ClientId": CLIENT_ID, "Username": "dora@example.com",
                   "ConfirmationCode": code, "ClientMetadata": {"explode": "yes"}}),
        )
        .await;
    assert_eq!(name, "UserLambdaValidationException");
    assert_eq!(
        message,
        "PostConfirmation failed with error welcome mail bounced."
    );
    h.sign_in("dora@example.com", PASSWORD).await;
}

#[tokio::test]
async fn pre_authentication_sees_every_sign_in_and_may_refuse_it() {
    let (h, r) = harness(Recorder::new().on(PoolTrigger::PreAuthentication, |e| {
        if e["request"]["userAttributes"]["email"] == "locked@example.com" {
            return Err(thrown("account locked by the help desk"));
        }
        Ok(json!({}))
    }))
    .await;
    let sub = h.confirmed_user("fine@example.com").await;
    h.confirmed_user("locked@example.com").await;

    // SRP, with InitiateAuth's ClientMetadata as validationData.
    let e = stratus_auth::srp::client::ephemeral().unwrap();
    let challenge = h
        .ok(
            "InitiateAuth",
            json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": CLIENT_ID,
                   "AuthParameters": {"USERNAME": "fine@example.com",
                                      "SRP_A": e.big_a.to_str_radix(16)},
                   "ClientMetadata": {"captcha": "ok"}}),
        )
        .await;
    let ev = r.last("PreAuthentication_");
    assert_eq!(ev["triggerSource"], "PreAuthentication_Authentication");
    assert_eq!(ev["userName"], sub.as_str());
    assert_eq!(ev["request"]["userNotFound"], false);
    assert_eq!(ev["request"]["validationData"], json!({"captcha": "ok"}));
    assert_eq!(
        ev["request"]["userAttributes"]["cognito:user_status"],
        "CONFIRMED"
    );
    let answer = h.password_claim(&e, &challenge, PASSWORD);
    h.ok("RespondToAuthChallenge", answer).await;
    assert_eq!(r.events("PreAuthentication_").len(), 1, "once per sign-in");

    // Refused, before the password is looked at (SRP and USER_PASSWORD_AUTH).
    let e = stratus_auth::srp::client::ephemeral().unwrap();
    let (name, message) = h
        .err(
            "InitiateAuth",
            json!({"AuthFlow": "USER_SRP_AUTH", "ClientId": CLIENT_ID,
                   "AuthParameters": {"USERNAME": "locked@example.com",
                                      "SRP_A": e.big_a.to_str_radix(16)}}),
        )
        .await;
    assert_eq!(name, "UserLambdaValidationException");
    assert_eq!(
        message,
        "PreAuthentication failed with error account locked by the help desk."
    );
    let (_, v) = h.password_auth("locked@example.com", "wrong").await;
    assert_eq!(v["__type"], "UserLambdaValidationException");

    // A name that is not a user: the trigger runs with userNotFound, the sign-in fails as usual.
    let (_, v) = h.password_auth("ghost@example.com", PASSWORD).await;
    assert_eq!(v["__type"], "NotAuthorizedException");
    let ev = r.last("PreAuthentication_");
    assert_eq!(ev["userName"], "ghost@example.com");
    assert_eq!(ev["request"]["userNotFound"], true);
    assert_eq!(ev["request"]["userAttributes"], json!({}));
    assert_eq!(ev["request"]["validationData"], Value::Null);
}

#[tokio::test]
async fn post_authentication_runs_before_the_tokens() {
    let (h, r) = harness(Recorder::new().on(PoolTrigger::PostAuthentication, |e| {
        if e["request"]["clientMetadata"]["deny"] == "yes" {
            return Err(thrown("audit log unavailable"));
        }
        Ok(json!({}))
    }))
    .await;
    h.confirmed_user("gail@example.com").await;
    let (e, challenge) = h.initiate_srp("gail@example.com").await;
    let mut answer = h.password_claim(&e, &challenge, PASSWORD);
    answer["ClientMetadata"] = json!({"app": "web"});
    let tokens = h.ok("RespondToAuthChallenge", answer).await;
    assert!(tokens["AuthenticationResult"]["IdToken"].is_string());
    let ev = r.last("PostAuthentication_");
    assert_eq!(ev["triggerSource"], "PostAuthentication_Authentication");
    // Device tracking is on (user opt-in) and this sign-in came from no known device.
    assert_eq!(ev["request"]["newDeviceUsed"], true);
    assert_eq!(ev["request"]["clientMetadata"], json!({"app": "web"}));
    assert_eq!(ev["request"]["userAttributes"]["email"], "gail@example.com");

    let (e, challenge) = h.initiate_srp("gail@example.com").await;
    let mut answer = h.password_claim(&e, &challenge, PASSWORD);
    answer["ClientMetadata"] = json!({"deny": "yes"});
    let (name, message) = h.err("RespondToAuthChallenge", answer).await;
    assert_eq!(name, "UserLambdaValidationException");
    assert_eq!(
        message,
        "PostAuthentication failed with error audit log unavailable."
    );
    // Refreshing is not an authentication: no event.
    let n = r.events("PostAuthentication_").len();
    h.ok(
        "InitiateAuth",
        json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": CLIENT_ID,
               "AuthParameters": {"REFRESH_TOKEN": tokens["AuthenticationResult"]["RefreshToken"]}}),
    )
    .await;
    assert_eq!(r.events("PostAuthentication_").len(), n);
}

/// A legacy directory: "old@legacy.test" with password "Legacy-Pw1", and
/// "reset@legacy.test" migrated without a final status.
fn legacy() -> Recorder {
    Recorder::new().on(PoolTrigger::UserMigration, |e| {
        let user = e["userName"].as_str().unwrap();
        let password = e["request"]["password"].as_str();
        let known = match user {
            "old@legacy.test" => password.is_none_or(|p| p == "Legacy-Pw1"),
            "reset@legacy.test" => true,
            "broken@legacy.test" => return Err(thrown("directory offline")),
            _ => false,
        };
        if !known {
            return Ok(json!({"userAttributes": null}));
        }
        let status = (user == "old@legacy.test").then_some("CONFIRMED");
        Ok(json!({
            "userAttributes": {"email": user, "email_verified": "true", "name": "Legacy User"},
            "finalUserStatus": status,
            "messageAction": "SUPPRESS",
        }))
    })
}

#[tokio::test]
async fn user_migration_at_sign_in() {
    let (h, r) = harness(legacy()).await;
    // A wrong password: the directory does not vouch, nobody is created.
    let (_, v) = h.password_auth("old@legacy.test", "nope").await;
    assert_eq!(v["__type"], "NotAuthorizedException", "{v}");
    let e = r.last("UserMigration_");
    assert_eq!(e["triggerSource"], "UserMigration_Authentication");
    assert_eq!(e["userName"], "old@legacy.test");
    assert_eq!(e["request"]["password"], "nope");

    // The right one: migrated, confirmed, signed in; then an ordinary user (SRP works).
    let (status, v) = h.password_auth("old@legacy.test", "Legacy-Pw1").await;
    assert!(status.is_success(), "{v}");
    let id = claims(&v["AuthenticationResult"]["IdToken"]);
    assert_eq!(id["email"], "old@legacy.test");
    assert_eq!(id["email_verified"], true);
    assert_eq!(id["name"], "Legacy User");
    let n = r.events("UserMigration_").len();
    h.sign_in("old@legacy.test", "Legacy-Pw1").await;
    assert_eq!(r.events("UserMigration_").len(), n, "migrated once");

    // Without CONFIRMED the user must reset the password.
    let (_, v) = h.password_auth("reset@legacy.test", "whatever-1A!").await;
    assert_eq!(v["__type"], "PasswordResetRequiredException", "{v}");
    // A failing trigger.
    let (_, v) = h.password_auth("broken@legacy.test", "x").await;
    assert_eq!(v["__type"], "UserLambdaValidationException");
    assert_eq!(
        v["message"],
        "UserMigration failed with error directory offline."
    );
}

#[tokio::test]
async fn user_migration_in_forgot_password() {
    let (h, r) = harness(legacy()).await;
    let out = h
        .ok(
            "ForgotPassword",
            json!({"ClientId": CLIENT_ID, "Username": "reset@legacy.test",
                   "ClientMetadata": {"lang": "fr"}}),
        )
        .await;
    assert_eq!(out["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL");
    let e = r.last("UserMigration_");
    assert_eq!(e["triggerSource"], "UserMigration_ForgotPassword");
    assert!(e["request"].get("password").is_none(), "{e}");
    assert_eq!(e["request"]["clientMetadata"], json!({"lang": "fr"}));
    let code = h.code_for("reset@legacy.test");
    h.ok(
        "ConfirmForgotPassword",
        json!({"ClientId": CLIENT_ID, "Username": "reset@legacy.test", "ConfirmationCode": code,
               "Password": "Fresh-Passw0rd"}),
    )
    .await;
    h.sign_in("reset@legacy.test", "Fresh-Passw0rd").await;
    // Unknown to the directory too: the simulated delivery, nothing sent.
    h.ok(
        "ForgotPassword",
        json!({"ClientId": CLIENT_ID, "Username": "nobody@legacy.test"}),
    )
    .await;
    assert_eq!(h.messages_to("nobody@legacy.test"), 0);
}
