//! Shared helpers of the document store tests.
#![allow(dead_code)]

use serde_json::{Value, json};
use stratus_spec::data::DataSchema;
use stratus_store::Store;
use stratus_store::documents::{Document, DocumentStore, SqliteDocumentStore};

pub struct Fixture {
    pub dir: tempfile::TempDir,
    pub store: Store,
    pub docs: SqliteDocumentStore,
}

pub async fn open() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    let docs = SqliteDocumentStore::open(&store).await.unwrap();
    Fixture { dir, store, docs }
}

pub async fn open_with(schema: &DataSchema) -> Fixture {
    let f = open().await;
    f.docs.ensure_schema(schema).await.unwrap();
    f
}

/// A field `name: Type` (`Type!` when the name ends with `!`).
pub fn field(name: &str, ty: &str) -> Value {
    let required = ty.ends_with('!');
    json!({"name": name, "ty": {"name": ty.trim_end_matches('!'), "required": required}})
}

/// A model with scalar fields, a primary key and `(partition, [sort...])` indexes.
pub fn model(
    name: &str,
    fields: &[(&str, &str)],
    pk: &[&str],
    indexes: &[(&str, &[&str])],
) -> Value {
    json!({
        "name": name,
        "fields": fields.iter().map(|(n, t)| field(n, t)).collect::<Vec<_>>(),
        "model": {},
        "primary_key": pk,
        "indexes": indexes.iter().map(|(p, s)| json!({"partition_key": p, "sort_keys": s})).collect::<Vec<_>>(),
        "auth": []
    })
}

pub fn schema(models: Vec<Value>) -> DataSchema {
    serde_json::from_value(json!({
        "models": models, "types": [], "enums": [], "inputs": [],
        "queries": [], "mutations": [], "subscriptions": []
    }))
    .unwrap()
}

pub fn doc(v: Value) -> Document {
    match v {
        Value::Object(m) => m,
        other => panic!("not an object: {other}"),
    }
}

/// A small `Post` table used by many tests: id primary key; index (status, createdAt);
/// index (blogId).
pub fn post_schema() -> DataSchema {
    schema(vec![model(
        "Post",
        &[
            ("id", "ID!"),
            ("title", "String"),
            ("status", "String"),
            ("createdAt", "AWSDateTime"),
            ("rating", "Float"),
            ("tags", "String"),
            ("blogId", "ID"),
        ],
        &["id"],
        &[("status", &["createdAt"]), ("blogId", &[])],
    )])
}
