//! Load shapes (closed loop at a fixed concurrency, open loop at a fixed rate), latency
//! statistics and CPU accounting from `/proc`.

use std::future::Future;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The outcome of one pass: wall time, one latency per operation, CPU seconds spent.
pub struct Pass {
    pub total: Duration,
    pub lat: Vec<Duration>,
    pub client_cpu: f64,
    pub server_cpu: Option<f64>,
}

impl Pass {
    pub fn rate(&self) -> f64 {
        self.lat.len() as f64 / self.total.as_secs_f64()
    }

    /// One line: count, rate, p50/p99/max, CPU of both sides as a share of the wall time
    /// (200 % = both cores).
    pub fn line(&mut self, what: &str) -> String {
        let (p50, p99, max) = quantiles(&mut self.lat);
        let wall = self.total.as_secs_f64();
        let server = self
            .server_cpu
            .map(|s| format!(", server CPU {:.0} %", 100.0 * s / wall))
            .unwrap_or_default();
        format!(
            "{what}: {} in {:.2} s = {:.0}/s, p50 {}, p99 {}, max {}; client CPU {:.0} %{server}",
            self.lat.len(),
            wall,
            self.rate(),
            ms(p50),
            ms(p99),
            ms(max),
            100.0 * self.client_cpu / wall,
        )
    }
}

pub fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// p50, p99, max (sorts `lat`).
pub fn quantiles(lat: &mut [Duration]) -> (Duration, Duration, Duration) {
    if lat.is_empty() {
        return (Duration::ZERO, Duration::ZERO, Duration::ZERO);
    }
    lat.sort();
    let n = lat.len();
    let p = |q: f64| lat[((n as f64 * q) as usize).min(n - 1)];
    (p(0.50), p(0.99), lat[n - 1])
}

/// User + system CPU seconds of a process (`/proc/<pid>/stat`, 100 ticks per second as on
/// every Linux this runs on).
pub fn cpu_seconds(pid: Option<u32>) -> Option<f64> {
    let path = match pid {
        Some(p) => format!("/proc/{p}/stat"),
        None => "/proc/self/stat".to_string(),
    };
    let stat = std::fs::read_to_string(path).ok()?;
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split(' ').collect();
    let utime: f64 = f.get(11)?.parse().ok()?;
    let stime: f64 = f.get(12)?.parse().ok()?;
    Some((utime + stime) / 100.0)
}

struct Cpu {
    client: f64,
    server: Option<f64>,
    server_pid: Option<u32>,
}

impl Cpu {
    fn start(server_pid: Option<u32>) -> Cpu {
        Cpu {
            client: cpu_seconds(None).unwrap_or(0.0),
            server: server_pid.and_then(|p| cpu_seconds(Some(p))),
            server_pid,
        }
    }
    fn finish(self, total: Duration, lat: Vec<Duration>) -> Pass {
        Pass {
            total,
            lat,
            client_cpu: cpu_seconds(None).unwrap_or(0.0) - self.client,
            server_cpu: self
                .server
                .and_then(|s0| Some(cpu_seconds(self.server_pid)? - s0)),
        }
    }
}

/// `n` operations by `concurrency` workers, each starting its next one when the last ends.
pub async fn closed<F, Fut>(n: usize, concurrency: usize, server_pid: Option<u32>, f: F) -> Pass
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send,
{
    let f = Arc::new(f);
    let cpu = Cpu::start(server_pid);
    let start = Instant::now();
    let mut tasks = Vec::new();
    for w in 0..concurrency {
        let f = f.clone();
        tasks.push(tokio::spawn(async move {
            let mut lat = Vec::with_capacity(n / concurrency + 1);
            let mut i = w;
            while i < n {
                let t = Instant::now();
                f(i).await;
                lat.push(t.elapsed());
                i += concurrency;
            }
            lat
        }));
    }
    let mut all = Vec::with_capacity(n);
    for t in tasks {
        all.extend(t.await.expect("worker panicked"));
    }
    cpu.finish(start.elapsed(), all)
}

/// `n` operations started at `rate` per second whatever the answers do (open loop). Each
/// latency runs from the operation's scheduled start, so a client falling behind shows as
/// latency instead of hiding it.
pub async fn fixed_rate<F, Fut>(n: usize, rate: f64, server_pid: Option<u32>, f: F) -> Pass
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = ()> + Send + 'static,
{
    let cpu = Cpu::start(server_pid);
    let start = tokio::time::Instant::now();
    let mut tasks = Vec::with_capacity(n);
    for i in 0..n {
        let at = start + Duration::from_secs_f64(i as f64 / rate);
        tokio::time::sleep_until(at).await;
        let op = f(i);
        tasks.push(tokio::spawn(async move {
            op.await;
            at.elapsed()
        }));
    }
    let mut all = Vec::with_capacity(n);
    for t in tasks {
        all.push(t.await.expect("operation panicked"));
    }
    cpu.finish(start.elapsed(), all)
}
