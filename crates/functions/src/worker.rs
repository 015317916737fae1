//! One function worker: a Node.js process running `js/host.mjs` with the user's handler loaded,
//! reached over a socket on its file descriptor 3. A worker serves one invocation at a time,
//! as a Lambda execution environment does; [`crate::pool`] keeps the idle ones.

use std::collections::VecDeque;
use std::os::fd::{AsRawFd, OwnedFd};
use std::os::unix::net::UnixStream as StdUnixStream;
use std::process::Stdio;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWriteExt, BufReader};
use tokio::net::UnixStream;
use tokio::net::unix::{OwnedReadHalf, OwnedWriteHalf};
use tokio::process::{Child, Command};

use crate::InvokeError;

/// How long a worker may take to load the handler module (Lambda's init phase limit).
pub(crate) const INIT_TIMEOUT: Duration = Duration::from_secs(10);
/// Lines of the worker's output kept to explain a crash.
const TAIL_LINES: usize = 20;

/// Everything needed to start a worker of one function.
#[derive(Debug, Clone)]
pub(crate) struct Launch {
    pub node: std::path::PathBuf,
    pub host: std::path::PathBuf,
    /// `STRATUS_FUNCTION_HOST` for host.mjs.
    pub host_config: String,
    /// The function's environment (Lambda's variables, the user's, the caller's extras).
    pub env: Vec<(String, String)>,
    pub cwd: std::path::PathBuf,
    pub name: String,
}

#[derive(Debug, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
enum Message {
    Ready,
    InitError {
        #[serde(rename = "errorType")]
        error_type: String,
        #[serde(rename = "errorMessage")]
        error_message: String,
        #[serde(default)]
        trace: Vec<String>,
    },
    Result {
        id: String,
        payload: Value,
    },
    Error {
        id: String,
        #[serde(rename = "errorType")]
        error_type: String,
        #[serde(rename = "errorMessage")]
        error_message: String,
        #[serde(default)]
        trace: Vec<String>,
        /// The process exits after this error (uncaught exception, unhandled rejection).
        #[serde(default)]
        fatal: bool,
    },
}

pub(crate) struct Worker {
    child: Child,
    reader: BufReader<OwnedReadHalf>,
    writer: OwnedWriteHalf,
    tail: Arc<Mutex<VecDeque<String>>>,
    name: String,
}

fn forward_output(
    stream: impl AsyncRead + Unpin + Send + 'static,
    name: String,
    tail: Arc<Mutex<VecDeque<String>>>,
    is_stderr: bool,
) {
    tokio::spawn(async move {
        let mut lines = BufReader::new(stream).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            let shown = line.replace('\t', " ").replace('\r', "\n    ");
            if is_stderr {
                tracing::warn!(target: "stratus::function", "λ {name} {shown}");
            } else {
                tracing::info!(target: "stratus::function", "λ {name} {shown}");
            }
            let mut tail = tail.lock().unwrap_or_else(|e| e.into_inner());
            if tail.len() == TAIL_LINES {
                tail.pop_front();
            }
            tail.push_back(line);
        }
    });
}

impl Worker {
    /// Start a worker and wait until its handler module is loaded.
    pub(crate) async fn start(launch: &Launch) -> Result<Worker, InvokeError> {
        let (ours, theirs) = StdUnixStream::pair().map_err(InvokeError::spawn)?;
        ours.set_nonblocking(true).map_err(InvokeError::spawn)?;
        let theirs = OwnedFd::from(theirs);
        let child_fd = theirs.as_raw_fd();
        let mut command = Command::new(&launch.node);
        command
            .arg("--enable-source-maps")
            .arg(&launch.host)
            .current_dir(&launch.cwd)
            .env_clear()
            .envs(launch.env.iter().map(|(k, v)| (k, v)))
            .env("STRATUS_FUNCTION_HOST", &launch.host_config)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true);
        // SAFETY: between fork and exec only async-signal-safe calls (prctl, dup2, fcntl).
        unsafe {
            command.pre_exec(move || {
                // The worker dies with stratus, however stratus ends.
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                    return Err(std::io::Error::last_os_error());
                }
                if child_fd == 3 {
                    // Already at 3: only clear close-on-exec.
                    let flags = libc::fcntl(3, libc::F_GETFD);
                    if flags < 0 || libc::fcntl(3, libc::F_SETFD, flags & !libc::FD_CLOEXEC) < 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                } else if libc::dup2(child_fd, 3) < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            });
        }
        let mut child = command.spawn().map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                InvokeError::NodeMissing {
                    node: launch.node.display().to_string(),
                }
            } else {
                InvokeError::spawn(e)
            }
        })?;
        drop(theirs);
        let tail = Arc::new(Mutex::new(VecDeque::new()));
        if let Some(out) = child.stdout.take() {
            forward_output(out, launch.name.clone(), tail.clone(), false);
        }
        if let Some(err) = child.stderr.take() {
            forward_output(err, launch.name.clone(), tail.clone(), true);
        }
        let stream = UnixStream::from_std(ours).map_err(InvokeError::spawn)?;
        let (read, writer) = stream.into_split();
        let mut worker = Worker {
            child,
            reader: BufReader::new(read),
            writer,
            tail,
            name: launch.name.clone(),
        };
        let first = tokio::time::timeout(INIT_TIMEOUT, worker.next_message()).await;
        match first {
            Ok(Ok(Message::Ready)) => Ok(worker),
            Ok(Ok(Message::InitError {
                error_type,
                error_message,
                trace,
            })) => Err(InvokeError::Handler {
                error_type,
                error_message,
                trace,
            }),
            Ok(Ok(other)) => Err(worker
                .crashed(format!("unexpected message {other:?}"))
                .await),
            Ok(Err(e)) => Err(e),
            Err(_) => Err(InvokeError::InitTimeout {
                function: launch.name.clone(),
                seconds: INIT_TIMEOUT.as_secs(),
            }),
        }
    }

    async fn next_message(&mut self) -> Result<Message, InvokeError> {
        let mut line = String::new();
        loop {
            line.clear();
            let n = self
                .reader
                .read_line(&mut line)
                .await
                .map_err(InvokeError::spawn)?;
            if n == 0 {
                return Err(self.crashed("the process exited".into()).await);
            }
            if line.trim().is_empty() {
                continue;
            }
            return serde_json::from_str(&line)
                .map_err(|e| InvokeError::Protocol(format!("{e}: {}", line.trim())));
        }
    }

    /// The error for a worker that went away: its exit status and last output lines.
    async fn crashed(&mut self, what: String) -> InvokeError {
        let status = tokio::time::timeout(Duration::from_secs(2), self.child.wait())
            .await
            .ok()
            .and_then(|r| r.ok());
        // Let the output forwarders catch up with the last lines.
        tokio::time::sleep(Duration::from_millis(20)).await;
        let tail: Vec<String> = self
            .tail
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .iter()
            .cloned()
            .collect();
        InvokeError::Crashed {
            function: self.name.clone(),
            detail: match status {
                Some(s) => format!("{what} ({s})"),
                None => what,
            },
            output: tail,
        }
    }

    /// Run one invocation. `Ok((result, reusable))`: the handler's result or error, and whether
    /// the worker can serve another invocation; `Err`: the worker is broken and must be dropped
    /// (which kills the process).
    pub(crate) async fn invoke(
        &mut self,
        id: &str,
        event: &Value,
        deadline_ms: u128,
    ) -> Result<(Result<Value, InvokeError>, bool), InvokeError> {
        let mut line = serde_json::to_vec(&serde_json::json!({
            "id": id,
            "event": event,
            "deadlineMs": deadline_ms as u64,
        }))
        .map_err(|e| InvokeError::Protocol(e.to_string()))?;
        line.push(b'\n');
        if let Err(e) = self.writer.write_all(&line).await {
            return Err(self.crashed(format!("could not send the event: {e}")).await);
        }
        match self.next_message().await? {
            Message::Result { id: got, payload } if got == id => Ok((Ok(payload), true)),
            Message::Error {
                id: got,
                error_type,
                error_message,
                trace,
                fatal,
            } if got == id => Ok((
                Err(InvokeError::Handler {
                    error_type,
                    error_message,
                    trace,
                }),
                !fatal,
            )),
            other => Err(InvokeError::Protocol(format!(
                "unexpected reply to {id}: {other:?}"
            ))),
        }
    }
}
