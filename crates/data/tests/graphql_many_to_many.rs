//! `@manyToMany` through its generated join model: both sides' connection fields, the join
//! model's side fields and its index query fields.

mod gql;

use gql::{Auth, Harness};
use serde_json::json;

#[tokio::test]
async fn many_to_many_both_ways() {
    let h = Harness::new("lib-manyToMany").await;
    let k = Auth::ApiKey;
    h.ok(
        &k,
        "mutation { createPost5V2(input: {id: \"p1\", title: \"One\"}) { id } }",
        json!({}),
    )
    .await;
    h.ok(
        &k,
        "mutation { createPost5V2(input: {id: \"p2\", title: \"Two\"}) { id } }",
        json!({}),
    )
    .await;
    for (id, name) in [("u1", "ann"), ("u2", "ben")] {
        h.ok(
            &k,
            "mutation ($input: CreateUser5V2Input!) { createUser5V2(input: $input) { id } }",
            json!({"input": {"id": id, "username": name}}),
        )
        .await;
    }
    let link = "mutation ($input: CreatePostEditor5V2Input!) { createPostEditor5V2(input: $input) { id post5V2Id user5V2Id } }";
    for (p, u) in [("p1", "u1"), ("p1", "u2"), ("p2", "u1")] {
        h.ok(&k, link, json!({"input": {"post5V2Id": p, "user5V2Id": u}}))
            .await;
    }

    let q = "query { getPost5V2(id: \"p1\") { title editors { items { user5V2 { username } post5V2 { title } } nextToken } } }";
    let post = h.ok(&k, q, json!({})).await["getPost5V2"].clone();
    let mut names: Vec<&str> = post["editors"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["user5V2"]["username"].as_str().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["ann", "ben"]);
    assert_eq!(post["editors"]["items"][0]["post5V2"]["title"], "One");

    let q = "query { getUser5V2(id: \"u1\") { posts(limit: 10) { items { post5V2 { title } } } } }";
    let user = h.ok(&k, q, json!({})).await["getUser5V2"].clone();
    let mut titles: Vec<&str> = user["posts"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["post5V2"]["title"].as_str().unwrap())
        .collect();
    titles.sort();
    assert_eq!(titles, ["One", "Two"]);

    let q = "query ($u: ID!) { postEditor5V2sByUser5V2Id(user5V2Id: $u) { items { post5V2Id } } }";
    let by_user = h.ok(&k, q, json!({"u": "u2"})).await;
    assert_eq!(
        by_user["postEditor5V2sByUser5V2Id"]["items"],
        json!([{"post5V2Id": "p1"}])
    );
}
