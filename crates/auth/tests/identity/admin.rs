//! The admin key and the SigV4-signed admin actions.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use serde_json::json;
use stratus_auth::{Clock as _, PrincipalKind};

use crate::common::*;
use crate::signing::{signed_admin_request, signed_admin_request_to};

#[tokio::test]
async fn the_admin_key_is_made_once_and_kept() {
    let h = Harness::new(email_pool()).await;
    let a = h.service.admin_credentials().await.unwrap();
    let b = h.service.admin_credentials().await.unwrap();
    assert_eq!(a, b);
    assert!(a.access_key_id.starts_with("AKIA") && a.access_key_id.len() == 20);
    assert_eq!(a.secret_access_key.len(), 40);
    assert_eq!(a.region, "us-east-1");
    assert_eq!(a.user_pool_endpoint, format!("{ORIGIN}/cognito-idp"));
    let file = a.to_file_json();
    assert_eq!(file["accessKeyId"], a.access_key_id.as_str());
    assert_eq!(file["secretAccessKey"], a.secret_access_key.as_str());
    assert_eq!(file["userPoolId"], POOL_ID);
    let p = h
        .service
        .resolve_credentials(&a.access_key_id)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(p.kind, PrincipalKind::Admin);
    assert_eq!(p.expires_at, None);

    // Reopening the pool on the same store gives the same key.
    let reopened = stratus_auth::AuthService::open(
        &h.store,
        h.service.spec().clone(),
        h.service.config().clone(),
        stratus_auth::Outbox::new(),
    )
    .await
    .unwrap();
    assert_eq!(reopened.admin_credentials().await.unwrap(), a);
}

#[tokio::test]
async fn admin_actions_need_the_admin_signature() {
    let h = Harness::new(email_pool()).await;
    let body = json!({"UserPoolId": POOL_ID});
    // Unsigned.
    let (name, _) = h.err("ListUsers", body.clone()).await;
    assert_eq!(name, "MissingAuthenticationTokenException");
    let (status, _, _) = h.call("ListUsers", body.clone()).await;
    assert_eq!(status, StatusCode::FORBIDDEN);

    let admin = h.service.admin_credentials().await.unwrap();
    let now = h.clock.now();
    let send = |akid: &str, secret: &str, token: Option<&str>, at: i64| {
        signed_admin_request("ListUsers", &body, akid, secret, token, at)
    };
    // Wrong secret, unknown key, skewed clock.
    let (_, v) = h
        .send_json(send(&admin.access_key_id, "wrong", None, now))
        .await;
    assert_eq!(v["__type"], "InvalidSignatureException");
    let (_, v) = h
        .send_json(send("AKIAUNKNOWNUNKNOWN00", "x", None, now))
        .await;
    assert_eq!(v["__type"], "UnrecognizedClientException");
    let (_, v) = h
        .send_json(send(
            &admin.access_key_id,
            &admin.secret_access_key,
            None,
            now - 16 * 60,
        ))
        .await;
    assert_eq!(v["__type"], "InvalidSignatureException");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .starts_with("Signature expired")
    );
    // A tampered body.
    let mut req = send(&admin.access_key_id, &admin.secret_access_key, None, now);
    *req.body_mut() = Body::from(json!({"UserPoolId": POOL_ID, "Limit": 1}).to_string());
    let (_, v) = h.send_json(req).await;
    assert_eq!(v["__type"], "InvalidSignatureException");

    // Identity-pool credentials are not admin credentials.
    let id = h
        .identity_ok(
            "GetId",
            json!({"IdentityPoolId": "us-east-1:11111111-2222-3333-4444-555555555555", "Logins": {}}),
        )
        .await["IdentityId"]
        .clone();
    let c = h
        .identity_ok("GetCredentialsForIdentity", json!({"IdentityId": id}))
        .await["Credentials"]
        .clone();
    let (_, v) = h
        .send_json(send(
            c["AccessKeyId"].as_str().unwrap(),
            c["SecretKey"].as_str().unwrap(),
            c["SessionToken"].as_str(),
            now,
        ))
        .await;
    assert_eq!(v["__type"], "AccessDeniedException");

    // The admin key works; a user pool action is still unsigned.
    let v = h.admin_ok("ListUsers", body.clone()).await;
    assert_eq!(v["Users"], json!([]));
    let req = Request::post("/cognito-idp")
        .header("x-amz-target", "AWSCognitoIdentityProviderService.SignUp")
        .body(Body::from("{}"))
        .unwrap();
    let (_, v) = h.send_json(req).await;
    assert_eq!(v["__type"], "InvalidParameterException");
    // AWS SDKs post to the endpoint path plus `/`; the path is signed.
    let req = signed_admin_request_to(
        "/cognito-idp/",
        "ListUsers",
        &body,
        &admin.access_key_id,
        &admin.secret_access_key,
        None,
        now,
    );
    let (status, v) = h.send_json(req).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    let mut req = send(&admin.access_key_id, &admin.secret_access_key, None, now);
    *req.uri_mut() = "/cognito-idp/".parse().unwrap();
    let (_, v) = h.send_json(req).await;
    assert_eq!(v["__type"], "InvalidSignatureException");
    let req = Request::post("/cognito-identity/")
        .header("x-amz-target", "AWSCognitoIdentityService.GetId")
        .body(Body::from(
            json!({"IdentityPoolId": "us-east-1:11111111-2222-3333-4444-555555555555", "Logins": {}})
                .to_string(),
        ))
        .unwrap();
    let (status, _) = h.send_json(req).await;
    assert_eq!(status, StatusCode::OK);
    // Another pool id.
    let name = h
        .admin_err("ListUsers", json!({"UserPoolId": "us-east-1_Other"}))
        .await;
    assert_eq!(name, "ResourceNotFoundException");
}

#[tokio::test]
async fn create_get_list_and_sign_in_an_admin_created_user() {
    let props = json!({"loginWith": {"email": true}, "groups": ["ADMINS", "EDITORS"]});
    let h = Harness::new(props).await;
    let created = h
        .admin_ok(
            "AdminCreateUser",
            json!({"UserPoolId": POOL_ID, "Username": "carol@example.com",
                   "TemporaryPassword": "Temp0rary!",
                   "UserAttributes": [{"Name": "email", "Value": "carol@example.com"},
                                      {"Name": "email_verified", "Value": "true"}],
                   "MessageAction": "SUPPRESS"}),
        )
        .await;
    let user = &created["User"];
    assert_eq!(user["UserStatus"], "FORCE_CHANGE_PASSWORD");
    assert_eq!(user["Enabled"], true);
    let sub = user["Username"].as_str().unwrap().to_string();
    assert_eq!(user["Attributes"][0], json!({"Name": "sub", "Value": sub}));
    assert!(user["UserCreateDate"].is_i64());
    assert_eq!(h.messages_to("carol@example.com"), 0);
    let name = h
        .admin_err(
            "AdminCreateUser",
            json!({"UserPoolId": POOL_ID, "Username": "carol@example.com", "MessageAction": "SUPPRESS"}),
        )
        .await;
    assert_eq!(name, "UsernameExistsException");

    // Invitation with a generated password, usable for a sign-in.
    h.admin_ok(
        "AdminCreateUser",
        json!({"UserPoolId": POOL_ID, "Username": "dave@example.com",
               "UserAttributes": [{"Name": "email", "Value": "dave@example.com"}],
               "DesiredDeliveryMediums": ["EMAIL"]}),
    )
    .await;
    let temp = h.code_for("dave@example.com");
    let (status, v) = h.srp("dave@example.com", &temp).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(v["ChallengeName"], "NEW_PASSWORD_REQUIRED");

    let got = h
        .admin_ok(
            "AdminGetUser",
            json!({"UserPoolId": POOL_ID, "Username": "carol@example.com"}),
        )
        .await;
    assert_eq!(got["Username"], sub.as_str());
    assert!(
        got["UserAttributes"]
            .as_array()
            .unwrap()
            .contains(&json!({"Name": "email_verified", "Value": "true"}))
    );

    // Filters and pagination.
    let v = h
        .admin_ok(
            "ListUsers",
            json!({"UserPoolId": POOL_ID, "Filter": "email ^= \"car\""}),
        )
        .await;
    assert_eq!(v["Users"].as_array().unwrap().len(), 1);
    assert_eq!(v["Users"][0]["Username"], sub.as_str());
    let v = h
        .admin_ok(
            "ListUsers",
            json!({"UserPoolId": POOL_ID, "Filter": "cognito:user_status = \"FORCE_CHANGE_PASSWORD\"", "Limit": 1}),
        )
        .await;
    assert_eq!(v["Users"].as_array().unwrap().len(), 1);
    let token = v["PaginationToken"].as_str().unwrap();
    let v2 = h
        .admin_ok(
            "ListUsers",
            json!({"UserPoolId": POOL_ID, "Filter": "cognito:user_status = \"FORCE_CHANGE_PASSWORD\"", "Limit": 1, "PaginationToken": token}),
        )
        .await;
    assert_eq!(v2["Users"].as_array().unwrap().len(), 1);
    assert_ne!(v2["Users"][0]["Username"], v["Users"][0]["Username"]);
    assert!(v2.get("PaginationToken").is_none());
    let name = h
        .admin_err(
            "ListUsers",
            json!({"UserPoolId": POOL_ID, "Filter": "custom:x = \"1\""}),
        )
        .await;
    assert_eq!(name, "InvalidParameterException");

    // A permanent password confirms; sign-in works.
    h.admin_ok(
        "AdminSetUserPassword",
        json!({"UserPoolId": POOL_ID, "Username": "carol@example.com",
               "Password": "N3w-Passw0rd!", "Permanent": true}),
    )
    .await;
    let got = h
        .admin_ok(
            "AdminGetUser",
            json!({"UserPoolId": POOL_ID, "Username": "carol@example.com"}),
        )
        .await;
    assert_eq!(got["UserStatus"], "CONFIRMED");
    h.sign_in("carol@example.com", "N3w-Passw0rd!").await;
}

#[tokio::test]
async fn groups_enablement_sign_out_confirmation_and_deletion() {
    let props = json!({"loginWith": {"email": true}, "groups": ["ADMINS", "EDITORS"]});
    let h = Harness::new(props).await;
    let sub = h.confirmed_user("alice@example.com").await;
    let user = |extra: serde_json::Value| {
        let mut b = json!({"UserPoolId": POOL_ID, "Username": "alice@example.com"});
        if let (Some(b), Some(e)) = (b.as_object_mut(), extra.as_object()) {
            b.extend(e.clone());
        }
        b
    };

    let v = h
        .admin_ok("ListGroups", json!({"UserPoolId": POOL_ID}))
        .await;
    let names: Vec<_> = v["Groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["GroupName"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["ADMINS", "EDITORS"]);
    assert_eq!(v["Groups"][0]["UserPoolId"], POOL_ID);
    assert!(v["Groups"][0]["Precedence"].is_i64());

    h.admin_ok("AdminAddUserToGroup", user(json!({"GroupName": "EDITORS"})))
        .await;
    h.admin_ok("AdminAddUserToGroup", user(json!({"GroupName": "ADMINS"})))
        .await;
    let v = h.admin_ok("AdminListGroupsForUser", user(json!({}))).await;
    assert_eq!(v["Groups"].as_array().unwrap().len(), 2);
    let v = h
        .admin_ok(
            "ListUsersInGroup",
            json!({"UserPoolId": POOL_ID, "GroupName": "EDITORS"}),
        )
        .await;
    assert_eq!(v["Users"][0]["Username"], sub.as_str());
    h.admin_ok(
        "AdminRemoveUserFromGroup",
        user(json!({"GroupName": "EDITORS"})),
    )
    .await;
    let v = h
        .admin_ok(
            "ListUsersInGroup",
            json!({"UserPoolId": POOL_ID, "GroupName": "EDITORS"}),
        )
        .await;
    assert_eq!(v["Users"], json!([]));
    let name = h
        .admin_err("AdminAddUserToGroup", user(json!({"GroupName": "NOPE"})))
        .await;
    assert_eq!(name, "ResourceNotFoundException");

    // Disable / enable.
    let tokens = h.sign_in("alice@example.com", PASSWORD).await;
    h.admin_ok("AdminDisableUser", user(json!({}))).await;
    let (name, _) = h
        .err("GetUser", json!({"AccessToken": tokens["AccessToken"]}))
        .await;
    assert_eq!(name, "NotAuthorizedException");
    let got = h.admin_ok("AdminGetUser", user(json!({}))).await;
    assert_eq!(got["Enabled"], false);
    let v = h
        .admin_ok(
            "ListUsers",
            json!({"UserPoolId": POOL_ID, "Filter": "status = \"Disabled\""}),
        )
        .await;
    assert_eq!(v["Users"].as_array().unwrap().len(), 1);
    h.admin_ok("AdminEnableUser", user(json!({}))).await;

    // Global sign-out revokes the refresh token.
    let tokens = h.sign_in("alice@example.com", PASSWORD).await;
    h.admin_ok("AdminUserGlobalSignOut", user(json!({}))).await;
    let (name, _) = h
        .err(
            "InitiateAuth",
            json!({"AuthFlow": "REFRESH_TOKEN_AUTH", "ClientId": CLIENT_ID,
                   "AuthParameters": {"REFRESH_TOKEN": tokens["RefreshToken"]}}),
        )
        .await;
    assert_eq!(name, "NotAuthorizedException");

    // Confirming a sign-up.
    h.sign_up("erin@example.com", PASSWORD).await;
    let erin = json!({"UserPoolId": POOL_ID, "Username": "erin@example.com"});
    h.admin_ok("AdminConfirmSignUp", erin.clone()).await;
    assert_eq!(
        h.admin_ok("AdminGetUser", erin.clone()).await["UserStatus"],
        "CONFIRMED"
    );
    assert_eq!(
        h.admin_err("AdminConfirmSignUp", erin.clone()).await,
        "NotAuthorizedException"
    );

    // Deletion.
    h.admin_ok("AdminDeleteUser", user(json!({}))).await;
    assert_eq!(
        h.admin_err("AdminGetUser", user(json!({}))).await,
        "UserNotFoundException"
    );
    assert_eq!(
        h.admin_err("AdminDeleteUser", user(json!({}))).await,
        "UserNotFoundException"
    );
}

#[tokio::test]
async fn invitations_use_the_user_invitation_templates() {
    let props = json!({"loginWith": {"email": {"userInvitation": {
        "emailSubject": "Join Acme",
        "emailBody": "Hi {username}, your Acme password is {####}"}}}});
    let h = Harness::new(props).await;
    h.admin_ok(
        "AdminCreateUser",
        json!({"UserPoolId": POOL_ID, "Username": "erin@example.com",
               "UserAttributes": [{"Name": "email", "Value": "erin@example.com"}],
               "DesiredDeliveryMediums": ["EMAIL"]}),
    )
    .await;
    let m = h.outbox.latest_to("erin@example.com").unwrap();
    let temp = m.code.clone().unwrap();
    assert_eq!(m.subject.as_deref(), Some("Join Acme"));
    assert_eq!(m.trigger_source, "CustomMessage_AdminCreateUser");
    assert!(
        m.body.starts_with("Hi ") && m.body.ends_with(&format!("your Acme password is {temp}")),
        "{}",
        m.body
    );
    assert!(!m.body.contains("{username}"), "{}", m.body);
}

#[tokio::test]
async fn resend_gives_a_force_change_password_user_a_new_temporary_password() {
    let h = Harness::new(email_pool()).await;
    let create = |action: Option<&str>, temp: Option<&str>| {
        let mut b = json!({"UserPoolId": POOL_ID, "Username": "fay@example.com",
                           "UserAttributes": [{"Name": "email", "Value": "fay@example.com"}],
                           "DesiredDeliveryMediums": ["EMAIL"]});
        if let Some(a) = action {
            b["MessageAction"] = json!(a);
        }
        if let Some(t) = temp {
            b["TemporaryPassword"] = json!(t);
        }
        b
    };
    // RESEND of a user that does not exist.
    assert_eq!(
        h.admin_err("AdminCreateUser", create(Some("RESEND"), None))
            .await,
        "UserNotFoundException"
    );
    assert_eq!(
        h.admin_err("AdminCreateUser", create(Some("AGAIN"), None))
            .await,
        "InvalidParameterException"
    );
    h.admin_ok("AdminCreateUser", create(None, None)).await;
    assert_eq!(h.messages_to("fay@example.com"), 1);
    let first = h.code_for("fay@example.com");

    // A generated password replaces the first one and is sent again.
    let v = h
        .admin_ok("AdminCreateUser", create(Some("RESEND"), None))
        .await;
    assert_eq!(v["User"]["UserStatus"], "FORCE_CHANGE_PASSWORD");
    assert_eq!(h.messages_to("fay@example.com"), 2);
    let m = h.outbox.latest_to("fay@example.com").unwrap();
    assert_eq!(m.trigger_source, "CustomMessage_AdminCreateUser");
    let second = m.code.clone().unwrap();
    assert_ne!(second, first);
    let (_, v) = h.srp("fay@example.com", &first).await;
    assert_eq!(v["__type"], "NotAuthorizedException", "{v}");
    let (_, v) = h.srp("fay@example.com", &second).await;
    assert_eq!(v["ChallengeName"], "NEW_PASSWORD_REQUIRED", "{v}");

    // A given temporary password is checked against the policy, then used.
    assert_eq!(
        h.admin_err("AdminCreateUser", create(Some("RESEND"), Some("short")))
            .await,
        "InvalidPasswordException"
    );
    h.admin_ok(
        "AdminCreateUser",
        create(Some("RESEND"), Some("Giv3n!temp")),
    )
    .await;
    assert_eq!(h.code_for("fay@example.com"), "Giv3n!temp");
    let (_, v) = h.srp("fay@example.com", "Giv3n!temp").await;
    assert_eq!(v["ChallengeName"], "NEW_PASSWORD_REQUIRED", "{v}");

    // A confirmed user cannot be re-invited.
    h.admin_ok(
        "AdminSetUserPassword",
        json!({"UserPoolId": POOL_ID, "Username": "fay@example.com",
               "Password": "Perm4nent!", "Permanent": true}),
    )
    .await;
    let (status, v) = h
        .admin("AdminCreateUser", create(Some("RESEND"), None))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(v["__type"], "UnsupportedUserStateException");
    assert_eq!(
        v["message"],
        "Resend not possible. fay@example.com status is not FORCE_CHANGE_PASSWORD"
    );
    assert_eq!(h.messages_to("fay@example.com"), 3);
}
