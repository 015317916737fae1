//! Relationship shapes beyond ex-blog-relations: `hasOne` by reference, composite references,
//! Gen 1 implicit `hasMany` and `hasOne(fields:)`.

mod gql;

use gql::{Auth, Harness};
use serde_json::json;

#[tokio::test]
async fn has_one_and_has_many_by_reference() {
    let h = Harness::new("lib-references-on-hasOne-and-hasMany").await;
    let k = Auth::ApiKey;
    h.ok(
        &k,
        "mutation { createPrimary(input: {id: \"p\"}) { id } }",
        json!({}),
    )
    .await;
    h.ok(
        &k,
        "mutation { createRelatedOne(input: {id: \"o\", primaryId: \"p\"}) { id } }",
        json!({}),
    )
    .await;
    for id in ["m1", "m2"] {
        h.ok(
            &k,
            "mutation ($input: CreateRelatedManyInput!) { createRelatedMany(input: $input) { id } }",
            json!({"input": {"id": id, "primaryId": "p"}}),
        )
        .await;
    }
    let q = "query { getPrimary(id: \"p\") { id relatedOne { id primary { id } } relatedMany { items { id primary { id } } } } }";
    let p = h.ok(&k, q, json!({})).await["getPrimary"].clone();
    assert_eq!(p["relatedOne"]["id"], "o");
    assert_eq!(p["relatedOne"]["primary"]["id"], "p");
    let items = p["relatedMany"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert!(items.iter().all(|i| i["primary"]["id"] == "p"));
    // No related item: null, and an empty connection.
    h.ok(
        &k,
        "mutation { createPrimary(input: {id: \"lonely\"}) { id } }",
        json!({}),
    )
    .await;
    let q =
        "query { getPrimary(id: \"lonely\") { relatedOne { id } relatedMany { items { id } } } }";
    let p = h.ok(&k, q, json!({})).await["getPrimary"].clone();
    assert!(p["relatedOne"].is_null());
    assert_eq!(p["relatedMany"]["items"], json!([]));
}

#[tokio::test]
async fn composite_references() {
    let h = Harness::new("lib-references-with-sort-key").await;
    let k = Auth::ApiKey;
    for (t, i, r) in [("t", "i", "r1"), ("t", "i", "r2")] {
        h.ok(
            &k,
            "mutation ($input: CreatePrimaryInput!) { createPrimary(input: $input) { tenantId } }",
            json!({"input": {"tenantId": t, "instanceId": i, "recordId": r, "content": r}}),
        )
        .await;
    }
    for (n, r) in [("a", "r1"), ("b", "r1"), ("c", "r2")] {
        h.ok(
            &k,
            "mutation ($input: CreateRelatedInput!) { createRelated(input: $input) { id } }",
            json!({"input": {"content": n, "primaryTenantId": "t", "primaryInstanceId": "i", "primaryRecordId": r}}),
        )
        .await;
    }
    let q = "query { getPrimary(tenantId: \"t\", instanceId: \"i\", recordId: \"r1\") { content related { items { content primary { recordId } } } } }";
    let p = h.ok(&k, q, json!({})).await["getPrimary"].clone();
    let mut names: Vec<&str> = p["related"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["content"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["a", "b"], "only the items referencing r1: {p}");
    assert_eq!(p["related"]["items"][0]["primary"]["recordId"], "r1");
}

#[tokio::test]
async fn gen1_implicit_has_many_and_has_one_fields() {
    let h = Harness::new("lib-hasMany-implicit-parameters").await;
    let k = Auth::ApiKey;
    h.ok(
        &k,
        "mutation { createPost(input: {id: \"p\", title: \"T\"}) { id } }",
        json!({}),
    )
    .await;
    for c in ["x", "y"] {
        h.ok(
            &k,
            "mutation ($input: CreateCommentInput!) { createComment(input: $input) { id } }",
            json!({"input": {"content": c, "postCommentsId": "p"}}),
        )
        .await;
    }
    let q = "query { getPost(id: \"p\") { comments(limit: 1) { items { content } nextToken } } }";
    let first = h.ok(&k, q, json!({})).await["getPost"]["comments"].clone();
    assert_eq!(first["items"].as_array().unwrap().len(), 1);
    assert!(first["nextToken"].is_string());

    let h = Harness::new("lib-hasOne-explicit-fields").await;
    h.ok(
        &k,
        "mutation { createTeam(input: {id: \"t\", name: \"Core\"}) { id } }",
        json!({}),
    )
    .await;
    h.ok(
        &k,
        "mutation { createProject(input: {id: \"pr\", teamID: \"t\"}) { id } }",
        json!({}),
    )
    .await;
    let q = "query { getProject(id: \"pr\") { team { name } } }";
    let p = h.ok(&k, q, json!({})).await;
    assert_eq!(p["getProject"]["team"]["name"], "Core");
}
