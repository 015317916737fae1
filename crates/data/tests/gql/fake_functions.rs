//! A fake functions runtime: records every invocation and answers with a closure, so tests see
//! the exact events the data service sends.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures::future::BoxFuture;
use serde_json::Value;
use stratus_data::{FunctionBinding, FunctionError, FunctionInvoker};
use stratus_testkit::fixtures::{Fixture, conformance_root};

type Handler = dyn Fn(&str, &Value) -> Result<Value, FunctionError> + Send + Sync;

pub struct FakeFunctions {
    names: Vec<String>,
    handler: Box<Handler>,
    calls: Mutex<Vec<(String, Value)>>,
}

impl FakeFunctions {
    /// Functions `names`, each answering `handler(name, event)`.
    pub fn new(
        names: &[&str],
        handler: impl Fn(&str, &Value) -> Result<Value, FunctionError> + Send + Sync + 'static,
    ) -> Arc<FakeFunctions> {
        Arc::new(FakeFunctions {
            names: names.iter().map(|n| n.to_string()).collect(),
            handler: Box::new(handler),
            calls: Mutex::new(Vec::new()),
        })
    }

    pub fn binding(self: &Arc<Self>) -> FunctionBinding {
        FunctionBinding::new(self.clone() as Arc<dyn FunctionInvoker>)
    }

    /// Every invocation so far: `(function, event)`.
    pub fn calls(&self) -> Vec<(String, Value)> {
        self.calls.lock().unwrap().clone()
    }

    /// The events `function` received.
    pub fn events_of(&self, function: &str) -> Vec<Value> {
        self.calls()
            .into_iter()
            .filter(|(f, _)| f == function)
            .map(|(_, e)| e)
            .collect()
    }

    /// Waits (bounded) until `function` has received `n` events; returns them.
    pub async fn wait_for(&self, function: &str, n: usize) -> Vec<Value> {
        for _ in 0..100 {
            let events = self.events_of(function);
            if events.len() >= n {
                return events;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("{function} was not invoked {n} time(s): {:?}", self.calls());
    }
}

impl FunctionInvoker for FakeFunctions {
    fn invoke(&self, function: &str, event: Value) -> BoxFuture<'_, Result<Value, FunctionError>> {
        self.calls
            .lock()
            .unwrap()
            .push((function.to_string(), event.clone()));
        let result = if self.contains(function) {
            (self.handler)(function, &event)
        } else {
            Err(FunctionError::service(
                "ResourceNotFoundException",
                format!("Function not found: {function}"),
            ))
        };
        Box::pin(std::future::ready(result))
    }

    fn contains(&self, function: &str) -> bool {
        self.names.iter().any(|n| n == function)
    }
}

/// The data spec of fixture `name` with its `@function` → `defineFunction` map and its
/// `allow.resource(fn)` grants (the oracle's `transform.json` `lambdaFunctions` and
/// `functionSchemaAccess`), as the loader fills them in.
pub fn spec_with_functions(name: &str) -> stratus_spec::data::DataSpec {
    let fx = Fixture::new(conformance_root().join(name));
    let mut spec = fx.data_spec().unwrap();
    let transform = fx.expected_json("transform.json").unwrap();
    if let Some(map) = transform["lambdaFunctions"].as_object() {
        spec.lambda_functions = map
            .iter()
            .map(|(k, v)| {
                (
                    k.clone(),
                    v["$defineFunction"].as_str().unwrap().to_string(),
                )
            })
            .collect();
    }
    if let Some(list) = transform["functionSchemaAccess"].as_array() {
        spec.function_schema_access = list
            .iter()
            .map(|a| stratus_spec::data::FunctionSchemaAccess {
                function: a["resourceProvider"]["$defineFunction"]
                    .as_str()
                    .unwrap()
                    .to_string(),
                actions: a["actions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_str().unwrap().to_string())
                    .collect(),
            })
            .collect();
    }
    spec
}
