//! `APPSYNC_JS` for Stratus: the AppSync JavaScript resolvers of `a.handler.custom({ entry,
//! dataSource })`, run as AppSync runs the pipeline Amplify generates around them.
//!
//! - [`engine`]: one `request(ctx)` / `response(ctx)` call in QuickJS, with the built-in
//!   `@aws-appsync/utils` (`util`, `runtime`, `extensions`) and `@aws-appsync/utils/dynamodb`;
//! - [`dynamo`]: the DynamoDB data source (a model's table) on the document store;
//! - [`subscription`]: filters set with `extensions.setSubscriptionFilter`;
//! - [`JsResolvers::run`]: the pipeline: Amplify's resolver request (the stash), then each
//!   function's request → data source → response, then the resolver response
//!   (`ctx.prev.result`).

pub mod dynamo;
pub mod engine;
mod natives;
pub mod subscription;
pub mod time;

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::{Map, Value, json};
use stratus_spec::data::DataSpec;
use stratus_store::documents::DocumentStore;

use crate::dynamo::tables::Tables;
use crate::dynamo::{DsError, DynamoSource};
pub use crate::engine::{Code, Evaluation, Handler, Limits, Outcome, RaisedError};
pub use crate::subscription::SubscriptionFilter;

/// Where a pipeline function sends its request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DataSource {
    /// `NONE_DS`: the request's `payload` is the result.
    None,
    /// A model's table (`<Model>Table`).
    Table(String),
    /// A data source Stratus does not have (one added with CDK in `backend.ts`).
    Other(String),
}

/// One function of a pipeline: one `a.handler.custom` handler.
#[derive(Debug, Clone)]
pub struct Function {
    pub data_source: DataSource,
    /// `None` when the handler's code was not loaded.
    pub code: Option<Code>,
    pub entry: String,
}

/// The pipeline of one field.
#[derive(Debug, Clone)]
pub struct Resolver {
    pub type_name: String,
    pub field_name: String,
    pub functions: Vec<Function>,
}

/// Everything about the request a resolver sees besides its arguments.
#[derive(Debug, Clone, Default)]
pub struct Invocation {
    pub arguments: Map<String, Value>,
    /// `ctx.identity` as AppSync shapes it for the caller's mode (`null` for API keys).
    pub identity: Value,
    /// `ctx.source` (`null` at the root).
    pub source: Value,
    /// `ctx.request`: `{ headers, domainName }`.
    pub request: Value,
    /// `ctx.info`: `{ fieldName, parentTypeName, variables, selectionSetList,
    /// selectionSetGraphQL }`.
    pub info: Value,
    /// What `util.authType()` answers.
    pub auth_type: String,
    /// `ctx.stash.awsAppsyncApiId` (set by Amplify's resolver request).
    pub api_id: String,
}

/// Why a field has no value.
#[derive(Debug, Clone, PartialEq)]
pub enum FieldError {
    /// `util.error(message, errorType, data, errorInfo)`.
    Raised(RaisedError),
    /// `util.unauthorized()`.
    Unauthorized,
    /// A JavaScript failure (AppSync's errorType `Code`).
    Code(String),
    /// A request AppSync refuses before its data source (errorType `MappingTemplate`).
    MappingTemplate(String),
    /// Something Stratus does not run (a data source or an operation), named in the message.
    Unsupported(String),
}

/// The outcome of a field's pipeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Response {
    pub value: Result<Value, FieldError>,
    /// `util.appendError(...)` calls, in order (reported even when the field fails).
    pub appended: Vec<RaisedError>,
    /// The last `extensions.setSubscriptionFilter(...)`.
    pub subscription_filter: Option<Value>,
    /// The last `extensions.setSubscriptionInvalidationFilter(...)`.
    pub invalidation_filter: Option<Value>,
}

/// The custom-handler pipelines of a data schema, with the tables their data sources name.
#[derive(Debug, Clone, Default)]
pub struct JsResolvers {
    resolvers: HashMap<(String, String), Arc<Resolver>>,
    tables: Arc<Tables>,
    pub limits: Limits,
}

impl JsResolvers {
    /// The pipelines of `spec.js_functions` (their code as the loader read it).
    pub fn from_spec(spec: &DataSpec) -> JsResolvers {
        let tables = Tables::from_spec(spec);
        let mut resolvers = HashMap::new();
        for r in &spec.js_functions {
            let functions = r
                .handlers
                .iter()
                .map(|h| Function {
                    data_source: match h.data_source.as_str() {
                        "" | "NONE_DS" => DataSource::None,
                        name => match tables.data_source(name) {
                            Some(t) => DataSource::Table(t.model.clone()),
                            None => DataSource::Other(name.to_string()),
                        },
                    },
                    code: h.modules.first().map(|entry| Code {
                        entry: entry.path.clone(),
                        modules: Arc::new(
                            h.modules
                                .iter()
                                .map(|m| (m.path.clone(), m.code.clone()))
                                .collect(),
                        ),
                    }),
                    entry: h.entry.clone(),
                })
                .collect();
            resolvers.insert(
                (r.type_name.clone(), r.field_name.clone()),
                Arc::new(Resolver {
                    type_name: r.type_name.clone(),
                    field_name: r.field_name.clone(),
                    functions,
                }),
            );
        }
        JsResolvers {
            resolvers,
            tables: Arc::new(tables),
            limits: Limits::default(),
        }
    }

    pub fn get(&self, type_name: &str, field: &str) -> Option<Arc<Resolver>> {
        if self.resolvers.is_empty() {
            return None;
        }
        self.resolvers
            .get(&(type_name.to_string(), field.to_string()))
            .cloned()
    }

    pub fn is_empty(&self) -> bool {
        self.resolvers.is_empty()
    }

    /// Runs `resolver`'s pipeline for one call of its field.
    pub async fn run(
        &self,
        resolver: &Resolver,
        docs: &dyn DocumentStore,
        invocation: Invocation,
    ) -> Response {
        let mut out = Response {
            value: Ok(Value::Null),
            appended: Vec::new(),
            subscription_filter: None,
            invalidation_filter: None,
        };
        let auth_type = Arc::new(invocation.auth_type.clone());
        let arguments = Value::Object(invocation.arguments.clone());
        let base = json!({
            "arguments": arguments,
            "identity": invocation.identity,
            "source": invocation.source,
            "request": invocation.request,
            "info": invocation.info,
            "env": {},
        });
        // Amplify's resolver request handler.
        let mut stash = json!({
            "awsAppsyncApiId": invocation.api_id,
            "amplifyApiEnvironmentName": "NONE",
        });
        let mut prev = json!({});
        for function in &resolver.functions {
            let Some(code) = &function.code else {
                out.value = Err(FieldError::Unsupported(format!(
                    "the code of {} was not loaded",
                    function.entry
                )));
                return out;
            };
            let mut ctx = base.clone();
            ctx["stash"] = stash.clone();
            ctx["prev"] = json!({ "result": prev });
            let ev = self
                .evaluate(code, Handler::Request, &ctx, &auth_type)
                .await;
            stash = ev.stash.clone();
            let request = match self.take(ev, &mut out) {
                Step::Value(v) => v,
                Step::Early { value, to_end } => {
                    prev = value;
                    // In a request handler, earlyReturn skips this function's data source and
                    // response; `skipTo: 'END'` also the rest of the pipeline.
                    if to_end == Some(true) {
                        break;
                    }
                    continue;
                }
                Step::Stop(e) => {
                    out.value = Err(e);
                    return out;
                }
            };
            let (result, error) = match &function.data_source {
                DataSource::None => (request.get("payload").cloned().unwrap_or(Value::Null), None),
                DataSource::Table(model) => {
                    let Some(table) = self.tables.data_source(&format!("{model}Table")) else {
                        out.value = Err(FieldError::Unsupported(format!("no table for {model}")));
                        return out;
                    };
                    let source = DynamoSource {
                        docs,
                        tables: &self.tables,
                        table,
                    };
                    match source.execute(&request).await {
                        Ok(v) => (v, None),
                        Err(DsError::Dynamo {
                            error_type,
                            message,
                        }) => (
                            Value::Null,
                            Some(json!({ "message": message, "type": error_type })),
                        ),
                        Err(DsError::Request(m)) => {
                            out.value = Err(FieldError::MappingTemplate(m));
                            return out;
                        }
                        Err(DsError::Unsupported(m)) => {
                            out.value = Err(FieldError::Unsupported(format!(
                                "{}.{}: {m}",
                                resolver.type_name, resolver.field_name
                            )));
                            return out;
                        }
                    }
                }
                DataSource::Other(name) => {
                    out.value = Err(FieldError::Unsupported(format!(
                        "{}.{}: the data source '{name}' is not supported by stratus (only NONE and the tables of the models, a.ref('Model'), are)",
                        resolver.type_name, resolver.field_name
                    )));
                    return out;
                }
            };
            let mut ctx = base.clone();
            ctx["stash"] = stash.clone();
            ctx["prev"] = json!({ "result": prev });
            ctx["result"] = result;
            if let Some(e) = error {
                ctx["error"] = e;
            }
            let ev = self
                .evaluate(code, Handler::Response, &ctx, &auth_type)
                .await;
            stash = ev.stash.clone();
            match self.take(ev, &mut out) {
                Step::Value(v) => prev = v,
                Step::Early { value, to_end } => {
                    prev = value;
                    if to_end == Some(true) {
                        break;
                    }
                }
                Step::Stop(e) => {
                    out.value = Err(e);
                    return out;
                }
            }
        }
        // Amplify's resolver response handler: `return ctx.prev.result`.
        out.value = Ok(prev);
        out
    }

    async fn evaluate(
        &self,
        code: &Code,
        handler: Handler,
        ctx: &Value,
        auth_type: &Arc<String>,
    ) -> Evaluation {
        let (code, ctx, auth_type, limits) = (
            code.clone(),
            ctx.clone(),
            Arc::clone(auth_type),
            self.limits.clone(),
        );
        tokio::task::spawn_blocking(move || {
            engine::evaluate(&code, handler, &ctx, &auth_type, &limits)
        })
        .await
        .unwrap_or_else(|e| Evaluation {
            outcome: Outcome::Failed(format!("the handler crashed: {e}")),
            stash: Value::Null,
            appended: Vec::new(),
            subscription_filter: None,
            invalidation_filter: None,
        })
    }

    /// Records what one call left behind and tells the pipeline how to go on.
    fn take(&self, ev: Evaluation, out: &mut Response) -> Step {
        out.appended.extend(ev.appended);
        if ev.subscription_filter.is_some() {
            out.subscription_filter = ev.subscription_filter;
        }
        if ev.invalidation_filter.is_some() {
            out.invalidation_filter = ev.invalidation_filter;
        }
        match ev.outcome {
            Outcome::Return(v) => Step::Value(v),
            Outcome::EarlyReturn { value, to_end } => Step::Early { value, to_end },
            Outcome::Error(e) => Step::Stop(FieldError::Raised(e)),
            Outcome::Unauthorized => Step::Stop(FieldError::Unauthorized),
            Outcome::Failed(m) => Step::Stop(FieldError::Code(m)),
        }
    }
}

enum Step {
    Value(Value),
    Early { value: Value, to_end: Option<bool> },
    Stop(FieldError),
}

/// What `util.authType()` answers for a mode (AppSync's names).
pub fn auth_type_name(mode: stratus_spec::data::AuthMode) -> &'static str {
    use stratus_spec::data::AuthMode;
    match mode {
        AuthMode::ApiKey => "API Key Authorization",
        AuthMode::AwsIam => "IAM Authorization",
        AuthMode::AmazonCognitoUserPools => "User Pool Authorization",
        AuthMode::OpenidConnect => "Open ID Connect Authorization",
        AuthMode::AwsLambda => "Lambda Authorization",
    }
}
