//! Scans and key queries: sort key conditions (single and composite keys), directions, limit
//! before filter, pagination to the end, signed nextTokens, and index use (EXPLAIN QUERY PLAN).

mod common;

use common::*;
use serde_json::{Value, json};
use stratus_store::documents::{
    DocumentError, DocumentStore, Filter, KeySchema, Page, QueryRequest, SortCondition,
    SortDirection, composite_sort_value,
};

fn created(i: usize) -> String {
    format!("2024-01-{:02}T00:00:00Z", i + 1)
}

/// 30 posts p00..p29: status alternates DRAFT/PUBLISHED, createdAt day i+1, rating i,
/// blogId b(i%3) except the last three (no blogId).
async fn posts() -> Fixture {
    let f = open_with(&post_schema()).await;
    for i in 0..30 {
        let mut item = json!({
            "id": format!("p{i:02}"),
            "status": if i % 2 == 0 { "DRAFT" } else { "PUBLISHED" },
            "createdAt": created(i),
            "rating": i,
        });
        if i < 27 {
            item["blogId"] = json!(format!("b{}", i % 3));
        }
        f.docs.create("Post", doc(item), None).await.unwrap();
    }
    f
}

fn ids(page: &Page) -> Vec<String> {
    page.items
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect()
}

fn by_status() -> Option<KeySchema> {
    Some(KeySchema::new("status", &["createdAt"]))
}

async fn status_query(f: &Fixture, sort: SortCondition, direction: SortDirection) -> Vec<String> {
    let req = QueryRequest {
        index: by_status(),
        partition: Some(json!("PUBLISHED")),
        sort: Some(sort),
        direction,
        ..QueryRequest::default()
    };
    let page = f.docs.query("Post", &req).await.unwrap();
    assert_eq!(page.next_token, None);
    ids(&page)
}

/// Every page of a request, following nextToken to the end.
async fn all_pages(f: &Fixture, model: &str, mut req: QueryRequest) -> Vec<Page> {
    let mut pages = Vec::new();
    loop {
        let page = f.docs.query(model, &req).await.unwrap();
        let next = page.next_token.clone();
        pages.push(page);
        match next {
            Some(t) => req.next_token = Some(t),
            None => return pages,
        }
        assert!(pages.len() < 100, "pagination does not end");
    }
}

#[tokio::test]
async fn sort_key_conditions_on_an_index() {
    let f = posts().await;
    use SortDirection::*;
    let s = |v: &str| json!(v);
    assert_eq!(
        status_query(&f, SortCondition::Eq(s(&created(3))), Asc).await,
        ["p03"]
    );
    assert_eq!(
        status_query(&f, SortCondition::Lt(s(&created(4))), Asc).await,
        ["p01", "p03"]
    );
    assert_eq!(
        status_query(&f, SortCondition::Le(s(&created(3))), Asc).await,
        ["p01", "p03"]
    );
    assert_eq!(
        status_query(&f, SortCondition::Gt(s(&created(25))), Asc).await,
        ["p27", "p29"]
    );
    assert_eq!(
        status_query(&f, SortCondition::Ge(s(&created(27))), Desc).await,
        ["p29", "p27"]
    );
    assert_eq!(
        status_query(
            &f,
            SortCondition::Between(s("2024-01-10"), s("2024-01-14")),
            Asc
        )
        .await,
        ["p09", "p11"]
    );
    assert_eq!(
        status_query(&f, SortCondition::BeginsWith("2024-01-1".into()), Asc).await,
        ["p09", "p11", "p13", "p15", "p17"]
    );
    assert_eq!(
        status_query(&f, SortCondition::BeginsWith("2024-01-1".into()), Desc).await,
        ["p17", "p15", "p13", "p11", "p09"]
    );
    // A number never matches a string sort key.
    assert!(
        status_query(&f, SortCondition::Lt(json!(5)), Asc)
            .await
            .is_empty()
    );
}

#[tokio::test]
async fn direction_and_partition_without_sort_condition() {
    let f = posts().await;
    let req = QueryRequest {
        index: by_status(),
        partition: Some(json!("DRAFT")),
        direction: SortDirection::Desc,
        ..QueryRequest::default()
    };
    let page = f.docs.query("Post", &req).await.unwrap();
    let expected: Vec<String> = (0..30)
        .rev()
        .filter(|i| i % 2 == 0)
        .map(|i| format!("p{i:02}"))
        .collect();
    assert_eq!(ids(&page), expected);
    // An index without a sort key: the partition's items in insertion order.
    let req = QueryRequest {
        index: Some(KeySchema::new("blogId", &[])),
        partition: Some(json!("b1")),
        ..QueryRequest::default()
    };
    let page = f.docs.query("Post", &req).await.unwrap();
    let expected: Vec<String> = (0..27)
        .filter(|i| i % 3 == 1)
        .map(|i| format!("p{i:02}"))
        .collect();
    assert_eq!(ids(&page), expected);
    // A scan of a sparse index skips items without the key.
    let req = QueryRequest {
        index: Some(KeySchema::new("blogId", &[])),
        ..QueryRequest::default()
    };
    assert_eq!(f.docs.query("Post", &req).await.unwrap().items.len(), 27);
    // The table by its primary key.
    let req = QueryRequest {
        partition: Some(json!("p07")),
        ..QueryRequest::default()
    };
    assert_eq!(ids(&f.docs.query("Post", &req).await.unwrap()), ["p07"]);
}

#[tokio::test]
async fn limit_applies_before_the_filter_and_pages_reach_the_end() {
    let f = posts().await;
    let filter = Filter::from_input(&json!({"rating": {"ge": 10}})).unwrap();
    let pages = all_pages(
        &f,
        "Post",
        QueryRequest {
            filter: Some(filter.clone()),
            limit: Some(7),
            ..QueryRequest::default()
        },
    )
    .await;
    // 30 items examined 7 at a time: 5 pages; the first holds p07..p09 only, yet has a token.
    assert_eq!(pages.len(), 5);
    assert_eq!(ids(&pages[0]), Vec::<String>::new());
    assert_eq!(pages[0].scanned_count, 7);
    assert!(pages[0].next_token.is_some());
    assert_eq!(ids(&pages[1]), ["p10", "p11", "p12", "p13"]);
    let all: Vec<String> = pages.iter().flat_map(ids).collect();
    let expected: Vec<String> = (10..30).map(|i| format!("p{i:02}")).collect();
    assert_eq!(all, expected);

    // The same on an index query, descending.
    let pages = all_pages(
        &f,
        "Post",
        QueryRequest {
            index: by_status(),
            partition: Some(json!("PUBLISHED")),
            filter: Some(filter),
            limit: Some(4),
            direction: SortDirection::Desc,
            ..QueryRequest::default()
        },
    )
    .await;
    assert_eq!(pages.len(), 4);
    let all: Vec<String> = pages.iter().flat_map(ids).collect();
    let expected: Vec<String> = (10..30)
        .rev()
        .filter(|i| i % 2 == 1)
        .map(|i| format!("p{i:02}"))
        .collect();
    assert_eq!(all, expected);
    // A page that ends exactly at the end carries no token.
    assert_eq!(pages.last().unwrap().next_token, None);
}

#[tokio::test]
async fn default_limit_is_100_and_zero_is_refused() {
    let f = open_with(&post_schema()).await;
    for i in 0..150 {
        f.docs
            .create("Post", doc(json!({"id": format!("x{i:03}")})), None)
            .await
            .unwrap();
    }
    let first = f
        .docs
        .query("Post", &QueryRequest::default())
        .await
        .unwrap();
    assert_eq!(first.items.len(), 100);
    let second = f
        .docs
        .query(
            "Post",
            &QueryRequest {
                next_token: first.next_token.clone(),
                ..QueryRequest::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(second.items.len(), 50);
    assert_eq!(second.items[0]["id"], json!("x100"));
    assert_eq!(second.next_token, None);
    let err = f
        .docs
        .query(
            "Post",
            &QueryRequest {
                limit: Some(0),
                ..QueryRequest::default()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, DocumentError::InvalidLimit));
}

#[tokio::test]
async fn tampered_or_foreign_tokens_are_refused() {
    let f = posts().await;
    let req = QueryRequest {
        index: by_status(),
        partition: Some(json!("PUBLISHED")),
        limit: Some(2),
        ..QueryRequest::default()
    };
    let token = f
        .docs
        .query("Post", &req)
        .await
        .unwrap()
        .next_token
        .unwrap();
    let with = |t: String, partition: &str| QueryRequest {
        next_token: Some(t),
        partition: Some(json!(partition)),
        ..req.clone()
    };
    // Valid.
    let page = f
        .docs
        .query("Post", &with(token.clone(), "PUBLISHED"))
        .await
        .unwrap();
    assert_eq!(ids(&page), ["p05", "p07"]);
    // Any changed character.
    let mut bytes = token.clone().into_bytes();
    bytes[3] = if bytes[3] == b'A' { b'B' } else { b'A' };
    let tampered = String::from_utf8(bytes).unwrap();
    let err = f
        .docs
        .query("Post", &with(tampered, "PUBLISHED"))
        .await
        .unwrap_err();
    assert!(matches!(err, DocumentError::InvalidNextToken), "{err:?}");
    // Another query (partition), direction, or garbage.
    let err = f
        .docs
        .query("Post", &with(token.clone(), "DRAFT"))
        .await
        .unwrap_err();
    assert!(matches!(err, DocumentError::InvalidNextToken));
    let mut desc = with(token.clone(), "PUBLISHED");
    desc.direction = SortDirection::Desc;
    assert!(matches!(
        f.docs.query("Post", &desc).await.unwrap_err(),
        DocumentError::InvalidNextToken
    ));
    assert!(matches!(
        f.docs
            .query("Post", &with("x.y".into(), "PUBLISHED"))
            .await
            .unwrap_err(),
        DocumentError::InvalidNextToken
    ));
    // Another instance (another secret).
    let other = posts().await;
    assert!(matches!(
        other
            .docs
            .query("Post", &with(token, "PUBLISHED"))
            .await
            .unwrap_err(),
        DocumentError::InvalidNextToken
    ));
}

fn product_schema() -> stratus_spec::data::DataSchema {
    schema(vec![
        model(
            "Product",
            &[
                ("sku", "String!"),
                ("region", "String"),
                ("releasedAt", "AWSDateTime"),
                ("name", "String"),
            ],
            &["sku"],
            &[("region", &["releasedAt", "name"])],
        ),
        model(
            "Reading",
            &[("deviceId", "ID!"), ("site", "String!"), ("seq", "Int!")],
            &["deviceId", "site", "seq"],
            &[],
        ),
    ])
}

#[tokio::test]
async fn composite_sort_keys() {
    let f = open_with(&product_schema()).await;
    let products = [
        ("s0", "EU", "2024-01-05", Some("b")),
        ("s1", "EU", "2024-02-01", Some("b")),
        ("s2", "EU", "2024-02-01", Some("a")),
        ("s3", "EU", "2024-03-01", Some("z")),
        ("s4", "US", "2024-02-01", Some("a")),
        ("s5", "EU", "2024-02-01", None),
    ];
    for (sku, region, at, name) in products {
        let mut item = json!({"sku": sku, "region": region, "releasedAt": at});
        if let Some(n) = name {
            item["name"] = json!(n);
        }
        f.docs.create("Product", doc(item), None).await.unwrap();
    }
    let index = Some(KeySchema::new("region", &["releasedAt", "name"]));
    let q = |sort: SortCondition| QueryRequest {
        index: index.clone(),
        partition: Some(json!("EU")),
        sort: Some(sort),
        ..QueryRequest::default()
    };
    let run = |req: QueryRequest| {
        let docs = &f.docs;
        async move { ids_sku(&docs.query("Product", &req).await.unwrap()) }
    };
    let feb = composite_sort_value(&[Some(&json!("2024-02-01"))]);
    // s5 has no `name`, so it is not in the index (sparse).
    assert_eq!(
        run(q(SortCondition::BeginsWith(feb.clone()))).await,
        ["s2", "s1"]
    );
    let eq = composite_sort_value(&[Some(&json!("2024-02-01")), Some(&json!("b"))]);
    assert_eq!(eq, "2024-02-01#b");
    assert_eq!(run(q(SortCondition::Eq(json!(eq)))).await, ["s1"]);
    assert_eq!(
        run(q(SortCondition::Between(
            json!("2024-01"),
            json!("2024-02-01#a")
        )))
        .await,
        ["s0", "s2"]
    );
    assert_eq!(
        run(q(SortCondition::Gt(json!("2024-02-01#b")))).await,
        ["s3"]
    );
    let all = QueryRequest {
        index: index.clone(),
        partition: Some(json!("EU")),
        direction: SortDirection::Desc,
        ..QueryRequest::default()
    };
    assert_eq!(run(all).await, ["s3", "s1", "s2", "s0"]);

    // A composite primary sort key, queried on the table.
    for (site, seq) in [("s1", 1), ("s1", 2), ("s1", 10), ("s2", 1)] {
        f.docs
            .create(
                "Reading",
                doc(json!({"deviceId": "d", "site": site, "seq": seq})),
                None,
            )
            .await
            .unwrap();
    }
    let req = QueryRequest {
        partition: Some(json!("d")),
        sort: Some(SortCondition::BeginsWith("s1#".into())),
        ..QueryRequest::default()
    };
    let page = f.docs.query("Reading", &req).await.unwrap();
    let seqs: Vec<Value> = page.items.iter().map(|d| d["seq"].clone()).collect();
    // String order of the composite value, as in DynamoDB: "s1#1" < "s1#10" < "s1#2".
    assert_eq!(seqs, [json!(1), json!(10), json!(2)]);
}

fn ids_sku(page: &Page) -> Vec<String> {
    page.items
        .iter()
        .map(|d| d["sku"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn bad_requests_are_typed_errors() {
    let f = posts().await;
    let err = f
        .docs
        .query(
            "Post",
            &QueryRequest {
                sort: Some(SortCondition::Eq(json!("x"))),
                ..QueryRequest::default()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, DocumentError::InvalidQuery(_)));
    let err = f
        .docs
        .query(
            "Post",
            &QueryRequest {
                index: Some(KeySchema::new("title", &[])),
                partition: Some(json!("x")),
                ..QueryRequest::default()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, DocumentError::UnknownIndex { .. }));
    let err = f
        .docs
        .query(
            "Post",
            &QueryRequest {
                partition: Some(json!({"a": 1})),
                ..QueryRequest::default()
            },
        )
        .await
        .unwrap_err();
    assert!(matches!(err, DocumentError::InvalidQuery(_)));
}

fn assert_uses_index(plan: &[String], index: &str) {
    let text = plan.join("\n");
    assert!(
        plan.iter()
            .any(|l| l.contains("USING INDEX") && l.contains(index)),
        "expected index {index} in plan:\n{text}"
    );
    assert!(
        !plan.iter().any(|l| l.starts_with("SCAN doc_")),
        "unexpected full scan in plan:\n{text}"
    );
    assert!(
        !text.contains("TEMP B-TREE"),
        "unexpected sort in plan:\n{text}"
    );
}

#[tokio::test]
async fn indexed_queries_use_their_index() {
    let f = posts().await;
    let filter =
        Filter::from_input(&json!({"rating": {"gt": 3}, "title": {"contains": "x"}})).unwrap();
    for direction in [SortDirection::Asc, SortDirection::Desc] {
        let mut req = QueryRequest {
            index: by_status(),
            partition: Some(json!("PUBLISHED")),
            sort: Some(SortCondition::BeginsWith("2024-01-1".into())),
            filter: Some(filter.clone()),
            limit: Some(3),
            direction,
            ..QueryRequest::default()
        };
        let plan = f.docs.explain_query("Post", &req).await.unwrap();
        assert_uses_index(&plan, "$ix$status$created_at");
        // With a cursor too.
        req.next_token = f.docs.query("Post", &req).await.unwrap().next_token;
        assert!(req.next_token.is_some());
        let plan = f.docs.explain_query("Post", &req).await.unwrap();
        assert_uses_index(&plan, "$ix$status$created_at");
    }
    let req = QueryRequest {
        index: Some(KeySchema::new("blogId", &[])),
        partition: Some(json!("b0")),
        ..QueryRequest::default()
    };
    assert_uses_index(
        &f.docs.explain_query("Post", &req).await.unwrap(),
        "$ix$blog_id",
    );
    let req = QueryRequest {
        partition: Some(json!("p01")),
        ..QueryRequest::default()
    };
    assert_uses_index(&f.docs.explain_query("Post", &req).await.unwrap(), "$pk");
    // A plain list is a scan in insertion order (no sort step).
    let plan = f
        .docs
        .explain_query("Post", &QueryRequest::default())
        .await
        .unwrap();
    assert!(plan.iter().all(|l| !l.contains("TEMP B-TREE")), "{plan:?}");

    let g = open_with(&product_schema()).await;
    let req = QueryRequest {
        index: Some(KeySchema::new("region", &["releasedAt", "name"])),
        partition: Some(json!("EU")),
        sort: Some(SortCondition::Between(json!("2024-01"), json!("2024-02"))),
        direction: SortDirection::Desc,
        ..QueryRequest::default()
    };
    assert_uses_index(
        &g.docs.explain_query("Product", &req).await.unwrap(),
        "$ix$region$released_at$name",
    );
    let req = QueryRequest {
        partition: Some(json!("d")),
        sort: Some(SortCondition::BeginsWith("s1#".into())),
        ..QueryRequest::default()
    };
    assert_uses_index(&g.docs.explain_query("Reading", &req).await.unwrap(), "$pk");
}

#[tokio::test]
async fn cursors_narrow_the_index_range() {
    let f = posts().await;
    let cases = [
        (
            QueryRequest {
                index: by_status(),
                partition: Some(json!("PUBLISHED")),
                limit: Some(3),
                ..QueryRequest::default()
            },
            "USING INDEX doc__post$ix$status$created_at (<expr>=? AND <expr>>?)",
        ),
        (
            QueryRequest {
                index: by_status(),
                partition: Some(json!("PUBLISHED")),
                limit: Some(3),
                direction: SortDirection::Desc,
                ..QueryRequest::default()
            },
            "USING INDEX doc__post$ix$status$created_at (<expr>=? AND <expr><?)",
        ),
        (
            QueryRequest {
                limit: Some(3),
                ..QueryRequest::default()
            },
            "USING INTEGER PRIMARY KEY (rowid>?)",
        ),
        (
            QueryRequest {
                index: Some(KeySchema::new("blogId", &[])),
                partition: Some(json!("b1")),
                limit: Some(3),
                ..QueryRequest::default()
            },
            "USING INDEX doc__post$ix$blog_id (<expr>=? AND rowid>?)",
        ),
    ];
    for (mut req, expected) in cases {
        req.next_token = f.docs.query("Post", &req).await.unwrap().next_token;
        assert!(req.next_token.is_some());
        let plan = f.docs.explain_query("Post", &req).await.unwrap().join("\n");
        assert!(plan.contains(expected), "expected {expected} in\n{plan}");
    }
}

#[tokio::test]
async fn pages_split_items_with_equal_sort_keys() {
    let f = open_with(&post_schema()).await;
    for i in 0..10 {
        f.docs
            .create(
                "Post",
                doc(json!({"id": format!("q{i}"), "status": "S", "createdAt": "same"})),
                None,
            )
            .await
            .unwrap();
    }
    for direction in [SortDirection::Asc, SortDirection::Desc] {
        let pages = all_pages(
            &f,
            "Post",
            QueryRequest {
                index: by_status(),
                partition: Some(json!("S")),
                limit: Some(3),
                direction,
                ..QueryRequest::default()
            },
        )
        .await;
        assert_eq!(pages.len(), 4);
        let all: Vec<String> = pages.iter().flat_map(ids).collect();
        let mut expected: Vec<String> = (0..10).map(|i| format!("q{i}")).collect();
        if direction == SortDirection::Desc {
            expected.reverse();
        }
        assert_eq!(all, expected);
    }
}

#[tokio::test]
async fn a_page_examines_at_most_max_page_items() {
    use stratus_store::documents::MAX_PAGE_ITEMS;
    let f = open_with(&post_schema()).await;
    // Bulk rows straight into the model's table (its name is `doc_` + the escaped model name).
    sqlx::query(
        "WITH RECURSIVE c(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM c WHERE i < 10004) \
         INSERT INTO doc__post (doc) SELECT jsonb_object('id', 'r' || i) FROM c",
    )
    .execute(f.store.pool())
    .await
    .unwrap();
    let req = QueryRequest {
        limit: Some(50_000),
        ..QueryRequest::default()
    };
    let first = f.docs.query("Post", &req).await.unwrap();
    assert_eq!(first.items.len(), MAX_PAGE_ITEMS as usize);
    let second = f
        .docs
        .query(
            "Post",
            &QueryRequest {
                next_token: first.next_token,
                ..req
            },
        )
        .await
        .unwrap();
    assert_eq!(second.items.len(), 5);
    assert_eq!(second.next_token, None);
}

#[tokio::test]
async fn tokens_survive_a_restart() {
    let f = posts().await;
    let req = QueryRequest {
        limit: Some(10),
        ..QueryRequest::default()
    };
    let token = f.docs.query("Post", &req).await.unwrap().next_token;
    assert!(token.is_some());
    // The secret is kept in the database: a store reopened on it accepts the token.
    let reopened = stratus_store::documents::SqliteDocumentStore::open(&f.store)
        .await
        .unwrap();
    let page = reopened
        .query(
            "Post",
            &QueryRequest {
                next_token: token,
                ..req
            },
        )
        .await
        .unwrap();
    assert_eq!(page.items[0]["id"], json!("p10"));
}
