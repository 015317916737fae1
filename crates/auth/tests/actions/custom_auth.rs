//! CUSTOM_AUTH through the trigger seam, with an in-test "magic number" trigger set: success,
//! a wrong then a right answer, failure after three wrong answers, SRP then the custom
//! challenge, unknown users, session expiry and reuse, failing and looping triggers, and the
//! answer without triggers.

use std::sync::{Arc, Mutex};

use serde_json::{Value, json};
use stratus_auth::srp::client;
use stratus_auth::triggers::{
    AuthTriggers, CreateAuthChallengeEvent, CreateAuthChallengeResponse, DefineAuthChallengeEvent,
    DefineAuthChallengeResponse, MAX_CUSTOM_SESSION, NO_TRIGGER_MESSAGE, TriggerError,
    TriggerFuture, VerifyAuthChallengeResponseEvent, VerifyAuthChallengeResponseResponse,
};

use crate::common::*;

/// How the magic-number triggers behave.
#[derive(Debug, Default, Clone, Copy)]
enum Mode {
    /// Three wrong answers fail the sign-in; a right one issues tokens.
    #[default]
    Magic,
    /// DefineAuthChallenge always asks for another challenge.
    Endless,
    /// DefineAuthChallenge throws.
    Broken,
}

/// "What is the magic number?" — 42. Records every event it gets (as Lambda JSON).
#[derive(Debug, Default)]
struct MagicNumber {
    mode: Mode,
    events: Mutex<Vec<Value>>,
}

impl MagicNumber {
    fn record<T: serde::Serialize>(&self, event: &T) {
        self.events
            .lock()
            .unwrap()
            .push(serde_json::to_value(event).unwrap());
    }

    fn events(&self, source: &str) -> Vec<Value> {
        self.events
            .lock()
            .unwrap()
            .iter()
            .filter(|e| e["triggerSource"] == source)
            .cloned()
            .collect()
    }
}

impl AuthTriggers for MagicNumber {
    fn define_auth_challenge(
        &self,
        event: DefineAuthChallengeEvent,
    ) -> TriggerFuture<'_, DefineAuthChallengeResponse> {
        self.record(&event);
        Box::pin(async move {
            let session = &event.request.session;
            let challenge = |name: &str| DefineAuthChallengeResponse {
                challenge_name: Some(name.to_string()),
                ..Default::default()
            };
            match self.mode {
                Mode::Broken => return Err(TriggerError("Error: boom".into())),
                Mode::Endless => return Ok(challenge("CUSTOM_CHALLENGE")),
                Mode::Magic => {}
            }
            let wrong = session
                .iter()
                .filter(|c| c.challenge_name == "CUSTOM_CHALLENGE" && !c.challenge_result)
                .count();
            Ok(match session.last() {
                None => challenge("CUSTOM_CHALLENGE"),
                Some(c) if c.challenge_name == "SRP_A" => challenge("PASSWORD_VERIFIER"),
                Some(c) if c.challenge_name == "PASSWORD_VERIFIER" && c.challenge_result => {
                    challenge("CUSTOM_CHALLENGE")
                }
                Some(c) if c.challenge_name == "CUSTOM_CHALLENGE" && c.challenge_result => {
                    DefineAuthChallengeResponse {
                        issue_tokens: true,
                        ..Default::default()
                    }
                }
                Some(_) if wrong < 3 => challenge("CUSTOM_CHALLENGE"),
                Some(_) => DefineAuthChallengeResponse {
                    fail_authentication: true,
                    ..Default::default()
                },
            })
        })
    }

    fn create_auth_challenge(
        &self,
        event: CreateAuthChallengeEvent,
    ) -> TriggerFuture<'_, CreateAuthChallengeResponse> {
        self.record(&event);
        Box::pin(async move {
            let n = event.request.session.len() + 1;
            Ok(CreateAuthChallengeResponse {
                public_challenge_parameters: [("question".into(), "magic number?".into())].into(),
                private_challenge_parameters: [("answer".into(), "42".into())].into(),
                challenge_metadata: Some(format!("MAGIC-{n}")),
            })
        })
    }

    fn verify_auth_challenge_response(
        &self,
        event: VerifyAuthChallengeResponseEvent,
    ) -> TriggerFuture<'_, VerifyAuthChallengeResponseResponse> {
        self.record(&event);
        Box::pin(async move {
            let r = &event.request;
            Ok(VerifyAuthChallengeResponseResponse {
                answer_correct: r.private_challenge_parameters.get("answer")
                    == Some(&r.challenge_answer),
            })
        })
    }
}

async fn harness(mode: Mode) -> (Harness, Arc<MagicNumber>) {
    let triggers = Arc::new(MagicNumber {
        mode,
        ..Default::default()
    });
    let t = triggers.clone();
    let h = Harness::with_config(email_pool(), move |c| c.triggers = Some(t)).await;
    (h, triggers)
}

fn initiate(username: &str) -> Value {
    json!({"AuthFlow": "CUSTOM_AUTH", "ClientId": CLIENT_ID,
           "AuthParameters": {"USERNAME": username}})
}

fn answer(challenge: &Value, username: &str, answer: &str) -> Value {
    json!({"ChallengeName": "CUSTOM_CHALLENGE", "ClientId": CLIENT_ID,
           "Session": challenge["Session"],
           "ChallengeResponses": {"USERNAME": username, "ANSWER": answer}})
}

#[tokio::test]
async fn the_right_answer_signs_in() {
    let (h, t) = harness(Mode::Magic).await;
    let sub = h.confirmed_user("magic@example.com").await;
    let c = h.ok("InitiateAuth", initiate("magic@example.com")).await;
    assert_eq!(c["ChallengeName"], "CUSTOM_CHALLENGE");
    assert_eq!(
        c["ChallengeParameters"],
        json!({"question": "magic number?", "USERNAME": sub})
    );
    assert!(c["Session"].is_string());
    let r = h.ok("RespondToAuthChallenge", answer(&c, &sub, "42")).await;
    let id = claims(&r["AuthenticationResult"]["IdToken"]);
    assert_eq!(id["email"], "magic@example.com");
    assert_eq!(claims(&access(&r["AuthenticationResult"]))["sub"], sub);

    // What the triggers saw, in Lambda's JSON shape.
    let define = t.events("DefineAuthChallenge_Authentication");
    assert_eq!(define.len(), 2);
    assert_eq!(define[0]["version"], "1");
    assert_eq!(define[0]["userPoolId"], POOL_ID);
    assert_eq!(define[0]["region"], "us-east-1");
    assert_eq!(define[0]["userName"], sub.as_str());
    assert_eq!(define[0]["callerContext"]["clientId"], CLIENT_ID);
    assert_eq!(define[0]["request"]["session"], json!([]));
    assert_eq!(define[0]["request"]["userNotFound"], false);
    assert_eq!(
        define[0]["request"]["userAttributes"]["email"],
        "magic@example.com"
    );
    assert_eq!(define[0]["request"]["userAttributes"]["sub"], sub.as_str());
    assert_eq!(
        define[0]["request"]["userAttributes"]["cognito:user_status"],
        "CONFIRMED"
    );
    assert_eq!(
        define[1]["request"]["session"],
        json!([{"challengeName": "CUSTOM_CHALLENGE", "challengeResult": true,
                "challengeMetadata": "MAGIC-1"}])
    );
    let create = t.events("CreateAuthChallenge_Authentication");
    assert_eq!(create.len(), 1);
    assert_eq!(create[0]["request"]["challengeName"], "CUSTOM_CHALLENGE");
    let verify = t.events("VerifyAuthChallengeResponse_Authentication");
    assert_eq!(verify[0]["request"]["challengeAnswer"], "42");
    assert_eq!(
        verify[0]["request"]["privateChallengeParameters"],
        json!({"answer": "42"})
    );
}

#[tokio::test]
async fn a_wrong_answer_then_the_right_one() {
    let (h, t) = harness(Mode::Magic).await;
    let sub = h.confirmed_user("retry@example.com").await;
    let c1 = h.ok("InitiateAuth", initiate("retry@example.com")).await;
    let c2 = h.ok("RespondToAuthChallenge", answer(&c1, &sub, "7")).await;
    assert_eq!(c2["ChallengeName"], "CUSTOM_CHALLENGE");
    assert_ne!(c2["Session"], c1["Session"], "a new session per step");
    // The first session is spent.
    let (name, message) = h
        .err("RespondToAuthChallenge", answer(&c1, &sub, "42"))
        .await;
    assert_eq!(name, "NotAuthorizedException");
    assert_eq!(message, "Invalid session for the user, session is expired.");
    let r = h
        .ok("RespondToAuthChallenge", answer(&c2, &sub, "42"))
        .await;
    assert!(r["AuthenticationResult"]["AccessToken"].is_string());
    let define = t.events("DefineAuthChallenge_Authentication");
    assert_eq!(
        define.last().unwrap()["request"]["session"],
        json!([
            {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": false, "challengeMetadata": "MAGIC-1"},
            {"challengeName": "CUSTOM_CHALLENGE", "challengeResult": true, "challengeMetadata": "MAGIC-2"},
        ])
    );
    // A missing ANSWER is a parameter error.
    let c = h.ok("InitiateAuth", initiate("retry@example.com")).await;
    let mut body = answer(&c, &sub, "");
    body["ChallengeResponses"] = json!({"USERNAME": sub});
    let (name, _) = h.err("RespondToAuthChallenge", body).await;
    assert_eq!(name, "InvalidParameterException");
}

#[tokio::test]
async fn three_wrong_answers_fail_the_sign_in() {
    let (h, _) = harness(Mode::Magic).await;
    let sub = h.confirmed_user("wrong@example.com").await;
    let mut c = h.ok("InitiateAuth", initiate("wrong@example.com")).await;
    for _ in 0..2 {
        c = h.ok("RespondToAuthChallenge", answer(&c, &sub, "0")).await;
        assert_eq!(c["ChallengeName"], "CUSTOM_CHALLENGE");
    }
    let (name, message) = h.err("RespondToAuthChallenge", answer(&c, &sub, "0")).await;
    assert_eq!(name, "NotAuthorizedException");
    assert_eq!(message, "Incorrect username or password.");
    // The failed session is gone.
    let (name, _) = h
        .err("RespondToAuthChallenge", answer(&c, &sub, "42"))
        .await;
    assert_eq!(name, "NotAuthorizedException");
}

#[tokio::test]
async fn srp_then_the_custom_challenge() {
    let (h, t) = harness(Mode::Magic).await;
    let sub = h.confirmed_user("srp@example.com").await;
    let start = |e: &client::ClientEphemeral| {
        json!({"AuthFlow": "CUSTOM_AUTH", "ClientId": CLIENT_ID,
               "AuthParameters": {"USERNAME": "srp@example.com", "CHALLENGE_NAME": "SRP_A",
                                  "SRP_A": e.big_a.to_str_radix(16)}})
    };
    let e = client::ephemeral().unwrap();
    let v = h.ok("InitiateAuth", start(&e)).await;
    assert_eq!(v["ChallengeName"], "PASSWORD_VERIFIER");
    assert_eq!(v["ChallengeParameters"]["USER_ID_FOR_SRP"], sub.as_str());
    let c = h
        .ok("RespondToAuthChallenge", h.password_claim(&e, &v, PASSWORD))
        .await;
    assert_eq!(c["ChallengeName"], "CUSTOM_CHALLENGE", "{c}");
    let define = t.events("DefineAuthChallenge_Authentication");
    assert_eq!(
        define[0]["request"]["session"],
        json!([{"challengeName": "SRP_A", "challengeResult": true, "challengeMetadata": null}])
    );
    assert_eq!(
        define[1]["request"]["session"],
        json!([{"challengeName": "SRP_A", "challengeResult": true, "challengeMetadata": null},
               {"challengeName": "PASSWORD_VERIFIER", "challengeResult": true,
                "challengeMetadata": null}])
    );
    let r = h.ok("RespondToAuthChallenge", answer(&c, &sub, "42")).await;
    assert!(r["AuthenticationResult"]["IdToken"].is_string());

    // A wrong password ends the sign-in before any custom challenge.
    let calls = t.events("DefineAuthChallenge_Authentication").len();
    let e = client::ephemeral().unwrap();
    let v = h.ok("InitiateAuth", start(&e)).await;
    let (name, message) = h
        .err(
            "RespondToAuthChallenge",
            h.password_claim(&e, &v, "Wr0ng!pass"),
        )
        .await;
    assert_eq!(name, "NotAuthorizedException");
    assert_eq!(message, "Incorrect username or password.");
    assert_eq!(
        t.events("DefineAuthChallenge_Authentication").len(),
        calls + 1,
        "only the SRP_A decision"
    );
    // SRP_A is required with CHALLENGE_NAME SRP_A.
    let (name, _) = h
        .err(
            "InitiateAuth",
            json!({"AuthFlow": "CUSTOM_AUTH", "ClientId": CLIENT_ID,
                   "AuthParameters": {"USERNAME": "srp@example.com", "CHALLENGE_NAME": "SRP_A"}}),
        )
        .await;
    assert_eq!(name, "InvalidParameterException");
}

#[tokio::test]
async fn unknown_users_get_challenges_but_never_tokens() {
    let (h, t) = harness(Mode::Magic).await;
    let c = h.ok("InitiateAuth", initiate("ghost@example.com")).await;
    assert_eq!(c["ChallengeName"], "CUSTOM_CHALLENGE");
    let user = c["ChallengeParameters"]["USERNAME"].as_str().unwrap();
    assert_eq!(user.len(), 36, "a stand-in user name like a real one");
    let define = t.events("DefineAuthChallenge_Authentication");
    assert_eq!(define[0]["request"]["userNotFound"], true);
    assert_eq!(define[0]["request"]["userAttributes"], json!({}));
    let (name, message) = h
        .err("RespondToAuthChallenge", answer(&c, user, "42"))
        .await;
    assert_eq!(name, "NotAuthorizedException");
    assert_eq!(message, "Incorrect username or password.");
}

#[tokio::test]
async fn sessions_expire_after_three_minutes() {
    let (h, _) = harness(Mode::Magic).await;
    let sub = h.confirmed_user("slow@example.com").await;
    let c = h.ok("InitiateAuth", initiate("slow@example.com")).await;
    h.clock.advance(3 * 60 + 1);
    let (name, message) = h
        .err("RespondToAuthChallenge", answer(&c, &sub, "42"))
        .await;
    assert_eq!(name, "NotAuthorizedException");
    assert_eq!(message, "Invalid session for the user, session is expired.");
    // Within the 3 minutes it works.
    let c = h.ok("InitiateAuth", initiate("slow@example.com")).await;
    h.clock.advance(3 * 60 - 5);
    let r = h.ok("RespondToAuthChallenge", answer(&c, &sub, "42")).await;
    assert!(r["AuthenticationResult"].is_object());
}

#[tokio::test]
async fn disabled_and_unconfirmed_users_are_refused_at_the_end() {
    let (h, _) = harness(Mode::Magic).await;
    let sub = h.confirmed_user("off@example.com").await;
    h.service
        .admin_set_user_enabled("off@example.com", false)
        .await
        .unwrap();
    let c = h.ok("InitiateAuth", initiate("off@example.com")).await;
    let (name, message) = h
        .err("RespondToAuthChallenge", answer(&c, &sub, "42"))
        .await;
    assert_eq!(name, "NotAuthorizedException");
    assert_eq!(message, "User is disabled.");
    let r = h.sign_up("new@example.com", PASSWORD).await;
    let new_sub = r["UserSub"].as_str().unwrap().to_string();
    let c = h.ok("InitiateAuth", initiate("new@example.com")).await;
    let (name, _) = h
        .err("RespondToAuthChallenge", answer(&c, &new_sub, "42"))
        .await;
    assert_eq!(name, "UserNotConfirmedException");
}

#[tokio::test]
async fn a_looping_trigger_is_cut_off_and_a_failing_one_reported() {
    let (h, _) = harness(Mode::Endless).await;
    let sub = h.confirmed_user("loop@example.com").await;
    let mut c = h.ok("InitiateAuth", initiate("loop@example.com")).await;
    for _ in 1..MAX_CUSTOM_SESSION {
        c = h.ok("RespondToAuthChallenge", answer(&c, &sub, "42")).await;
        assert_eq!(c["ChallengeName"], "CUSTOM_CHALLENGE");
    }
    let (name, _) = h
        .err("RespondToAuthChallenge", answer(&c, &sub, "42"))
        .await;
    assert_eq!(name, "NotAuthorizedException");

    let (h, _) = harness(Mode::Broken).await;
    h.confirmed_user("boom@example.com").await;
    let (name, message) = h.err("InitiateAuth", initiate("boom@example.com")).await;
    assert_eq!(name, "UserLambdaValidationException");
    assert_eq!(
        message,
        "DefineAuthChallenge failed with error Error: boom."
    );
}

#[tokio::test]
async fn without_triggers_custom_auth_is_not_configured() {
    let h = Harness::new(email_pool()).await;
    h.confirmed_user("plain@example.com").await;
    let (status, headers, v) = h.call("InitiateAuth", initiate("plain@example.com")).await;
    assert_eq!(status.as_u16(), 400);
    assert_eq!(v["__type"], "InvalidParameterException");
    assert_eq!(v["message"], NO_TRIGGER_MESSAGE);
    assert_eq!(
        NO_TRIGGER_MESSAGE,
        "Custom auth lambda trigger is not configured for the user pool."
    );
    assert_eq!(
        headers.get("x-amzn-errortype").unwrap(),
        "InvalidParameterException:"
    );
    // With SRP too, and a session of another flow is no custom challenge.
    let e = client::ephemeral().unwrap();
    let (name, _) = h
        .err(
            "InitiateAuth",
            json!({"AuthFlow": "CUSTOM_AUTH", "ClientId": CLIENT_ID,
                   "AuthParameters": {"USERNAME": "plain@example.com", "CHALLENGE_NAME": "SRP_A",
                                      "SRP_A": e.big_a.to_str_radix(16)}}),
        )
        .await;
    assert_eq!(name, "InvalidParameterException");
    let (_, v) = h.initiate_srp("plain@example.com").await;
    let (name, _) = h
        .err(
            "RespondToAuthChallenge",
            answer(&v, "plain@example.com", "42"),
        )
        .await;
    assert_eq!(name, "InvalidParameterException", "wrong challenge name");
}

#[tokio::test]
async fn devices_with_the_custom_flow() {
    let (h, _) = harness(Mode::Magic).await;
    let sub = h.confirmed_user("dev@example.com").await;
    // Tracking is on (the sandbox default): a sign-in without a device gets a new one.
    let c = h.ok("InitiateAuth", initiate("dev@example.com")).await;
    let r = h.ok("RespondToAuthChallenge", answer(&c, &sub, "42")).await;
    let device = crate::devices::confirm(&h, &r["AuthenticationResult"]).await;
    // The confirmed device named in the answer: the device proves its secret before tokens.
    let c = h.ok("InitiateAuth", initiate("dev@example.com")).await;
    let mut body = answer(&c, &sub, "42");
    body["ChallengeResponses"]["DEVICE_KEY"] = json!(device.key);
    let challenge = h.ok("RespondToAuthChallenge", body).await;
    let (ok, r) = crate::devices::device_srp(&h, &challenge, &device, &device.password).await;
    assert!(ok, "{r}");
    assert_eq!(
        claims(&access(&r["AuthenticationResult"]))["device_key"],
        device.key.as_str()
    );
    // A key the pool does not know is ignored, not an error.
    let c = h.ok("InitiateAuth", initiate("dev@example.com")).await;
    let mut body = answer(&c, &sub, "42");
    body["ChallengeResponses"]["DEVICE_KEY"] = json!("us-east-1_unknown");
    let r = h.ok("RespondToAuthChallenge", body).await;
    assert!(r["AuthenticationResult"]["AccessToken"].is_string(), "{r}");
}
