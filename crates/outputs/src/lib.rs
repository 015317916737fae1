//! `amplify_outputs.json` (schema version 1.5) from the backend spec, built the way the Amplify
//! CLI builds it: each category contributes its section (auth, data, storage, version), then
//! everything passed to `backend.addOutput(...)` is merged in with Amplify's accumulator rules.
//! Stratus adds `custom.stratus` (where its Cognito and S3 emulations answer).
//!
//! Identifiers are deterministic per sandbox instance ([`Endpoints::instance_id`]) and shaped
//! like AWS's; the region is always [`REGION`].

mod ids;
mod merge;
mod sections;

use std::path::PathBuf;

use serde_json::{Map, Value, json};
use stratus_schema::SchemaError;
use stratus_spec::data::DataSpec;
use stratus_spec::{Backend, SpecError};

pub use ids::{REGION, bucket_name, identity_pool_id, user_pool_client_id, user_pool_id};

/// The schema version written to `version`.
pub const OUTPUTS_VERSION: &str = "1.5";

/// Where this server answers and what identifies this sandbox; goes into `data.url`,
/// `custom.stratus` and every generated identifier.
#[derive(Debug, Clone)]
pub struct Endpoints {
    /// `https://127.0.0.1:PORT` (a trailing slash is ignored).
    pub origin: String,
    /// The local CA certificate the client must trust (sandbox).
    pub ca_file: Option<PathBuf>,
    /// Stable seed for user pool / client / identity pool ids and bucket names, e.g. the
    /// sandbox identifier `<package name>-<identifier>`. Same seed → same ids across restarts.
    pub instance_id: String,
    /// The API key the server minted; required when the data API has API key authorization.
    pub api_key: Option<String>,
}

impl Endpoints {
    fn origin(&self) -> &str {
        self.origin.trim_end_matches('/')
    }

    /// `host:port` of the origin (what `custom.stratus.storage_endpoint` carries).
    pub fn host_port(&self) -> String {
        let o = self.origin();
        let rest = o.split_once("://").map_or(o, |(_, r)| r);
        rest.split('/').next().unwrap_or(rest).to_string()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum OutputsError {
    /// A rule across resources was broken (e.g. which bucket is the default).
    #[error(transparent)]
    Spec(Box<SpecError>),
    /// `data.model_introspection` could not be generated.
    #[error("model introspection: {0}")]
    Introspection(#[from] SchemaError),
    #[error(
        "the data API allows API key authorization but no API key was provided to the outputs generator"
    )]
    MissingApiKey,
    #[error("origin must look like scheme://host[:port], found {0:?}")]
    InvalidOrigin(String),
    /// `backend.addOutput(...)` sets a key that is already set (Amplify's
    /// `OutputEntryAlreadyExistsError`).
    #[error(
        "[OutputEntryAlreadyExistsError] Duplicated entry with key {0} detected in deployment outputs"
    )]
    DuplicateEntry(String),
    /// `backend.addOutput({ version })` with another major version (`VersionMismatchError`).
    #[error(
        "[VersionMismatchError] Conflicting versions of client configuration found ({existing} and {incoming})"
    )]
    VersionMismatch { existing: String, incoming: String },
    #[error("backend.addOutput(...) must be given objects, and `custom` must be an object")]
    InvalidCustomOutputs,
    #[error("custom.stratus is reserved for Stratus; rename that addOutput key")]
    ReservedCustomKey,
}

impl From<SpecError> for OutputsError {
    fn from(e: SpecError) -> Self {
        Self::Spec(Box::new(e))
    }
}

/// Build `amplify_outputs.json`.
pub fn generate(backend: &Backend, endpoints: &Endpoints) -> Result<Value, OutputsError> {
    generate_with(backend, endpoints, stratus_schema::introspection::generate)
}

/// [`generate`] with the `model_introspection` producer supplied by the caller (tests, tools
/// that already hold the introspection document).
pub fn generate_with<F>(
    backend: &Backend,
    endpoints: &Endpoints,
    introspect: F,
) -> Result<Value, OutputsError>
where
    F: Fn(&DataSpec) -> Result<Value, SchemaError>,
{
    if !endpoints.origin().contains("://") || endpoints.host_port().is_empty() {
        return Err(OutputsError::InvalidOrigin(endpoints.origin.clone()));
    }
    let mut acc = Map::new();
    if let Some(auth) = &backend.auth {
        merge::accumulate(&mut acc, sections::auth(auth, endpoints))?;
    }
    if let Some(data) = &backend.data {
        let mi = introspect(data)?;
        merge::accumulate(&mut acc, sections::data(data, endpoints, mi)?)?;
    }
    if let Some(storage) = sections::storage(&backend.storage, endpoints)? {
        merge::accumulate(&mut acc, storage)?;
    }
    let mut version = Map::new();
    version.insert("version".into(), json!(OUTPUTS_VERSION));
    merge::accumulate(&mut acc, version)?;
    match &backend.custom_outputs {
        None | Some(Value::Null) => {}
        Some(Value::Object(custom)) => merge::accumulate(&mut acc, custom.clone())?,
        Some(_) => return Err(OutputsError::InvalidCustomOutputs),
    }
    let custom = acc
        .entry("custom")
        .or_insert_with(|| Value::Object(Map::new()));
    let Value::Object(custom) = custom else {
        return Err(OutputsError::InvalidCustomOutputs);
    };
    if custom.contains_key("stratus") {
        return Err(OutputsError::ReservedCustomKey);
    }
    custom.insert("stratus".into(), stratus_section(endpoints));
    Ok(Value::Object(acc))
}

fn stratus_section(e: &Endpoints) -> Value {
    let mut s = Map::new();
    s.insert(
        "user_pool_endpoint".into(),
        json!(format!("{}/cognito-idp", e.origin())),
    );
    s.insert(
        "identity_pool_endpoint".into(),
        json!(format!("{}/cognito-identity", e.origin())),
    );
    s.insert("storage_endpoint".into(), json!(e.host_port()));
    if let Some(ca) = &e.ca_file {
        s.insert("ca_file".into(), json!(ca.to_string_lossy()));
    }
    Value::Object(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn endpoints() -> Endpoints {
        Endpoints {
            origin: "https://127.0.0.1:8443/".into(),
            ca_file: Some(PathBuf::from("/tmp/ca.pem")),
            instance_id: "notes-alice".into(),
            api_key: None,
        }
    }

    #[test]
    fn empty_backend() {
        let out = generate(&Backend::default(), &endpoints()).unwrap();
        assert_eq!(
            out,
            json!({"version": "1.5", "custom": {"stratus": {
                "user_pool_endpoint": "https://127.0.0.1:8443/cognito-idp",
                "identity_pool_endpoint": "https://127.0.0.1:8443/cognito-identity",
                "storage_endpoint": "127.0.0.1:8443",
                "ca_file": "/tmp/ca.pem"}}})
        );
    }

    #[test]
    fn custom_outputs_merge_and_reserved_key() {
        let mut b = Backend {
            custom_outputs: Some(json!({"custom": {"hello": "world"}, "version": "1.4",
            "geo": {"aws_region": "us-east-1"}})),
            ..Backend::default()
        };
        let out = generate(&b, &endpoints()).unwrap();
        let keys: Vec<&String> = out.as_object().unwrap().keys().collect();
        assert_eq!(keys, ["version", "custom", "geo"]);
        assert_eq!(out["version"], "1.5");
        assert_eq!(out["custom"]["hello"], "world");
        assert_eq!(
            out["custom"]["stratus"]["storage_endpoint"],
            "127.0.0.1:8443"
        );
        b.custom_outputs = Some(json!({"custom": {"stratus": 1}}));
        assert!(matches!(
            generate(&b, &endpoints()),
            Err(OutputsError::ReservedCustomKey)
        ));
        b.custom_outputs = Some(json!({"version": "2"}));
        assert!(matches!(
            generate(&b, &endpoints()),
            Err(OutputsError::VersionMismatch { .. })
        ));
        b.custom_outputs = Some(json!([1]));
        assert!(matches!(
            generate(&b, &endpoints()),
            Err(OutputsError::InvalidCustomOutputs)
        ));
    }

    #[test]
    fn origin_checks() {
        let mut e = endpoints();
        e.origin = "127.0.0.1:8443".into();
        assert!(matches!(
            generate(&Backend::default(), &e),
            Err(OutputsError::InvalidOrigin(_))
        ));
        e.origin = "http://localhost".into();
        assert_eq!(e.host_port(), "localhost");
    }
}
