//! The data service's functions ([`stratus_data::FunctionInvoker`]) on the functions runtime:
//! custom operations backed by `a.handler.function(fn)` and the Lambda authorizer invoke the
//! generation's `defineFunction` handlers.

use std::sync::Arc;

use futures::future::BoxFuture;
use serde_json::Value;
use stratus_data::{FunctionError, FunctionInvoker};
use stratus_functions::{Functions, InvokeError, RetryPolicy};

/// The functions of one generation, as the data service calls them.
#[derive(Debug, Clone)]
pub struct DataFunctions(pub Functions);

/// Lambda's report of a failed invocation: the function's own failures (thrown errors,
/// timeouts, crashes: `X-Amz-Function-Error: Unhandled`) apart from `Invoke` failures.
pub fn function_error(e: &InvokeError) -> FunctionError {
    match e {
        InvokeError::Handler { .. }
        | InvokeError::Timeout { .. }
        | InvokeError::InitTimeout { .. }
        | InvokeError::Crashed { .. }
        | InvokeError::MissingSecret { .. } => {
            FunctionError::unhandled(e.error_type(), e.error_message())
        }
        _ => FunctionError::service(e.error_type(), e.error_message()),
    }
}

impl FunctionInvoker for DataFunctions {
    fn invoke(&self, function: &str, event: Value) -> BoxFuture<'_, Result<Value, FunctionError>> {
        let function = function.to_string();
        Box::pin(async move {
            self.0
                .invoke(&function, &event)
                .await
                .map_err(|e| function_error(&e))
        })
    }

    fn contains(&self, function: &str) -> bool {
        self.0.contains(function)
    }

    /// AppSync's `invocationType: 'Event'` is Lambda's asynchronous invocation: retried after
    /// a function error as Lambda retries it.
    fn invoke_event(self: Arc<Self>, function: &str, event: Value) {
        drop(
            self.0
                .invoke_async(function, event, &RetryPolicy::default(), "AppSync"),
        );
    }
}
