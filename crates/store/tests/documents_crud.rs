//! Create / get / update / delete with DynamoDB semantics: duplicate keys, conditions, missing
//! items, partial updates, composite keys.

mod common;

use common::*;
use serde_json::json;
use stratus_store::documents::{DocumentError, DocumentStore, Filter};

fn reading_schema() -> stratus_spec::data::DataSchema {
    schema(vec![
        model(
            "Reading",
            &[
                ("deviceId", "ID!"),
                ("site", "String!"),
                ("seq", "Int!"),
                ("value", "Float"),
            ],
            &["deviceId", "site", "seq"],
            &[],
        ),
        model("Post", &[("id", "ID!"), ("title", "String")], &["id"], &[]),
    ])
}

#[tokio::test]
async fn create_get_and_duplicate_key() {
    let f = open_with(&reading_schema()).await;
    let item = doc(json!({"id": "p1", "title": "Hello", "tags": ["a"]}));
    let stored = f.docs.create("Post", item.clone(), None).await.unwrap();
    assert_eq!(stored, item);
    let got = f.docs.get("Post", &doc(json!({"id": "p1"}))).await.unwrap();
    assert_eq!(got, Some(item.clone()));
    assert_eq!(
        f.docs.get("Post", &doc(json!({"id": "p2"}))).await.unwrap(),
        None
    );

    let dup = f
        .docs
        .create("Post", doc(json!({"id": "p1", "title": "Other"})), None)
        .await
        .unwrap_err();
    match dup {
        DocumentError::ConditionalCheckFailed { model, current } => {
            assert_eq!(model, "Post");
            assert_eq!(current.map(|b| *b), Some(item.clone()));
        }
        other => panic!("expected ConditionalCheckFailed, got {other:?}"),
    }
    assert_eq!(dup_message(), "The conditional request failed");
    // The first item is untouched.
    assert_eq!(
        f.docs.get("Post", &doc(json!({"id": "p1"}))).await.unwrap(),
        Some(item)
    );
}

fn dup_message() -> String {
    DocumentError::ConditionalCheckFailed {
        model: "Post".into(),
        current: None,
    }
    .to_string()
}

#[tokio::test]
async fn invalid_keys_and_unknown_models() {
    let f = open_with(&reading_schema()).await;
    let err = f
        .docs
        .create("Post", doc(json!({"title": "no id"})), None)
        .await
        .unwrap_err();
    assert!(matches!(err, DocumentError::InvalidKey { .. }), "{err:?}");
    let err = f
        .docs
        .create("Post", doc(json!({"id": {"x": 1}})), None)
        .await
        .unwrap_err();
    assert!(matches!(err, DocumentError::InvalidKey { .. }), "{err:?}");
    let err = f
        .docs
        .get("Nope", &doc(json!({"id": "1"})))
        .await
        .unwrap_err();
    assert!(matches!(err, DocumentError::UnknownModel(m) if m == "Nope"));
    // A composite key needs every field.
    let err = f
        .docs
        .get("Reading", &doc(json!({"deviceId": "d", "site": "s"})))
        .await
        .unwrap_err();
    assert!(matches!(err, DocumentError::InvalidKey { .. }), "{err:?}");
}

#[tokio::test]
async fn composite_primary_keys() {
    let f = open_with(&reading_schema()).await;
    for (site, seq) in [("s1", 1), ("s1", 2), ("s2", 1)] {
        f.docs
            .create(
                "Reading",
                doc(json!({"deviceId": "d1", "site": site, "seq": seq, "value": 1.5})),
                None,
            )
            .await
            .unwrap();
    }
    // Same partition, different sort key parts: distinct items; the full key is unique.
    let err = f
        .docs
        .create(
            "Reading",
            doc(json!({"deviceId": "d1", "site": "s1", "seq": 2})),
            None,
        )
        .await
        .unwrap_err();
    assert!(matches!(err, DocumentError::ConditionalCheckFailed { .. }));
    let got = f
        .docs
        .get(
            "Reading",
            &doc(json!({"deviceId": "d1", "site": "s1", "seq": 2})),
        )
        .await
        .unwrap()
        .unwrap();
    assert_eq!(got["seq"], json!(2));
    assert_eq!(
        f.docs
            .get(
                "Reading",
                &doc(json!({"deviceId": "d1", "site": "s1", "seq": 3}))
            )
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn create_condition_is_checked_against_the_absent_item() {
    let f = open_with(&reading_schema()).await;
    let holds = Filter::from_input(&json!({"title": {"attributeExists": false}})).unwrap();
    f.docs
        .create("Post", doc(json!({"id": "a", "title": "x"})), Some(&holds))
        .await
        .unwrap();
    let fails = Filter::from_input(&json!({"title": {"eq": "x"}})).unwrap();
    let err = f
        .docs
        .create("Post", doc(json!({"id": "b", "title": "x"})), Some(&fails))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        DocumentError::ConditionalCheckFailed { current: None, .. }
    ));
    assert_eq!(
        f.docs.get("Post", &doc(json!({"id": "b"}))).await.unwrap(),
        None
    );
}

#[tokio::test]
async fn update_merges_removes_nulls_and_checks_conditions() {
    let f = open_with(&reading_schema()).await;
    f.docs
        .create(
            "Post",
            doc(json!({"id": "p", "title": "t", "rating": 3, "meta": {"a": 1, "b": 2}})),
            None,
        )
        .await
        .unwrap();
    let key = doc(json!({"id": "p"}));
    let updated = f
        .docs
        .update(
            "Post",
            &key,
            doc(json!({"title": "t2", "rating": null, "meta": {"c": 3}, "id": "p"})),
            None,
        )
        .await
        .unwrap();
    // Top-level SET replaces a map; null REMOVEs; untouched attributes stay.
    assert_eq!(
        updated,
        doc(json!({"id": "p", "title": "t2", "meta": {"c": 3}}))
    );
    assert_eq!(
        f.docs.get("Post", &key).await.unwrap(),
        Some(updated.clone())
    );

    let cond = Filter::from_input(&json!({"title": {"eq": "nope"}})).unwrap();
    let err = f
        .docs
        .update("Post", &key, doc(json!({"title": "t3"})), Some(&cond))
        .await
        .unwrap_err();
    match err {
        DocumentError::ConditionalCheckFailed { current, .. } => {
            assert_eq!(current.map(|b| *b), Some(updated.clone()));
        }
        other => panic!("{other:?}"),
    }
    let cond = Filter::from_input(&json!({"title": {"eq": "t2"}})).unwrap();
    let ok = f
        .docs
        .update("Post", &key, doc(json!({"title": "t3"})), Some(&cond))
        .await
        .unwrap();
    assert_eq!(ok["title"], json!("t3"));

    // Keys are immutable; a missing item fails the implicit existence condition.
    let err = f
        .docs
        .update("Post", &key, doc(json!({"id": "other"})), None)
        .await
        .unwrap_err();
    assert!(matches!(err, DocumentError::ImmutableKey { ref field, .. } if field == "id"));
    let err = f
        .docs
        .update(
            "Post",
            &doc(json!({"id": "missing"})),
            doc(json!({"title": "x"})),
            None,
        )
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        DocumentError::ConditionalCheckFailed { current: None, .. }
    ));
    assert_eq!(
        f.docs
            .get("Post", &doc(json!({"id": "missing"})))
            .await
            .unwrap(),
        None
    );
}

#[tokio::test]
async fn delete_returns_the_item_and_honours_conditions() {
    let f = open_with(&reading_schema()).await;
    let item = doc(json!({"id": "p", "title": "t"}));
    f.docs.create("Post", item.clone(), None).await.unwrap();
    let key = doc(json!({"id": "p"}));
    let cond = Filter::from_input(&json!({"title": {"ne": "t"}})).unwrap();
    let err = f.docs.delete("Post", &key, Some(&cond)).await.unwrap_err();
    assert!(matches!(err, DocumentError::ConditionalCheckFailed { .. }));
    assert!(f.docs.get("Post", &key).await.unwrap().is_some());
    let deleted = f.docs.delete("Post", &key, None).await.unwrap();
    assert_eq!(deleted, item);
    assert_eq!(f.docs.get("Post", &key).await.unwrap(), None);
    let err = f.docs.delete("Post", &key, None).await.unwrap_err();
    assert!(matches!(
        err,
        DocumentError::ConditionalCheckFailed { current: None, .. }
    ));
    // The key is free again.
    f.docs.create("Post", item, None).await.unwrap();
}

#[tokio::test]
async fn numbers_and_strings_are_distinct_keys() {
    let f = open_with(&schema(vec![model("N", &[("k", "Int!")], &["k"], &[])])).await;
    f.docs
        .create("N", doc(json!({"k": 1})), None)
        .await
        .unwrap();
    f.docs
        .create("N", doc(json!({"k": "1"})), None)
        .await
        .unwrap();
    assert_eq!(
        f.docs.get("N", &doc(json!({"k": 1}))).await.unwrap(),
        Some(doc(json!({"k": 1})))
    );
    assert_eq!(
        f.docs.get("N", &doc(json!({"k": "1"}))).await.unwrap(),
        Some(doc(json!({"k": "1"})))
    );
}

#[tokio::test]
async fn batch_get_and_dyn_store() {
    use std::sync::Arc;
    let f = open_with(&reading_schema()).await;
    let docs: Arc<dyn DocumentStore> = Arc::new(f.docs);
    for i in 0..3 {
        docs.create("Post", doc(json!({"id": format!("p{i}")})), None)
            .await
            .unwrap();
    }
    let keys = [
        doc(json!({"id": "p2"})),
        doc(json!({"id": "nope"})),
        doc(json!({"id": "p0"})),
    ];
    let got = docs.batch_get("Post", &keys).await.unwrap();
    assert_eq!(
        got,
        [
            Some(doc(json!({"id": "p2"}))),
            None,
            Some(doc(json!({"id": "p0"})))
        ]
    );
    assert!(docs.batch_get("Post", &[]).await.unwrap().is_empty());
}
