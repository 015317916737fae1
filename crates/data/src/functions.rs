//! How the data service calls `defineFunction` handlers (custom operations backed by
//! `a.handler.function(fn)`, and the Lambda authorizer), independent of how they run: the
//! sandbox passes an adapter over `stratus-functions`, tests pass a fake.

use std::sync::Arc;

use futures::future::BoxFuture;
use serde_json::Value;

/// Why an invocation produced no result, as Lambda reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FunctionError {
    /// Lambda's `errorType` (the error's `name`, `Runtime.*`, ...), or the `Invoke` API's
    /// exception name when the function did not run.
    pub error_type: String,
    /// Lambda's `errorMessage`.
    pub error_message: String,
    /// The function ran and failed (Lambda's `X-Amz-Function-Error: Unhandled`: thrown
    /// errors, timeouts, crashes), as opposed to an `Invoke` call that failed.
    pub function_error: bool,
}

impl FunctionError {
    /// The function ran and failed.
    pub fn unhandled(error_type: impl Into<String>, error_message: impl Into<String>) -> Self {
        FunctionError {
            error_type: error_type.into(),
            error_message: error_message.into(),
            function_error: true,
        }
    }

    /// The `Invoke` call failed before the function ran (`ResourceNotFoundException`, ...).
    pub fn service(error_type: impl Into<String>, error_message: impl Into<String>) -> Self {
        FunctionError {
            error_type: error_type.into(),
            error_message: error_message.into(),
            function_error: false,
        }
    }
}

/// Invokes functions by their `defineFunction` name.
pub trait FunctionInvoker: Send + Sync + 'static {
    /// One `RequestResponse` invocation of `function` with `event`: its result payload.
    fn invoke(&self, function: &str, event: Value) -> BoxFuture<'_, Result<Value, FunctionError>>;

    /// Whether `function` exists (an `Event` invocation of a missing function fails at once,
    /// as Lambda's `Invoke` does).
    fn contains(&self, function: &str) -> bool;

    /// One `Event` invocation: queued, not awaited (the runtime may retry a failure as Lambda
    /// does). By default one background [`FunctionInvoker::invoke`] whose failure is logged.
    fn invoke_event(self: Arc<Self>, function: &str, event: Value) {
        let function = function.to_string();
        tokio::spawn(async move {
            if let Err(e) = self.invoke(&function, event).await {
                tracing::info!(target: "stratus::function", function = %function, error_type = %e.error_type, error = %e.error_message, "Event invocation failed");
            }
        });
    }
}

/// The functions a data service calls, and the ids its events carry.
#[derive(Clone)]
pub struct FunctionBinding {
    pub invoker: Arc<dyn FunctionInvoker>,
    /// `requestContext.apiId` of the Lambda authorizer's event.
    pub api_id: String,
    /// `requestContext.accountId` of the Lambda authorizer's event, `identity.accountId` of
    /// IAM callers.
    pub account_id: String,
    /// The functions' execution-role credentials: requests signed with them are the function's
    /// (`allow.resource(fn)`).
    pub credentials: Vec<crate::iam::FunctionCredential>,
}

impl FunctionBinding {
    pub fn new(invoker: Arc<dyn FunctionInvoker>) -> Self {
        FunctionBinding {
            invoker,
            api_id: "stratuslocalapi".into(),
            account_id: "000000000000".into(),
            credentials: Vec::new(),
        }
    }
}

impl std::fmt::Debug for FunctionBinding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FunctionBinding")
            .field("api_id", &self.api_id)
            .field("account_id", &self.account_id)
            .finish_non_exhaustive()
    }
}
