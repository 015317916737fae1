//! The functions runtime: runs the user's `defineFunction` handlers (TypeScript) on Node.js, as
//! AWS Lambda would run Amplify's bundle of them.
//!
//! - [`Functions::build`] compiles the handler tree (type stripping with oxc; `build.rs`) into
//!   the build directory; a syntax error is reported with its file and line, before anything
//!   serves the new definition.
//! - [`Functions::invoke`] hands an event to a worker (`worker.rs`: a Node.js process running
//!   `js/host.mjs`, one invocation at a time, module state kept between invocations, as a Lambda
//!   execution environment), started on first use and kept warm; up to
//!   [`RuntimeConfig::max_workers`] run one function concurrently. The function's `timeoutSeconds`
//!   is enforced (the worker is killed, as Lambda discards a timed-out environment), handler
//!   errors come back as Lambda reports them (`errorType`, `errorMessage`, `trace`).
//! - The environment is Lambda's (`AWS_REGION`, `AWS_LAMBDA_FUNCTION_NAME`, ...), then the
//!   function's `environment` (secrets resolved from [`RuntimeConfig::secrets`]), then the
//!   caller's extras; `$amplify/env/<name>` imports resolve to `process.env`.
//!
//! - [`Functions::invoke_async`] is Lambda's `Event` invocation (S3 notifications, schedules):
//!   in the background, retried as Lambda retries (`invoke_async.rs`).
//! - [`schedule::Schedules`] runs `defineFunction({ schedule })` (EventBridge Scheduler cron
//!   expressions in their time zone, `cron.rs`) with Scheduler's default event.
//!
//! Dropping [`Functions`] stops its workers.

mod build;
pub mod cron;
mod invoke_async;
pub mod schedule;
mod worker;

pub use invoke_async::RetryPolicy;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::Value;
use sha2::{Digest, Sha256};
use stratus_loader::normalize;
use stratus_spec::SecretValue;
use stratus_spec::function::{FunctionSpec, RESERVED_ENV_VAR};
use tokio::sync::Semaphore;

use crate::worker::{Launch, Worker};

/// A handler tree that could not be compiled.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("{file}:{line}:{column}: {message}")]
    Syntax {
        file: String,
        line: u32,
        column: u32,
        message: String,
    },
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

/// Why an invocation produced no result.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvokeError {
    #[error("no function named '{function}' is defined")]
    NotFound { function: String },
    /// The handler threw, rejected, called back with an error, or could not be loaded
    /// (`Runtime.ImportModuleError`, `Runtime.HandlerNotFound`).
    #[error("{error_type}: {error_message}")]
    Handler {
        error_type: String,
        error_message: String,
        trace: Vec<String>,
    },
    /// Lambda's words for it.
    #[error("Task timed out after {seconds}.00 seconds")]
    Timeout { function: String, seconds: u32 },
    #[error("function '{function}' did not load its handler within {seconds} seconds")]
    InitTimeout { function: String, seconds: u64 },
    #[error("function '{function}' stopped: {detail}")]
    Crashed {
        function: String,
        detail: String,
        output: Vec<String>,
    },
    #[error(
        "functions run on Node.js, which was not found at '{node}' (install Node.js 18 or newer, or set STRATUS_NODE)"
    )]
    NodeMissing { node: String },
    #[error(
        "function '{function}' reads secret '{secret}', which is not set (stratus sandbox secret set {secret})"
    )]
    MissingSecret { function: String, secret: String },
    #[error("could not start the function's Node.js process: {0}")]
    Spawn(String),
    #[error("function protocol error: {0}")]
    Protocol(String),
}

impl InvokeError {
    fn spawn(e: std::io::Error) -> Self {
        InvokeError::Spawn(e.to_string())
    }

    /// The `errorType` Lambda would report for this failure.
    pub fn error_type(&self) -> &str {
        match self {
            InvokeError::Handler { error_type, .. } => error_type,
            InvokeError::Timeout { .. } => "Sandbox.Timedout",
            InvokeError::Crashed { .. } => "Runtime.ExitError",
            InvokeError::InitTimeout { .. } => "Sandbox.Timedout",
            InvokeError::NotFound { .. } => "ResourceNotFoundException",
            _ => "ServiceException",
        }
    }

    /// The `errorMessage` Lambda would report for this failure.
    pub fn error_message(&self) -> String {
        match self {
            InvokeError::Handler { error_message, .. } => error_message.clone(),
            other => other.to_string(),
        }
    }
}

/// Where and how functions run.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// The Node.js executable (`node` on `PATH` by default; `STRATUS_NODE` overrides).
    pub node: PathBuf,
    /// The folder that holds `amplify/` (handler entries are relative to it).
    pub project_root: PathBuf,
    /// Where compiled handler trees go (`.amplify/stratus/<identifier>/functions`).
    pub build_dir: PathBuf,
    pub region: String,
    pub account_id: String,
    /// Concurrent executions of one function (each a Node.js process).
    pub max_workers: usize,
    /// Values of `secret('NAME')`.
    pub secrets: BTreeMap<String, String>,
    /// Added to every function's environment after its own (endpoints, CA file, ...).
    pub extra_env: Vec<(String, String)>,
}

impl RuntimeConfig {
    pub fn new(project_root: impl Into<PathBuf>, build_dir: impl Into<PathBuf>) -> Self {
        RuntimeConfig {
            node: std::env::var_os("STRATUS_NODE")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("node")),
            project_root: project_root.into(),
            build_dir: build_dir.into(),
            region: "us-east-1".into(),
            account_id: "000000000000".into(),
            max_workers: 4,
            secrets: BTreeMap::new(),
            extra_env: Vec::new(),
        }
    }
}

struct Pool {
    launch: Result<Launch, InvokeError>,
    timeout: Duration,
    permits: Semaphore,
    idle: Mutex<Vec<Worker>>,
}

/// The functions of one backend generation. Cheap to clone.
#[derive(Clone, Default)]
pub struct Functions {
    pools: Arc<HashMap<String, Arc<Pool>>>,
    /// Identifies what the workers would run: compiled code, specs and environment.
    fingerprint: String,
}

impl std::fmt::Debug for Functions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mut names: Vec<_> = self.pools.keys().collect();
        names.sort();
        f.debug_struct("Functions").field("names", &names).finish()
    }
}

fn env_value(
    function: &str,
    value: &SecretValue,
    config: &RuntimeConfig,
) -> Result<String, InvokeError> {
    match value {
        SecretValue::Plain(v) => Ok(v.clone()),
        SecretValue::Secret(name) => {
            config
                .secrets
                .get(name)
                .cloned()
                .ok_or_else(|| InvokeError::MissingSecret {
                    function: function.to_string(),
                    secret: name.clone(),
                })
        }
    }
}

fn launch_for(
    spec: &FunctionSpec,
    root: &Path,
    built: &build::Build,
    config: &RuntimeConfig,
) -> Result<Launch, InvokeError> {
    let entry = normalize(&root.join(&spec.entry));
    let task_root = entry.parent().unwrap_or(root).to_path_buf();
    let name = &spec.name;
    let arn = format!(
        "arn:aws:lambda:{}:{}:function:{name}",
        config.region, config.account_id
    );
    let stream = format!(
        "{}/[$LATEST]{}",
        chrono_like_date(),
        uuid::Uuid::new_v4().simple()
    );
    let runtime = spec.runtime.lambda_runtime();
    let mut env: Vec<(String, String)> = vec![
        ("PATH".into(), std::env::var("PATH").unwrap_or_default()),
        ("LANG".into(), "en_US.UTF-8".into()),
        ("TZ".into(), ":UTC".into()),
        ("AWS_REGION".into(), config.region.clone()),
        ("AWS_DEFAULT_REGION".into(), config.region.clone()),
        ("AWS_EXECUTION_ENV".into(), format!("AWS_Lambda_{runtime}")),
        ("AWS_LAMBDA_FUNCTION_NAME".into(), name.clone()),
        (
            "AWS_LAMBDA_FUNCTION_MEMORY_SIZE".into(),
            spec.memory_mb.to_string(),
        ),
        ("AWS_LAMBDA_FUNCTION_VERSION".into(), "$LATEST".into()),
        ("AWS_LAMBDA_INITIALIZATION_TYPE".into(), "on-demand".into()),
        (
            "AWS_LAMBDA_LOG_GROUP_NAME".into(),
            format!("/aws/lambda/{name}"),
        ),
        ("AWS_LAMBDA_LOG_STREAM_NAME".into(), stream.clone()),
        (
            "LAMBDA_TASK_ROOT".into(),
            task_root.to_string_lossy().into_owned(),
        ),
        // Secrets are resolved here, not fetched from SSM at cold start.
        (RESERVED_ENV_VAR.into(), "{}".into()),
    ];
    for var in &spec.environment {
        env.push((var.name.clone(), env_value(name, &var.value, config)?));
    }
    env.extend(config.extra_env.iter().cloned());
    let host_config = serde_json::json!({
        "manifest": built.manifest,
        "hooks": built.hooks,
        "entry": entry,
        "entryName": "index",
        "functionName": name,
        "functionArn": arn,
        "memoryMb": spec.memory_mb,
        "logStreamName": stream,
    })
    .to_string();
    Ok(Launch {
        node: config.node.clone(),
        host: built.host.clone(),
        host_config,
        env,
        cwd: task_root,
        name: name.clone(),
    })
}

/// `YYYY/MM/DD` (UTC), as Lambda's log stream names start.
fn chrono_like_date() -> String {
    let days = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() / 86_400)
        .unwrap_or(0) as i64;
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}/{m:02}/{d:02}")
}

impl Functions {
    /// No functions.
    pub fn empty() -> Self {
        Functions::default()
    }

    /// Compile `specs`' handlers and prepare (not start) their workers.
    pub fn build(specs: &[FunctionSpec], config: &RuntimeConfig) -> Result<Functions, BuildError> {
        if specs.is_empty() {
            return Ok(Functions::empty());
        }
        let root = config
            .project_root
            .canonicalize()
            .map_err(|source| BuildError::Io {
                path: config.project_root.display().to_string(),
                source,
            })?;
        let entries: Vec<PathBuf> = specs
            .iter()
            .map(|s| normalize(&root.join(&s.entry)))
            .collect();
        for (spec, entry) in specs.iter().zip(&entries) {
            if !entry.is_file() {
                return Err(BuildError::Io {
                    path: spec.entry.clone(),
                    source: std::io::Error::new(
                        std::io::ErrorKind::NotFound,
                        format!("the handler of function '{}' does not exist", spec.name),
                    ),
                });
            }
        }
        let built = build::build(&root, &entries, &config.build_dir)?;
        let pools = specs
            .iter()
            .map(|spec| {
                let pool = Pool {
                    launch: launch_for(spec, &root, &built, config),
                    timeout: Duration::from_secs(u64::from(spec.timeout_seconds)),
                    permits: Semaphore::new(config.max_workers.max(1)),
                    idle: Mutex::new(Vec::new()),
                };
                (spec.name.clone(), Arc::new(pool))
            })
            .collect();
        let mut hasher = Sha256::new();
        hasher.update(built.id.as_bytes());
        for spec in specs {
            hasher.update(serde_json::to_vec(spec).unwrap_or_default());
        }
        hasher.update(serde_json::to_vec(&config.secrets).unwrap_or_default());
        hasher.update(serde_json::to_vec(&config.extra_env).unwrap_or_default());
        hasher.update(config.node.to_string_lossy().as_bytes());
        Ok(Functions {
            pools: Arc::new(pools),
            fingerprint: hex::encode(hasher.finalize()),
        })
    }

    /// Equal for two builds of the same code, definitions and environment: a reload can keep
    /// the warm workers of the previous generation.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    pub fn contains(&self, name: &str) -> bool {
        self.pools.contains_key(name)
    }

    pub fn is_empty(&self) -> bool {
        self.pools.is_empty()
    }

    /// Invoke function `name` with `event` (a `RequestResponse` invocation) and return its
    /// result payload.
    pub async fn invoke(&self, name: &str, event: &Value) -> Result<Value, InvokeError> {
        let pool = self
            .pools
            .get(name)
            .ok_or_else(|| InvokeError::NotFound {
                function: name.to_string(),
            })?
            .clone();
        let launch = pool.launch.as_ref().map_err(Clone::clone)?;
        let _permit = pool
            .permits
            .acquire()
            .await
            .map_err(|_| InvokeError::Protocol("function pool closed".into()))?;
        let idle = pool.idle.lock().unwrap_or_else(|e| e.into_inner()).pop();
        let mut worker = match idle {
            Some(w) => w,
            None => Worker::start(launch).await?,
        };
        let id = uuid::Uuid::new_v4().to_string();
        let started = Instant::now();
        let deadline = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap_or_default()
            .saturating_add(pool.timeout)
            .as_millis();
        let outcome = tokio::time::timeout(pool.timeout, worker.invoke(&id, event, deadline)).await;
        let elapsed = started.elapsed();
        tracing::debug!(target: "stratus::function", function = %name, request_id = %id, ms = elapsed.as_secs_f64() * 1e3, "invoked");
        match outcome {
            Err(_) => Err(InvokeError::Timeout {
                function: name.to_string(),
                seconds: pool.timeout.as_secs() as u32,
            }),
            Ok(Err(e)) => Err(e),
            Ok(Ok((result, reusable))) => {
                if reusable {
                    pool.idle
                        .lock()
                        .unwrap_or_else(|e| e.into_inner())
                        .push(worker);
                }
                result
            }
        }
    }
}
