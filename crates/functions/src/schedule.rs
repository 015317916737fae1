//! `defineFunction({ schedule })` in the sandbox: a task that invokes each scheduled function at
//! the times of its EventBridge Scheduler expression, as Amplify's `AWS::Scheduler::Schedule`
//! (a `LambdaInvoke` target without input) would.
//!
//! A schedule without input delivers EventBridge Scheduler's default notification: `version`,
//! `id`, `detail-type: "Scheduled Event"`, `source: "aws.scheduler"`, `account`, `time` (the
//! scheduled time, whole seconds), `region`, `resources` (the schedule's ARN) and `detail` —
//! the *string* `"{}"`, not an object (unlike EventBridge rules' `aws.events` events).
//! Invocations are asynchronous ([`Functions::invoke_async`], Lambda's retries).
//!
//! [`Schedules`] stops its task when dropped: the sandbox keeps one per generation.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use jiff::Timestamp;
use jiff::tz::TimeZone;
use serde_json::{Value, json};
use stratus_spec::function::FunctionSpec;
use tokio::task::JoinHandle;

use crate::Functions;
use crate::cron::Cron;
use crate::invoke_async::RetryPolicy;

/// Where "now" comes from (injectable for tests). Waiting is always tokio's timer, for the
/// difference between now and the next fire time.
pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> SystemTime;
}

/// The machine's clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// What the scheduled events say about where they come from.
#[derive(Clone)]
pub struct ScheduleConfig {
    pub region: String,
    pub account_id: String,
    pub retry: RetryPolicy,
    pub clock: Arc<dyn Clock>,
}

impl ScheduleConfig {
    pub fn new(region: impl Into<String>, account_id: impl Into<String>) -> Self {
        ScheduleConfig {
            region: region.into(),
            account_id: account_id.into(),
            retry: RetryPolicy::default(),
            clock: Arc::new(SystemClock),
        }
    }
}

/// One schedule of one function, ready to run.
#[derive(Debug, Clone)]
pub struct ScheduledFunction {
    pub function: String,
    /// The schedule's name (its ARN's last part): `<function>-schedule-<index>`, as Amplify
    /// names the CDK construct (`schedule-<index>` under the function).
    pub name: String,
    /// `cron(...)`, as Amplify deploys it.
    pub expression: String,
    /// What the user wrote (`every 5m`).
    pub source: String,
    cron: Cron,
    tz: TimeZone,
}

/// Every valid schedule of `specs`. A schedule whose expression or time zone cannot be used is
/// reported in the second list (and does not run).
pub fn scheduled_functions(specs: &[FunctionSpec]) -> (Vec<ScheduledFunction>, Vec<String>) {
    let mut ok = Vec::new();
    let mut problems = Vec::new();
    for spec in specs {
        for (index, schedule) in spec.schedules.iter().enumerate() {
            let cron = match schedule.expression.parse::<Cron>() {
                Ok(c) => c,
                Err(e) => {
                    problems.push(format!("function '{}': {e}", spec.name));
                    continue;
                }
            };
            let tz = match TimeZone::get(&schedule.timezone) {
                Ok(tz) => tz,
                Err(e) => {
                    problems.push(format!(
                        "function '{}': schedule time zone '{}': {e}",
                        spec.name, schedule.timezone
                    ));
                    continue;
                }
            };
            ok.push(ScheduledFunction {
                function: spec.name.clone(),
                name: format!("{}-schedule-{index}", spec.name),
                expression: schedule.expression.clone(),
                source: schedule.source.clone(),
                cron,
                tz,
            });
        }
    }
    (ok, problems)
}

/// EventBridge Scheduler's default notification for a schedule fired at `at`.
pub fn scheduled_event(
    schedule: &ScheduledFunction,
    at: Timestamp,
    config: &ScheduleConfig,
) -> Value {
    json!({
        "version": "0",
        "id": uuid::Uuid::new_v4().to_string(),
        "detail-type": "Scheduled Event",
        "source": "aws.scheduler",
        "account": config.account_id,
        "time": at.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        "region": config.region,
        "resources": [format!(
            "arn:aws:scheduler:{}:{}:schedule/default/{}",
            config.region, config.account_id, schedule.name
        )],
        "detail": "{}",
    })
}

/// Receives `(function, event)` for every fire.
pub type FireFn = Arc<dyn Fn(&str, Value) + Send + Sync>;

/// The running schedules of one generation; dropping it stops them.
pub struct Schedules {
    task: JoinHandle<()>,
    count: usize,
}

impl Drop for Schedules {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl std::fmt::Debug for Schedules {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Schedules")
            .field("count", &self.count)
            .finish()
    }
}

impl Schedules {
    /// Run `schedules`, invoking their functions asynchronously on `functions`. `None` when
    /// there is nothing to schedule.
    pub fn start(
        functions: Functions,
        schedules: Vec<ScheduledFunction>,
        config: ScheduleConfig,
    ) -> Option<Schedules> {
        let retry = config.retry.clone();
        let fire: FireFn = Arc::new(move |name: &str, event: Value| {
            drop(functions.invoke_async(name, event, &retry, "EventBridge Scheduler"));
        });
        Schedules::start_with(schedules, config, fire)
    }

    /// Run `schedules`, handing each fire to `fire` (the seam tests use).
    pub fn start_with(
        schedules: Vec<ScheduledFunction>,
        config: ScheduleConfig,
        fire: FireFn,
    ) -> Option<Schedules> {
        if schedules.is_empty() {
            return None;
        }
        let count = schedules.len();
        let task = tokio::spawn(run(schedules, config, fire));
        Some(Schedules { task, count })
    }

    /// How many schedules run.
    pub fn len(&self) -> usize {
        self.count
    }

    pub fn is_empty(&self) -> bool {
        self.count == 0
    }
}

fn now(clock: &dyn Clock) -> Timestamp {
    Timestamp::try_from(clock.now()).unwrap_or(Timestamp::UNIX_EPOCH)
}

async fn run(schedules: Vec<ScheduledFunction>, config: ScheduleConfig, fire: FireFn) {
    let start = now(config.clock.as_ref());
    let mut next: Vec<Option<Timestamp>> = schedules
        .iter()
        .map(|s| s.cron.next_after(start, &s.tz))
        .collect();
    for (s, n) in schedules.iter().zip(&next) {
        match n {
            Some(at) => {
                tracing::info!(target: "stratus::function", "schedule {} ({}) of function '{}': next run {at}", s.expression, s.source, s.function)
            }
            None => {
                tracing::warn!(target: "stratus::function", "schedule {} of function '{}' has no future run", s.expression, s.function)
            }
        }
    }
    loop {
        let Some(due) = next.iter().flatten().min().copied() else {
            return;
        };
        // Sleep until `due` by the clock; re-check after waking (the wall clock may have been
        // changed, or the timer woke early).
        loop {
            let current = now(config.clock.as_ref());
            if current >= due {
                break;
            }
            let wait = Duration::try_from(due.duration_since(current)).unwrap_or(Duration::ZERO);
            tokio::time::sleep(wait.max(Duration::from_millis(1))).await;
        }
        let current = now(config.clock.as_ref());
        for (s, n) in schedules.iter().zip(next.iter_mut()) {
            if let Some(at) = *n
                && at <= current
            {
                tracing::info!(target: "stratus::function", "schedule {} ({}) invokes function '{}'", s.expression, s.source, s.function);
                fire(&s.function, scheduled_event(s, at, &config));
                // A run missed while the machine slept is not replayed: next is after now.
                *n = s.cron.next_after(at.max(current), &s.tz);
            }
        }
    }
}
