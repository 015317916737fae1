//! Asynchronous invocations (Lambda's `Event` invocation type), as S3 notifications and
//! EventBridge Scheduler invoke functions: the caller does not wait, and a failed invocation is
//! retried as Lambda retries it.
//!
//! Lambda's documented policy for function errors (errors returned by the handler and runtime
//! errors such as timeouts): two more attempts, one minute after the first failure and two
//! minutes after the second ("How Lambda handles errors and retries with asynchronous
//! invocation"). Every failure is logged (target `stratus::function`); an event that fails all
//! attempts is dropped, as Lambda drops it without a dead-letter queue or on-failure destination.

use std::time::Duration;

use serde_json::Value;
use tokio::task::JoinHandle;

use crate::{Functions, InvokeError};

/// How an asynchronous invocation is retried after a failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// The wait before each retry; its length is the number of retries.
    pub delays: Vec<Duration>,
}

impl Default for RetryPolicy {
    /// Lambda's default: 2 retries, 1 minute then 2 minutes after a failure.
    fn default() -> Self {
        RetryPolicy {
            delays: vec![Duration::from_secs(60), Duration::from_secs(120)],
        }
    }
}

impl RetryPolicy {
    /// No retry (`MaximumRetryAttempts: 0`).
    pub fn none() -> Self {
        RetryPolicy { delays: Vec::new() }
    }
}

fn seconds(d: Duration) -> String {
    let s = d.as_secs_f64();
    if s >= 1.0 && s.fract() == 0.0 {
        format!("{s:.0} s")
    } else {
        format!("{:.0} ms", s * 1000.0)
    }
}

impl Functions {
    /// Invoke function `name` with `event` the way an AWS service does (`InvocationType:
    /// Event`): in the background, retried after a failure by `retry`. `source` names the
    /// caller in the log (`S3`, `EventBridge Scheduler`). The handle resolves to the result of
    /// the last attempt (callers normally drop it).
    ///
    /// A function that does not exist is not retried.
    pub fn invoke_async(
        &self,
        name: &str,
        event: Value,
        retry: &RetryPolicy,
        source: &str,
    ) -> JoinHandle<Result<Value, InvokeError>> {
        let functions = self.clone();
        let name = name.to_string();
        let source = source.to_string();
        let delays = retry.delays.clone();
        tokio::spawn(async move {
            let attempts = delays.len() + 1;
            let mut attempt = 1;
            loop {
                match functions.invoke(&name, &event).await {
                    Ok(result) => {
                        tracing::debug!(target: "stratus::function", function = %name, source = %source, attempt, "asynchronous invocation succeeded");
                        return Ok(result);
                    }
                    Err(e @ InvokeError::NotFound { .. }) => {
                        tracing::error!(target: "stratus::function", "{source} event not delivered: {e}");
                        return Err(e);
                    }
                    Err(e) => match delays.get(attempt - 1) {
                        Some(delay) => {
                            tracing::warn!(
                                target: "stratus::function",
                                "function '{name}' failed on a {source} event (attempt {attempt} of {attempts}): {e}; retrying in {}",
                                seconds(*delay)
                            );
                            tokio::time::sleep(*delay).await;
                            attempt += 1;
                        }
                        None => {
                            tracing::error!(
                                target: "stratus::function",
                                "function '{name}' failed on a {source} event (attempt {attempt} of {attempts}): {e}; the event is dropped"
                            );
                            return Err(e);
                        }
                    },
                }
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lambda_default_policy() {
        assert_eq!(
            RetryPolicy::default().delays,
            [Duration::from_secs(60), Duration::from_secs(120)]
        );
        assert!(RetryPolicy::none().delays.is_empty());
        assert_eq!(seconds(Duration::from_secs(60)), "60 s");
        assert_eq!(seconds(Duration::from_millis(50)), "50 ms");
    }

    #[tokio::test]
    async fn a_missing_function_is_not_retried() {
        let policy = RetryPolicy {
            delays: vec![Duration::from_secs(3600)],
        };
        // A retry would wait an hour: the bound fails the test instead of hanging it.
        let outcome = tokio::time::timeout(
            Duration::from_secs(5),
            Functions::empty().invoke_async("nope", Value::Null, &policy, "S3"),
        )
        .await
        .expect("not retried")
        .unwrap();
        assert!(matches!(outcome, Err(InvokeError::NotFound { .. })));
    }
}
