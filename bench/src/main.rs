//! `stratus-data-bench`: the load generator of `bench/data.mjs` (which starts the sandboxes and
//! passes their endpoints). Every request goes over real sockets to a running `stratus sandbox`.
//!
//! ```text
//! stratus-data-bench crud   --graphql URL --cognito URL --client-id ID --origin URL
//!                           [--server-pid PID] [--requests N] [--concurrency C] [--rate-seconds S]
//! stratus-data-bench subs   --graphql URL --cognito URL --client-id ID --origin URL
//!                           [--sockets N] [--per-socket K] [--events E] [--gap-ms G]
//! stratus-data-bench list   --graphql URL --api-key KEY [--server-pid PID] [--items N]
//!                           [--partitions P] [--rounds R]
//! stratus-data-bench sqlite --dir DIR [--requests N] [--concurrency C]
//! ```

mod http;
mod list;
mod load;
mod realtime;
mod sqlite;

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;

use http::{Auth, Error, graphql};
use load::{closed, fixed_rate};

/// The content of every benchmark Todo (the same bytes in the direct-SQLite reference).
const CONTENT: &str = "Benchmark item: a short note, about the size of a typical todo text.";
const CREATE: &str = "mutation ($input: CreateTodoInput!) { createTodo(input: $input) { id content done priority createdAt updatedAt owner } }";
const GET: &str =
    "query ($id: ID!) { getTodo(id: $id) { id content done priority createdAt updatedAt owner } }";

struct Args(HashMap<String, String>);

impl Args {
    fn parse() -> (String, Args) {
        let mut it = std::env::args().skip(1);
        let command = it.next().unwrap_or_default();
        let mut map = HashMap::new();
        while let Some(k) = it.next() {
            let v = it.next().unwrap_or_default();
            map.insert(k.trim_start_matches("--").to_string(), v);
        }
        (command, Args(map))
    }
    fn str(&self, k: &str) -> String {
        self.0
            .get(k)
            .cloned()
            .unwrap_or_else(|| panic!("--{k} is required"))
    }
    fn num<T: std::str::FromStr>(&self, k: &str, default: T) -> T {
        self.0
            .get(k)
            .and_then(|v| v.parse().ok())
            .unwrap_or(default)
    }
    fn pid(&self) -> Option<u32> {
        self.0.get("server-pid").and_then(|v| v.parse().ok())
    }
}

fn todo_id(i: usize) -> String {
    format!("bench-{i:08}")
}

/// The document the store keeps for a benchmark Todo (same fields and sizes: owner is
/// `sub::username`, two uuids; timestamps with milliseconds).
fn todo_doc(i: usize) -> String {
    let owner = "0c8d6f1e-4b7a-4c3e-9f2a-1d5e6b7c8a90::0c8d6f1e-4b7a-4c3e-9f2a-1d5e6b7c8a90";
    json!({"id": todo_id(i), "content": CONTENT, "priority": i, "done": false, "owner": owner,
           "createdAt": "2026-12-07T22:49:53.123Z", "updatedAt": "2026-12-07T22:49:53.123Z",
           "__typename": "Todo"})
    .to_string()
}

async fn crud(a: &Args) -> Result<(), Error> {
    let url = Arc::new(a.str("graphql"));
    let concurrency = a.num("concurrency", 32usize);
    let n = a.num("requests", 20_000usize);
    let rate_seconds = a.num("rate-seconds", 10.0f64);
    let pid = a.pid();
    let client = http::client(concurrency * 2);
    let token = http::user_token(
        &client,
        &a.str("origin"),
        &a.str("cognito"),
        &a.str("client-id"),
        "crud-bench@example.com",
    )
    .await?;
    let auth = Arc::new(Auth::Token(token));

    let create = |prefix: &'static str| {
        let (c, u, au) = (client.clone(), url.clone(), auth.clone());
        move |i: usize| {
            let (c, u, au) = (c.clone(), u.clone(), au.clone());
            async move {
                let vars = json!({"input": {"id": format!("{prefix}{}", todo_id(i)),
                                            "content": CONTENT, "priority": i}});
                graphql(&c, &u, &au, CREATE, vars).await.expect("create");
            }
        }
    };
    // Gets read the items of the measured creates (`i` wraps around them).
    let get = |prefix: &'static str| {
        let (c, u, au) = (client.clone(), url.clone(), auth.clone());
        move |i: usize| {
            let (c, u, au) = (c.clone(), u.clone(), au.clone());
            async move {
                let vars = json!({"id": format!("{prefix}{}", todo_id(i % n))});
                let body = graphql(&c, &u, &au, GET, vars).await.expect("get");
                assert!(body.contains("bench-"), "get found nothing: {body}");
            }
        }
    };

    // Warm-up: connections, caches, the first pages of the table.
    let mut warm = closed(500, concurrency, pid, create("warm-")).await;
    let sample = graphql(
        &client,
        &url,
        &auth,
        GET,
        json!({"id": format!("warm-{}", todo_id(0))}),
    )
    .await?;
    println!("warm-up {}", warm.line("creates"));
    println!(
        "get response body: {} bytes; stored document of the reference: {} bytes",
        sample.len(),
        todo_doc(0).len()
    );

    let mut creates = closed(n, concurrency, pid, create("")).await;
    println!(
        "{}",
        creates.line(&format!("creates, concurrency {concurrency}"))
    );
    let mut gets = closed(n, concurrency, pid, get("")).await;
    println!("{}", gets.line(&format!("gets, concurrency {concurrency}")));

    let half = creates.rate() / 2.0;
    let count = (half * rate_seconds) as usize;
    let mut fixed = fixed_rate(count, half, pid, create("half-")).await;
    println!(
        "{}",
        fixed.line(&format!(
            "creates at half the peak ({half:.0}/s, open loop)"
        ))
    );
    let half = gets.rate() / 2.0;
    let count = (half * rate_seconds) as usize;
    let mut fixed = fixed_rate(count, half, pid, get("")).await;
    println!(
        "{}",
        fixed.line(&format!("gets at half the peak ({half:.0}/s, open loop)"))
    );
    Ok(())
}

async fn subs(a: &Args) -> Result<(), Error> {
    let client = http::client(4);
    let token = http::user_token(
        &client,
        &a.str("origin"),
        &a.str("cognito"),
        &a.str("client-id"),
        "realtime-bench@example.com",
    )
    .await?;
    let url = a.str("graphql");
    let report = realtime::run(
        &client,
        realtime::Setup {
            graphql_url: &url,
            token: &token,
            sockets: a.num("sockets", 1000),
            per_socket: a.num("per-socket", 1),
            events: a.num("events", 50),
            gap: Duration::from_millis(a.num("gap-ms", 100)),
        },
    )
    .await?;
    println!("{report}");
    Ok(())
}

async fn direct(a: &Args) -> Result<(), Error> {
    let n = a.num("requests", 20_000usize);
    let concurrency = a.num("concurrency", 32usize);
    let dir = std::path::PathBuf::from(a.str("dir"));
    let rate_seconds = a.num("rate-seconds", 10.0f64);
    let mut r = sqlite::run(&dir, n, concurrency, rate_seconds, todo_id, todo_doc).await;
    println!("document: {} bytes", todo_doc(0).len());
    println!(
        "{}",
        r.autocommit
            .line("direct SQLite inserts, one writer, autocommit")
    );
    println!(
        "{}",
        r.grouped
            .line("direct SQLite inserts, one writer, group commit")
    );
    println!(
        "{}",
        r.gets.line("direct SQLite gets by primary key, pool of 4")
    );
    println!(
        "{}",
        r.autocommit_half
            .line("  autocommit inserts at half the peak (open loop)")
    );
    println!(
        "{}",
        r.grouped_half
            .line("  group-commit inserts at half the peak (open loop)")
    );
    println!(
        "{}",
        r.gets_half.line("  gets at half the peak (open loop)")
    );
    Ok(())
}

#[tokio::main]
async fn main() {
    let (command, args) = Args::parse();
    let result = match command.as_str() {
        "crud" => crud(&args).await,
        "subs" => subs(&args).await,
        "list" => list::run(&args).await,
        "sqlite" => direct(&args).await,
        _ => Err("usage: stratus-data-bench crud|subs|list|sqlite --option value ...".into()),
    };
    if let Err(e) = result {
        eprintln!("stratus-data-bench {command}: {e}");
        std::process::exit(1);
    }
}
