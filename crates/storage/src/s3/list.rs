//! ListObjectsV2 (with every echo rule the aws-amplify client checks) and DeleteObjects.

use axum::body::Body;
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use http::{HeaderValue, StatusCode, header};
use md5::Digest;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use stratus_spec::storage::StorageAction;

use super::ops::{Ctx, iso_date, read_xml};
use super::xml::{DECL, S3_NS, elem, escape, parse_delete};
use super::{S3Error, StorageEvent};
use crate::backend::{ByteStream, ListCursor, ListRequest};

/// `encoding-type=url`: everything but unreserved characters and `/` is percent-encoded.
const KEY_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

pub(crate) fn url_encode(s: &str) -> String {
    utf8_percent_encode(s, KEY_ENCODE).to_string()
}

/// The largest page S3 returns.
const MAX_KEYS: usize = 1000;

fn encode_token(c: &ListCursor) -> String {
    let mut raw = String::from(if c.skip_prefix { "p:" } else { "k:" });
    raw.push_str(&c.after);
    URL_SAFE_NO_PAD.encode(raw)
}

fn decode_token(t: &str) -> Result<ListCursor, S3Error> {
    let bad = || S3Error::invalid_argument("The continuation token provided is incorrect");
    let raw = URL_SAFE_NO_PAD.decode(t).map_err(|_| bad())?;
    let raw = String::from_utf8(raw).map_err(|_| bad())?;
    let (kind, after) = raw.split_at_checked(2).ok_or_else(bad)?;
    let skip_prefix = match kind {
        "p:" => true,
        "k:" => false,
        _ => return Err(bad()),
    };
    Ok(ListCursor {
        after: after.to_string(),
        skip_prefix,
    })
}

pub(crate) async fn list_objects_v2(ctx: &Ctx<'_>) -> Result<Response, S3Error> {
    let q = ctx.query;
    let prefix = q.get("prefix").cloned().unwrap_or_default();
    ctx.authorize(StorageAction::List, &prefix)?;
    let delimiter = q.get("delimiter").cloned();
    let url = url_encoding(q.get("encoding-type"))?;
    let max_keys_raw = q.get("max-keys").cloned();
    let max_keys = parse_max_keys(max_keys_raw.as_ref())?;
    let token = q.get("continuation-token").cloned();
    let start_after = q.get("start-after").cloned();
    let cursor = match (&token, &start_after) {
        (Some(t), _) => Some(decode_token(t)?),
        (None, Some(s)) => Some(ListCursor {
            after: s.clone(),
            skip_prefix: false,
        }),
        (None, None) => None,
    };
    let page = list_page(
        ctx,
        ListRequest {
            prefix: prefix.clone(),
            delimiter: delimiter.clone(),
            cursor,
            max_keys,
        },
    )
    .await?;
    let enc = |s: &str| if url { url_encode(s) } else { s.to_string() };
    let mut doc = format!("{DECL}<ListBucketResult xmlns=\"{S3_NS}\">");
    elem(&mut doc, "Name", &ctx.bucket.name);
    elem(&mut doc, "Prefix", &enc(&prefix));
    if let Some(s) = &start_after {
        elem(&mut doc, "StartAfter", &enc(s));
    }
    if let Some(t) = &token {
        elem(&mut doc, "ContinuationToken", t);
    }
    if let Some(next) = &page.next {
        elem(&mut doc, "NextContinuationToken", &encode_token(next));
    }
    let count = page.objects.len() + page.common_prefixes.len();
    elem(&mut doc, "KeyCount", &count.to_string());
    // Echoed as sent (the client compares it with its request).
    elem(
        &mut doc,
        "MaxKeys",
        max_keys_raw.as_deref().unwrap_or("1000"),
    );
    if let Some(d) = &delimiter {
        elem(&mut doc, "Delimiter", &enc(d));
    }
    if url {
        elem(&mut doc, "EncodingType", "url");
    }
    elem(
        &mut doc,
        "IsTruncated",
        if page.next.is_some() { "true" } else { "false" },
    );
    write_entries(&mut doc, &page, enc);
    doc.push_str("</ListBucketResult>");
    Ok(xml(doc))
}

/// ListObjects (v1): `marker` / `NextMarker` paging (kept for older tools; aws-amplify and
/// current SDKs use v2).
pub(crate) async fn list_objects_v1(ctx: &Ctx<'_>) -> Result<Response, S3Error> {
    let q = ctx.query;
    let prefix = q.get("prefix").cloned().unwrap_or_default();
    ctx.authorize(StorageAction::List, &prefix)?;
    let delimiter = q.get("delimiter").cloned().filter(|d| !d.is_empty());
    let url = url_encoding(q.get("encoding-type"))?;
    let max_keys = parse_max_keys(q.get("max-keys"))?;
    let marker = q.get("marker").cloned().unwrap_or_default();
    let cursor = (!marker.is_empty()).then(|| ListCursor {
        // A marker that is a rolled-up common prefix skips everything under it.
        skip_prefix: delimiter.as_deref().is_some_and(|d| marker.ends_with(d)),
        after: marker.clone(),
    });
    let page = list_page(
        ctx,
        ListRequest {
            prefix: prefix.clone(),
            delimiter: delimiter.clone(),
            cursor,
            max_keys,
        },
    )
    .await?;
    let enc = |s: &str| if url { url_encode(s) } else { s.to_string() };
    let mut doc = format!("{DECL}<ListBucketResult xmlns=\"{S3_NS}\">");
    elem(&mut doc, "Name", &ctx.bucket.name);
    elem(&mut doc, "Prefix", &enc(&prefix));
    elem(&mut doc, "Marker", &enc(&marker));
    elem(&mut doc, "MaxKeys", &max_keys.to_string());
    if let Some(d) = &delimiter {
        elem(&mut doc, "Delimiter", &enc(d));
    }
    if url {
        elem(&mut doc, "EncodingType", "url");
    }
    elem(
        &mut doc,
        "IsTruncated",
        if page.next.is_some() { "true" } else { "false" },
    );
    if let (Some(next), Some(_)) = (&page.next, &delimiter) {
        elem(&mut doc, "NextMarker", &enc(&next.after));
    }
    write_entries(&mut doc, &page, enc);
    doc.push_str("</ListBucketResult>");
    Ok(xml(doc))
}

/// `encoding-type`: absent (keys as they are) or `url` (percent-encoded keys).
fn url_encoding(v: Option<&String>) -> Result<bool, S3Error> {
    match v.map(String::as_str) {
        None => Ok(false),
        Some("url") => Ok(true),
        Some(_) => Err(S3Error::invalid_argument(
            "Invalid Encoding Method specified in Request",
        )),
    }
}

/// One page of the bucket's listing from the backend.
async fn list_page(ctx: &Ctx<'_>, req: ListRequest) -> Result<crate::backend::ListPage, S3Error> {
    ctx.service
        .inner
        .backend
        .list(&ctx.bucket.name, req)
        .await
        .map_err(super::map_backend(&ctx.bucket.name, None))
}

fn parse_max_keys(v: Option<&String>) -> Result<usize, S3Error> {
    match v {
        None => Ok(MAX_KEYS),
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|n| *n >= 0)
            .map(|n| n.min(MAX_KEYS as i64) as usize)
            .ok_or_else(|| {
                S3Error::invalid_argument(
                    "Provided max-keys not an integer or within integer range",
                )
            }),
    }
}

fn write_entries(doc: &mut String, page: &crate::backend::ListPage, enc: impl Fn(&str) -> String) {
    for o in &page.objects {
        doc.push_str("<Contents>");
        elem(doc, "Key", &enc(&o.key));
        elem(doc, "LastModified", &iso_date(o.last_modified));
        elem(doc, "ETag", &o.etag);
        elem(doc, "Size", &o.size.to_string());
        elem(doc, "StorageClass", "STANDARD");
        doc.push_str("</Contents>");
    }
    for p in &page.common_prefixes {
        doc.push_str("<CommonPrefixes>");
        elem(doc, "Prefix", &enc(p));
        doc.push_str("</CommonPrefixes>");
    }
}

fn xml(doc: String) -> Response {
    let mut r = Response::new(Body::from(doc));
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    r
}

/// `POST /<bucket>?delete`: each key authorised and deleted on its own; refusals are reported
/// per key, as S3 does.
pub(crate) async fn delete_objects(ctx: &Ctx<'_>, body: ByteStream) -> Result<Response, S3Error> {
    let doc = read_xml(body).await?;
    // aws-amplify and the SDKs send Content-MD5 with DeleteObjects; S3 checks it.
    let expected = super::checksum::Expected::from_headers(&ctx.parts.headers)?;
    if let Some(md5) = expected.md5
        && md5.as_slice() != md5::Md5::digest(doc.as_bytes()).as_slice()
    {
        return Err(S3Error::new(
            StatusCode::BAD_REQUEST,
            "BadDigest",
            "The Content-MD5 you specified did not match what we received.",
        ));
    }
    let (keys, quiet) = parse_delete(&doc)?;
    let mut out = format!("{DECL}<DeleteResult xmlns=\"{S3_NS}\">");
    for key in keys {
        let result = match ctx.authorize(StorageAction::Delete, &key) {
            Err(e) => Err(e),
            Ok(()) => ctx
                .service
                .inner
                .backend
                .delete(&ctx.bucket.name, &key)
                .await
                .map_err(super::map_backend(&ctx.bucket.name, Some(&key))),
        };
        match result {
            Ok(removed) => {
                if removed {
                    ctx.notify(StorageEvent::Removed {
                        bucket: ctx.bucket.name.clone(),
                        key: key.clone(),
                    });
                }
                if !quiet {
                    out.push_str("<Deleted>");
                    elem(&mut out, "Key", &key);
                    out.push_str("</Deleted>");
                }
            }
            Err(e) => {
                out.push_str("<Error>");
                elem(&mut out, "Key", &key);
                out.push_str(&format!(
                    "<Code>{}</Code><Message>{}</Message>",
                    escape(&e.code),
                    escape(&e.message)
                ));
                out.push_str("</Error>");
            }
        }
    }
    out.push_str("</DeleteResult>");
    let mut r = Response::new(Body::from(out));
    *r.status_mut() = StatusCode::OK;
    r.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/xml"),
    );
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip() {
        for c in [
            ListCursor {
                after: "public/a b/ü".into(),
                skip_prefix: true,
            },
            ListCursor {
                after: "k".into(),
                skip_prefix: false,
            },
        ] {
            assert_eq!(decode_token(&encode_token(&c)).unwrap(), c);
        }
        assert!(decode_token("!!").is_err());
        assert!(decode_token(&URL_SAFE_NO_PAD.encode("x:abc")).is_err());
    }

    #[test]
    fn url_encoding_keeps_slashes() {
        assert_eq!(url_encode("public/a b+c/é"), "public/a%20b%2Bc/%C3%A9");
    }
}
