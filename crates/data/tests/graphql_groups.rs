//! b-auth-groups through `POST /graphql`: static groups with operation lists, a group-only
//! field, dynamic group fields (single and list).

mod gql;

use gql::{Auth, Harness};
use serde_json::json;

async fn harness() -> Harness {
    Harness::with_auth(
        "b-auth-groups",
        json!({"loginWith": {"email": true}, "groups": ["Admins", "Editors", "Viewers"]}),
    )
    .await
}

#[tokio::test]
async fn static_groups_and_group_only_fields() {
    let h = harness().await;
    let admin = Auth::Token(h.user_in("admin@example.com", &["Admins"]).await);
    let editor = Auth::Token(h.user_in("editor@example.com", &["Editors"]).await);
    let viewer = Auth::Token(h.user_in("viewer@example.com", &["Viewers"]).await);
    let nobody = Auth::Token(h.user("nobody@example.com").await);

    let create = "mutation ($input: CreateArticleInput!) { createArticle(input: $input) { id title owner } }";
    // Only Admins write the group-only field.
    let v = h
        .errors(
            &editor,
            create,
            json!({"input": {"title": "news", "moderationNote": "ok"}}),
        )
        .await;
    assert_eq!(
        v["errors"][0]["message"],
        "Unauthorized on [moderationNote]"
    );
    let a = h
        .ok(&editor, create, json!({"input": {"title": "news"}}))
        .await["createArticle"]
        .clone();
    // The owner rule does not cover create, so AppSync's create resolver leaves it unset.
    assert!(a["owner"].is_null(), "{a}");
    let update = "mutation ($input: UpdateArticleInput!) { updateArticle(input: $input) { id } }";
    h.ok(
        &admin,
        update,
        json!({"input": {"id": a["id"], "moderationNote": "ok"}}),
    )
    .await;
    let v = h
        .errors(&viewer, create, json!({"input": {"title": "x"}}))
        .await;
    assert_eq!(v["errors"][0]["errorType"], "Unauthorized");

    let list = "query { listArticles { items { title moderationNote } } }";
    let as_admin = h.ok(&admin, list, json!({})).await;
    assert_eq!(as_admin["listArticles"]["items"][0]["moderationNote"], "ok");
    let as_viewer = h.errors(&viewer, list, json!({})).await;
    assert_eq!(
        as_viewer["data"]["listArticles"]["items"][0]["title"],
        "news"
    );
    assert!(as_viewer["data"]["listArticles"]["items"][0]["moderationNote"].is_null());
    assert_eq!(
        as_viewer["errors"][0]["message"],
        "Not Authorized to access moderationNote on type Article"
    );
    // Without a group, only the caller's own articles (none) are listed.
    let mine = h
        .ok(
            &nobody,
            "query { listArticles { items { title } } }",
            json!({}),
        )
        .await;
    assert_eq!(mine["listArticles"]["items"], json!([]));

    let settings = "query { listSettings { items { key } } }";
    h.ok(&viewer, settings, json!({})).await;
    let v = h.errors(&nobody, settings, json!({})).await;
    assert_eq!(v["errors"][0]["errorType"], "Unauthorized");
}

#[tokio::test]
async fn dynamic_group_fields() {
    let h = harness().await;
    let editor = Auth::Token(h.user_in("editor@example.com", &["Editors"]).await);
    let viewer = Auth::Token(h.user_in("viewer@example.com", &["Viewers"]).await);
    let nobody = Auth::Token(h.user("nobody@example.com").await);

    let create =
        "mutation ($input: CreateWorkspaceInput!) { createWorkspace(input: $input) { id name } }";
    let w = h
        .ok(
            &editor,
            create,
            json!({"input": {"name": "docs", "teamGroup": "Editors", "memberGroups": ["Viewers"]}}),
        )
        .await["createWorkspace"]["id"]
        .clone();
    let list = "query { listWorkspaces { items { name } } }";
    let seen = h.ok(&viewer, list, json!({})).await;
    assert_eq!(seen["listWorkspaces"]["items"], json!([{"name": "docs"}]));
    // No group claim at all: AppSync's resolver has no filter to build and refuses.
    let v = h.errors(&nobody, list, json!({})).await;
    assert_eq!(v["errors"][0]["errorType"], "Unauthorized");

    let update =
        "mutation ($input: UpdateWorkspaceInput!) { updateWorkspace(input: $input) { name } }";
    let v = h
        .errors(&viewer, update, json!({"input": {"id": w, "name": "mine"}}))
        .await;
    assert_eq!(v["errors"][0]["errorType"], "Unauthorized");
    let ok = h
        .ok(
            &editor,
            update,
            json!({"input": {"id": w, "name": "docs v2"}}),
        )
        .await;
    assert_eq!(ok["updateWorkspace"]["name"], "docs v2");
}
