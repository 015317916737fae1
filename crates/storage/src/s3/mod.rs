//! The S3 REST layer: request routing (path-style `/<bucket>/<key>`, virtual-hosted
//! `<bucket>.<host>/<key>`, and the bucket-less `POST /?delete` the Amplify client sends in
//! path-style mode), authentication through the [`Authenticator`], authorization, and S3's
//! responses.

mod body;
pub mod checksum;
mod error;
mod list;
mod ops;
pub mod xml;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::SystemTime;

use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use axum::routing::any;
use http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use percent_encoding::percent_decode_str;
use stratus_spec::storage::{StorageAccess, StorageSpec};
use tokio::sync::broadcast;

pub use body::{check_sha256, decode_chunked};
pub use error::S3Error;

use crate::auth::{Authenticator, Principal};
use crate::backend::{BackendError, ObjectBackend};

/// One served bucket.
#[derive(Debug, Clone)]
pub struct BucketConfig {
    /// The bucket name clients use (`amplify_outputs.json` `bucket_name`).
    pub name: String,
    /// The `defineStorage` access rules; `None` = admin only.
    pub access: Option<StorageAccess>,
    /// Target of the bucket-less `POST /?delete` (path-style folder removal).
    pub is_default: bool,
}

impl BucketConfig {
    /// From a `defineStorage` spec and the bucket name it is served under
    /// (`stratus_outputs::bucket_name(instance_id, &spec.name)`).
    pub fn from_spec(bucket_name: impl Into<String>, spec: &StorageSpec) -> Self {
        Self {
            name: bucket_name.into(),
            access: spec.access.clone(),
            is_default: spec.is_default,
        }
    }
}

/// An object created or removed (for `onUpload` / `onDelete` triggers).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageEvent {
    /// `s3:ObjectCreated:*`: by `operation`.
    Created {
        bucket: String,
        key: String,
        size: u64,
        etag: String,
        operation: CreateOperation,
    },
    /// `s3:ObjectRemoved:Delete` (DeleteObject, each key of DeleteObjects).
    Removed { bucket: String, key: String },
}

/// The request that created an object: the last part of S3's `ObjectCreated:*` event name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreateOperation {
    /// PutObject.
    Put,
    /// CopyObject (the destination).
    Copy,
    /// CompleteMultipartUpload.
    CompleteMultipartUpload,
}

impl StorageEvent {
    /// S3's `eventName`: `ObjectCreated:Put`, `ObjectCreated:Copy`,
    /// `ObjectCreated:CompleteMultipartUpload`, `ObjectRemoved:Delete`.
    pub fn event_name(&self) -> &'static str {
        match self {
            StorageEvent::Created { operation, .. } => match operation {
                CreateOperation::Put => "ObjectCreated:Put",
                CreateOperation::Copy => "ObjectCreated:Copy",
                CreateOperation::CompleteMultipartUpload => "ObjectCreated:CompleteMultipartUpload",
            },
            StorageEvent::Removed { .. } => "ObjectRemoved:Delete",
        }
    }

    pub fn bucket(&self) -> &str {
        match self {
            StorageEvent::Created { bucket, .. } | StorageEvent::Removed { bucket, .. } => bucket,
        }
    }

    pub fn key(&self) -> &str {
        match self {
            StorageEvent::Created { key, .. } | StorageEvent::Removed { key, .. } => key,
        }
    }
}

/// One event as [`StorageService::subscribe`] delivers it: what changed, and the request that
/// changed it (what an S3 event notification says besides the object).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StorageNotification {
    pub event: StorageEvent,
    /// The `x-amz-request-id` of the response to that request.
    pub request_id: String,
    /// Who sent it.
    pub principal: Principal,
    /// When the change was made (S3's `eventTime`: when it finished processing the request).
    pub time: SystemTime,
    /// S3's `sequencer`: uppercase hex, greater for a later change (process-wide, so it orders
    /// the events of one key across reloads too).
    pub sequencer: String,
}

/// Sequencers increase from the process's start time in nanoseconds.
static SEQUENCER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

fn next_sequencer() -> String {
    use std::sync::atomic::Ordering;
    let now = SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    // max(previous + 1, now): increasing even if the clock goes back.
    let mut previous = SEQUENCER.load(Ordering::Relaxed);
    loop {
        let next = (previous + 1).max(now);
        match SEQUENCER.compare_exchange_weak(previous, next, Ordering::Relaxed, Ordering::Relaxed)
        {
            Ok(_) => return format!("{next:018X}"),
            Err(actual) => previous = actual,
        }
    }
}

pub(crate) struct Inner {
    pub(crate) backend: Arc<dyn ObjectBackend>,
    pub(crate) auth: Arc<dyn Authenticator>,
    pub(crate) buckets: BTreeMap<String, BucketConfig>,
    pub(crate) events: broadcast::Sender<StorageNotification>,
}

/// The S3 service: backend + authenticator + buckets. Cheap to clone.
#[derive(Clone)]
pub struct StorageService {
    pub(crate) inner: Arc<Inner>,
}

/// Limit of XML request bodies (CompleteMultipartUpload with 10,000 parts is ~1 MiB).
pub(crate) const MAX_XML_BODY: usize = 4 * 1024 * 1024;

impl StorageService {
    /// Creates the buckets in the backend (if missing) and serves them.
    pub async fn new(
        backend: Arc<dyn ObjectBackend>,
        auth: Arc<dyn Authenticator>,
        buckets: Vec<BucketConfig>,
    ) -> Result<Self, BackendError> {
        let mut map = BTreeMap::new();
        for b in buckets {
            backend.ensure_bucket(&b.name).await?;
            map.insert(b.name.clone(), b);
        }
        let (events, _) = broadcast::channel(1024);
        Ok(Self {
            inner: Arc::new(Inner {
                backend,
                auth,
                buckets: map,
                events,
            }),
        })
    }

    /// Object created/removed events, from now on (lagging receivers lose the oldest). The
    /// stream ends (`RecvError::Closed`) when the last clone of this service is dropped.
    pub fn subscribe(&self) -> broadcast::Receiver<StorageNotification> {
        self.inner.events.subscribe()
    }

    /// Whether `bucket` is served (for routing by the first path segment).
    pub fn serves(&self, bucket: &str) -> bool {
        self.inner.buckets.contains_key(bucket)
    }

    pub fn backend(&self) -> &Arc<dyn ObjectBackend> {
        &self.inner.backend
    }

    /// The bucket of the bucket-less `POST /?delete`: the default one, or the only one.
    fn default_bucket(&self) -> Option<&BucketConfig> {
        let b = &self.inner.buckets;
        b.values().find(|c| c.is_default).or_else(|| {
            if b.len() == 1 {
                b.values().next()
            } else {
                None
            }
        })
    }
}

/// The storage router: every method on `/`, `/{bucket}` and `/{bucket}/{*key}`. Merge it into
/// the server's router (other services' static routes take precedence) or serve it on its own
/// listener. Do not `nest` it: the SigV4 signature covers the full path.
pub fn router(service: StorageService) -> Router {
    Router::new()
        .route("/", any(handle))
        .route("/{bucket}", any(handle))
        .route("/{bucket}/", any(handle))
        .route("/{bucket}/{*key}", any(handle))
        .with_state(service)
}

/// A parsed request target.
pub(crate) struct Target {
    pub(crate) bucket: String,
    /// `None` for bucket-level requests.
    pub(crate) key: Option<String>,
    pub(crate) query: BTreeMap<String, String>,
}

pub(crate) fn new_request_id() -> String {
    uuid::Uuid::new_v4().simple().to_string()[..16].to_ascii_uppercase()
}

fn decode(s: &str) -> Result<String, S3Error> {
    percent_decode_str(s)
        .decode_utf8()
        .map(|c| c.into_owned())
        .map_err(|_| {
            S3Error::new(
                StatusCode::BAD_REQUEST,
                "InvalidURI",
                "Couldn't parse the specified URI.",
            )
        })
}

fn parse_query(raw: Option<&str>) -> Result<BTreeMap<String, String>, S3Error> {
    let mut out = BTreeMap::new();
    for pair in raw.unwrap_or("").split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        out.insert(decode(k)?, decode(v)?);
    }
    Ok(out)
}

impl StorageService {
    fn target(
        &self,
        method: &Method,
        uri: &http::Uri,
        headers: &HeaderMap,
    ) -> Result<Target, S3Error> {
        let query = parse_query(uri.query())?;
        let path = uri.path();
        let host = headers
            .get(header::HOST)
            .and_then(|h| h.to_str().ok())
            .or(uri.host())
            .unwrap_or("");
        let host = host.rsplit_once(':').map_or(host, |(h, _)| h);
        // Virtual-hosted style: the Host starts with a served bucket's name and a dot.
        let virtual_bucket = self.inner.buckets.keys().find(|b| {
            host.len() > b.len() && host.starts_with(b.as_str()) && host.as_bytes()[b.len()] == b'.'
        });
        let rest = path.strip_prefix('/').unwrap_or(path);
        let (bucket, key) = match virtual_bucket {
            Some(b) => (b.clone(), rest),
            None => {
                let (b, k) = rest.split_once('/').unwrap_or((rest, ""));
                if b.is_empty() {
                    // `POST /?delete` without a bucket (aws-amplify path-style bug).
                    if *method == Method::POST && query.contains_key("delete") {
                        let d = self
                            .default_bucket()
                            .ok_or_else(|| S3Error::no_such_bucket(""))?;
                        return Ok(Target {
                            bucket: d.name.clone(),
                            key: None,
                            query,
                        });
                    }
                    return Err(S3Error::not_implemented("ListBuckets"));
                }
                (decode(b)?, k)
            }
        };
        let key = if key.is_empty() {
            None
        } else {
            Some(decode(key)?)
        };
        if let Some(k) = &key
            && k.len() > 1024
        {
            return Err(S3Error::new(
                StatusCode::BAD_REQUEST,
                "KeyTooLongError",
                "Your key is too long",
            ));
        }
        Ok(Target { bucket, key, query })
    }

    pub(crate) fn bucket(&self, name: &str) -> Result<&BucketConfig, S3Error> {
        self.inner
            .buckets
            .get(name)
            .ok_or_else(|| S3Error::no_such_bucket(name))
    }

    /// Publishes `event`, made by the request `request_id` of `principal`, to subscribers.
    pub(crate) fn emit(&self, event: StorageEvent, request_id: &str, principal: &Principal) {
        if self.inner.events.receiver_count() == 0 {
            return;
        }
        let _ = self.inner.events.send(StorageNotification {
            event,
            request_id: request_id.to_string(),
            principal: principal.clone(),
            time: SystemTime::now(),
            sequencer: next_sequencer(),
        });
    }
}

/// CORS headers the browser client needs: every response exposes the S3 headers it reads,
/// including each `x-amz-meta-*` actually present.
fn add_cors(origin: Option<&HeaderValue>, response: &mut Response) {
    let Some(origin) = origin else { return };
    let h = response.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.clone());
    h.insert(header::VARY, HeaderValue::from_static("Origin"));
    let mut expose = String::from(
        "ETag, x-amz-version-id, Content-Length, Content-Type, Content-Range, Accept-Ranges, Last-Modified, Date, x-amz-request-id, x-amz-id-2, x-amz-server-side-encryption, Cache-Control, Content-Disposition, Content-Encoding, Expires",
    );
    for name in h.keys() {
        if name.as_str().starts_with("x-amz-meta-") {
            expose.push_str(", ");
            expose.push_str(name.as_str());
        }
    }
    if let Ok(v) = HeaderValue::from_str(&expose) {
        h.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, v);
    }
}

fn preflight(headers: &HeaderMap) -> Response {
    let mut r = Response::new(Body::empty());
    let h = r.headers_mut();
    h.insert(
        header::ACCESS_CONTROL_ALLOW_METHODS,
        HeaderValue::from_static("GET, HEAD, PUT, POST, DELETE"),
    );
    let allow = headers
        .get(header::ACCESS_CONTROL_REQUEST_HEADERS)
        .cloned()
        .unwrap_or_else(|| HeaderValue::from_static("*"));
    h.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, allow);
    h.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("3000"),
    );
    r
}

pub(crate) fn error_response(e: &S3Error, request_id: &str, head: bool) -> Response {
    let body = if head {
        Body::empty()
    } else {
        Body::from(e.to_xml(request_id))
    };
    let mut r = Response::new(body);
    *r.status_mut() = e.status;
    if !head {
        r.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/xml"),
        );
    }
    r
}

async fn handle(State(service): State<StorageService>, request: Request) -> Response {
    service.handle(request).await
}

impl StorageService {
    /// Serves one S3 request (what [`router`] does for every route), for integrators that
    /// route storage requests themselves (e.g. by the first path segment being a bucket name).
    /// `request` must carry the full original path.
    pub async fn handle(&self, request: Request) -> Response {
        handle_request(self, request).await
    }
}

async fn handle_request(service: &StorageService, request: Request) -> Response {
    let request_id = new_request_id();
    let origin = request.headers().get(header::ORIGIN).cloned();
    let head = request.method() == Method::HEAD;
    let mut response = if request.method() == Method::OPTIONS {
        preflight(request.headers())
    } else {
        match dispatch(service, request, &request_id).await {
            Ok(r) => r,
            Err(e) => error_response(&e, &request_id, head),
        }
    };
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        response.headers_mut().insert("x-amz-request-id", v);
    }
    add_cors(origin.as_ref(), &mut response);
    response
}

async fn dispatch(
    service: &StorageService,
    request: Request,
    request_id: &str,
) -> Result<Response, S3Error> {
    let (parts, body) = request.into_parts();
    let target = service.target(&parts.method, &parts.uri, &parts.headers)?;
    let authenticated = service.inner.auth.authenticate(&parts).await?;
    let principal: Principal = authenticated.principal;
    let bucket = service.bucket(&target.bucket)?.clone();
    let ctx = ops::Ctx {
        service,
        request_id,
        bucket: &bucket,
        principal: &principal,
        parts: &parts,
        query: &target.query,
    };
    let q = &target.query;
    let m = &parts.method;
    match target.key.as_deref() {
        None => {
            if *m == Method::GET && q.get("list-type").map(String::as_str) == Some("2") {
                list::list_objects_v2(&ctx).await
            } else if *m == Method::POST && q.contains_key("delete") {
                let raw = body::raw_stream(body);
                list::delete_objects(&ctx, raw).await
            } else if *m == Method::HEAD {
                // HeadBucket needs s3:ListBucket on the bucket.
                ctx.authorize(stratus_spec::storage::StorageAction::List, "")?;
                Ok(Response::new(Body::empty()))
            } else if *m == Method::GET && q.contains_key("location") {
                // GetBucketLocation: us-east-1 is an empty constraint.
                ctx.authorize(stratus_spec::storage::StorageAction::List, "")?;
                let doc = format!(
                    "{}<LocationConstraint xmlns=\"{}\"/>",
                    xml::DECL,
                    xml::S3_NS
                );
                Ok(Response::new(Body::from(doc)))
            } else if *m == Method::GET
                && ![
                    "versioning",
                    "cors",
                    "policy",
                    "acl",
                    "uploads",
                    "versions",
                    "tagging",
                ]
                .iter()
                .any(|k| q.contains_key(*k))
            {
                list::list_objects_v1(&ctx).await
            } else {
                Err(S3Error::not_implemented("bucket operation"))
            }
        }
        Some(key) => {
            let payload = authenticated.payload;
            let raw = body::raw_stream(body);
            if *m == Method::PUT {
                if parts.headers.contains_key("x-amz-copy-source") {
                    if q.contains_key("uploadId") {
                        return Err(S3Error::not_implemented("UploadPartCopy"));
                    }
                    ops::copy_object(&ctx, key).await
                } else if let (Some(n), Some(id)) = (q.get("partNumber"), q.get("uploadId")) {
                    let body = ops::upload_body(&parts, raw, payload)?;
                    ops::upload_part(&ctx, key, n, id, body).await
                } else {
                    let body = ops::upload_body(&parts, raw, payload)?;
                    ops::put_object(&ctx, key, body).await
                }
            } else if *m == Method::POST && q.contains_key("uploads") {
                ops::create_multipart(&ctx, key).await
            } else if *m == Method::POST && q.contains_key("uploadId") {
                let body = ops::body_for(&parts, raw, payload)?;
                ops::complete_multipart(&ctx, key, &q["uploadId"], body).await
            } else if *m == Method::GET && q.contains_key("uploadId") {
                ops::list_parts(&ctx, key, &q["uploadId"]).await
            } else if *m == Method::GET || *m == Method::HEAD {
                ops::get_object(&ctx, key, *m == Method::HEAD).await
            } else if *m == Method::DELETE && q.contains_key("uploadId") {
                ops::abort_multipart(&ctx, key, &q["uploadId"]).await
            } else if *m == Method::DELETE {
                ops::delete_object(&ctx, key).await
            } else {
                Err(S3Error::new(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "MethodNotAllowed",
                    "The specified method is not allowed against this resource.",
                ))
            }
        }
    }
}

pub(crate) fn map_backend(bucket: &str, key: Option<&str>) -> impl Fn(BackendError) -> S3Error {
    let bucket = bucket.to_string();
    let key = key.map(str::to_string);
    move |e| S3Error::from_backend(e, &bucket, key.as_deref())
}
