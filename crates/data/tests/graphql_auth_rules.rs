//! b-auth-owner through `POST /graphql`: field-level rules, list owner fields shared with
//! other users, identity claims other than the default, AWSJSON values.

mod gql;

use gql::{Auth, Harness, claims};
use serde_json::json;

fn token(auth: &Auth) -> &str {
    match auth {
        Auth::Token(t) => t,
        _ => "",
    }
}

#[tokio::test]
async fn field_level_rules_hide_fields_per_reader() {
    let h = Harness::new("b-auth-owner").await;
    let alice = Auth::Token(h.user("alice@example.com").await);
    let bob = Auth::Token(h.user("bob@example.com").await);
    let create = "mutation ($input: CreatePostInput!) {\n  createPost(input: $input) { id title owner draftNotes likes }\n}\n";
    let post = h
        .ok(
            &alice,
            create,
            json!({"input": {"title": "t", "draftNotes": "secret", "likes": 3}}),
        )
        .await["createPost"]
        .clone();
    assert_eq!(
        post["draftNotes"], "secret",
        "the owner reads her own fields"
    );
    let id = post["id"].as_str().unwrap().to_string();

    let get = "query ($id: ID!) {\n  getPost(id: $id) { id title draftNotes likes }\n}\n";
    // Bob may read the post (private read) and `likes`, not `draftNotes`.
    let v = h.errors(&bob, get, json!({"id": id})).await;
    assert_eq!(v["data"]["getPost"]["title"], "t");
    assert_eq!(v["data"]["getPost"]["likes"], 3);
    assert!(v["data"]["getPost"]["draftNotes"].is_null());
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{v}");
    assert_eq!(errors[0]["errorType"], "Unauthorized");
    assert_eq!(
        errors[0]["message"],
        "Not Authorized to access draftNotes on type Post"
    );
    assert_eq!(errors[0]["path"], json!(["getPost", "draftNotes"]));

    // The API key reads the post but neither protected field.
    let v = h.errors(&Auth::ApiKey, get, json!({"id": id})).await;
    assert_eq!(v["data"]["getPost"]["title"], "t");
    assert_eq!(v["errors"].as_array().unwrap().len(), 2, "{v}");

    // In a list, the path carries the item index.
    let list = "query { listPosts { items { title draftNotes } } }";
    let v = h.errors(&bob, list, json!({})).await;
    assert_eq!(
        v["errors"][0]["path"],
        json!(["listPosts", "items", 0, "draftNotes"])
    );

    // Bob cannot write a field only the owner may write.
    let update = "mutation ($input: UpdatePostInput!) {\n  updatePost(input: $input) { id }\n}\n";
    let v = h
        .errors(&bob, update, json!({"input": {"id": id, "likes": 100}}))
        .await;
    assert_eq!(v["errors"][0]["errorType"], "Unauthorized");
}

#[tokio::test]
async fn list_owner_fields_share_items() {
    let h = Harness::new("b-auth-owner").await;
    let alice = Auth::Token(h.user("alice@example.com").await);
    let bob = Auth::Token(h.user("bob@example.com").await);
    let bob_username = claims(token(&bob))["username"]
        .as_str()
        .unwrap()
        .to_string();
    let alice_sub = claims(token(&alice))["sub"].as_str().unwrap().to_string();

    let create = "mutation ($input: CreateSharedListInput!) {\n  createSharedList(input: $input) { id title editors viewers }\n}\n";
    let created = h
        .ok(&alice, create, json!({"input": {"title": "groceries"}}))
        .await["createSharedList"]
        .clone();
    // `editors` (identityClaim sub) is filled from the caller's claims.
    assert_eq!(created["editors"], json!([alice_sub]));
    let id = created["id"].as_str().unwrap().to_string();

    let list = "query { listSharedLists { items { id title } } }";
    let none = h.ok(&bob, list, json!({})).await;
    assert_eq!(none["listSharedLists"]["items"], json!([]));

    let update = "mutation ($input: UpdateSharedListInput!) {\n  updateSharedList(input: $input) { id viewers }\n}\n";
    h.ok(
        &alice,
        update,
        json!({"input": {"id": id, "viewers": [bob_username]}}),
    )
    .await;
    let shared = h.ok(&bob, list, json!({})).await;
    assert_eq!(shared["listSharedLists"]["items"][0]["title"], "groceries");
    // Viewers read but do not edit.
    let v = h
        .errors(&bob, update, json!({"input": {"id": id, "title": "mine"}}))
        .await;
    assert_eq!(v["errors"][0]["errorType"], "Unauthorized");
}

#[tokio::test]
async fn email_identity_claims_and_json_values() {
    let h = Harness::new("b-auth-owner").await;
    let alice = Auth::Token(h.user("alice@example.com").await);
    let create = "mutation ($input: CreatePreferenceInput!) {\n  createPreference(input: $input) { id key value userEmail }\n}\n";
    // The access token carries no `email` claim, so email-claim owner rules cannot match it;
    // the API key may create.
    let made = h
        .ok(
            &Auth::ApiKey,
            create,
            json!({"input": {"key": "theme", "value": "{\"dark\":true}", "userEmail": "alice@example.com"}}),
        )
        .await["createPreference"]
        .clone();
    assert_eq!(made["value"], "{\"dark\":true}");
    let v = h
        .errors(
            &Auth::ApiKey,
            create,
            json!({"input": {"key": "x", "value": "{not json"}}),
        )
        .await;
    assert!(
        v["data"].is_null(),
        "invalid AWSJSON is a validation error: {v}"
    );
    let list = "query { listPreferences { items { key } } }";
    let v = h.errors(&Auth::ApiKey, list, json!({})).await;
    assert_eq!(v["errors"][0]["errorType"], "Unauthorized");
    // Nor can Alice's access token: it has no `email` claim for the owner rules to match
    // (the authorizer refuses where AppSync would filter on a placeholder and list nothing).
    let v = h.errors(&alice, list, json!({})).await;
    assert_eq!(v["errors"][0]["errorType"], "Unauthorized");
    assert!(v["data"]["listPreferences"].is_null());
}
