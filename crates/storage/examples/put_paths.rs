//! The upload write path in isolation (no HTTP, no client): `FsBackend::put` of an in-memory
//! body in 64 KiB chunks (what hyper hands over), next to, in the same run and directory:
//!
//! * `single task`: the previous write path — MD5 and `tokio::fs::File::write_all` of each chunk
//!   on the request's task, one fsync at the end;
//! * `durable write, no MD5`: the same without hashing (the floor without the ETag);
//! * `MD5 only`: the md-5 crate over the same bytes.
//!
//! ```text
//! cargo run --release -p stratus-storage --example put_paths -- [MiB] [reps] [dir]
//! ```
//! Prints wall time and the process's CPU time (user + system) for each, median of `reps`.

use std::time::{Duration, Instant};

use bytes::Bytes;
use futures::StreamExt;
use md5::{Digest, Md5};
use stratus_storage::backend::PutOptions;
use stratus_storage::{ByteStream, FsBackend, FsOptions, ObjectBackend, ObjectMeta};
use tokio::io::AsyncWriteExt;

const CHUNK: usize = 64 * 1024;

fn body(data: &Bytes) -> ByteStream {
    let data = data.clone();
    let n = data.len().div_ceil(CHUNK);
    futures::stream::iter((0..n).map(move |i| {
        Ok::<_, std::io::Error>(data.slice(i * CHUNK..((i + 1) * CHUNK).min(data.len())))
    }))
    .boxed()
}

/// CPU time of this process (user + system).
fn cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat
        .rsplit_once(") ")
        .map(|(_, r)| r.split(' ').collect())
        .unwrap_or_default();
    let ticks: u64 = fields.get(11).and_then(|v| v.parse().ok()).unwrap_or(0)
        + fields.get(12).and_then(|v| v.parse().ok()).unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

async fn single_task(dir: &std::path::Path, data: &Bytes, hash: bool) -> String {
    let path = dir.join("single.tmp");
    let mut file = tokio::fs::File::create(&path).await.unwrap();
    let mut md5 = Md5::new();
    let mut stream = body(data);
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.unwrap();
        if hash {
            md5.update(&chunk);
        }
        file.write_all(&chunk).await.unwrap();
    }
    file.flush().await.unwrap();
    file.sync_all().await.unwrap();
    drop(file);
    tokio::fs::rename(&path, dir.join("single.bin"))
        .await
        .unwrap();
    hex::encode(md5.finalize())
}

fn median(mut xs: Vec<Duration>) -> Duration {
    xs.sort();
    xs[xs.len() / 2]
}

#[tokio::main]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let mib: usize = args.get(1).and_then(|v| v.parse().ok()).unwrap_or(256);
    let reps: usize = args.get(2).and_then(|v| v.parse().ok()).unwrap_or(5);
    let base = args
        .get(3)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(std::env::temp_dir);
    let dir = tempfile::tempdir_in(base).unwrap();
    let backend = FsBackend::open(dir.path().join("store"), FsOptions::default())
        .await
        .unwrap();
    backend.ensure_bucket("bench.bucket").await.unwrap();
    let mut raw = vec![0u8; mib * 1024 * 1024];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    for b in raw.iter_mut() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = x as u8;
    }
    let data = Bytes::from(raw);
    let want = hex::encode(Md5::digest(&data));
    let mb = data.len() as f64 / 1e6;

    let mut results: Vec<(&str, Vec<Duration>, Vec<Duration>)> = vec![
        ("FsBackend::put (current)", vec![], vec![]),
        ("single task (previous)", vec![], vec![]),
        ("durable write, no MD5", vec![], vec![]),
        ("MD5 only (md-5 crate)", vec![], vec![]),
    ];
    for _ in 0..reps {
        for (i, (_, walls, cpus)) in results.iter_mut().enumerate() {
            let (t0, c0) = (Instant::now(), cpu());
            match i {
                0 => {
                    let info = backend
                        .put(
                            "bench.bucket",
                            "k",
                            body(&data),
                            ObjectMeta::default(),
                            PutOptions::default(),
                        )
                        .await
                        .unwrap();
                    assert_eq!(info.etag, format!("\"{want}\""));
                }
                1 => assert_eq!(single_task(dir.path(), &data, true).await, want),
                2 => {
                    single_task(dir.path(), &data, false).await;
                }
                _ => assert_eq!(hex::encode(Md5::digest(&data)), want),
            }
            walls.push(t0.elapsed());
            cpus.push(cpu() - c0);
        }
    }
    println!("{mib} MiB, {reps} reps, 64 KiB chunks, median:");
    for (name, walls, cpus) in results {
        let w = median(walls);
        println!(
            "  {name:<28} {:>8.1} ms = {:>5.0} MB/s   CPU {:>6.0} ms",
            w.as_secs_f64() * 1e3,
            mb / w.as_secs_f64(),
            median(cpus).as_secs_f64() * 1e3
        );
    }
}
