//! Device tracking: NewDeviceMetadata, ConfirmDevice, DEVICE_SRP_AUTH /
//! DEVICE_PASSWORD_VERIFIER (the client's maths), remembered devices skipping MFA, the device
//! actions, and the refusal the client retries on.

use num_bigint::BigUint;
use serde_json::{Value, json};
use stratus_auth::srp::{self, client};
use stratus_auth::{Clock as _, DeviceTracking};

use crate::common::*;

/// What the JS client keeps for a device (deviceKey, deviceGroupKey, randomPassword).
pub(crate) struct Device {
    pub key: String,
    pub group: String,
    pub password: String,
}

/// ConfirmDevice as `getNewDeviceMetadata` does it.
pub(crate) async fn confirm(h: &Harness, result: &Value) -> Device {
    let meta = &result["NewDeviceMetadata"];
    let key = meta["DeviceKey"]
        .as_str()
        .expect("NewDeviceMetadata")
        .to_string();
    let group = meta["DeviceGroupKey"].as_str().unwrap().to_string();
    let password = stratus_auth::crypto::b64(&[7u8; 40]);
    let salt = BigUint::from_bytes_be(&[0x5a; 16]);
    let v = srp::verifier_with_salt(&group, &key, &password, &salt);
    let salt_b = srp::pad_bytes(&salt);
    let v_b = srp::pad_bytes(&srp::parse_hex(&v.verifier_hex).unwrap());
    let r = h
        .ok(
            "ConfirmDevice",
            json!({"AccessToken": access(result), "DeviceKey": key, "DeviceName": "test-agent",
                   "DeviceSecretVerifierConfig": {
                       "Salt": stratus_auth::crypto::b64(&salt_b),
                       "PasswordVerifier": stratus_auth::crypto::b64(&v_b)}}),
        )
        .await;
    assert_eq!(r["UserConfirmationNecessary"], true);
    Device {
        key,
        group,
        password,
    }
}

/// SRP sign-in sending the device key with the password claim; returns the response.
async fn srp_with_device(h: &Harness, user: &str, device: &str) -> Value {
    let (e, challenge) = h.initiate_srp(user).await;
    let mut answer = h.password_claim(&e, &challenge, PASSWORD);
    answer["ChallengeResponses"]["DEVICE_KEY"] = json!(device);
    let (_, _, v) = h.call("RespondToAuthChallenge", answer).await;
    v
}

/// Answers DEVICE_SRP_AUTH and DEVICE_PASSWORD_VERIFIER with the device's secret.
pub(crate) async fn device_srp(
    h: &Harness,
    challenge: &Value,
    d: &Device,
    password: &str,
) -> (bool, Value) {
    assert_eq!(challenge["ChallengeName"], "DEVICE_SRP_AUTH", "{challenge}");
    let username = challenge["ChallengeParameters"]["USERNAME"].clone();
    let e = client::ephemeral().unwrap();
    let r = h
        .ok(
            "RespondToAuthChallenge",
            json!({"ChallengeName": "DEVICE_SRP_AUTH", "ClientId": CLIENT_ID,
                   "Session": challenge["Session"],
                   "ChallengeResponses": {"USERNAME": username, "DEVICE_KEY": d.key,
                                          "SRP_A": e.big_a.to_str_radix(16)}}),
        )
        .await;
    assert_eq!(r["ChallengeName"], "DEVICE_PASSWORD_VERIFIER");
    let p = &r["ChallengeParameters"];
    let salt = srp::parse_hex(p["SALT"].as_str().unwrap()).unwrap();
    let big_b = srp::parse_hex(p["SRP_B"].as_str().unwrap()).unwrap();
    let block_b64 = p["SECRET_BLOCK"].as_str().unwrap();
    let key = client::key(&e, &big_b, &salt, &d.group, &d.key, password).unwrap();
    let ts = srp::format_timestamp(h.clock.now()).unwrap();
    let block = stratus_auth::crypto::b64_decode(block_b64).unwrap();
    let sig = srp::claim_signature(&key, &d.group, &d.key, &block, &ts);
    let (status, _, v) = h
        .call(
            "RespondToAuthChallenge",
            json!({"ChallengeName": "DEVICE_PASSWORD_VERIFIER", "ClientId": CLIENT_ID,
                   "Session": r["Session"],
                   "ChallengeResponses": {"USERNAME": username, "DEVICE_KEY": d.key,
                       "PASSWORD_CLAIM_SECRET_BLOCK": block_b64, "TIMESTAMP": ts,
                       "PASSWORD_CLAIM_SIGNATURE": sig}}),
        )
        .await;
    (status.is_success(), v)
}

#[tokio::test]
async fn device_lifecycle_through_device_srp() {
    let h = Harness::new(email_pool()).await;
    h.confirmed_user("dev@example.com").await;
    let first = h.sign_in("dev@example.com", PASSWORD).await;
    let d = confirm(&h, &first).await;
    assert!(d.key.starts_with("us-east-1_"), "{}", d.key);
    // The tokens of the sign-in that created the device are bound to it already.
    assert_eq!(claims(&access(&first))["device_key"], d.key.as_str());

    // Listed with its name and dates (epoch seconds), not remembered yet.
    let list = h
        .ok(
            "ListDevices",
            json!({"AccessToken": access(&first), "Limit": 60}),
        )
        .await;
    let devices = list["Devices"].as_array().unwrap();
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0]["DeviceKey"], d.key.as_str());
    let attrs = devices[0]["DeviceAttributes"].to_string();
    assert!(attrs.contains("test-agent"), "{attrs}");
    assert!(attrs.contains("not_remembered"), "{attrs}");
    assert_eq!(devices[0]["DeviceCreateDate"], json!(h.clock.now()));

    // The next sign-in from this device goes through device SRP and gets no new device.
    let challenge = srp_with_device(&h, "dev@example.com", &d.key).await;
    let (ok, v) = device_srp(&h, &challenge, &d, &d.password).await;
    assert!(ok, "{v}");
    let second = &v["AuthenticationResult"];
    assert!(second["AccessToken"].is_string());
    assert!(second.get("NewDeviceMetadata").is_none(), "{second}");
    assert_eq!(claims(&access(second))["device_key"], d.key.as_str());

    // A wrong device secret is refused.
    let challenge = srp_with_device(&h, "dev@example.com", &d.key).await;
    let (ok, v) = device_srp(&h, &challenge, &d, "not the device password").await;
    assert!(!ok);
    assert_eq!(v["__type"], "NotAuthorizedException");

    // Remember, get, forget.
    h.ok(
        "UpdateDeviceStatus",
        json!({"AccessToken": access(second), "DeviceKey": d.key,
               "DeviceRememberedStatus": "remembered"}),
    )
    .await;
    let got = h
        .ok(
            "GetDevice",
            json!({"AccessToken": access(second), "DeviceKey": d.key}),
        )
        .await;
    assert!(
        got["Device"]["DeviceAttributes"]
            .to_string()
            .contains("\"remembered\"")
    );
    let (name, _) = h
        .err(
            "UpdateDeviceStatus",
            json!({"AccessToken": access(second), "DeviceKey": d.key,
                   "DeviceRememberedStatus": "maybe"}),
        )
        .await;
    assert_eq!(name, "InvalidParameterException");
    h.ok(
        "ForgetDevice",
        json!({"AccessToken": access(second), "DeviceKey": d.key}),
    )
    .await;
    let list = h
        .ok("ListDevices", json!({"AccessToken": access(second)}))
        .await;
    assert_eq!(list["Devices"].as_array().unwrap().len(), 0);

    // A sign-in naming the forgotten device is refused with the message the client retries
    // on; without it, a new device is handed out.
    let (e, challenge) = h.initiate_srp("dev@example.com").await;
    let mut answer = h.password_claim(&e, &challenge, PASSWORD);
    answer["ChallengeResponses"]["DEVICE_KEY"] = json!(d.key);
    let (_, _, v) = h.call("RespondToAuthChallenge", answer.clone()).await;
    assert_eq!(v["__type"], "ResourceNotFoundException");
    assert_eq!(v["message"], "Device does not exist.");
    // ... and the client answers the same session again without the key.
    answer["ChallengeResponses"]
        .as_object_mut()
        .unwrap()
        .remove("DEVICE_KEY");
    let retried = h.ok("RespondToAuthChallenge", answer).await;
    assert!(retried["AuthenticationResult"]["NewDeviceMetadata"].is_object());
    let again = h.sign_in("dev@example.com", PASSWORD).await;
    assert_ne!(again["NewDeviceMetadata"]["DeviceKey"], d.key.as_str());
}

#[tokio::test]
async fn device_actions_are_per_user() {
    let h = Harness::new(email_pool()).await;
    h.confirmed_user("a@example.com").await;
    h.confirmed_user("b@example.com").await;
    let a = h.sign_in("a@example.com", PASSWORD).await;
    let b = h.sign_in("b@example.com", PASSWORD).await;
    let da = confirm(&h, &a).await;
    for (action, extra) in [
        ("GetDevice", json!({})),
        ("ForgetDevice", json!({})),
        (
            "UpdateDeviceStatus",
            json!({"DeviceRememberedStatus": "remembered"}),
        ),
    ] {
        let mut body = json!({"AccessToken": access(&b), "DeviceKey": da.key});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (name, _) = h.err(action, body).await;
        assert_eq!(name, "ResourceNotFoundException", "{action}");
    }
    // A's device cannot be confirmed twice (its verifier cannot be replaced).
    let (name, _) = h
        .err(
            "ConfirmDevice",
            json!({"AccessToken": access(&a), "DeviceKey": da.key,
                   "DeviceSecretVerifierConfig": {"Salt": "AAAA", "PasswordVerifier": "AAEC"}}),
        )
        .await;
    assert_eq!(name, "ResourceNotFoundException");
    assert_eq!(
        h.ok("ListDevices", json!({"AccessToken": access(&b)}))
            .await["Devices"],
        json!([])
    );
}

#[tokio::test]
async fn remembered_device_skips_mfa_and_not_remembered_does_not() {
    let h = Harness::new(json!({"loginWith": {"email": true},
                                 "multifactor": {"mode": "OPTIONAL", "email": true},
                                 "senders": {"email": {"fromEmail": "noreply@example.com"}}}))
    .await;
    let sub = h.confirmed_user("mfa@example.com").await;
    assert!(!sub.is_empty());
    let first = h.sign_in("mfa@example.com", PASSWORD).await;
    h.ok(
        "SetUserMFAPreference",
        json!({"AccessToken": access(&first),
               "EmailMfaSettings": {"Enabled": true, "PreferredMfa": true}}),
    )
    .await;
    let d = confirm(&h, &first).await;

    // Not remembered: device SRP, then the email code.
    let challenge = srp_with_device(&h, "mfa@example.com", &d.key).await;
    let (ok, v) = device_srp(&h, &challenge, &d, &d.password).await;
    assert!(ok, "{v}");
    assert_eq!(v["ChallengeName"], "EMAIL_OTP");

    h.ok(
        "UpdateDeviceStatus",
        json!({"AccessToken": access(&first), "DeviceKey": d.key,
               "DeviceRememberedStatus": "remembered"}),
    )
    .await;
    let challenge = srp_with_device(&h, "mfa@example.com", &d.key).await;
    let (ok, v) = device_srp(&h, &challenge, &d, &d.password).await;
    assert!(ok, "{v}");
    assert!(v["AuthenticationResult"]["AccessToken"].is_string(), "{v}");
}

#[tokio::test]
async fn tracking_off_hands_out_no_devices() {
    let h = Harness::with_config(email_pool(), |c| c.device_tracking = DeviceTracking::Off).await;
    h.confirmed_user("off@example.com").await;
    let r = h.sign_in("off@example.com", PASSWORD).await;
    assert!(r.get("NewDeviceMetadata").is_none(), "{r}");
    // A device key sent anyway is ignored.
    let v = srp_with_device(&h, "off@example.com", "us-east-1_whatever").await;
    assert!(v["AuthenticationResult"]["AccessToken"].is_string(), "{v}");
}

#[tokio::test]
async fn tracking_always_remembers_confirmed_devices() {
    let h =
        Harness::with_config(email_pool(), |c| c.device_tracking = DeviceTracking::Always).await;
    h.confirmed_user("al@example.com").await;
    let r = h.sign_in("al@example.com", PASSWORD).await;
    let meta = &r["NewDeviceMetadata"];
    let key = meta["DeviceKey"].as_str().unwrap();
    let salt = BigUint::from_bytes_be(&[1; 16]);
    let v = srp::verifier_with_salt(meta["DeviceGroupKey"].as_str().unwrap(), key, "pw", &salt);
    let r2 = h
        .ok(
            "ConfirmDevice",
            json!({"AccessToken": access(&r), "DeviceKey": key,
                   "DeviceSecretVerifierConfig": {
                       "Salt": stratus_auth::crypto::b64(&srp::pad_bytes(&salt)),
                       "PasswordVerifier": stratus_auth::crypto::b64(
                           &srp::pad_bytes(&srp::parse_hex(&v.verifier_hex).unwrap()))}}),
        )
        .await;
    assert_eq!(r2["UserConfirmationNecessary"], false);
    let got = h
        .ok(
            "GetDevice",
            json!({"AccessToken": access(&r), "DeviceKey": key}),
        )
        .await;
    assert!(
        got["Device"]["DeviceAttributes"]
            .to_string()
            .contains("\"remembered\"")
    );
}
