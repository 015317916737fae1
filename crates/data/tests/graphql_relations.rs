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

/// b-relations' Store (`.identifier(['chain', 'storeNumber'])`, an `Int` sort key): the nested
/// `orders` and `manager` fields match the integer reference by its typed value.
#[tokio::test]
async fn references_with_an_integer_sort_key() {
    let h = Harness::new("b-relations").await;
    let user = Auth::Token(h.user("rel@example.com").await);
    for (chain, n) in [("acme", 7), ("acme", 8)] {
        h.ok(
            &user,
            "mutation ($input: CreateStoreInput!) { createStore(input: $input) { chain } }",
            json!({"input": {"chain": chain, "storeNumber": n}}),
        )
        .await;
    }
    for (total, n) in [(10.0, 7), (20.0, 7), (99.0, 8)] {
        h.ok(
            &user,
            "mutation ($input: CreateOrderInput!) { createOrder(input: $input) { id } }",
            json!({"input": {"total": total, "storeChain": "acme", "storeNumber": n}}),
        )
        .await;
    }
    h.ok(
        &user,
        "mutation ($input: CreateManagerInput!) { createManager(input: $input) { id } }",
        json!({"input": {"name": "Mia", "storeChain": "acme", "storeNumber": 7}}),
    )
    .await;
    let q = "query { getStore(chain: \"acme\", storeNumber: 7) { orders { items { total store { storeNumber } } } manager { name } } }";
    let store = h.ok(&Auth::ApiKey, q, json!({})).await["getStore"].clone();
    let mut totals: Vec<f64> = store["orders"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["total"].as_f64().unwrap())
        .collect();
    totals.sort_by(f64::total_cmp);
    assert_eq!(totals, [10.0, 20.0], "{store}");
    assert_eq!(store["orders"]["items"][0]["store"]["storeNumber"], 7);
    assert_eq!(store["manager"]["name"], "Mia");
}
