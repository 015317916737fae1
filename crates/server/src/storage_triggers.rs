//! `defineStorage({ triggers: { onUpload, onDelete } })`: every object a generation's S3 API
//! creates or removes invokes the bucket's trigger function with the S3 event notification
//! Lambda receives, asynchronously (the upload's response does not wait; Lambda's retries),
//! as the `s3:ObjectCreated:*` / `s3:ObjectRemoved:*` notifications Amplify configures.
//!
//! [`spawn`] subscribes to one [`StorageService`]'s events; its task ends when that service is
//! dropped (the generation that served it is gone), so each generation notifies its own
//! functions and a reload never delivers an event twice.
//!
//! The event (`Records[0]`, eventVersion 2.6) follows "Event message structure" in the S3 User
//! Guide: `eventSource: aws:s3`, `awsRegion`, `eventTime` (ISO-8601 with milliseconds),
//! `eventName` (`ObjectCreated:Put|Copy|CompleteMultipartUpload`, `ObjectRemoved:Delete`),
//! `requestParameters.sourceIPAddress` (the sandbox listens on loopback only),
//! `responseElements.x-amz-request-id` (the response's own), `s3.bucket.name/arn`,
//! `s3.object.key` URL-encoded as S3 encodes it (form encoding: a space is `+`; `/` is kept),
//! `size` and unquoted `eTag` for creations, and `sequencer`. Stand-ins where the sandbox has no
//! AWS identity: `userIdentity.principalId` (`AWS:AROA<ROLE>:CognitoIdentityCredentials` for
//! identity-pool callers, `AWS:AROAFUNCTION<NAME>:<name>` for a function's role,
//! `AWS:AIDASTRATUSADMIN` for the admin key), the bucket owner's
//! `principalId` (the account id), `x-amz-id-2` and `configurationId`.

use std::time::SystemTime;

use base64::Engine as _;
use serde_json::{Value, json};
use stratus_functions::{Functions, RetryPolicy};
use stratus_spec::storage::StorageRole;
use stratus_storage::{Principal, StorageEvent, StorageNotification, StorageService};
use tokio::sync::broadcast::error::RecvError;
use tokio::task::JoinHandle;

/// The trigger functions of one served bucket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BucketTriggers {
    /// The served bucket name (`amplify_outputs.json` `bucket_name`).
    pub bucket: String,
    /// Function invoked on `s3:ObjectCreated:*`.
    pub on_upload: Option<String>,
    /// Function invoked on `s3:ObjectRemoved:*`.
    pub on_delete: Option<String>,
}

/// Where the events say they come from, and how failed invocations are retried.
#[derive(Debug, Clone)]
pub struct TriggerConfig {
    pub region: String,
    pub account_id: String,
    pub retry: RetryPolicy,
}

impl TriggerConfig {
    pub fn new(region: impl Into<String>, account_id: impl Into<String>) -> Self {
        TriggerConfig {
            region: region.into(),
            account_id: account_id.into(),
            retry: RetryPolicy::default(),
        }
    }
}

/// S3's encoding of a key in an event: `application/x-www-form-urlencoded` (a space is `+`,
/// bytes other than `A-Z a-z 0-9 - _ . *` are `%XX`), except that `/` stays as it is.
pub fn event_key(key: &str) -> String {
    let mut out = String::with_capacity(key.len());
    for b in key.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'*' | b'/' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ`.
fn iso_millis(t: SystemTime) -> String {
    let t = time::OffsetDateTime::from(t);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

/// The stand-in IAM principal id of who made the request.
fn principal_id(principal: &Principal) -> String {
    match principal {
        Principal::Admin => "AWS:AIDASTRATUSADMIN".to_string(),
        Principal::Identity { role, .. } => {
            // A Lambda execution role's session is named after the function.
            let (role, session) = match role {
                StorageRole::Guest => ("GUEST".to_string(), "CognitoIdentityCredentials"),
                StorageRole::Authenticated => {
                    ("AUTHENTICATED".to_string(), "CognitoIdentityCredentials")
                }
                StorageRole::Group(g) => (format!("GROUP{g}"), "CognitoIdentityCredentials"),
                StorageRole::Function(f) => (format!("FUNCTION{f}"), f.as_str()),
            };
            let role: String = role
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .map(|c| c.to_ascii_uppercase())
                .collect();
            format!("AWS:AROA{role}:{session}")
        }
    }
}

/// The S3 event notification (`{"Records": [...]}`) Lambda receives for `n`.
pub fn s3_event(n: &StorageNotification, configuration_id: &str, config: &TriggerConfig) -> Value {
    let bucket = n.event.bucket();
    let mut object = json!({ "key": event_key(n.event.key()) });
    if let StorageEvent::Created { size, etag, .. } = &n.event {
        object["size"] = json!(size);
        object["eTag"] = json!(etag.trim_matches('"'));
    }
    object["sequencer"] = json!(n.sequencer);
    json!({
        "Records": [{
            "eventVersion": "2.6",
            "eventSource": "aws:s3",
            "awsRegion": config.region,
            "eventTime": iso_millis(n.time),
            "eventName": n.event.event_name(),
            "userIdentity": { "principalId": principal_id(&n.principal) },
            "requestParameters": { "sourceIPAddress": "127.0.0.1" },
            "responseElements": {
                "x-amz-request-id": n.request_id,
                "x-amz-id-2": base64::engine::general_purpose::STANDARD
                    .encode(format!("stratus/{}", n.request_id)),
            },
            "s3": {
                "s3SchemaVersion": "1.0",
                "configurationId": configuration_id,
                "bucket": {
                    "name": bucket,
                    "ownerIdentity": { "principalId": config.account_id },
                    "arn": format!("arn:aws:s3:::{bucket}"),
                },
                "object": object,
            },
        }]
    })
}

struct Route {
    function: String,
    configuration_id: String,
}

/// An id as S3 makes one for a notification configuration without an `Id` (base64 of a UUID).
fn configuration_id() -> String {
    base64::engine::general_purpose::STANDARD.encode(uuid::Uuid::new_v4().to_string())
}

/// Deliver `service`'s events to the trigger functions of `buckets` on `functions`, until the
/// service is dropped. `None` when no bucket has a trigger.
pub fn spawn(
    service: &StorageService,
    buckets: Vec<BucketTriggers>,
    functions: Functions,
    config: TriggerConfig,
) -> Option<JoinHandle<()>> {
    let mut routes: Vec<(String, bool, Route)> = Vec::new();
    for b in buckets {
        for (created, function) in [(true, b.on_upload), (false, b.on_delete)] {
            if let Some(function) = function {
                if !functions.contains(&function) {
                    tracing::warn!(target: "stratus::function", "storage trigger of bucket {}: no function named '{function}'", b.bucket);
                }
                routes.push((
                    b.bucket.clone(),
                    created,
                    Route {
                        function,
                        configuration_id: configuration_id(),
                    },
                ));
            }
        }
    }
    if routes.is_empty() {
        return None;
    }
    let mut events = service.subscribe();
    Some(tokio::spawn(async move {
        loop {
            let n = match events.recv().await {
                Ok(n) => n,
                Err(RecvError::Lagged(missed)) => {
                    tracing::warn!(target: "stratus::function", "{missed} storage events arrived faster than triggers could be started and were not delivered");
                    continue;
                }
                Err(RecvError::Closed) => return,
            };
            let created = matches!(n.event, StorageEvent::Created { .. });
            for (bucket, on_created, route) in &routes {
                if bucket == n.event.bucket() && *on_created == created {
                    tracing::info!(target: "stratus::function", "{} {}/{} invokes function '{}'", n.event.event_name(), bucket, n.event.key(), route.function);
                    let event = s3_event(&n, &route.configuration_id, &config);
                    drop(functions.invoke_async(&route.function, event, &config.retry, "S3"));
                }
            }
        }
    }))
}

#[cfg(test)]
#[path = "storage_triggers_tests.rs"]
mod tests;
