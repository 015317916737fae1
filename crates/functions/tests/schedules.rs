//! `defineFunction({ schedule })`: the scheduler fires at the expression's times in its time
//! zone with EventBridge Scheduler's event (time under tokio's paused clock), stops when
//! dropped, and — against real Node.js — invokes the TypeScript handler asynchronously with
//! Lambda's retries.

use std::fs;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

use serde_json::{Value, json};
use stratus_functions::schedule::{Clock, FireFn, ScheduleConfig, Schedules, scheduled_functions};
use stratus_functions::{Functions, RetryPolicy, RuntimeConfig};
use tokio::sync::mpsc;

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// A project with one function `tick` whose resource.ts sets `schedule` to `schedule` (a
/// TypeScript expression) and whose handler is `handler`.
fn project(schedule: &str, handler: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "amplify/functions/tick/resource.ts",
        &format!(
            "import {{ defineFunction }} from '@aws-amplify/backend';\n\
             export const tick = defineFunction({{ name: 'tick', schedule: {schedule} }});\n"
        ),
    );
    write(dir.path(), "amplify/functions/tick/handler.ts", handler);
    write(
        dir.path(),
        "amplify/backend.ts",
        "import { defineBackend } from '@aws-amplify/backend';\n\
         import { tick } from './functions/tick/resource';\n\
         defineBackend({ tick });\n",
    );
    dir
}

/// Wall time that moves with tokio's (paused) clock from `base`.
struct TokioClock {
    base: SystemTime,
    start: tokio::time::Instant,
}

impl Clock for TokioClock {
    fn now(&self) -> SystemTime {
        self.base + self.start.elapsed()
    }
}

fn system_time(ts: jiff::Timestamp) -> SystemTime {
    SystemTime::UNIX_EPOCH + Duration::from_millis(ts.as_millisecond() as u64)
}

fn at(s: &str) -> SystemTime {
    system_time(s.parse().unwrap())
}

type Fired = (String, Value, Duration);

fn recorder(start: tokio::time::Instant) -> (FireFn, mpsc::UnboundedReceiver<Fired>) {
    let (tx, rx) = mpsc::unbounded_channel();
    let fire: FireFn = Arc::new(move |name: &str, event: Value| {
        let _ = tx.send((name.to_string(), event, start.elapsed()));
    });
    (fire, rx)
}

#[tokio::test(start_paused = true)]
async fn fires_at_the_expressions_times_with_the_scheduler_event() {
    let dir = project(
        "['every 5m', { cron: '0 9 * * ?', timezone: 'Europe/Paris' }]",
        "export const handler = async () => {};\n",
    );
    let backend = stratus_loader::load(dir.path()).unwrap();
    let (schedules, problems) = scheduled_functions(&backend.functions);
    assert!(problems.is_empty(), "{problems:?}");
    assert_eq!(schedules.len(), 2);

    let start = tokio::time::Instant::now();
    let mut config = ScheduleConfig::new("us-east-1", "123456789012");
    // Sunday 2026-03-01, 10:02:30 UTC.
    config.clock = Arc::new(TokioClock {
        base: at("2026-03-01T10:02:30Z"),
        start,
    });
    let (fire, mut fired) = recorder(start);
    let running = Schedules::start_with(schedules, config, fire).expect("schedules run");
    assert_eq!(running.len(), 2);

    // Everything up to Monday 08:00 UTC (09:00 in Paris): 5-minute runs from 10:05 on, and
    // the daily one once.
    let mut five = Vec::new();
    let mut daily = Vec::new();
    while daily.is_empty() {
        let (name, event, elapsed) = fired.recv().await.unwrap();
        assert_eq!(name, "tick");
        let time: jiff::Timestamp = event["time"].as_str().unwrap().parse().unwrap();
        // Fired when the clock reached the event's time, not before, not later.
        assert_eq!(
            system_time(time),
            at("2026-03-01T10:02:30Z") + elapsed,
            "{event}"
        );
        let resource = event["resources"][0].as_str().unwrap().to_string();
        if resource.ends_with("tick-schedule-0") {
            five.push(time);
        } else {
            assert!(resource.ends_with("tick-schedule-1"), "{resource}");
            daily.push(time);
        }
        // The default notification of a schedule without input, verbatim but for id/time.
        assert_eq!(event["version"], "0");
        assert_eq!(event["detail-type"], "Scheduled Event");
        assert_eq!(event["source"], "aws.scheduler");
        assert_eq!(event["account"], "123456789012");
        assert_eq!(event["region"], "us-east-1");
        assert_eq!(event["detail"], "{}", "a string, as Scheduler sends it");
        assert!(resource.starts_with("arn:aws:scheduler:us-east-1:123456789012:schedule/default/"));
        assert_eq!(event["id"].as_str().unwrap().len(), 36);
        assert_eq!(event.as_object().unwrap().len(), 9, "{event}");
    }
    assert_eq!(daily[0].to_string(), "2026-03-02T08:00:00Z");
    assert_eq!(five.first().unwrap().to_string(), "2026-03-01T10:05:00Z");
    assert_eq!(five.last().unwrap().to_string(), "2026-03-02T08:00:00Z");
    for pair in five.windows(2) {
        assert_eq!(
            pair[1].duration_since(pair[0]),
            jiff::SignedDuration::from_mins(5)
        );
    }
    assert_eq!(five.len(), 264, "10:05 Sunday to 08:00 Monday");

    // Dropping the schedules stops them: a day later nothing more has fired.
    drop(running);
    tokio::time::sleep(Duration::from_secs(86_400)).await;
    assert!(fired.try_recv().is_err());
}

#[tokio::test(start_paused = true)]
async fn a_schedule_with_no_future_run_never_fires() {
    let dir = project(
        "'0 12 * * ? 2020'",
        "export const handler = async () => {};\n",
    );
    let backend = stratus_loader::load(dir.path()).unwrap();
    let (schedules, _) = scheduled_functions(&backend.functions);
    let start = tokio::time::Instant::now();
    let mut config = ScheduleConfig::new("us-east-1", "000000000000");
    config.clock = Arc::new(TokioClock {
        base: at("2026-03-01T10:02:30Z"),
        start,
    });
    let (fire, mut fired) = recorder(start);
    let _running = Schedules::start_with(schedules, config, fire).unwrap();
    tokio::time::sleep(Duration::from_secs(400 * 86_400)).await;
    assert!(fired.try_recv().is_err());
}

/// The machine's clock moved forward by `offset`.
struct Ahead {
    offset: Duration,
}

impl Clock for Ahead {
    fn now(&self) -> SystemTime {
        SystemTime::now() + self.offset
    }
}

/// Offset that puts "now" 300 ms before the next whole minute.
fn just_before_a_minute() -> Duration {
    let now = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap();
    let into_minute = Duration::from_millis((now.as_millis() % 60_000) as u64);
    Duration::from_secs(60) - into_minute - Duration::from_millis(300)
}

const RECORDING_HANDLER: &str = r#"
import { appendFileSync, readFileSync, existsSync } from 'node:fs';
import type { EventBridgeHandler } from 'aws-lambda';

const log = new URL('./fired.jsonl', import.meta.url);

export const handler: EventBridgeHandler<'Scheduled Event', string, void> = async (event, context) => {
  const before = existsSync(log) ? readFileSync(log, 'utf8').split('\n').filter(Boolean).length : 0;
  appendFileSync(log, JSON.stringify({ event, fn: context.functionName }) + '\n');
  // Fail the first two attempts: Lambda's retries deliver the same event again.
  if (before < 2) throw new Error(`attempt ${before + 1} fails`);
};
"#;

#[tokio::test]
async fn invokes_the_handler_on_node_and_retries_failures() {
    let dir = project("'every 1m'", RECORDING_HANDLER);
    let backend = stratus_loader::load(dir.path()).unwrap();
    let functions = Functions::build(
        &backend.functions,
        &RuntimeConfig::new(dir.path(), dir.path().join(".amplify/stratus/t/functions")),
    )
    .unwrap();
    let (schedules, _) = scheduled_functions(&backend.functions);
    let mut config = ScheduleConfig::new("us-east-1", "000000000000");
    config.clock = Arc::new(Ahead {
        offset: just_before_a_minute(),
    });
    config.retry = RetryPolicy {
        delays: vec![Duration::from_millis(50), Duration::from_millis(50)],
    };
    let running = Schedules::start(functions, schedules, config).unwrap();

    let log = dir.path().join("amplify/functions/tick/fired.jsonl");
    let lines = Arc::new(Mutex::new(Vec::<Value>::new()));
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(text) = fs::read_to_string(&log) {
            let parsed: Vec<Value> = text
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect();
            *lines.lock().unwrap() = parsed;
            if lines.lock().unwrap().len() >= 3 {
                break;
            }
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the handler ran {} times",
            lines.lock().unwrap().len()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    drop(running);
    let lines = lines.lock().unwrap().clone();
    // One scheduled run, tried three times (two failures, then success), with one event.
    assert_eq!(lines.len(), 3);
    let event = &lines[0]["event"];
    assert!(lines.iter().all(|l| &l["event"] == event));
    assert_eq!(lines[0]["fn"], "tick");
    assert_eq!(event["source"], "aws.scheduler");
    assert_eq!(event["detail-type"], "Scheduled Event");
    assert_eq!(event["detail"], "{}");
    let time = event["time"].as_str().unwrap();
    assert!(time.ends_with(":00Z"), "a whole minute: {time}");
    assert_eq!(
        event["resources"],
        json!(["arn:aws:scheduler:us-east-1:000000000000:schedule/default/tick-schedule-0"])
    );
    // No fourth attempt arrives.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        fs::read_to_string(&log).unwrap().lines().count(),
        3,
        "a succeeded invocation is not retried"
    );
}
