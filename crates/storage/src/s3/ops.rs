//! Object operations: Put/Get/Head/Delete/Copy and the multipart set.

use std::collections::BTreeMap;

use axum::body::Body;
use axum::response::Response;
use chrono::{DateTime, Utc};
use futures::StreamExt;
use http::{HeaderMap, HeaderValue, StatusCode, header};
use stratus_spec::storage::StorageAction;

use super::xml::{DECL, S3_NS, elem};
use super::{
    BucketConfig, CreateOperation, MAX_XML_BODY, S3Error, StorageEvent, StorageService, body,
    map_backend,
};
use crate::auth::{PayloadCheck, Principal};
use crate::authz;
use crate::backend::{ByteRange, ByteStream, ObjectInfo, ObjectMeta, PutOptions};

/// What every operation needs.
pub(crate) struct Ctx<'a> {
    pub(crate) service: &'a StorageService,
    /// The `x-amz-request-id` the response carries.
    pub(crate) request_id: &'a str,
    pub(crate) bucket: &'a BucketConfig,
    pub(crate) principal: &'a Principal,
    pub(crate) parts: &'a http::request::Parts,
    pub(crate) query: &'a BTreeMap<String, String>,
}

impl Ctx<'_> {
    pub(crate) fn authorize(&self, action: StorageAction, target: &str) -> Result<(), S3Error> {
        if authz::is_allowed(self.bucket.access.as_ref(), self.principal, action, target) {
            Ok(())
        } else {
            Err(S3Error::access_denied())
        }
    }

    fn backend(&self) -> &dyn crate::backend::ObjectBackend {
        self.service.inner.backend.as_ref()
    }

    fn name(&self) -> &str {
        &self.bucket.name
    }

    /// Tells subscribers that this request created or removed an object.
    pub(crate) fn notify(&self, event: StorageEvent) {
        self.service.emit(event, self.request_id, self.principal);
    }
}

/// S3's limit on user metadata (names + values).
const MAX_USER_META: usize = 2048;

fn header_str<'h>(h: &'h HeaderMap, name: &str) -> Option<&'h str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

/// Content headers and `x-amz-meta-*` of a write.
pub(crate) fn meta_from_headers(h: &HeaderMap) -> Result<ObjectMeta, S3Error> {
    let get = |n: &str| header_str(h, n).map(str::to_string);
    // `aws-chunked` is transfer framing, not a stored content encoding.
    let content_encoding = header_str(h, "content-encoding")
        .map(|v| {
            v.split(',')
                .map(str::trim)
                .filter(|t| !t.eq_ignore_ascii_case("aws-chunked") && !t.is_empty())
                .collect::<Vec<_>>()
                .join(",")
        })
        .filter(|v| !v.is_empty());
    let mut user = BTreeMap::new();
    let mut size = 0;
    for (name, value) in h {
        if let Some(n) = name.as_str().strip_prefix("x-amz-meta-") {
            let v = String::from_utf8_lossy(value.as_bytes()).into_owned();
            size += n.len() + v.len();
            user.insert(n.to_string(), v);
        }
    }
    if size > MAX_USER_META {
        return Err(S3Error::new(
            StatusCode::BAD_REQUEST,
            "MetadataTooLarge",
            "Your metadata headers exceed the maximum allowed metadata size.",
        ));
    }
    Ok(ObjectMeta {
        content_type: Some(get("content-type").unwrap_or_else(|| "binary/octet-stream".into())),
        cache_control: get("cache-control"),
        content_disposition: get("content-disposition"),
        content_encoding,
        content_language: get("content-language"),
        expires: get("expires"),
        user,
    })
}

/// The request body, decoded and checked as the authenticator's payload says.
pub(crate) fn body_for(
    parts: &http::request::Parts,
    raw: ByteStream,
    payload: PayloadCheck,
) -> Result<ByteStream, S3Error> {
    let h = &parts.headers;
    let decoded = header_str(h, "x-amz-decoded-content-length").and_then(|v| v.parse().ok());
    body::request_body(raw, header_str(h, "x-amz-content-sha256"), payload, decoded)
}

/// An object or part body: [`body_for`] plus the `Content-MD5` / `x-amz-checksum-crc32`
/// checks over the decoded bytes.
pub(crate) fn upload_body(
    parts: &http::request::Parts,
    raw: ByteStream,
    payload: PayloadCheck,
) -> Result<ByteStream, S3Error> {
    let expected = super::checksum::Expected::from_headers(&parts.headers)?;
    Ok(super::checksum::check(
        body_for(parts, raw, payload)?,
        expected,
    ))
}

/// Echoes a verified `x-amz-checksum-crc32`, as S3 does.
fn echo_checksum(ctx: &Ctx<'_>, r: &mut Response) {
    if let Some(v) = header_str(&ctx.parts.headers, "x-amz-checksum-crc32") {
        set(r.headers_mut(), "x-amz-checksum-crc32", v);
    }
}

fn http_date(t: DateTime<Utc>) -> String {
    t.format("%a, %d %b %Y %H:%M:%S GMT").to_string()
}

pub(crate) fn iso_date(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string()
}

fn set(h: &mut HeaderMap, name: &str, value: &str) {
    if let (Ok(n), Ok(v)) = (
        http::HeaderName::from_bytes(name.as_bytes()),
        HeaderValue::from_str(value),
    ) {
        h.insert(n, v);
    }
}

fn with_etag(status: StatusCode, etag: &str) -> Response {
    let mut r = Response::new(Body::empty());
    *r.status_mut() = status;
    set(r.headers_mut(), "etag", etag);
    r
}

fn xml_response(doc: String) -> Response {
    let mut r = Response::new(Body::from(doc));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    r
}

fn created(ctx: &Ctx<'_>, info: &ObjectInfo, operation: CreateOperation) {
    ctx.notify(StorageEvent::Created {
        bucket: ctx.name().to_string(),
        key: info.key.clone(),
        size: info.size,
        etag: info.etag.clone(),
        operation,
    });
}

fn put_options(h: &HeaderMap) -> Result<PutOptions, S3Error> {
    match header_str(h, "if-none-match") {
        None => Ok(PutOptions::default()),
        Some("*") => Ok(PutOptions {
            if_none_match: true,
            ..PutOptions::default()
        }),
        Some(_) => Err(S3Error::not_implemented("If-None-Match other than *")),
    }
}

pub(crate) async fn put_object(
    ctx: &Ctx<'_>,
    key: &str,
    body: ByteStream,
) -> Result<Response, S3Error> {
    ctx.authorize(StorageAction::Write, key)?;
    let meta = meta_from_headers(&ctx.parts.headers)?;
    let options = put_options(&ctx.parts.headers)?;
    let info = ctx
        .backend()
        .put(ctx.name(), key, body, meta, options)
        .await
        .map_err(map_backend(ctx.name(), Some(key)))?;
    created(ctx, &info, CreateOperation::Put);
    let mut r = with_etag(StatusCode::OK, &info.etag);
    echo_checksum(ctx, &mut r);
    Ok(r)
}

/// `Range: bytes=a-b | a- | -n`; anything else (several ranges, other units, bad syntax) is
/// ignored and the whole object served, as S3 does.
fn parse_range(h: &HeaderMap) -> Option<ByteRange> {
    let spec = header_str(h, "range")?.trim().strip_prefix("bytes=")?;
    if spec.contains(',') {
        return None;
    }
    let (a, b) = spec.split_once('-')?;
    let (a, b) = (a.trim(), b.trim());
    match (a.is_empty(), b.is_empty()) {
        (true, false) => b.parse().ok().map(ByteRange::Suffix),
        (false, true) => a.parse().ok().map(ByteRange::From),
        (false, false) => Some(ByteRange::FromTo(a.parse().ok()?, b.parse().ok()?)),
        (true, true) => None,
    }
}

fn object_headers(h: &mut HeaderMap, info: &ObjectInfo, query: &BTreeMap<String, String>) {
    let m = &info.meta;
    let pick = |q: &str, stored: &Option<String>| query.get(q).cloned().or_else(|| stored.clone());
    if let Some(v) = pick("response-content-type", &m.content_type) {
        set(h, "content-type", &v);
    }
    for (q, name, stored) in [
        ("response-cache-control", "cache-control", &m.cache_control),
        (
            "response-content-disposition",
            "content-disposition",
            &m.content_disposition,
        ),
        (
            "response-content-encoding",
            "content-encoding",
            &m.content_encoding,
        ),
        (
            "response-content-language",
            "content-language",
            &m.content_language,
        ),
        ("response-expires", "expires", &m.expires),
    ] {
        if let Some(v) = pick(q, stored) {
            set(h, name, &v);
        }
    }
    for (k, v) in &m.user {
        set(h, &format!("x-amz-meta-{k}"), v);
    }
    set(h, "etag", &info.etag);
    set(h, "last-modified", &http_date(info.last_modified));
    set(h, "accept-ranges", "bytes");
}

fn etag_matches(list: &str, etag: &str) -> bool {
    list.split(',')
        .map(|t| t.trim().trim_start_matches("W/").trim_matches('"'))
        .any(|t| t == "*" || t == etag.trim_matches('"'))
}

fn since(h: &HeaderMap, name: &str) -> Option<DateTime<Utc>> {
    header_str(h, name)
        .and_then(|v| DateTime::parse_from_rfc2822(v).ok())
        .map(|t| t.with_timezone(&Utc))
}

/// RFC 7232 / S3 conditional GET and HEAD: `Err` carries the 412 error, `Ok(Some)` a 304.
fn check_conditions(h: &HeaderMap, info: &ObjectInfo) -> Result<Option<Response>, S3Error> {
    let failed = |cond: &str| {
        S3Error::new(
            StatusCode::PRECONDITION_FAILED,
            "PreconditionFailed",
            "At least one of the pre-conditions you specified did not hold",
        )
        .with("Condition", cond)
    };
    // Second precision, as in HTTP dates.
    let modified = info.last_modified.timestamp();
    if let Some(m) = header_str(h, "if-match") {
        if !etag_matches(m, &info.etag) {
            return Err(failed("If-Match"));
        }
    } else if since(h, "if-unmodified-since").is_some_and(|t| modified > t.timestamp()) {
        return Err(failed("If-Unmodified-Since"));
    }
    let not_modified = match header_str(h, "if-none-match") {
        Some(m) => etag_matches(m, &info.etag),
        None => since(h, "if-modified-since").is_some_and(|t| modified <= t.timestamp()),
    };
    if not_modified {
        let mut r = with_etag(StatusCode::NOT_MODIFIED, &info.etag);
        set(
            r.headers_mut(),
            "last-modified",
            &http_date(info.last_modified),
        );
        return Ok(Some(r));
    }
    Ok(None)
}

pub(crate) async fn get_object(ctx: &Ctx<'_>, key: &str, head: bool) -> Result<Response, S3Error> {
    ctx.authorize(StorageAction::Get, key)?;
    let mapper = map_backend(ctx.name(), Some(key));
    let range = parse_range(&ctx.parts.headers);
    if head {
        let info = ctx.backend().head(ctx.name(), key).await.map_err(&mapper)?;
        if let Some(r) = check_conditions(&ctx.parts.headers, &info)? {
            return Ok(r);
        }
        let mut r = Response::new(Body::empty());
        let h = r.headers_mut();
        object_headers(h, &info, ctx.query);
        match range {
            None => set(h, "content-length", &info.size.to_string()),
            Some(range) => {
                // As S3: a ranged HEAD describes the span (206), or is 416 without a body.
                let (a, b) = range.resolve(info.size).ok_or_else(|| {
                    S3Error::new(
                        StatusCode::RANGE_NOT_SATISFIABLE,
                        "InvalidRange",
                        "The requested range is not satisfiable",
                    )
                })?;
                set(h, "content-length", &(b - a + 1).to_string());
                set(h, "content-range", &format!("bytes {a}-{b}/{}", info.size));
                *r.status_mut() = StatusCode::PARTIAL_CONTENT;
            }
        }
        return Ok(r);
    }
    let read = match ctx.backend().get(ctx.name(), key, range).await {
        Err(crate::backend::BackendError::InvalidRange) => {
            let size = ctx
                .backend()
                .head(ctx.name(), key)
                .await
                .map(|i| i.size)
                .unwrap_or_default();
            let requested = header_str(&ctx.parts.headers, "range")
                .unwrap_or("")
                .to_string();
            return Err(S3Error::new(
                StatusCode::RANGE_NOT_SATISFIABLE,
                "InvalidRange",
                "The requested range is not satisfiable",
            )
            .with("RangeRequested", requested)
            .with("ActualObjectSize", size.to_string()));
        }
        other => other.map_err(&mapper)?,
    };
    if let Some(r) = check_conditions(&ctx.parts.headers, &read.info)? {
        return Ok(r);
    }
    let len = match read.range {
        Some((a, b)) => b - a + 1,
        None => read.info.size,
    };
    let mut r = Response::new(Body::from_stream(read.body));
    let h = r.headers_mut();
    object_headers(h, &read.info, ctx.query);
    set(h, "content-length", &len.to_string());
    if let Some((a, b)) = read.range {
        set(
            h,
            "content-range",
            &format!("bytes {a}-{b}/{}", read.info.size),
        );
        *r.status_mut() = StatusCode::PARTIAL_CONTENT;
    }
    Ok(r)
}

pub(crate) async fn delete_object(ctx: &Ctx<'_>, key: &str) -> Result<Response, S3Error> {
    ctx.authorize(StorageAction::Delete, key)?;
    let removed = ctx
        .backend()
        .delete(ctx.name(), key)
        .await
        .map_err(map_backend(ctx.name(), Some(key)))?;
    if removed {
        ctx.notify(StorageEvent::Removed {
            bucket: ctx.name().to_string(),
            key: key.to_string(),
        });
    }
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::NO_CONTENT;
    Ok(r)
}

/// `x-amz-copy-source`: `bucket/key` (aws-amplify: raw, no leading slash) or `/bucket/key`
/// URL-encoded (AWS SDKs), optionally with `?versionId=`.
fn parse_copy_source(v: &str) -> Result<(String, String), S3Error> {
    let v = v.trim_start_matches('/');
    let v = v.split_once("?versionId=").map_or(v, |(s, _)| s);
    let decoded = percent_encoding::percent_decode_str(v)
        .decode_utf8()
        .map(|c| c.into_owned())
        .unwrap_or_else(|_| v.to_string());
    let (b, k) = decoded
        .split_once('/')
        .filter(|(b, k)| !b.is_empty() && !k.is_empty())
        .ok_or_else(|| {
            S3Error::invalid_argument(
                "Copy Source must mention the source bucket and key: sourcebucket/sourcekey",
            )
        })?;
    Ok((b.to_string(), k.to_string()))
}

pub(crate) async fn copy_object(ctx: &Ctx<'_>, key: &str) -> Result<Response, S3Error> {
    let h = &ctx.parts.headers;
    let source = header_str(h, "x-amz-copy-source").unwrap_or("");
    let (src_bucket, src_key) = parse_copy_source(source)?;
    let src_cfg = ctx.service.bucket(&src_bucket)?;
    if !authz::is_allowed(
        src_cfg.access.as_ref(),
        ctx.principal,
        StorageAction::Get,
        &src_key,
    ) {
        return Err(S3Error::access_denied());
    }
    ctx.authorize(StorageAction::Write, key)?;
    let meta = match header_str(h, "x-amz-metadata-directive") {
        Some(d) if d.eq_ignore_ascii_case("REPLACE") => Some(meta_from_headers(h)?),
        None => None,
        Some(d) if d.eq_ignore_ascii_case("COPY") => None,
        Some(_) => return Err(S3Error::invalid_argument("Unknown metadata directive.")),
    };
    if let Some(expected) = header_str(h, "x-amz-copy-source-if-match") {
        let src = ctx
            .backend()
            .head(&src_bucket, &src_key)
            .await
            .map_err(map_backend(&src_bucket, Some(&src_key)))?;
        if src.etag.trim_matches('"') != expected.trim().trim_matches('"') {
            return Err(S3Error::new(
                StatusCode::PRECONDITION_FAILED,
                "PreconditionFailed",
                "At least one of the pre-conditions you specified did not hold",
            )
            .with("Condition", "x-amz-copy-source-If-Match"));
        }
    }
    let info = ctx
        .backend()
        .copy((&src_bucket, &src_key), (ctx.name(), key), meta)
        .await
        .map_err(|e| match e {
            crate::backend::BackendError::NoSuchKey => {
                S3Error::from_backend(e, &src_bucket, Some(&src_key))
            }
            other => S3Error::from_backend(other, ctx.name(), Some(key)),
        })?;
    created(ctx, &info, CreateOperation::Copy);
    let mut doc = format!("{DECL}<CopyObjectResult xmlns=\"{S3_NS}\">");
    elem(&mut doc, "LastModified", &iso_date(info.last_modified));
    elem(&mut doc, "ETag", &info.etag);
    doc.push_str("</CopyObjectResult>");
    Ok(xml_response(doc))
}

pub(crate) async fn create_multipart(ctx: &Ctx<'_>, key: &str) -> Result<Response, S3Error> {
    ctx.authorize(StorageAction::Write, key)?;
    let meta = meta_from_headers(&ctx.parts.headers)?;
    let upload = ctx
        .backend()
        .create_multipart(ctx.name(), key, meta)
        .await
        .map_err(map_backend(ctx.name(), Some(key)))?;
    let mut doc = format!("{DECL}<InitiateMultipartUploadResult xmlns=\"{S3_NS}\">");
    elem(&mut doc, "Bucket", ctx.name());
    elem(&mut doc, "Key", key);
    elem(&mut doc, "UploadId", &upload.upload_id);
    doc.push_str("</InitiateMultipartUploadResult>");
    Ok(xml_response(doc))
}

pub(crate) async fn upload_part(
    ctx: &Ctx<'_>,
    key: &str,
    part_number: &str,
    upload_id: &str,
    body: ByteStream,
) -> Result<Response, S3Error> {
    ctx.authorize(StorageAction::Write, key)?;
    let n: u32 = part_number.parse().map_err(|_| {
        S3Error::invalid_argument("Part number must be an integer between 1 and 10000, inclusive")
    })?;
    let part = ctx
        .backend()
        .upload_part(ctx.name(), key, upload_id, n, body)
        .await
        .map_err(map_backend(ctx.name(), Some(key)))?;
    let mut r = with_etag(StatusCode::OK, &part.etag);
    echo_checksum(ctx, &mut r);
    Ok(r)
}

/// Reads a small XML request body whole (bounded by [`MAX_XML_BODY`]).
pub(crate) async fn read_xml(mut body: ByteStream) -> Result<String, S3Error> {
    let mut buf = Vec::new();
    while let Some(chunk) = body.next().await {
        let chunk = chunk
            .map_err(|e| S3Error::from_backend(crate::backend::BackendError::Body(e), "", None))?;
        if buf.len() + chunk.len() > MAX_XML_BODY {
            return Err(S3Error::malformed_xml());
        }
        buf.extend_from_slice(&chunk);
    }
    String::from_utf8(buf).map_err(|_| S3Error::malformed_xml())
}

pub(crate) async fn complete_multipart(
    ctx: &Ctx<'_>,
    key: &str,
    upload_id: &str,
    body: ByteStream,
) -> Result<Response, S3Error> {
    ctx.authorize(StorageAction::Write, key)?;
    let doc = read_xml(body).await?;
    let parts = super::xml::parse_complete(&doc)?;
    let mut options = put_options(&ctx.parts.headers)?;
    // A full-object CRC-32 (aws-amplify with `checksumAlgorithm: 'crc-32'`); composite
    // (per-part) checksums are not verified.
    let full_object = header_str(&ctx.parts.headers, "x-amz-checksum-type")
        .is_none_or(|t| t.eq_ignore_ascii_case("FULL_OBJECT"));
    if full_object {
        options.crc32 = super::checksum::Expected::from_headers(&ctx.parts.headers)?.crc32;
    }
    let info = ctx
        .backend()
        .complete_multipart(ctx.name(), key, upload_id, parts, options)
        .await
        .map_err(map_backend(ctx.name(), Some(key)))?;
    created(ctx, &info, CreateOperation::CompleteMultipartUpload);
    let host = header_str(&ctx.parts.headers, "host").unwrap_or("localhost");
    let location = format!(
        "https://{host}/{}/{}",
        ctx.name(),
        super::list::url_encode(key)
    );
    let mut doc = format!("{DECL}<CompleteMultipartUploadResult xmlns=\"{S3_NS}\">");
    elem(&mut doc, "Location", &location);
    elem(&mut doc, "Bucket", ctx.name());
    elem(&mut doc, "Key", key);
    elem(&mut doc, "ETag", &info.etag);
    doc.push_str("</CompleteMultipartUploadResult>");
    Ok(xml_response(doc))
}

pub(crate) async fn abort_multipart(
    ctx: &Ctx<'_>,
    key: &str,
    upload_id: &str,
) -> Result<Response, S3Error> {
    ctx.authorize(StorageAction::Write, key)?;
    ctx.backend()
        .abort_multipart(ctx.name(), key, upload_id)
        .await
        .map_err(map_backend(ctx.name(), Some(key)))?;
    let mut r = Response::new(Body::empty());
    *r.status_mut() = StatusCode::NO_CONTENT;
    Ok(r)
}

pub(crate) async fn list_parts(
    ctx: &Ctx<'_>,
    key: &str,
    upload_id: &str,
) -> Result<Response, S3Error> {
    ctx.authorize(StorageAction::Write, key)?;
    let parts = ctx
        .backend()
        .list_parts(ctx.name(), key, upload_id)
        .await
        .map_err(map_backend(ctx.name(), Some(key)))?;
    let marker: u32 = ctx
        .query
        .get("part-number-marker")
        .and_then(|m| m.parse().ok())
        .unwrap_or(0);
    let max: usize = ctx
        .query
        .get("max-parts")
        .and_then(|m| m.parse().ok())
        .unwrap_or(1000)
        .min(1000);
    let after: Vec<_> = parts.iter().filter(|p| p.part_number > marker).collect();
    let page = &after[..after.len().min(max)];
    let truncated = after.len() > page.len();
    let mut doc = format!("{DECL}<ListPartsResult xmlns=\"{S3_NS}\">");
    elem(&mut doc, "Bucket", ctx.name());
    elem(&mut doc, "Key", key);
    elem(&mut doc, "UploadId", upload_id);
    elem(&mut doc, "PartNumberMarker", &marker.to_string());
    if let Some(last) = page.last() {
        elem(
            &mut doc,
            "NextPartNumberMarker",
            &last.part_number.to_string(),
        );
    }
    elem(&mut doc, "MaxParts", &max.to_string());
    elem(
        &mut doc,
        "IsTruncated",
        if truncated { "true" } else { "false" },
    );
    for p in page {
        doc.push_str("<Part>");
        elem(&mut doc, "PartNumber", &p.part_number.to_string());
        elem(&mut doc, "LastModified", &iso_date(p.last_modified));
        elem(&mut doc, "ETag", &p.etag);
        elem(&mut doc, "Size", &p.size.to_string());
        doc.push_str("</Part>");
    }
    doc.push_str("<StorageClass>STANDARD</StorageClass></ListPartsResult>");
    Ok(xml_response(doc))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        let mut h = HeaderMap::new();
        let mut r = |v: &str| {
            h.insert("range", HeaderValue::from_str(v).unwrap());
            parse_range(&h)
        };
        assert_eq!(r("bytes=0-9"), Some(ByteRange::FromTo(0, 9)));
        assert_eq!(r("bytes=5-"), Some(ByteRange::From(5)));
        assert_eq!(r("bytes=-3"), Some(ByteRange::Suffix(3)));
        assert_eq!(r("bytes=0-1,4-5"), None);
        assert_eq!(r("items=0-1"), None);
        assert_eq!(r("bytes=x-1"), None);
    }

    #[test]
    fn copy_source_forms() {
        let want = ("b.x".to_string(), "public/a b.txt".to_string());
        assert_eq!(parse_copy_source("b.x/public/a b.txt").unwrap(), want);
        assert_eq!(parse_copy_source("/b.x/public/a%20b.txt").unwrap(), want);
        assert_eq!(
            parse_copy_source("b.x/public/a%20b.txt?versionId=null").unwrap(),
            want
        );
        assert!(parse_copy_source("nokey").is_err());
    }
}
