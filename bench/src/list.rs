//! Lists through an index on a large table (ex-blog-relations, API key): `items` Posts spread
//! over `partitions` blogs, then every page of one blog through the `listPostsByBlogAndDate`
//! index query (partition `blogId`, sort key `publishedAt`), with and without a `filter`, and,
//! for contrast, the same items found by `listPosts` with a filter on `blogId` (no index: a
//! scan of the table).

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::Args;
use crate::http::{Auth, Error, graphql};
use crate::load::{closed, ms, quantiles};

const CREATE: &str = "mutation ($input: CreatePostInput!) { createPost(input: $input) { id } }";
const BY_BLOG: &str = "query ($blogId: ID!, $filter: ModelPostFilterInput, $limit: Int, $nextToken: String) { listPostsByBlogAndDate(blogId: $blogId, filter: $filter, limit: $limit, nextToken: $nextToken) { items { id title status publishedAt rating blogId createdAt updatedAt } nextToken } }";
const SCAN: &str = "query ($filter: ModelPostFilterInput, $limit: Int, $nextToken: String) { listPosts(filter: $filter, limit: $limit, nextToken: $nextToken) { items { id title status publishedAt rating blogId createdAt updatedAt } nextToken } }";

/// Pages through one query (at most `max_pages`): the latency of each page and the items seen.
async fn pages(
    http: &reqwest::Client,
    url: &str,
    auth: &Auth,
    query: &str,
    field: &str,
    mut vars: Value,
    max_pages: usize,
) -> Result<(Vec<Duration>, usize), Error> {
    let mut lat = Vec::new();
    let mut items = 0;
    loop {
        let t = Instant::now();
        let body = graphql(http, url, auth, query, vars.clone()).await?;
        lat.push(t.elapsed());
        let v: Value = serde_json::from_str(&body)?;
        let page = &v["data"][field];
        items += page["items"].as_array().map_or(0, Vec::len);
        match page["nextToken"].as_str() {
            Some(token) if lat.len() < max_pages => vars["nextToken"] = json!(token),
            _ => break,
        }
    }
    Ok((lat, items))
}

fn line(what: &str, mut lat: Vec<Duration>, items: usize) -> String {
    let (p50, p99, max) = quantiles(&mut lat);
    format!(
        "{what}: {} pages, {items} items, per page p50 {}, p99 {}, max {}",
        lat.len(),
        ms(p50),
        ms(p99),
        ms(max)
    )
}

pub async fn run(a: &Args) -> Result<(), Error> {
    let url = Arc::new(a.str("graphql"));
    let auth = Arc::new(Auth::ApiKey(a.str("api-key")));
    let n = a.num("items", 100_000usize);
    let parts = a.num("partitions", 10usize);
    let rounds = a.num("rounds", 3usize);
    let client = crate::http::client(64);

    let (c, u, au) = (client.clone(), url.clone(), auth.clone());
    let mut load = closed(n, 32, a.pid(), move |i| {
        let (c, u, au) = (c.clone(), u.clone(), au.clone());
        async move {
            let statuses = ["DRAFT", "PUBLISHED", "ARCHIVED"];
            let input = json!({
                "id": format!("post-{i:08}"),
                "title": format!("Post number {i}"),
                "status": statuses[i % 3],
                "publishedAt": format!("2026-01-01T{:02}:{:02}:{:02}.000Z",
                                       (i / 3600) % 24, (i / 60) % 60, i % 60),
                "rating": (i % 50) as f64 / 10.0,
                "blogId": format!("blog-{}", i % parts),
            });
            graphql(&c, &u, &au, CREATE, json!({"input": input}))
                .await
                .expect("createPost");
        }
    })
    .await;
    println!(
        "{}",
        load.line(&format!("loaded {n} Posts (API key, concurrency 32)"))
    );

    let per_blog = n / parts;
    let mut all = (Vec::new(), Vec::new(), Vec::new());
    let mut items = (0, 0, 0);
    for r in 0..rounds {
        let blog = format!("blog-{}", r % parts);
        let (lat, got) = pages(
            &client,
            &url,
            &auth,
            BY_BLOG,
            "listPostsByBlogAndDate",
            json!({"blogId": blog, "limit": 100}),
            usize::MAX,
        )
        .await?;
        assert_eq!(got, per_blog, "every item of {blog} through the index");
        all.0.extend(lat);
        items.0 += got;
        let (lat, got) = pages(
            &client,
            &url,
            &auth,
            BY_BLOG,
            "listPostsByBlogAndDate",
            json!({"blogId": blog, "limit": 100, "filter": {"rating": {"ge": 4.0}}}),
            usize::MAX,
        )
        .await?;
        all.1.extend(lat);
        items.1 += got;
        let (lat, got) = pages(
            &client,
            &url,
            &auth,
            SCAN,
            "listPosts",
            json!({"limit": 100, "filter": {"blogId": {"eq": blog}}}),
            20,
        )
        .await?;
        all.2.extend(lat);
        items.2 += got;
    }
    println!(
        "{}",
        line(
            &format!(
                "index query listPostsByBlogAndDate(blogId), limit 100, {rounds} blogs of {per_blog}"
            ),
            all.0,
            items.0
        )
    );
    println!(
        "{}",
        line(
            "same with filter {rating: {ge: 4}} (1 item in 5 kept)",
            all.1,
            items.1
        )
    );
    println!(
        "{}",
        line(
            "contrast: listPosts(filter: {blogId: {eq}}), no index, first 20 pages",
            all.2,
            items.2
        )
    );
    Ok(())
}
