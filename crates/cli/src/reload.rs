//! One reload of the sandbox, in the order that keeps clients consistent:
//! load → generate outputs → open the services (the user pool of `defineAuth`, the GraphQL API
//! of `defineData`, the buckets of `defineStorage`) → write outputs
//! (atomically) → swap the live backend → announce.
//! A failure at any step leaves the last good backend serving and its outputs file untouched.
//!
//! The loader and the outputs generator are injected, so this is tested without them.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use stratus_auth::{AuthConfig, AuthService, Outbox, Sender};
use stratus_data::realtime::hub::RealtimeHub;
use stratus_data::{DataService, FunctionBinding};
use stratus_functions::{Functions, RuntimeConfig};
use stratus_server::auth_triggers::{FunctionAuthTriggers, FunctionPoolTriggers};
use stratus_server::data_functions::DataFunctions;
use stratus_server::{LiveBackend, Services, Shared, SigV4Authenticator, StorageMount};
use stratus_spec::{Backend, Diagnostic};
use stratus_storage::{BucketConfig, FsBackend, FsOptions, StorageService};
use stratus_store::Store;

use crate::function_env::{FunctionCredentials, with_sandbox_env};
use crate::outputs_file;

/// Loads the definition rooted at a folder. Synchronous; run off the async runtime.
pub type LoadFn = dyn Fn(&Path) -> Result<Backend, String> + Send + Sync;
/// Generates `amplify_outputs.json` for a backend served at [`ServerInfo`].
pub type OutputsFn =
    dyn Fn(&Backend, &ServerInfo) -> Result<serde_json::Value, String> + Send + Sync;

/// Where and how this instance answers: what the outputs need besides the backend.
#[derive(Debug, Clone)]
pub struct ServerInfo {
    /// `https://127.0.0.1:PORT`
    pub origin: String,
    /// The local CA certificate.
    pub ca_file: PathBuf,
    /// This state directory's instance id.
    pub instance_id: String,
    /// The data API key (minted once, kept in the store).
    pub api_key: String,
}

/// AppSync's default API key lifetime when `expiresInDays` is not set.
const DEFAULT_API_KEY_DAYS: u32 = 7;

/// The real loader: `stratus_loader::load`, errors as `file:line:column: message`.
pub fn load_backend(root: &Path) -> Result<Backend, String> {
    stratus_loader::load(root).map_err(|e| e.to_string())
}

/// The real outputs generator.
pub fn generate_outputs(backend: &Backend, info: &ServerInfo) -> Result<serde_json::Value, String> {
    let endpoints = stratus_outputs::Endpoints {
        origin: info.origin.clone(),
        ca_file: Some(info.ca_file.clone()),
        instance_id: info.instance_id.clone(),
        api_key: Some(info.api_key.clone()),
    };
    stratus_outputs::generate(backend, &endpoints).map_err(|e| format!("amplify_outputs.json: {e}"))
}

/// How long the API key lives: `authorizationModes.apiKeyAuthorizationMode.expiresInDays`.
pub fn api_key_ttl(backend: &Backend) -> Duration {
    let days = backend
        .data
        .as_ref()
        .and_then(|d| d.authorization_modes.api_key_expires_in_days)
        .unwrap_or(DEFAULT_API_KEY_DAYS);
    Duration::from_secs(u64::from(days) * 86_400)
}

/// What a reload did.
#[derive(Debug)]
pub enum Outcome {
    Loaded {
        live: Arc<LiveBackend>,
        /// False when the outputs were byte-identical to the file already there.
        outputs_written: bool,
        warnings: Vec<Diagnostic>,
    },
    Failed {
        error: String,
        /// The generation still being served, if any.
        serving: Option<u64>,
        duration: Duration,
    },
}

pub struct Reloader {
    root: PathBuf,
    outputs_path: PathBuf,
    shared: Arc<Shared>,
    store: Store,
    origin: String,
    ca_file: PathBuf,
    instance_id: String,
    outbox: Arc<Outbox>,
    sender: Option<Arc<dyn Sender>>,
    admin_credentials_path: PathBuf,
    storage_root: PathBuf,
    functions_dir: PathBuf,
    /// Opened on the first generation that defines storage, then kept for the process (its
    /// in-memory index is rebuilt only at open; one process per root).
    storage_backend: tokio::sync::OnceCell<Arc<FsBackend>>,
    /// The realtime event bus and current data service shared by every generation: a reload
    /// that opens a new data service activates it there, and open subscriptions are planned
    /// again on it (crates/data/README.md, "Realtime across reloads").
    realtime: RealtimeHub,
    /// Secrets, storage triggers and schedules (`reload_functions.rs`).
    functions_wiring: functions_wiring::FunctionsWiring,
    /// The functions' execution-role credentials, made once per function for the process.
    function_credentials: FunctionCredentials,
    load: Arc<LoadFn>,
    outputs: Arc<OutputsFn>,
}

pub struct ReloaderConfig {
    pub root: PathBuf,
    pub outputs_path: PathBuf,
    pub origin: String,
    pub ca_file: PathBuf,
    /// Created once per process: the user pool's sender in the sandbox (every message is
    /// logged and kept), served at `GET /_stratus/outbox`; its messages survive reloads.
    pub outbox: Arc<Outbox>,
    /// Delivers the user pool's messages when SMTP or an SMS webhook is configured (it also
    /// copies every message to the outbox); `None`: the outbox alone.
    pub sender: Option<Arc<dyn Sender>>,
    /// Where the user pool's admin key is written for SigV4-signed admin actions
    /// (`.amplify/stratus/<identifier>/admin-credentials.json`), when `defineAuth` is there.
    pub admin_credentials_path: PathBuf,
    /// The object store's root (`<state dir>/storage`), opened once per process on the first
    /// generation with `defineStorage`.
    pub storage_root: PathBuf,
    /// Where function handlers are compiled (`<state dir>/functions`).
    pub functions_dir: PathBuf,
}

/// How often abandoned multipart uploads (older than a day) are removed.
const UPLOAD_JANITOR_EVERY: Duration = Duration::from_secs(3600);

/// Equal definitions (compared as serialised: the spec types have no `PartialEq`).
fn same<T: serde::Serialize>(a: &T, b: &T) -> bool {
    match (serde_json::to_value(a), serde_json::to_value(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// The file name of the admin credentials in the state directory.
pub const ADMIN_CREDENTIALS_FILE: &str = "admin-credentials.json";
/// The object store's directory in the state directory.
pub const STORAGE_DIR: &str = "storage";
/// The compiled function handlers' directory in the state directory.
pub const FUNCTIONS_DIR: &str = "functions";

impl Reloader {
    pub async fn new(
        config: ReloaderConfig,
        shared: Arc<Shared>,
        store: Store,
        load: Arc<LoadFn>,
        outputs: Arc<OutputsFn>,
    ) -> anyhow::Result<Reloader> {
        let instance_id = store.meta().await?.instance_id;
        Ok(Reloader {
            root: config.root,
            outputs_path: config.outputs_path,
            shared,
            store,
            origin: config.origin,
            ca_file: config.ca_file,
            instance_id,
            outbox: config.outbox,
            sender: config.sender,
            admin_credentials_path: config.admin_credentials_path,
            storage_root: config.storage_root,
            functions_dir: config.functions_dir,
            storage_backend: tokio::sync::OnceCell::new(),
            functions_wiring: Default::default(),
            realtime: RealtimeHub::new(),
            function_credentials: FunctionCredentials::default(),
            load,
            outputs,
        })
    }

    pub fn outputs_path(&self) -> &Path {
        &self.outputs_path
    }

    /// Load the definition (on a blocking thread) and apply it.
    pub async fn reload(&self) -> Outcome {
        let started = Instant::now();
        let loaded = self.load_blocking().await;
        self.apply(loaded, started).await
    }

    /// Run the loader on a blocking thread; a panic in it becomes an error.
    pub async fn load_blocking(&self) -> Result<Backend, String> {
        let load = self.load.clone();
        let root = self.root.clone();
        tokio::task::spawn_blocking(move || load(&root))
            .await
            .unwrap_or_else(|e| Err(format!("the loader crashed: {e}")))
    }

    /// Apply a load result that started at `started`: outputs, write, swap.
    pub async fn apply(&self, loaded: Result<Backend, String>, started: Instant) -> Outcome {
        match self.try_apply(loaded, started).await {
            Ok(outcome) => outcome,
            Err(error) => {
                self.shared.record_failure(error.clone());
                Outcome::Failed {
                    error,
                    serving: self.shared.current().map(|live| live.generation),
                    duration: started.elapsed(),
                }
            }
        }
    }

    async fn try_apply(
        &self,
        loaded: Result<Backend, String>,
        started: Instant,
    ) -> Result<Outcome, String> {
        let backend = loaded?;
        let api_key = self
            .store
            .ensure_api_key(api_key_ttl(&backend))
            .await
            .map_err(|e| format!("state database: {e}"))?;
        let info = ServerInfo {
            origin: self.origin.clone(),
            ca_file: self.ca_file.clone(),
            instance_id: self.instance_id.clone(),
            api_key: api_key.key,
        };
        let outputs = (self.outputs)(&backend, &info)?;
        let functions = self.build_functions(&backend).await?;
        let schedules = self.plan_schedules(&backend)?;
        let services = self.open_services(&backend, &info, functions).await?;
        if let Some(auth) = &services.auth {
            self.write_admin_credentials(auth).await?;
        }
        let outputs_written =
            outputs_file::write_if_changed(&self.outputs_path, &outputs_file::render(&outputs))
                .map_err(|e| e.to_string())?;
        let warnings = backend.warnings.clone();
        // Before the swap: from the first mutation the new generation serves, subscribers are
        // judged by its schema and rules.
        match &services.data {
            Some(data) => self.realtime.activate(data),
            None => self.realtime.deactivate(),
        }
        let live = self
            .shared
            .swap_with(backend, outputs, services, started.elapsed());
        self.start_schedules(schedules, &live.services.functions);
        Ok(Outcome::Loaded {
            live,
            outputs_written,
            warnings,
        })
    }
}

impl Reloader {
    /// The services of a generation, opened with the ids and origin the outputs advertise:
    /// the user and identity pools and the outbox with `defineAuth`, the GraphQL API with
    /// `defineData` (its document store adapted to the models first: a schema change the
    /// store cannot take fails the reload), the S3 API with `defineStorage` (authenticated
    /// against the identity pool's credentials).
    async fn open_services(
        &self,
        backend: &Backend,
        info: &ServerInfo,
        functions: Functions,
    ) -> Result<Services, String> {
        let auth = match &backend.auth {
            Some(spec) => Some(self.open_auth(spec, info, &functions).await?),
            None => None,
        };
        let data = match &backend.data {
            Some(spec) => Some(match self.unchanged_data(backend, &functions) {
                Some(data) => data,
                None => {
                    // Custom operations backed by functions and the Lambda authorizer run
                    // on this generation's functions.
                    let mut binding =
                        FunctionBinding::new(Arc::new(DataFunctions(functions.clone())));
                    // Requests the functions sign with their credentials are theirs
                    // (`allow.resource(fn)`).
                    binding.credentials = self.function_credentials.all(backend);
                    DataService::open_in_with(
                        &self.store,
                        spec,
                        auth.clone(),
                        &self.realtime,
                        Some(binding),
                    )
                    .await
                    .map_err(|e| format!("data: {e}"))?
                }
            }),
            None => None,
        };
        let storage = if backend.storage.is_empty() {
            None
        } else {
            Some(
                self.open_storage(backend, info, auth.clone(), &functions)
                    .await?,
            )
        };
        Ok(Services {
            outbox: auth.as_ref().map(|_| self.outbox.clone()),
            auth,
            data,
            storage,
            functions,
        })
    }

    /// Compile the handlers of `defineFunction` (on a blocking thread); when code, definitions
    /// and environment are those of the generation being served, keep its warm workers.
    async fn build_functions(&self, backend: &Backend) -> Result<Functions, String> {
        if backend.functions.is_empty() {
            return Ok(Functions::empty());
        }
        let mut config = RuntimeConfig::new(&self.root, &self.functions_dir);
        config.region = stratus_outputs::REGION.to_string();
        config.secrets = self.secrets()?;
        // Handlers that call the sandbox's HTTPS endpoints trust its local CA.
        config.extra_env.push((
            "NODE_EXTRA_CA_CERTS".into(),
            self.ca_file.to_string_lossy().into_owned(),
        ));
        // Lambda's execution-role credentials, and the data API's variables for the functions
        // the schema grants access (`crate::function_env`).
        let specs = with_sandbox_env(
            backend,
            &self.function_credentials,
            &format!("{}/graphql", self.origin),
        );
        let built = tokio::task::spawn_blocking(move || Functions::build(&specs, &config))
            .await
            .map_err(|e| format!("functions: the build crashed: {e}"))?
            .map_err(|e| format!("functions: {e}"))?;
        if let Some(live) = self.shared.current()
            && live.services.functions.fingerprint() == built.fingerprint()
        {
            return Ok(live.services.functions.clone());
        }
        Ok(built)
    }

    /// The data service being served, when this backend defines the same data and auth as
    /// the generation serving it and the same functions (its resolvers and Lambda authorizer
    /// call them): nothing to plan again for its realtime subscribers.
    fn unchanged_data(&self, backend: &Backend, functions: &Functions) -> Option<DataService> {
        let live = self.shared.current()?;
        let data = live.services.data.clone()?;
        (same(&live.backend.data, &backend.data)
            && same(&live.backend.auth, &backend.auth)
            && live.services.functions.fingerprint() == functions.fingerprint())
        .then_some(data)
    }

    async fn open_auth(
        &self,
        spec: &stratus_spec::auth::AuthSpec,
        info: &ServerInfo,
        functions: &Functions,
    ) -> Result<AuthService, String> {
        let mut config = AuthConfig::new(
            stratus_outputs::user_pool_id(&info.instance_id),
            stratus_outputs::user_pool_client_id(&info.instance_id),
            &info.origin,
        );
        // Amplify's app client does not allow USER_PASSWORD_AUTH (real Cognito refuses it);
        // the sandbox accepts it so that apps and tests can sign in without SRP
        // (crates/auth/README.md, "USER_PASSWORD_AUTH").
        config.allow_user_password_auth = true;
        config.identity_pool_id = Some(stratus_outputs::identity_pool_id(&info.instance_id));
        // defineAuth's custom-auth triggers run on the functions runtime; without a
        // DefineAuthChallenge trigger CUSTOM_AUTH answers Cognito's "Custom auth lambda trigger
        // is not configured" error.
        config.triggers = FunctionAuthTriggers::from_spec(spec, functions)
            .map(|t| Arc::new(t) as Arc<dyn stratus_auth::AuthTriggers>);
        // Its other triggers (PreSignUp, PostConfirmation, PreAuthentication,
        // PostAuthentication, PreTokenGeneration, CustomMessage, UserMigration) too.
        config.pool_triggers = FunctionPoolTriggers::from_spec(spec, functions)
            .map(|t| Arc::new(t) as Arc<dyn stratus_auth::UserPoolTriggers>);
        let sender: Arc<dyn Sender> = match &self.sender {
            Some(sender) => sender.clone(),
            None => self.outbox.clone(),
        };
        AuthService::open(&self.store, spec.clone(), config, sender)
            .await
            .map_err(|e| format!("auth: {e}"))
    }

    /// The buckets of `defineStorage` under the names the outputs advertise, over the object
    /// store of this state directory; their `onUpload` / `onDelete` triggers run on
    /// `functions`.
    async fn open_storage(
        &self,
        backend: &Backend,
        info: &ServerInfo,
        auth: Option<AuthService>,
        functions: &Functions,
    ) -> Result<StorageMount, String> {
        let default = stratus_spec::storage::default_bucket(&backend.storage)
            .map_err(|e| format!("storage: {e}"))?
            .map(|b| b.name.clone());
        let buckets: Vec<BucketConfig> = backend
            .storage
            .iter()
            .map(|spec| {
                let mut bucket = BucketConfig::from_spec(
                    stratus_outputs::bucket_name(&info.instance_id, &spec.name),
                    spec,
                );
                bucket.is_default = default.as_deref() == Some(spec.name.as_str());
                bucket
            })
            .collect();
        let names = buckets.iter().map(|b| b.name.clone()).collect();
        let store = self
            .storage_backend
            .get_or_try_init(|| async {
                let store = FsBackend::open(&self.storage_root, FsOptions::default())
                    .await
                    .map_err(|e| {
                        format!("storage: cannot open {}: {e}", self.storage_root.display())
                    })?;
                store.spawn_upload_janitor(UPLOAD_JANITOR_EVERY);
                Ok::<_, String>(Arc::new(store))
            })
            .await?;
        let service = StorageService::new(
            store.clone(),
            Arc::new(SigV4Authenticator::new(auth)),
            buckets,
        )
        .await
        .map_err(|e| format!("storage: {e}"))?;
        self.spawn_storage_triggers(backend, info, &service, functions);
        Ok(StorageMount {
            service,
            buckets: names,
        })
    }

    /// The pool's admin key (made on first use, then the same) for `@aws-sdk` admin clients.
    async fn write_admin_credentials(&self, auth: &AuthService) -> Result<(), String> {
        let credentials = auth
            .admin_credentials()
            .await
            .map_err(|e| format!("auth admin credentials: {e}"))?;
        let text = outputs_file::render(&credentials.to_file_json());
        outputs_file::write_private_if_changed(&self.admin_credentials_path, &text)
            .map_err(|e| e.to_string())?;
        Ok(())
    }
}

#[path = "reload_functions.rs"]
mod functions_wiring;

#[cfg(test)]
#[path = "reload_tests.rs"]
mod tests;

#[cfg(test)]
#[path = "reload_services_tests.rs"]
mod services_tests;

#[cfg(test)]
#[path = "reload_realtime_tests.rs"]
mod realtime_tests;
