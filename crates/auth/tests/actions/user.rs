use serde_json::{Value, json};

use crate::common::*;

fn attr<'a>(user: &'a Value, name: &str) -> Option<&'a str> {
    user["UserAttributes"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["Name"] == name)
        .and_then(|a| a["Value"].as_str())
}

fn pool() -> Value {
    json!({"loginWith": {"email": true}, "userAttributes": {
        "custom:tier": {"dataType": "String", "mutable": true, "maxLen": 8},
        "custom:since": {"dataType": "DateTime", "mutable": false}
    }})
}

#[tokio::test]
async fn update_plain_attributes_and_delete_them() {
    let h = Harness::new(pool()).await;
    h.confirmed_user("alice@example.com").await;
    let t = h.sign_in("alice@example.com", PASSWORD).await;
    let r = h
        .ok(
            "UpdateUserAttributes",
            json!({"AccessToken": access(&t), "UserAttributes": [
                {"Name": "name", "Value": "Alice"}, {"Name": "custom:tier", "Value": "gold"}]}),
        )
        .await;
    assert_eq!(r, json!({"CodeDeliveryDetailsList": []}));
    let u = h.ok("GetUser", json!({"AccessToken": access(&t)})).await;
    assert_eq!(attr(&u, "name"), Some("Alice"));
    assert_eq!(attr(&u, "custom:tier"), Some("gold"));

    let (name, _) = h
        .err(
            "UpdateUserAttributes",
            json!({"AccessToken": access(&t), "UserAttributes": [{"Name": "custom:since", "Value": "x"}]}),
        )
        .await;
    assert_eq!(name, "InvalidParameterException");
    let (name, _) = h
        .err(
            "UpdateUserAttributes",
            json!({"AccessToken": access(&t), "UserAttributes": [{"Name": "email_verified", "Value": "true"}]}),
        )
        .await;
    assert_eq!(name, "NotAuthorizedException");

    h.ok(
        "DeleteUserAttributes",
        json!({"AccessToken": access(&t), "UserAttributeNames": ["name"]}),
    )
    .await;
    let u = h.ok("GetUser", json!({"AccessToken": access(&t)})).await;
    assert_eq!(attr(&u, "name"), None);
    assert_eq!(attr(&u, "custom:tier"), Some("gold"));
    let (name, _) = h
        .err(
            "DeleteUserAttributes",
            json!({"AccessToken": access(&t), "UserAttributeNames": ["email"]}),
        )
        .await;
    assert_eq!(name, "InvalidParameterException");
    // New tokens carry the attributes.
    let t = h.sign_in("alice@example.com", PASSWORD).await;
    assert_eq!(claims(&t["IdToken"])["custom:tier"], "gold");
}

#[tokio::test]
async fn email_change_stays_pending_until_verified() {
    let h = Harness::new(pool()).await;
    h.confirmed_user("alice@example.com").await;
    h.confirmed_user("bob@example.com").await;
    let t = h.sign_in("alice@example.com", PASSWORD).await;

    let (name, _) = h
        .err(
            "UpdateUserAttributes",
            json!({"AccessToken": access(&t), "UserAttributes": [{"Name": "email", "Value": "bob@example.com"}]}),
        )
        .await;
    assert_eq!(name, "AliasExistsException");

    let r = h
        .ok(
            "UpdateUserAttributes",
            json!({"AccessToken": access(&t), "UserAttributes": [{"Name": "email", "Value": "alice2@example.com"}]}),
        )
        .await;
    assert_eq!(
        r["CodeDeliveryDetailsList"],
        json!([{"AttributeName": "email", "DeliveryMedium": "EMAIL", "Destination": "a***@e***"}])
    );
    let msg = h.outbox.latest_to("alice2@example.com").unwrap();
    assert_eq!(msg.trigger_source, "CustomMessage_UpdateUserAttribute");
    // keepOriginal: the old address stays (verified) until the new one is confirmed.
    let u = h.ok("GetUser", json!({"AccessToken": access(&t)})).await;
    assert_eq!(attr(&u, "email"), Some("alice@example.com"));
    assert_eq!(attr(&u, "email_verified"), Some("true"));

    let code = msg.code.unwrap();
    let wrong = if code == "123456" { "654321" } else { "123456" };
    let (name, _) = h
        .err(
            "VerifyUserAttribute",
            json!({"AccessToken": access(&t), "AttributeName": "email", "Code": wrong}),
        )
        .await;
    assert_eq!(name, "CodeMismatchException");
    let r = h
        .ok(
            "VerifyUserAttribute",
            json!({"AccessToken": access(&t), "AttributeName": "email", "Code": code}),
        )
        .await;
    assert_eq!(r, json!({}));
    let u = h.ok("GetUser", json!({"AccessToken": access(&t)})).await;
    assert_eq!(attr(&u, "email"), Some("alice2@example.com"));
    assert_eq!(attr(&u, "email_verified"), Some("true"));
    // Sign-in follows the address.
    h.sign_in("alice2@example.com", PASSWORD).await;
    let (_, v) = h.srp("alice@example.com", PASSWORD).await;
    assert_eq!(v["__type"], "NotAuthorizedException");
}

#[tokio::test]
async fn phone_verification_codes_on_request() {
    let h = Harness::new(pool()).await;
    h.confirmed_user("alice@example.com").await;
    let t = h.sign_in("alice@example.com", PASSWORD).await;
    // phone_number is not auto-verified in an email pool: no code on update.
    let r = h
        .ok(
            "UpdateUserAttributes",
            json!({"AccessToken": access(&t), "UserAttributes": [{"Name": "phone_number", "Value": "+15555550123"}]}),
        )
        .await;
    assert_eq!(r["CodeDeliveryDetailsList"], json!([]));
    let r = h
        .ok(
            "GetUserAttributeVerificationCode",
            json!({"AccessToken": access(&t), "AttributeName": "phone_number"}),
        )
        .await;
    assert_eq!(
        r["CodeDeliveryDetails"],
        json!({"AttributeName": "phone_number", "DeliveryMedium": "SMS", "Destination": "+*******0123"})
    );
    let msg = h.outbox.latest_to("+15555550123").unwrap();
    assert_eq!(msg.channel, stratus_auth::sender::Channel::Sms);
    assert_eq!(msg.trigger_source, "CustomMessage_VerifyUserAttribute");
    h.ok(
        "VerifyUserAttribute",
        json!({"AccessToken": access(&t), "AttributeName": "phone_number", "Code": msg.code.unwrap()}),
    )
    .await;
    let u = h.ok("GetUser", json!({"AccessToken": access(&t)})).await;
    assert_eq!(attr(&u, "phone_number_verified"), Some("true"));
    let (name, _) = h
        .err(
            "GetUserAttributeVerificationCode",
            json!({"AccessToken": access(&t), "AttributeName": "name"}),
        )
        .await;
    assert_eq!(name, "InvalidParameterException");
}
