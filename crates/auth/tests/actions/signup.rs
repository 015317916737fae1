use serde_json::json;

use crate::common::*;

#[tokio::test]
async fn sign_up_delivers_a_code_and_confirms() {
    let h = Harness::new(email_pool()).await;
    let r = h.sign_up("alice@example.com", PASSWORD).await;
    assert_eq!(r["UserConfirmed"], false);
    let sub = r["UserSub"].as_str().unwrap();
    assert!(uuid::Uuid::parse_str(sub).is_ok());
    assert_eq!(
        r["CodeDeliveryDetails"],
        json!({"AttributeName": "email", "DeliveryMedium": "EMAIL", "Destination": "a***@e***"})
    );

    let msg = h.outbox.latest_to("alice@example.com").unwrap();
    let code = msg.code.clone().unwrap();
    assert_eq!(code.len(), 6);
    assert_eq!(msg.subject.as_deref(), Some("Verify your new account"));
    assert_eq!(
        msg.body,
        format!("The verification code to your new account is {code}")
    );
    assert_eq!(msg.trigger_source, "CustomMessage_SignUp");
    assert_eq!(
        msg.username, sub,
        "email pools use the sub as Cognito user name"
    );

    let wrong = if code == "000000" { "111111" } else { "000000" };
    let (name, message) = h
        .err(
            "ConfirmSignUp",
            json!({"ClientId": CLIENT_ID, "Username": "alice@example.com", "ConfirmationCode": wrong}),
        )
        .await;
    assert_eq!(name, "CodeMismatchException");
    assert_eq!(
        message,
        "Invalid verification code provided, please try again."
    );

    // The user name is case-insensitive.
    let ok = h
        .ok(
            "ConfirmSignUp",
            json!({"ClientId": CLIENT_ID, "Username": "Alice@Example.com", "ConfirmationCode": code}),
        )
        .await;
    assert_eq!(ok, json!({}));

    let (name, message) = h
        .err(
            "ConfirmSignUp",
            json!({"ClientId": CLIENT_ID, "Username": "alice@example.com", "ConfirmationCode": code}),
        )
        .await;
    assert_eq!(name, "NotAuthorizedException");
    assert_eq!(
        message,
        "User cannot be confirmed. Current status is CONFIRMED"
    );

    // Confirmation verified the email.
    let tokens = h.sign_in("alice@example.com", PASSWORD).await;
    let user = h
        .ok("GetUser", json!({"AccessToken": access(&tokens)}))
        .await;
    assert_eq!(user["Username"], sub);
    assert_eq!(
        user["UserAttributes"][0],
        json!({"Name": "sub", "Value": sub})
    );
    let attrs = user["UserAttributes"].as_array().unwrap();
    assert!(attrs.contains(&json!({"Name": "email", "Value": "alice@example.com"})));
    assert!(attrs.contains(&json!({"Name": "email_verified", "Value": "true"})));
}

#[tokio::test]
async fn sign_up_errors() {
    let h = Harness::new(email_pool()).await;
    h.sign_up("alice@example.com", PASSWORD).await;

    let (name, message) = h
        .err(
            "SignUp",
            json!({"ClientId": CLIENT_ID, "Username": "ALICE@example.com", "Password": PASSWORD}),
        )
        .await;
    assert_eq!(name, "UsernameExistsException");
    assert_eq!(message, "An account with the given email already exists.");

    let (name, message) = h
        .err(
            "SignUp",
            json!({"ClientId": CLIENT_ID, "Username": "bob@example.com", "Password": "password"}),
        )
        .await;
    assert_eq!(name, "InvalidPasswordException");
    assert_eq!(
        message,
        "Password did not conform with policy: Password must have uppercase characters"
    );

    let (name, message) = h
        .err(
            "SignUp",
            json!({"ClientId": CLIENT_ID, "Username": "bob", "Password": PASSWORD}),
        )
        .await;
    assert_eq!(
        (name.as_str(), message.as_str()),
        ("InvalidParameterException", "Username should be an email.")
    );

    let (name, _) = h
        .err(
            "SignUp",
            json!({"ClientId": "nope", "Username": "bob@example.com", "Password": PASSWORD}),
        )
        .await;
    assert_eq!(name, "ResourceNotFoundException");

    let (name, message) = h
        .err(
            "SignUp",
            json!({"Username": "bob@example.com", "Password": PASSWORD}),
        )
        .await;
    assert_eq!(name, "InvalidParameterException");
    assert!(message.contains("'clientId'"), "{message}");

    let (name, message) = h
        .err(
            "SignUp",
            json!({"ClientId": CLIENT_ID, "Username": "bob@example.com", "Password": PASSWORD,
                   "UserAttributes": [{"Name": "custom:nope", "Value": "x"}]}),
        )
        .await;
    assert_eq!(name, "InvalidParameterException");
    assert!(message.contains("custom:nope"), "{message}");

    let (name, _) = h
        .err(
            "SignUp",
            json!({"ClientId": CLIENT_ID, "Username": "bob@example.com", "Password": PASSWORD,
                   "UserAttributes": [{"Name": "email_verified", "Value": "true"}]}),
        )
        .await;
    assert_eq!(name, "NotAuthorizedException");
    // Nothing was created by the failed attempts.
    assert_eq!(h.messages_to("bob@example.com"), 0);
}

#[tokio::test]
async fn codes_expire_are_replaced_by_resend_and_are_limited() {
    let h = Harness::new(email_pool()).await;
    h.sign_up("carol@example.com", PASSWORD).await;
    let first = h.code_for("carol@example.com");
    h.clock.advance(24 * 3600);
    let (name, _) = h
        .err(
            "ConfirmSignUp",
            json!({"ClientId": CLIENT_ID, "Username": "carol@example.com", "ConfirmationCode": first}),
        )
        .await;
    assert_eq!(name, "ExpiredCodeException");

    let r = h
        .ok(
            "ResendConfirmationCode",
            json!({"ClientId": CLIENT_ID, "Username": "carol@example.com"}),
        )
        .await;
    assert_eq!(r["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL");
    let second = h.code_for("carol@example.com");
    assert_eq!(
        h.outbox
            .latest_to("carol@example.com")
            .unwrap()
            .trigger_source,
        "CustomMessage_ResendCode"
    );

    // Five wrong guesses burn the code, even for the right value afterwards.
    let wrong = if second == "999999" {
        "999998"
    } else {
        "999999"
    };
    for _ in 0..5 {
        let (name, _) = h
            .err(
                "ConfirmSignUp",
                json!({"ClientId": CLIENT_ID, "Username": "carol@example.com", "ConfirmationCode": wrong}),
            )
            .await;
        assert_eq!(name, "CodeMismatchException");
    }
    let (name, _) = h
        .err(
            "ConfirmSignUp",
            json!({"ClientId": CLIENT_ID, "Username": "carol@example.com", "ConfirmationCode": second}),
        )
        .await;
    assert_eq!(name, "LimitExceededException");

    // A new code works (once).
    h.ok(
        "ResendConfirmationCode",
        json!({"ClientId": CLIENT_ID, "Username": "carol@example.com"}),
    )
    .await;
    let third = h.code_for("carol@example.com");
    h.ok(
        "ConfirmSignUp",
        json!({"ClientId": CLIENT_ID, "Username": "carol@example.com", "ConfirmationCode": third}),
    )
    .await;
    let (name, message) = h
        .err(
            "ResendConfirmationCode",
            json!({"ClientId": CLIENT_ID, "Username": "carol@example.com"}),
        )
        .await;
    assert_eq!(
        (name.as_str(), message.as_str()),
        ("InvalidParameterException", "User is already confirmed.")
    );
}

#[tokio::test]
async fn unknown_users_are_not_revealed() {
    let h = Harness::new(email_pool()).await;
    let r = h
        .ok(
            "ResendConfirmationCode",
            json!({"ClientId": CLIENT_ID, "Username": "ghost@example.com"}),
        )
        .await;
    assert_eq!(
        r["CodeDeliveryDetails"],
        json!({"AttributeName": "email", "DeliveryMedium": "EMAIL", "Destination": "g***@e***"})
    );
    assert_eq!(h.messages_to("ghost@example.com"), 0);
    let (name, _) = h
        .err(
            "ConfirmSignUp",
            json!({"ClientId": CLIENT_ID, "Username": "ghost@example.com", "ConfirmationCode": "123456"}),
        )
        .await;
    assert_eq!(name, "CodeMismatchException");
}

#[tokio::test]
async fn link_style_verification() {
    let h = Harness::new(json!({"loginWith": {"email": {
        "verificationEmailStyle": "LINK",
        "verificationEmailSubject": "Welcome",
        "verificationEmailBody": "Click {##here##} to verify"
    }}}))
    .await;
    let sub = h.sign_up("dan@example.com", PASSWORD).await["UserSub"]
        .as_str()
        .unwrap()
        .to_string();
    let msg = h.outbox.latest_to("dan@example.com").unwrap();
    let code = msg.code.unwrap();
    let link = format!(
        "{ORIGIN}/confirmUser?client_id={CLIENT_ID}&user_name={sub}&confirmation_code={code}"
    );
    assert_eq!(msg.body, format!("Click here: {link} to verify"));
    let path = link.strip_prefix(ORIGIN).unwrap();
    let req = axum::http::Request::get(path)
        .body(axum::body::Body::empty())
        .unwrap();
    let (status, _, body) = h.request(req).await;
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    h.sign_in("dan@example.com", PASSWORD).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn parallel_guesses_cannot_exceed_the_code_limit() {
    let h = std::sync::Arc::new(Harness::new(email_pool()).await);
    h.sign_up("eve@example.com", PASSWORD).await;
    let code = h.code_for("eve@example.com");
    let wrong = if code == "424242" { "242424" } else { "424242" };
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..12 {
        let h = h.clone();
        tasks.spawn(async move {
            h.err(
                "ConfirmSignUp",
                json!({"ClientId": CLIENT_ID, "Username": "eve@example.com", "ConfirmationCode": wrong}),
            )
            .await
            .0
        });
    }
    let names = tasks.join_all().await;
    let mismatches = names
        .iter()
        .filter(|n| *n == "CodeMismatchException")
        .count();
    let limited = names
        .iter()
        .filter(|n| *n == "LimitExceededException")
        .count();
    assert_eq!((mismatches, limited), (5, 7), "{names:?}");
}
