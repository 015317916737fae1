//! Rough throughput figures (ignored by default; run with
//! `cargo test -p stratus-store --release --test documents_perf -- --ignored --nocapture`).

mod common;

use std::sync::Arc;
use std::time::Instant;

use common::*;
use serde_json::json;
use stratus_store::documents::{DocumentStore, Filter, KeySchema, QueryRequest, SortCondition};

const STATUSES: [&str; 4] = ["A", "B", "C", "D"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "timing figures, not a check"]
async fn throughput() {
    let f = open_with(&post_schema()).await;
    let docs = Arc::new(f.docs);
    let n = 20_000usize;
    let start = Instant::now();
    let mut tasks = Vec::new();
    for t in 0..32 {
        let docs = docs.clone();
        tasks.push(tokio::spawn(async move {
            for i in (t..n).step_by(32) {
                let status = STATUSES[i % 4];
                let item = json!({
                    "id": format!("p{i:06}"),
                    "status": status,
                    "createdAt": format!("2024-{:02}-{:02}", 1 + i % 12, 1 + i % 28),
                    "rating": i % 100,
                    "blogId": format!("b{}", i % 500),
                });
                docs.create("Post", doc(item), None).await.unwrap();
            }
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "creates: {n} in {secs:.2}s = {:.0}/s (32 tasks)",
        n as f64 / secs
    );

    // The same rows inserted directly with sqlx, one statement each (the limit).
    sqlx::query("CREATE TABLE raw (seq INTEGER PRIMARY KEY, doc BLOB NOT NULL)")
        .execute(f.store.pool())
        .await
        .unwrap();
    sqlx::query("CREATE UNIQUE INDEX raw_pk ON raw (json_extract(doc, '$.id'))")
        .execute(f.store.pool())
        .await
        .unwrap();
    let start = Instant::now();
    for i in 0..n {
        let item = json!({"id": format!("p{i:06}"), "status": STATUSES[i % 4], "rating": i % 100});
        sqlx::query("INSERT INTO raw (doc) VALUES (jsonb(?))")
            .bind(item.to_string())
            .execute(f.store.pool())
            .await
            .unwrap();
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "direct sqlx inserts: {n} in {secs:.2}s = {:.0}/s (1 task)",
        n as f64 / secs
    );

    let start = Instant::now();
    for i in 0..5_000 {
        let got = docs
            .get("Post", &doc(json!({"id": format!("p{:06}", (i * 7) % n)})))
            .await
            .unwrap();
        assert!(got.is_some());
    }
    let secs = start.elapsed().as_secs_f64();
    println!("gets: 5000 in {secs:.2}s = {:.0}/s (1 task)", 5000.0 / secs);

    let filter = Filter::from_input(&json!({"rating": {"ge": 50}})).unwrap();
    let start = Instant::now();
    for i in 0..1_000 {
        let req = QueryRequest {
            index: Some(KeySchema::new("status", &["createdAt"])),
            partition: Some(json!(STATUSES[i % 4])),
            sort: Some(SortCondition::BeginsWith("2024-03".into())),
            filter: Some(filter.clone()),
            limit: Some(50),
            ..QueryRequest::default()
        };
        let page = docs.query("Post", &req).await.unwrap();
        assert!(page.scanned_count <= 50);
    }
    let secs = start.elapsed().as_secs_f64();
    println!(
        "index query + filter (limit 50) on {n} items: {:.3} ms each",
        secs * 1000.0 / 1000.0
    );
}
