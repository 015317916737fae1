//! [`DataService`]: the data API of one backend (executable schema, store, authorization) and
//! its HTTP endpoint, `POST /graphql`, answering as AppSync does.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::Variables;
use async_graphql::dynamic::Schema;
use axum::Router;
use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::Value;
use stratus_auth::{AuthService, PrincipalKind};
use stratus_sigv4::{Body as SigBody, SignedRequest, Verifier};
use stratus_spec::data::{AuthMode, DataSchema, DataSpec};
use stratus_store::Store;
use stratus_store::documents::{DocumentError, DocumentStore, SchemaReport, SqliteDocumentStore};

use crate::authz::{self, AuthEnvironment, Authorizer, AuthzError, Caller, IamPrincipal};
use crate::errors::{appsync_response, request_error};
use crate::functions::FunctionBinding;
use crate::graphql::build::{BuildError, build_schema, read_sdl};
use crate::graphql::custom::{CustomOps, RequestHeaders};
use crate::graphql::engine::Engine;
use crate::graphql::plan::{Plans, with_join_indexes};
use crate::lambda_auth::{AuthRequest, LambdaAuthorizer};
use crate::oidc::OidcVerifier;
use crate::realtime::hub::RealtimeHub;

/// Why the data API could not be opened.
#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot generate the AppSync schema: {0}")]
    Sdl(#[from] stratus_schema::SchemaError),
    #[error(transparent)]
    Build(#[from] BuildError),
    #[error("invalid authorization rules: {0}")]
    Authz(#[from] AuthzError),
    #[error("cannot prepare the data store: {0}")]
    Store(#[from] DocumentError),
}

/// Why a request was refused before execution (HTTP 401), with AppSync's message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthFailure {
    pub message: &'static str,
}

/// The data API. Cheap to clone.
#[derive(Clone)]
pub struct DataService {
    inner: Arc<Inner>,
}

pub(crate) struct Inner {
    schema: Schema,
    sdl: String,
    store: Store,
    auth: Option<AuthService>,
    modes: Vec<AuthMode>,
    oidc: Option<Arc<OidcVerifier>>,
    report: SchemaReport,
    hub: RealtimeHub,
    /// Parsed documents by query text (`crate::graphql::query_cache`).
    queries: crate::graphql::query_cache::QueryCache,
    /// The `AWS_LAMBDA` mode's authorizer (when the mode is on and functions are attached).
    lambda: Option<Arc<LambdaAuthorizer>>,
    /// Resolvers read the request headers (function payloads' `request.headers`).
    keeps_headers: bool,
    /// The functions' execution-role credentials, by access key id (`crate::iam`).
    function_keys: HashMap<String, crate::iam::FunctionCredential>,
}

impl std::fmt::Debug for DataService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataService")
            .field("modes", &self.inner.modes)
            .finish_non_exhaustive()
    }
}

impl DataService {
    /// Generates the AppSync SDL of `spec`, adapts the store to its models (keeping data, see
    /// [`DocumentStore::ensure_schema`]) and builds the executable schema. `auth` is the user
    /// pool that verifies `userPool` tokens (and whose presence means an identity pool exists).
    pub async fn open(
        store: &Store,
        spec: &DataSpec,
        auth: Option<AuthService>,
    ) -> Result<DataService, OpenError> {
        let env = AuthEnvironment::gen2(auth.is_some());
        let docs = SqliteDocumentStore::open(store).await?;
        Self::open_with(store, Arc::new(docs), spec, auth, &env).await
    }

    /// [`DataService::open`] with a chosen document store and auth environment.
    pub async fn open_with(
        store: &Store,
        docs: Arc<dyn DocumentStore>,
        spec: &DataSpec,
        auth: Option<AuthService>,
        env: &AuthEnvironment,
    ) -> Result<DataService, OpenError> {
        let hub = RealtimeHub::new();
        let service = Self::open_in_hub(store, docs, spec, auth, env, &hub, None).await?;
        hub.activate(&service);
        Ok(service)
    }

    /// [`DataService::open`] with the functions that custom operations
    /// (`a.handler.function(fn)`) and the Lambda authorizer call.
    pub async fn open_with_functions(
        store: &Store,
        spec: &DataSpec,
        auth: Option<AuthService>,
        functions: FunctionBinding,
    ) -> Result<DataService, OpenError> {
        let env = AuthEnvironment::gen2(auth.is_some());
        let docs = SqliteDocumentStore::open(store).await?;
        let hub = RealtimeHub::new();
        let service = Self::open_in_hub(
            store,
            Arc::new(docs),
            spec,
            auth,
            &env,
            &hub,
            Some(functions),
        )
        .await?;
        hub.activate(&service);
        Ok(service)
    }

    /// [`DataService::open`] as one generation of `hub` (the sandbox's, shared by every
    /// generation so that realtime subscriptions follow reloads). The service is not
    /// activated: call [`RealtimeHub::activate`] when it starts serving.
    pub async fn open_in(
        store: &Store,
        spec: &DataSpec,
        auth: Option<AuthService>,
        hub: &RealtimeHub,
    ) -> Result<DataService, OpenError> {
        Self::open_in_with(store, spec, auth, hub, None).await
    }

    /// [`DataService::open_in`] with the functions that custom operations and the Lambda
    /// authorizer call (`None`: they answer that no functions runtime is attached).
    pub async fn open_in_with(
        store: &Store,
        spec: &DataSpec,
        auth: Option<AuthService>,
        hub: &RealtimeHub,
        functions: Option<FunctionBinding>,
    ) -> Result<DataService, OpenError> {
        let env = AuthEnvironment::gen2(auth.is_some());
        let docs = SqliteDocumentStore::open(store).await?;
        Self::open_in_hub(store, Arc::new(docs), spec, auth, &env, hub, functions).await
    }

    async fn open_in_hub(
        store: &Store,
        docs: Arc<dyn DocumentStore>,
        spec: &DataSpec,
        auth: Option<AuthService>,
        env: &AuthEnvironment,
        hub: &RealtimeHub,
        functions: Option<FunctionBinding>,
    ) -> Result<DataService, OpenError> {
        let sdl = stratus_schema::appsync::generate_sdl(spec)?;
        let doc = async_graphql::parser::parse_schema(&sdl)
            .map_err(|e| BuildError::Parse(e.to_string()))?;
        let mut models = spec.schema.models.clone();
        for generated in authz::generated_models(&spec.schema) {
            if !models.iter().any(|m| m.name == generated.name) {
                models.push(with_join_indexes(generated));
            }
        }
        let stored = DataSchema {
            models: models.clone(),
            ..DataSchema::default()
        };
        let report = docs.ensure_schema(&stored).await?;
        let authorizer = Authorizer::new(spec, env)?;
        let (roots, field_modes) = read_sdl(&doc);
        let plans = Plans::build(&spec.schema, &models, &roots);
        let mut custom = CustomOps::build(spec, &doc);
        custom.functions = functions.clone();
        custom.identity_pool_id = auth
            .as_ref()
            .and_then(|a| a.config().identity_pool_id.clone());
        let modes_on = |mode: AuthMode| {
            spec.authorization_modes.default == mode
                || spec.authorization_modes.additional.contains(&mode)
        };
        let lambda = match (&spec.authorization_modes.lambda_authorizer, &functions) {
            (Some(config), Some(binding)) if modes_on(AuthMode::AwsLambda) => {
                Some(Arc::new(LambdaAuthorizer::new(config, binding.clone())))
            }
            _ => None,
        };
        let api_id = functions
            .as_ref()
            .map_or(crate::graphql::js::API_ID, |f| &f.api_id);
        let js = crate::graphql::js::JsOps::build(spec, api_id);
        let keeps_headers = !custom.is_empty() || !js.is_empty();
        let field_names = models
            .iter()
            .map(|m| {
                let names = m.fields.iter().map(|f| f.name.clone()).collect();
                (m.name.clone(), names)
            })
            .collect();
        let engine = Arc::new(Engine {
            docs,
            authorizer,
            field_names,
            models: models
                .into_iter()
                .map(|m| (m.name.clone(), m))
                .collect::<HashMap<_, _>>(),
            plans,
            modes: field_modes,
            default_mode: spec.authorization_modes.default,
            events: hub.events(),
            custom,
            js,
            lambda_mode: modes_on(AuthMode::AwsLambda),
        });
        let schema = build_schema(&doc, engine.clone())?;
        let mut modes = vec![spec.authorization_modes.default];
        modes.extend(spec.authorization_modes.additional.iter().copied());
        Ok(DataService {
            inner: Arc::new(Inner {
                schema,
                sdl,
                store: store.clone(),
                auth,
                modes,
                oidc: spec
                    .authorization_modes
                    .oidc
                    .as_ref()
                    .filter(|_| {
                        spec.authorization_modes.default == AuthMode::OpenidConnect
                            || spec
                                .authorization_modes
                                .additional
                                .contains(&AuthMode::OpenidConnect)
                    })
                    .map(|c| Arc::new(OidcVerifier::new(c))),
                report,
                hub: hub.clone(),
                queries: Default::default(),
                lambda,
                keeps_headers,
                function_keys: functions
                    .iter()
                    .flat_map(|f| &f.credentials)
                    .map(|c| (c.access_key_id.clone(), c.clone()))
                    .collect(),
            }),
        })
    }

    pub(crate) fn from_inner(inner: Arc<Inner>) -> DataService {
        DataService { inner }
    }

    pub(crate) fn inner(&self) -> &Arc<Inner> {
        &self.inner
    }

    /// The realtime hub this service publishes on.
    pub fn hub(&self) -> &RealtimeHub {
        &self.inner.hub
    }

    /// The AppSync SDL served.
    pub fn sdl(&self) -> &str {
        &self.inner.sdl
    }

    /// What opening did to the stored tables.
    pub fn schema_report(&self) -> &SchemaReport {
        &self.inner.report
    }

    fn has_mode(&self, mode: AuthMode) -> bool {
        self.inner.modes.contains(&mode)
    }

    /// The caller of a request, by the authorization mode AppSync picks from its headers:
    /// `Authorization` (SigV4 with identity-pool or admin credentials, else a JWT: an OIDC
    /// token when its `iss` is the configured OIDC issuer, else a user pool token), else
    /// `x-api-key`. `body` is the raw request body (SigV4 signs it).
    pub async fn caller(&self, parts: &Parts, body: &[u8]) -> Result<Caller, AuthFailure> {
        const NOT_AUTHORIZED: &str = "You are not authorized to make this call.";
        let headers = &parts.headers;
        let authorization = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::trim)
            .filter(|v| !v.is_empty());
        if let Some(token) = authorization {
            if token.starts_with("AWS4-HMAC-SHA256") {
                return self.iam_caller(parts, body).await;
            }
            let raw = token;
            // Other GraphQL clients often send `Bearer <jwt>`; AppSync's clients send the raw
            // token.
            let token = token.strip_prefix("Bearer ").unwrap_or(token).trim();
            // A JWT whose `iss` is the OIDC provider's is an OIDC token; any other is tried
            // as a user pool token.
            if let Some(oidc) = self.inner.oidc.as_ref().filter(|o| o.claims_issuer(token)) {
                return match oidc.verify(token).await {
                    Ok(claims) => Ok(Caller::Oidc { claims }),
                    Err(e) => {
                        tracing::debug!(error = %e, "OIDC token refused");
                        Err(AuthFailure {
                            message: "Valid authorization header not provided.",
                        })
                    }
                };
            }
            let Some(auth) = self
                .inner
                .auth
                .as_ref()
                .filter(|_| self.has_mode(AuthMode::AmazonCognitoUserPools))
            else {
                return self.lambda_caller(raw, parts, body).await;
            };
            let verified = match auth.verify_access_token(token).await {
                Ok(v) => v,
                Err(_) => match auth.verify_id_token(token).await {
                    Ok(v) => v,
                    // Not a token of the user pool: the Lambda authorizer's, when there is one.
                    Err(_) => return self.lambda_caller(raw, parts, body).await,
                },
            };
            return Ok(Caller::UserPool {
                sub: verified.sub,
                username: verified.username,
                groups: verified.groups,
                claims: verified.claims,
            });
        }
        if let Some(key) = headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
            if !self.has_mode(AuthMode::ApiKey) {
                return Err(AuthFailure {
                    message: NOT_AUTHORIZED,
                });
            }
            let stored = self.inner.store.api_key().await.ok().flatten();
            return match stored {
                Some(k) if k.key == key && !k.is_expired_at(now_unix()) => Ok(Caller::ApiKey),
                _ => Err(AuthFailure {
                    message: NOT_AUTHORIZED,
                }),
            };
        }
        Err(AuthFailure {
            message: "Valid authorization header not provided.",
        })
    }

    /// The `AWS_LAMBDA` mode: the authorizer's decision on the `Authorization` value
    /// (`crate::lambda_auth`); without that mode, the header is not valid.
    async fn lambda_caller(
        &self,
        token: &str,
        parts: &Parts,
        body: &[u8],
    ) -> Result<Caller, AuthFailure> {
        let Some(lambda) = &self.inner.lambda else {
            return Err(AuthFailure {
                message: "Valid authorization header not provided.",
            });
        };
        let request = AuthRequest {
            token,
            headers: &parts.headers,
            body,
        };
        lambda.decide(&request).await.caller().ok_or(AuthFailure {
            message: "You are not authorized to make this call.",
        })
    }

    async fn iam_caller(&self, parts: &Parts, body: &[u8]) -> Result<Caller, AuthFailure> {
        let auth = self.inner.auth.as_ref();
        if !self.has_mode(AuthMode::AwsIam)
            || (auth.is_none() && self.inner.function_keys.is_empty())
        {
            return Err(AuthFailure {
                message: "You are not authorized to make this call.",
            });
        }
        let resolver = crate::iam::IamResolver {
            auth,
            functions: &self.inner.function_keys,
        };
        let request = SignedRequest::from_parts(parts, SigBody::Bytes(body));
        let verified = Verifier::new("appsync")
            .verify(&request, &resolver, now_unix())
            .await
            .map_err(|e| {
                tracing::debug!(error = %e, "SigV4 refused");
                AuthFailure {
                    message: "The security token included in the request is invalid.",
                }
            })?;
        let p = match verified.principal {
            crate::iam::Signer::Pool(p) => p,
            crate::iam::Signer::Function(name) => {
                return Ok(Caller::Iam {
                    principal: IamPrincipal::Function(name),
                    identity_id: None,
                    groups: Vec::new(),
                });
            }
        };
        let principal = match p.kind {
            PrincipalKind::Admin => IamPrincipal::Admin,
            PrincipalKind::Authenticated => IamPrincipal::Authenticated,
            PrincipalKind::Unauthenticated => IamPrincipal::Guest,
        };
        Ok(Caller::Iam {
            principal,
            identity_id: p.identity_id,
            groups: p.groups,
        })
    }

    /// Executes a subscription for `caller`, reading its events from `feed`: each response
    /// in AppSync's JSON shape. The stream ends (without a response) when `feed`'s generation
    /// is no longer the hub's current one.
    pub(crate) fn execute_stream(
        &self,
        caller: Caller,
        query: &str,
        variables: Option<Value>,
        feed: crate::realtime::hub::Feed,
    ) -> futures::stream::BoxStream<'static, Value> {
        use futures::StreamExt;
        let mut request = async_graphql::Request::new(query)
            .variables(Variables::from_json(variables.unwrap_or(Value::Null)))
            .data(caller)
            .data(crate::graphql::subscribe::PendingFeed(
                std::sync::Mutex::new(Some(feed)),
            ));
        self.inner.queries.prepare(&mut request);
        self.inner
            .schema
            .execute_stream(request)
            .map(|response| {
                appsync_response(serde_json::to_value(&response).unwrap_or(Value::Null))
            })
            .boxed()
    }

    /// Executes one GraphQL request for `caller`; the response in AppSync's JSON shape.
    pub async fn execute(
        &self,
        caller: Caller,
        query: &str,
        variables: Option<Value>,
        operation_name: Option<&str>,
    ) -> Value {
        self.execute_with_headers(caller, query, variables, operation_name, None)
            .await
    }

    /// [`DataService::execute`] with the request's headers, which function-backed resolvers
    /// pass on (`request.headers` of their payload).
    pub async fn execute_with_headers(
        &self,
        caller: Caller,
        query: &str,
        variables: Option<Value>,
        operation_name: Option<&str>,
        headers: Option<axum::http::HeaderMap>,
    ) -> Value {
        let mut request = async_graphql::Request::new(query)
            .variables(Variables::from_json(variables.unwrap_or(Value::Null)))
            .data(caller);
        if let Some(headers) = headers.filter(|_| self.inner.keeps_headers) {
            request = request.data(RequestHeaders(Arc::new(headers)));
        }
        if let Some(name) = operation_name {
            request = request.operation_name(name);
        }
        self.inner.queries.prepare(&mut request);
        let response = self.inner.schema.execute(request).await;
        let json = serde_json::to_value(&response).unwrap_or(Value::Null);
        appsync_response(json)
    }
}

fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The largest request body accepted; a larger one is refused with HTTP 413.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

#[derive(Deserialize)]
struct Body {
    query: String,
    #[serde(default)]
    variables: Option<Value>,
    #[serde(default, rename = "operationName")]
    operation_name: Option<String>,
}

/// `POST /graphql` and the realtime WebSocket `GET /graphql/realtime` on `service`. Mount it
/// at the origin root (`data.url` is `<origin>/graphql`).
pub fn router(service: DataService) -> Router {
    Router::new()
        .route("/graphql", post(graphql))
        .route("/graphql/realtime", get(crate::realtime::handler))
        .with_state(service)
}

fn json_response(status: StatusCode, body: &Value, error_type: Option<&str>) -> Response {
    let mut res = (status, body.to_string()).into_response();
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json;charset=UTF-8"),
    );
    if let Some(t) = error_type.and_then(|t| HeaderValue::from_str(t).ok()) {
        res.headers_mut().insert("x-amzn-errortype", t);
    }
    res
}

async fn graphql(State(service): State<DataService>, request: Request) -> Response {
    let (mut parts, body) = request.into_parts();
    let body: Bytes = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(b) => b,
        Err(_) => {
            return json_response(
                StatusCode::PAYLOAD_TOO_LARGE,
                &request_error("PayloadTooLargeException", "The request body is too large."),
                Some("PayloadTooLargeException"),
            );
        }
    };
    let caller = match service.caller(&parts, &body).await {
        Ok(c) => c,
        Err(f) => {
            return json_response(
                StatusCode::UNAUTHORIZED,
                &request_error("UnauthorizedException", f.message),
                Some("UnauthorizedException"),
            );
        }
    };
    let body: Body = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => {
            return json_response(
                StatusCode::BAD_REQUEST,
                &request_error("MalformedHttpRequestException", &e.to_string()),
                Some("MalformedHttpRequestException"),
            );
        }
    };
    let headers = service
        .inner
        .keeps_headers
        .then(|| std::mem::take(&mut parts.headers));
    let value = service
        .execute_with_headers(
            caller,
            &body.query,
            body.variables,
            body.operation_name.as_deref(),
            headers,
        )
        .await;
    json_response(StatusCode::OK, &value, None)
}
