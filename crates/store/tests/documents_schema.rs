//! Storage driven by the data IR: creation, evolution on reload (data kept), the changed
//! primary key error, relationship indexes, reopen, and concurrent writers.

mod common;

use std::sync::Arc;

use common::*;
use serde_json::json;
use stratus_store::documents::{
    DocumentError, DocumentStore, KeySchema, QueryRequest, SqliteDocumentStore, layouts_for,
};

fn post_v1() -> stratus_spec::data::DataSchema {
    schema(vec![
        model(
            "Post",
            &[("id", "ID!"), ("title", "String"), ("old", "String")],
            &["id"],
            &[],
        ),
        model("Tag", &[("id", "ID!")], &["id"], &[]),
    ])
}

#[tokio::test]
async fn evolution_keeps_data() {
    let f = open().await;
    let report = f.docs.ensure_schema(&post_v1()).await.unwrap();
    assert_eq!(report.changes.len(), 2);
    assert!(report.changes.iter().all(|c| c.created));
    // Applying the same schema again changes nothing.
    assert!(
        f.docs
            .ensure_schema(&post_v1())
            .await
            .unwrap()
            .changes
            .is_empty()
    );

    for i in 0..5 {
        f.docs
            .create(
                "Post",
                doc(json!({"id": format!("p{i}"), "title": format!("t{}", i % 2), "old": "x"})),
                None,
            )
            .await
            .unwrap();
    }
    // v2: a new field, a removed field, a new index.
    let v2 = schema(vec![
        model(
            "Post",
            &[("id", "ID!"), ("title", "String"), ("body", "String")],
            &["id"],
            &[("title", &[])],
        ),
        model("Tag", &[("id", "ID!")], &["id"], &[]),
    ]);
    let report = f.docs.ensure_schema(&v2).await.unwrap();
    assert_eq!(report.changes.len(), 1);
    let change = &report.changes[0];
    assert_eq!(change.model, "Post");
    assert!(!change.created);
    assert_eq!(change.added_fields, ["body"]);
    assert_eq!(change.removed_fields, ["old"]);
    assert_eq!(change.added_indexes, [KeySchema::new("title", &[])]);
    // The removed field stays in stored items, as in DynamoDB.
    let p0 = f
        .docs
        .get("Post", &doc(json!({"id": "p0"})))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(p0["old"], json!("x"));
    // The new index covers the items stored before it existed, and is used.
    let req = QueryRequest {
        index: Some(KeySchema::new("title", &[])),
        partition: Some(json!("t1")),
        ..QueryRequest::default()
    };
    let page = f.docs.query("Post", &req).await.unwrap();
    assert_eq!(page.items.len(), 2);
    let plan = f.docs.explain_query("Post", &req).await.unwrap().join("\n");
    assert!(plan.contains("USING INDEX doc__post$ix$title"), "{plan}");

    // v3: the index removed again; querying it is an error, data untouched.
    let report = f.docs.ensure_schema(&post_v1()).await.unwrap();
    assert_eq!(
        report.changes[0].removed_indexes,
        [KeySchema::new("title", &[])]
    );
    assert!(matches!(
        f.docs.query("Post", &req).await.unwrap_err(),
        DocumentError::UnknownIndex { .. }
    ));
    assert_eq!(
        f.docs
            .query("Post", &QueryRequest::default())
            .await
            .unwrap()
            .items
            .len(),
        5
    );
    let (count,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE 'doc__post$ix$%'",
    )
    .fetch_one(f.store.pool())
    .await
    .unwrap();
    assert_eq!(count, 0);
}

#[tokio::test]
async fn changed_primary_key_with_data_is_refused_with_the_way_out() {
    let f = open_with(&post_v1()).await;
    f.docs
        .create("Post", doc(json!({"id": "p", "title": "t"})), None)
        .await
        .unwrap();
    let changed = schema(vec![
        // A change to another model in the same reload (processed first) is rolled back too.
        model(
            "Tag",
            &[("id", "ID!"), ("name", "String")],
            &["id"],
            &[("name", &[])],
        ),
        model(
            "Post",
            &[("id", "ID!"), ("title", "String!")],
            &["title", "id"],
            &[],
        ),
    ]);
    let err = f.docs.ensure_schema(&changed).await.unwrap_err();
    match &err {
        DocumentError::PrimaryKeyChanged {
            model,
            old,
            new,
            items,
        } => {
            assert_eq!(model, "Post");
            assert_eq!(old, &["id"]);
            assert_eq!(new, &["title", "id"]);
            assert_eq!(*items, 1);
        }
        other => panic!("{other:?}"),
    }
    let msg = err.to_string();
    assert!(
        msg.contains("primary key changed from [id] to [title, id]"),
        "{msg}"
    );
    assert!(msg.contains("stratus sandbox delete"), "{msg}");
    assert!(msg.contains("rename the model"), "{msg}");
    // Nothing applied: the old layouts are still in force and the data is there.
    let layouts = f.docs.layouts().await.unwrap();
    let tag = layouts.iter().find(|l| l.model == "Tag").unwrap();
    assert!(tag.indexes.is_empty());
    assert_eq!(
        layouts
            .iter()
            .find(|l| l.model == "Post")
            .unwrap()
            .primary_key,
        KeySchema::new("id", &[])
    );
    assert!(
        f.docs
            .get("Post", &doc(json!({"id": "p"})))
            .await
            .unwrap()
            .is_some()
    );
    let (tag_indexes,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name LIKE 'doc__tag$ix$%'",
    )
    .fetch_one(f.store.pool())
    .await
    .unwrap();
    assert_eq!(tag_indexes, 0);

    // On an empty table the new key is applied.
    f.docs
        .delete("Post", &doc(json!({"id": "p"})), None)
        .await
        .unwrap();
    let report = f.docs.ensure_schema(&changed).await.unwrap();
    assert!(
        report
            .changes
            .iter()
            .any(|c| c.model == "Post" && c.primary_key_changed)
    );
    f.docs
        .create("Post", doc(json!({"id": "p", "title": "a"})), None)
        .await
        .unwrap();
    f.docs
        .create("Post", doc(json!({"id": "p", "title": "b"})), None)
        .await
        .unwrap();
    assert!(
        f.docs
            .get("Post", &doc(json!({"title": "b", "id": "p"})))
            .await
            .unwrap()
            .is_some()
    );
}

#[tokio::test]
async fn removed_models_are_retained_and_layouts_survive_reopen() {
    let f = open_with(&post_v1()).await;
    f.docs
        .create("Tag", doc(json!({"id": "t"})), None)
        .await
        .unwrap();
    let only_post = schema(vec![model("Post", &[("id", "ID!")], &["id"], &[])]);
    let report = f.docs.ensure_schema(&only_post).await.unwrap();
    assert_eq!(report.retained_models, ["Tag"]);
    // Reopen: the recorded layouts are loaded before any ensure_schema.
    let reopened = SqliteDocumentStore::open(&f.store).await.unwrap();
    assert_eq!(
        reopened.get("Tag", &doc(json!({"id": "t"}))).await.unwrap(),
        Some(doc(json!({"id": "t"})))
    );
    // Bringing the model back finds its items.
    reopened.ensure_schema(&post_v1()).await.unwrap();
    assert_eq!(
        reopened
            .query("Tag", &QueryRequest::default())
            .await
            .unwrap()
            .items
            .len(),
        1
    );
}

#[tokio::test]
async fn models_differing_by_case_get_distinct_tables() {
    let f = open_with(&schema(vec![
        model("Post", &[("id", "ID!")], &["id"], &[]),
        model("post", &[("id", "ID!")], &["id"], &[]),
    ]))
    .await;
    f.docs
        .create("Post", doc(json!({"id": "1", "a": 1})), None)
        .await
        .unwrap();
    f.docs
        .create("post", doc(json!({"id": "1", "a": 2})), None)
        .await
        .unwrap();
    assert_eq!(
        f.docs
            .get("Post", &doc(json!({"id": "1"})))
            .await
            .unwrap()
            .unwrap()["a"],
        json!(1)
    );
    assert_eq!(
        f.docs
            .get("post", &doc(json!({"id": "1"})))
            .await
            .unwrap()
            .unwrap()["a"],
        json!(2)
    );
}

fn relation(kind: &str, related: &str, references: &[&str]) -> serde_json::Value {
    json!({"kind": kind, "related": related, "references": references})
}

#[tokio::test]
async fn relationship_keys_are_indexed() {
    let mut blog = model("Blog", &[("id", "ID!")], &["id"], &[]);
    let mut f = field("posts", "Post");
    f["relation"] = relation("hasMany", "Post", &["blogId"]);
    blog["fields"].as_array_mut().unwrap().push(f);
    let mut f = field("comments", "Comment");
    f["relation"] = relation("hasMany", "Comment", &[]);
    blog["fields"].as_array_mut().unwrap().push(f);
    let mut primary = model(
        "Primary",
        &[("tenantId", "ID!")],
        &["tenantId", "instanceId", "recordId"],
        &[],
    );
    let mut f = field("related", "Post");
    f["relation"] = relation("hasMany", "Post", &["pTenant", "pInstance", "pRecord"]);
    primary["fields"].as_array_mut().unwrap().push(f);
    let mut post = model(
        "Post",
        &[("id", "ID!"), ("blogId", "ID")],
        &["id"],
        &[("blogId", &[])],
    );
    let mut f = field("blog", "Blog");
    f["relation"] = relation("belongsTo", "Blog", &["blogId"]);
    post["fields"].as_array_mut().unwrap().push(f);
    let comment = model("Comment", &[("id", "ID!")], &["id"], &[]);
    let data = schema(vec![blog, primary, post, comment]);

    let layouts = layouts_for(&data).unwrap();
    let post = layouts.iter().find(|l| l.model == "Post").unwrap();
    // The @index and the relationship key are one index; the composite reference is another.
    assert_eq!(
        post.indexes,
        [
            KeySchema::new("blogId", &[]),
            KeySchema::new("pTenant", &["pInstance", "pRecord"])
        ]
    );
    // Relation fields are not stored fields.
    assert_eq!(post.fields, ["id", "blogId"]);
    let comment = layouts.iter().find(|l| l.model == "Comment").unwrap();
    assert_eq!(comment.indexes, [KeySchema::new("blogCommentsId", &[])]);

    let f = open_with(&data).await;
    for i in 0..6 {
        f.docs
            .create(
                "Post",
                doc(json!({"id": format!("p{i}"), "pTenant": "t", "pInstance": "i", "pRecord": format!("r{}", i % 2)})),
                None,
            )
            .await
            .unwrap();
    }
    let req = QueryRequest {
        index: Some(KeySchema::new("pTenant", &["pInstance", "pRecord"])),
        partition: Some(json!("t")),
        sort: Some(stratus_store::documents::SortCondition::Eq(json!("i#r1"))),
        ..QueryRequest::default()
    };
    assert_eq!(f.docs.query("Post", &req).await.unwrap().items.len(), 3);
    let plan = f.docs.explain_query("Post", &req).await.unwrap().join("\n");
    assert!(
        plan.contains("USING INDEX doc__post$ix$p_tenant$p_instance$p_record"),
        "{plan}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_writers() {
    let f = open_with(&post_v1()).await;
    let docs = Arc::new(f.docs);
    // Many distinct creates from many tasks all land.
    let mut tasks = Vec::new();
    for t in 0..8 {
        let docs = docs.clone();
        tasks.push(tokio::spawn(async move {
            for i in 0..25 {
                docs.create("Post", doc(json!({"id": format!("t{t}-{i}")})), None)
                    .await
                    .unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let count = docs
        .query(
            "Post",
            &QueryRequest {
                limit: Some(1000),
                ..QueryRequest::default()
            },
        )
        .await
        .unwrap()
        .items
        .len();
    assert_eq!(count, 200);

    // The same key from many tasks and from a second store on the same database: one wins.
    let second = Arc::new(SqliteDocumentStore::open(&f.store).await.unwrap());
    let mut tasks = Vec::new();
    for t in 0..16 {
        let docs = if t % 2 == 0 {
            docs.clone()
        } else {
            second.clone()
        };
        tasks.push(tokio::spawn(async move {
            docs.create("Tag", doc(json!({"id": "same", "by": t})), None)
                .await
        }));
    }
    let mut won = 0;
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => won += 1,
            Err(DocumentError::ConditionalCheckFailed { .. }) => {}
            Err(other) => panic!("{other:?}"),
        }
    }
    assert_eq!(won, 1);

    // Optimistic concurrency with a condition: exactly one update of version 0 succeeds.
    docs.create("Tag", doc(json!({"id": "v", "version": 0})), None)
        .await
        .unwrap();
    let cond =
        stratus_store::documents::Filter::from_input(&json!({"version": {"eq": 0}})).unwrap();
    let mut tasks = Vec::new();
    for t in 0..16 {
        let docs = if t % 2 == 0 {
            docs.clone()
        } else {
            second.clone()
        };
        let cond = cond.clone();
        tasks.push(tokio::spawn(async move {
            docs.update(
                "Tag",
                &doc(json!({"id": "v"})),
                doc(json!({"version": 1, "by": t})),
                Some(&cond),
            )
            .await
        }));
    }
    let mut won = 0;
    for t in tasks {
        if t.await.unwrap().is_ok() {
            won += 1;
        }
    }
    assert_eq!(won, 1);
}
