//! ex-blog-relations through `POST /graphql`: a custom primary key, index queries with sort
//! key conditions and direction, `hasMany`/`belongsTo` in both directions, enums.

mod gql;

use gql::{Auth, Harness};
use serde_json::{Value, json};

const POST_SEL: &str = "title status publishedAt rating blogId id createdAt updatedAt";

async fn seed(h: &Harness) {
    let create_blog = "mutation ($input: CreateBlogInput!) {\n  createBlog(input: $input) {\n    blogId\n    name\n    createdAt\n    updatedAt\n  }\n}\n";
    for (id, name) in [("b1", "Rust"), ("b2", "Go")] {
        let b = h
            .ok(
                &Auth::ApiKey,
                create_blog,
                json!({"input": {"blogId": id, "name": name}}),
            )
            .await;
        assert_eq!(b["createBlog"]["blogId"], id);
    }
    let create_post = format!(
        "mutation ($input: CreatePostInput!) {{\n  createPost(input: $input) {{ {POST_SEL} }}\n}}\n"
    );
    let posts = [
        ("p1", "b1", "2024-01-05T10:00:00.000Z", "PUBLISHED", 4.5),
        ("p2", "b1", "2024-02-10T10:00:00.000Z", "DRAFT", 3.0),
        ("p3", "b1", "2024-03-15T10:00:00.000Z", "PUBLISHED", 5.0),
        ("p4", "b2", "2024-01-20T10:00:00.000Z", "PUBLISHED", 2.0),
    ];
    for (id, blog, at, status, rating) in posts {
        let p = h
            .ok(
                &Auth::ApiKey,
                &create_post,
                json!({"input": {"id": id, "title": format!("post {id}"), "blogId": blog,
                                 "publishedAt": at, "status": status, "rating": rating}}),
            )
            .await;
        assert_eq!(p["createPost"]["status"], status);
    }
    let create_comment = "mutation ($input: CreateCommentInput!) {\n  createComment(input: $input) { id content postId }\n}\n";
    for (i, post) in ["p1", "p1", "p3"].iter().enumerate() {
        h.ok(
            &Auth::ApiKey,
            create_comment,
            json!({"input": {"content": format!("c{i}"), "postId": post}}),
        )
        .await;
    }
}

fn ids(conn: &Value) -> Vec<String> {
    conn["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["id"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn index_queries_with_sort_conditions_and_direction() {
    let h = Harness::new("ex-blog-relations").await;
    seed(&h).await;
    let q = format!(
        "query ($blogId: ID!, $publishedAt: ModelStringKeyConditionInput, $filter: ModelPostFilterInput, $sortDirection: ModelSortDirection, $limit: Int, $nextToken: String) {{\n  listPostsByBlogAndDate(blogId: $blogId, publishedAt: $publishedAt, filter: $filter, sortDirection: $sortDirection, limit: $limit, nextToken: $nextToken) {{\n    items {{ {POST_SEL} }}\n    nextToken\n    __typename\n  }}\n}}\n"
    );
    let all = h.ok(&Auth::ApiKey, &q, json!({"blogId": "b1"})).await;
    assert_eq!(ids(&all["listPostsByBlogAndDate"]), ["p1", "p2", "p3"]);
    let desc = h
        .ok(
            &Auth::ApiKey,
            &q,
            json!({"blogId": "b1", "sortDirection": "DESC"}),
        )
        .await;
    assert_eq!(ids(&desc["listPostsByBlogAndDate"]), ["p3", "p2", "p1"]);
    let begins = h
        .ok(
            &Auth::ApiKey,
            &q,
            json!({"blogId": "b1", "publishedAt": {"beginsWith": "2024-02"}}),
        )
        .await;
    assert_eq!(ids(&begins["listPostsByBlogAndDate"]), ["p2"]);
    let between = h
        .ok(
            &Auth::ApiKey,
            &q,
            json!({"blogId": "b1", "publishedAt": {"between": ["2024-02-01T00:00:00.000Z", "2024-12-31T00:00:00.000Z"]}}),
        )
        .await;
    assert_eq!(ids(&between["listPostsByBlogAndDate"]), ["p2", "p3"]);
    let gt = h
        .ok(
            &Auth::ApiKey,
            &q,
            json!({"blogId": "b1", "publishedAt": {"gt": "2024-02-10T10:00:00.000Z"}, "filter": {"status": {"eq": "PUBLISHED"}}}),
        )
        .await;
    assert_eq!(ids(&gt["listPostsByBlogAndDate"]), ["p3"]);

    // Paging through an index query.
    let mut token = Value::Null;
    let mut seen = Vec::new();
    loop {
        let page = h
            .ok(
                &Auth::ApiKey,
                &q,
                json!({"blogId": "b1", "limit": 2, "nextToken": token}),
            )
            .await["listPostsByBlogAndDate"]
            .clone();
        seen.extend(ids(&page));
        token = page["nextToken"].clone();
        if token.is_null() {
            break;
        }
    }
    assert_eq!(seen, ["p1", "p2", "p3"]);

    let by_status = "query ($status: PostStatus!) {\n  listPostByStatus(status: $status) { items { id } nextToken }\n}\n";
    let mut published = ids(&h
        .ok(&Auth::ApiKey, by_status, json!({"status": "PUBLISHED"}))
        .await["listPostByStatus"]);
    published.sort();
    assert_eq!(published, ["p1", "p3", "p4"]);
    // Enum values are validated.
    let v = h
        .errors(&Auth::ApiKey, by_status, json!({"status": "NOPE"}))
        .await;
    assert!(v["data"].is_null(), "{v}");
}

#[tokio::test]
async fn relationships_both_ways() {
    let h = Harness::new("ex-blog-relations").await;
    seed(&h).await;
    let q = "query ($blogId: ID!) {\n  getBlog(blogId: $blogId) {\n    blogId\n    name\n    posts(sortDirection: DESC, limit: 10) {\n      items {\n        id\n        title\n        blog { name }\n        comments { items { content post { id } } }\n      }\n      nextToken\n    }\n  }\n}\n";
    let blog = h.ok(&Auth::ApiKey, q, json!({"blogId": "b1"})).await["getBlog"].clone();
    assert_eq!(blog["name"], "Rust");
    let posts = blog["posts"]["items"].as_array().unwrap();
    let post_ids: Vec<&str> = posts.iter().map(|p| p["id"].as_str().unwrap()).collect();
    assert_eq!(
        post_ids,
        ["p3", "p2", "p1"],
        "hasMany ordered by the index sort key"
    );
    for p in posts {
        assert_eq!(p["blog"]["name"], "Rust", "belongsTo back to the blog");
    }
    let p1 = &posts[2];
    assert_eq!(p1["comments"]["items"].as_array().unwrap().len(), 2);
    for c in p1["comments"]["items"].as_array().unwrap() {
        assert_eq!(c["post"]["id"], "p1");
    }

    // A hasMany with a filter and a limit, and the lazy loader's document.
    let q = "query ($blogId: ID!) {\n  getBlog(blogId: $blogId) {\n    posts(filter: {status: {eq: PUBLISHED}}) { items { id } }\n  }\n}\n";
    let blog = h.ok(&Auth::ApiKey, q, json!({"blogId": "b1"})).await["getBlog"].clone();
    assert_eq!(ids(&blog["posts"]), ["p1", "p3"]);
    let lazy = "query ($filter: ModelCommentFilterInput, $limit: Int, $nextToken: String) {\n  listComments(filter: $filter, limit: $limit, nextToken: $nextToken) { items { id content postId } nextToken }\n}\n";
    let comments = h
        .ok(
            &Auth::ApiKey,
            lazy,
            json!({"filter": {"and": [{"postId": {"eq": "p3"}}]}}),
        )
        .await;
    assert_eq!(
        comments["listComments"]["items"].as_array().unwrap().len(),
        1
    );

    // A custom primary key list with its partition key and a delete by custom key.
    let list = "query ($blogId: ID, $sortDirection: ModelSortDirection) {\n  listBlogs(blogId: $blogId, sortDirection: $sortDirection) { items { blogId name } }\n}\n";
    let one = h.ok(&Auth::ApiKey, list, json!({"blogId": "b2"})).await;
    assert_eq!(
        one["listBlogs"]["items"],
        json!([{"blogId": "b2", "name": "Go"}])
    );
    let del =
        "mutation ($input: DeleteBlogInput!) {\n  deleteBlog(input: $input) { blogId name }\n}\n";
    let gone = h
        .ok(&Auth::ApiKey, del, json!({"input": {"blogId": "b2"}}))
        .await;
    assert_eq!(gone["deleteBlog"]["name"], "Go");
    let all = h.ok(&Auth::ApiKey, list, json!({})).await;
    assert_eq!(all["listBlogs"]["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn user_pool_callers_without_a_rule_are_refused() {
    let h = Harness::new("ex-blog-relations").await;
    seed(&h).await;
    let alice = Auth::Token(h.user("alice@example.com").await);
    // The models only allow the API key: a user pool caller is refused by the field's
    // `@aws_*` directives.
    let v = h
        .errors(
            &alice,
            "query { getBlog(blogId: \"b1\") { name } }",
            json!({}),
        )
        .await;
    assert_eq!(v["errors"][0]["errorType"], "Unauthorized");
    assert_eq!(
        v["errors"][0]["message"],
        "Not Authorized to access getBlog on type Query"
    );
}
