//! The user-pool triggers on the SigV4-signed admin actions: PreSignUp_AdminCreateUser (may
//! refuse; its answer is ignored), CustomMessage_AdminCreateUser (the invitation, with the
//! user name and temporary password placeholders) and PostConfirmation on AdminConfirmSignUp.

use std::sync::Arc;

use serde_json::json;
use stratus_auth::triggers::PoolTrigger;

use crate::common::*;
use crate::recorder::{Recorder, thrown};

async fn harness(recorder: Recorder) -> (Harness, Arc<Recorder>) {
    let r = recorder.arc();
    let t = r.clone();
    let h = Harness::with_config(email_pool(), move |c| c.pool_triggers = Some(t)).await;
    (h, r)
}

fn create(email: &str) -> serde_json::Value {
    json!({"UserPoolId": POOL_ID, "Username": email,
           "UserAttributes": [{"Name": "email", "Value": email}],
           "TemporaryPassword": "Temp0rary!pw", "DesiredDeliveryMediums": ["EMAIL"],
           "ValidationData": [{"Name": "ticket", "Value": "T-1"}],
           "ClientMetadata": {"by": "admin"}})
}

#[tokio::test]
async fn admin_create_user_runs_pre_sign_up_and_custom_message() {
    let recorder = Recorder::new()
        .on(PoolTrigger::PreSignUp, |e| {
            if e["request"]["userAttributes"]["email"] == "no@example.com" {
                return Err(thrown("not on the staff list"));
            }
            // Ignored for AdminCreateUser, as AWS documents.
            Ok(json!({"autoConfirmUser": true, "autoVerifyEmail": true}))
        })
        .on(PoolTrigger::CustomMessage, |e| {
            let r = &e["request"];
            let body = format!(
                "Welcome {} - your password is {}",
                r["usernameParameter"].as_str().unwrap(),
                r["codeParameter"].as_str().unwrap()
            );
            Ok(json!({"emailSubject": "Your new account", "emailMessage": body}))
        });
    let (h, r) = harness(recorder).await;
    let out = h
        .admin_ok("AdminCreateUser", create("staff@example.com"))
        .await;
    assert_eq!(out["User"]["UserStatus"], "FORCE_CHANGE_PASSWORD", "{out}");

    let e = r.last("PreSignUp_");
    assert_eq!(e["triggerSource"], "PreSignUp_AdminCreateUser");
    assert_eq!(e["request"]["userAttributes"]["email"], "staff@example.com");
    assert_eq!(e["request"]["validationData"], json!({"ticket": "T-1"}));
    assert_eq!(e["request"]["clientMetadata"], json!({"by": "admin"}));

    let e = r.last("CustomMessage_");
    assert_eq!(e["triggerSource"], "CustomMessage_AdminCreateUser");
    assert_eq!(e["request"]["usernameParameter"], "{username}");
    assert_eq!(e["request"]["codeParameter"], "{####}");
    assert_eq!(e["request"]["clientMetadata"], json!({"by": "admin"}));
    let m = h.outbox.latest_to("staff@example.com").unwrap();
    assert_eq!(m.subject.as_deref(), Some("Your new account"));
    assert_eq!(
        m.body,
        "Welcome staff@example.com - your password is Temp0rary!pw"
    );

    // The trigger's refusal.
    let (status, v) = h.admin("AdminCreateUser", create("no@example.com")).await;
    assert!(status.is_client_error());
    assert_eq!(v["__type"], "UserLambdaValidationException");
    assert_eq!(
        v["message"],
        "PreSignUp failed with error not on the staff list."
    );
    assert_eq!(
        h.admin_err(
            "AdminGetUser",
            json!({"UserPoolId": POOL_ID, "Username": "no@example.com"})
        )
        .await,
        "UserNotFoundException"
    );
}

#[tokio::test]
async fn admin_confirm_sign_up_runs_post_confirmation() {
    let (h, r) =
        harness(Recorder::new().on(PoolTrigger::PostConfirmation, |_| Ok(json!({})))).await;
    h.sign_up("pat@example.com", PASSWORD).await;
    h.admin_ok(
        "AdminConfirmSignUp",
        json!({"UserPoolId": POOL_ID, "Username": "pat@example.com",
               "ClientMetadata": {"reason": "support ticket"}}),
    )
    .await;
    let e = r.last("PostConfirmation_");
    assert_eq!(e["triggerSource"], "PostConfirmation_ConfirmSignUp");
    assert_eq!(
        e["request"]["userAttributes"]["cognito:user_status"],
        "CONFIRMED"
    );
    assert_eq!(
        e["request"]["clientMetadata"],
        json!({"reason": "support ticket"})
    );
}
