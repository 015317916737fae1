//! The S3 layer through the router (admin principal unless stated): each operation's
//! responses, XML and errors.

mod common;

use axum::body::Body;
use common::{B, env, get, put, send, send_body};
use http::{Method, StatusCode};
use md5::{Digest, Md5};

const ADMIN: &str = "admin";
const HELLO_SHA256: &str = "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9";

fn md5_etag(data: &[u8]) -> String {
    format!("\"{}\"", hex::encode(Md5::digest(data)))
}

/// Replaces every `<LastModified>..</LastModified>` content with `T`.
fn mask_dates(xml: &str) -> String {
    let mut out = String::new();
    let mut rest = xml;
    while let Some(i) = rest.find("<LastModified>") {
        out.push_str(&rest[..i + "<LastModified>".len()]);
        let after = &rest[i + "<LastModified>".len()..];
        let end = after.find("</LastModified>").unwrap();
        let date = &after[..end];
        assert!(
            chrono::DateTime::parse_from_rfc3339(date).is_ok() && date.ends_with('Z'),
            "{date}"
        );
        out.push('T');
        rest = &after[end..];
    }
    out.push_str(rest);
    out
}

#[tokio::test]
async fn put_get_head_range_delete() {
    let e = env().await;
    let r = send(
        &e.app,
        Method::PUT,
        &format!("/{B}/public/hello.txt?x-id=PutObject"),
        ADMIN,
        &[
            ("content-type", "text/plain"),
            ("x-amz-meta-a", "b"),
            ("cache-control", "max-age=60"),
            ("x-amz-content-sha256", HELLO_SHA256),
        ],
        b"hello world",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.header("etag"), "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"");
    assert!(!r.header("x-amz-request-id").is_empty());

    let r = get(&e.app, ADMIN, "public/hello.txt").await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(&r.body[..], b"hello world");
    assert_eq!(r.header("content-type"), "text/plain");
    assert_eq!(r.header("content-length"), "11");
    assert_eq!(r.header("x-amz-meta-a"), "b");
    assert_eq!(r.header("cache-control"), "max-age=60");
    assert_eq!(r.header("etag"), "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"");
    let lm = r.header("last-modified");
    assert!(
        chrono::DateTime::parse_from_rfc2822(lm).is_ok() && lm.ends_with(" GMT"),
        "{lm}"
    );

    let uri = format!("/{B}/public/hello.txt?response-cache-control=no-store");
    let r = send(&e.app, Method::HEAD, &uri, ADMIN, &[], b"").await;
    assert_eq!(r.status, StatusCode::OK);
    assert!(r.body.is_empty());
    assert_eq!(r.header("content-length"), "11");
    assert_eq!(r.header("cache-control"), "no-store");

    let uri = format!("/{B}/public/hello.txt");
    let r = send(
        &e.app,
        Method::GET,
        &uri,
        ADMIN,
        &[("range", "bytes=6-")],
        b"",
    )
    .await;
    assert_eq!(r.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(&r.body[..], b"world");
    assert_eq!(r.header("content-range"), "bytes 6-10/11");
    assert_eq!(r.header("content-length"), "5");
    let r = send(
        &e.app,
        Method::GET,
        &uri,
        ADMIN,
        &[("range", "bytes=0-4")],
        b"",
    )
    .await;
    assert_eq!(
        (r.status, &r.body[..]),
        (StatusCode::PARTIAL_CONTENT, &b"hello"[..])
    );
    let r = send(
        &e.app,
        Method::GET,
        &uri,
        ADMIN,
        &[("range", "bytes=20-30")],
        b"",
    )
    .await;
    assert_eq!(r.status, StatusCode::RANGE_NOT_SATISFIABLE);
    assert_eq!(r.code(), "InvalidRange");
    assert!(r.text().contains("<ActualObjectSize>11</ActualObjectSize>"));
    let r = send(
        &e.app,
        Method::HEAD,
        &uri,
        ADMIN,
        &[("range", "bytes=-3")],
        b"",
    )
    .await;
    assert_eq!(r.status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        (r.header("content-length"), r.header("content-range")),
        ("3", "bytes 8-10/11")
    );
    assert!(r.body.is_empty());
    let r = send(
        &e.app,
        Method::HEAD,
        &uri,
        ADMIN,
        &[("range", "bytes=11-")],
        b"",
    )
    .await;
    assert_eq!(r.status, StatusCode::RANGE_NOT_SATISFIABLE);

    let r = send(&e.app, Method::DELETE, &uri, ADMIN, &[], b"").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = get(&e.app, ADMIN, "public/hello.txt").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert_eq!(r.header("content-type"), "application/xml");
    let t = r.text();
    assert!(t.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message><Key>public/hello.txt</Key><RequestId>"), "{t}");
    assert!(t.ends_with("</RequestId></Error>"));
    let r = send(&e.app, Method::HEAD, &uri, ADMIN, &[], b"").await;
    assert_eq!(r.status, StatusCode::NOT_FOUND);
    assert!(r.body.is_empty());
    // Deleting a missing key is still 204.
    let r = send(&e.app, Method::DELETE, &uri, ADMIN, &[], b"").await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
}

#[tokio::test]
async fn body_hash_mismatch_stores_nothing() {
    let e = env().await;
    let r = send(
        &e.app,
        Method::PUT,
        &format!("/{B}/public/x"),
        ADMIN,
        &[("x-amz-content-sha256", HELLO_SHA256)],
        b"hello world!",
    )
    .await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.code(), "XAmzContentSHA256Mismatch");
    assert_eq!(
        get(&e.app, ADMIN, "public/x").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn aws_chunked_bodies_are_decoded() {
    let e = env().await;
    let chunked = b"5;chunk-signature=aa\r\nhello\r\n6;chunk-signature=bb\r\n world\r\n0;chunk-signature=cc\r\n\r\n";
    let headers = [
        ("x-amz-content-sha256", "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"),
        ("content-encoding", "aws-chunked"),
        ("x-amz-decoded-content-length", "11"),
    ];
    let r = send(
        &e.app,
        Method::PUT,
        &format!("/{B}/public/c"),
        ADMIN,
        &headers,
        chunked,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.header("etag"), "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"");
    let r = get(&e.app, ADMIN, "public/c").await;
    assert_eq!(&r.body[..], b"hello world");
    assert_eq!(r.header("content-encoding"), "");
    // A chunk whose signature fails: refused, nothing stored.
    let bad = b"5;chunk-signature=bad\r\nhello\r\n0;chunk-signature=cc\r\n\r\n";
    let r = send(
        &e.app,
        Method::PUT,
        &format!("/{B}/public/d"),
        ADMIN,
        &headers[..2],
        bad,
    )
    .await;
    assert_eq!(r.code(), "SignatureDoesNotMatch");
    assert_eq!(
        get(&e.app, ADMIN, "public/d").await.status,
        StatusCode::NOT_FOUND
    );
    // Unsigned trailer form (AWS SDK v3 checksums).
    let unsigned = b"b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n";
    let h = [("x-amz-content-sha256", "STREAMING-UNSIGNED-PAYLOAD-TRAILER")];
    let r = send(
        &e.app,
        Method::PUT,
        &format!("/{B}/public/u"),
        ADMIN,
        &h,
        unsigned,
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(
        &get(&e.app, ADMIN, "public/u").await.body[..],
        b"hello world"
    );
}

#[tokio::test]
async fn list_objects_v2_xml_and_pagination() {
    let e = env().await;
    for (k, d) in [
        ("public/a%20b.txt", &b"1"[..]),
        ("public/sub/x.txt", b"22"),
        ("public/z.txt", b"333"),
        ("private/p.txt", b"4"),
    ] {
        assert_eq!(put(&e.app, ADMIN, k, d).await.status, StatusCode::OK);
    }
    let r = send(
        &e.app,
        Method::GET,
        &format!("/{B}?list-type=2&delimiter=%2F&encoding-type=url&max-keys=5&prefix=public%2F"),
        ADMIN,
        &[],
        b"",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let want = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>{B}</Name><Prefix>public/</Prefix><KeyCount>3</KeyCount><MaxKeys>5</MaxKeys><Delimiter>/</Delimiter><EncodingType>url</EncodingType><IsTruncated>false</IsTruncated>\
<Contents><Key>public/a%20b.txt</Key><LastModified>T</LastModified><ETag>&quot;{}&quot;</ETag><Size>1</Size><StorageClass>STANDARD</StorageClass></Contents>\
<Contents><Key>public/z.txt</Key><LastModified>T</LastModified><ETag>&quot;{}&quot;</ETag><Size>3</Size><StorageClass>STANDARD</StorageClass></Contents>\
<CommonPrefixes><Prefix>public/sub/</Prefix></CommonPrefixes></ListBucketResult>",
        md5_etag(b"1").trim_matches('"'),
        md5_etag(b"333").trim_matches('"'),
    );
    assert_eq!(mask_dates(&r.text()), want);

    // Without a prefix parameter: `<Prefix></Prefix>`; no Delimiter/EncodingType echoed.
    let r = send(
        &e.app,
        Method::GET,
        &format!("/{B}?list-type=2&max-keys=2"),
        ADMIN,
        &[],
        b"",
    )
    .await;
    let t = r.text();
    assert!(
        t.contains("<Prefix></Prefix><NextContinuationToken>"),
        "{t}"
    );
    assert!(
        t.contains("<KeyCount>2</KeyCount><MaxKeys>2</MaxKeys><IsTruncated>true</IsTruncated>"),
        "{t}"
    );
    assert!(!t.contains("<Delimiter>") && !t.contains("<EncodingType>"));
    let token = t
        .split_once("<NextContinuationToken>")
        .and_then(|(_, r)| r.split_once("</NextContinuationToken>"))
        .map(|(t, _)| t.to_string())
        .unwrap();
    let r = send(
        &e.app,
        Method::GET,
        &format!("/{B}?list-type=2&max-keys=2&continuation-token={token}"),
        ADMIN,
        &[],
        b"",
    )
    .await;
    let t = r.text();
    assert!(
        t.contains(&format!("<ContinuationToken>{token}</ContinuationToken>")),
        "{t}"
    );
    assert!(
        t.contains("<Key>public/sub/x.txt</Key>") && t.contains("<Key>public/z.txt</Key>"),
        "{t}"
    );
    assert!(
        t.contains("<IsTruncated>false</IsTruncated>") && !t.contains("<NextContinuationToken>")
    );
    // start-after
    let r = send(
        &e.app,
        Method::GET,
        &format!("/{B}?list-type=2&start-after=public%2Fsub%2Fx.txt"),
        ADMIN,
        &[],
        b"",
    )
    .await;
    let t = r.text();
    assert!(
        t.contains("<StartAfter>public/sub/x.txt</StartAfter>")
            && t.contains("<KeyCount>1</KeyCount>"),
        "{t}"
    );
    // Bad parameters.
    let r = send(
        &e.app,
        Method::GET,
        &format!("/{B}?list-type=2&max-keys=-1"),
        ADMIN,
        &[],
        b"",
    )
    .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::BAD_REQUEST, "InvalidArgument")
    );
    let r = send(
        &e.app,
        Method::GET,
        &format!("/{B}?list-type=2&continuation-token=zz!"),
        ADMIN,
        &[],
        b"",
    )
    .await;
    assert_eq!(r.code(), "InvalidArgument");
}

#[tokio::test]
async fn copy_object_and_delete_objects() {
    let e = env().await;
    let r = send(
        &e.app,
        Method::PUT,
        &format!("/{B}/public/src.txt"),
        ADMIN,
        &[("x-amz-meta-k", "v"), ("content-type", "text/plain")],
        b"copy me",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let source = format!("{B}/public/src.txt");
    let r = send(
        &e.app,
        Method::PUT,
        &format!("/{B}/public/dst.txt?x-id=CopyObject"),
        ADMIN,
        &[
            ("x-amz-copy-source", &source),
            ("x-amz-metadata-directive", "COPY"),
            ("x-amz-tagging-directive", "COPY"),
        ],
        b"",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let t = mask_dates(&r.text());
    assert_eq!(
        t,
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<CopyObjectResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><LastModified>T</LastModified><ETag>{}</ETag></CopyObjectResult>",
            md5_etag(b"copy me").replace('"', "&quot;")
        )
    );
    let r = get(&e.app, ADMIN, "public/dst.txt").await;
    assert_eq!(
        (
            &r.body[..],
            r.header("x-amz-meta-k"),
            r.header("content-type")
        ),
        (&b"copy me"[..], "v", "text/plain")
    );
    let r = send(
        &e.app,
        Method::PUT,
        &format!("/{B}/public/d2"),
        ADMIN,
        &[("x-amz-copy-source", &format!("{B}/public/missing"))],
        b"",
    )
    .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::NOT_FOUND, "NoSuchKey")
    );
    assert!(r.text().contains("<Key>public/missing</Key>"));

    // Path-style folder remove: `POST /?delete=` without the bucket.
    let body = "<Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>false</Quiet><Object><Key>public/src.txt</Key></Object><Object><Key>public/dst.txt</Key></Object></Delete>";
    use base64::Engine;
    let md5 = base64::engine::general_purpose::STANDARD.encode(Md5::digest(body.as_bytes()));
    let r = send(
        &e.app,
        Method::POST,
        "/?delete=",
        ADMIN,
        &[("content-md5", "XrY7u+Ae7tCTyyK7j1rNww==")],
        body.as_bytes(),
    )
    .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::BAD_REQUEST, "BadDigest")
    );
    let r = send(
        &e.app,
        Method::POST,
        "/?delete=",
        ADMIN,
        &[("content-type", "application/xml"), ("content-md5", &md5)],
        body.as_bytes(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.text(),
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<DeleteResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Deleted><Key>public/src.txt</Key></Deleted><Deleted><Key>public/dst.txt</Key></Deleted></DeleteResult>"
    );
    assert_eq!(
        get(&e.app, ADMIN, "public/src.txt").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn errors_preconditions_cors_events() {
    let e = env().await;
    let mut events = e.service.subscribe();
    let r = send(&e.app, Method::GET, "/no.such.bucket/k", ADMIN, &[], b"").await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::NOT_FOUND, "NoSuchBucket")
    );
    assert!(r.text().contains("<BucketName>no.such.bucket</BucketName>"));
    let r = send(
        &e.app,
        Method::GET,
        &format!("/{B}/public/x"),
        "badsig",
        &[],
        b"",
    )
    .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::FORBIDDEN, "SignatureDoesNotMatch")
    );
    // If-None-Match: *
    let h = [("if-none-match", "*")];
    let r = send(
        &e.app,
        Method::PUT,
        &format!("/{B}/public/once"),
        ADMIN,
        &h,
        b"1",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = send(
        &e.app,
        Method::PUT,
        &format!("/{B}/public/once"),
        ADMIN,
        &h,
        b"2",
    )
    .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::PRECONDITION_FAILED, "PreconditionFailed")
    );
    assert_eq!(&get(&e.app, ADMIN, "public/once").await.body[..], b"1");
    // Events: one Created (the refused overwrite emits nothing).
    match events.try_recv().unwrap().event {
        stratus_storage::StorageEvent::Created { key, size, .. } => {
            assert_eq!((key.as_str(), size), ("public/once", 1))
        }
        other => panic!("{other:?}"),
    }
    assert!(events.try_recv().is_err());
    // CORS preflight and exposed headers.
    let r = send(
        &e.app,
        Method::OPTIONS,
        &format!("/{B}/public/once"),
        "",
        &[
            ("origin", "http://localhost:5173"),
            ("access-control-request-method", "PUT"),
            ("access-control-request-headers", "authorization,x-amz-date"),
        ],
        b"",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    assert_eq!(
        r.header("access-control-allow-origin"),
        "http://localhost:5173"
    );
    assert!(r.header("access-control-allow-methods").contains("PUT"));
    assert_eq!(
        r.header("access-control-allow-headers"),
        "authorization,x-amz-date"
    );
    let r = send(
        &e.app,
        Method::PUT,
        &format!("/{B}/public/m"),
        ADMIN,
        &[
            ("origin", "http://localhost:5173"),
            ("x-amz-meta-color", "red"),
        ],
        b"x",
    )
    .await;
    let expose = r.header("access-control-expose-headers").to_string();
    assert!(
        expose.contains("ETag") && expose.contains("x-amz-version-id"),
        "{expose}"
    );
    let r = send(
        &e.app,
        Method::GET,
        &format!("/{B}/public/m"),
        ADMIN,
        &[("origin", "http://localhost:5173")],
        b"",
    )
    .await;
    assert!(
        r.header("access-control-expose-headers")
            .contains("x-amz-meta-color")
    );
    // Metadata too large.
    let big = "v".repeat(3000);
    let r = send(
        &e.app,
        Method::PUT,
        &format!("/{B}/public/big-meta"),
        ADMIN,
        &[("x-amz-meta-x", &big)],
        b"x",
    )
    .await;
    assert_eq!(r.code(), "MetadataTooLarge");
    // Percent-encoded keys (`:` of identity ids, spaces, unicode).
    let r = send_body(
        &e.app,
        Method::PUT,
        &format!("/{B}/protected/us-east-1%3Aabc/%C3%A9t%C3%A9%20photo.jpg"),
        ADMIN,
        &[],
        Body::from("x"),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let r = send(
        &e.app,
        Method::GET,
        &format!("/{B}?list-type=2&prefix=protected%2F"),
        ADMIN,
        &[],
        b"",
    )
    .await;
    assert!(
        r.text()
            .contains("<Key>protected/us-east-1:abc/été photo.jpg</Key>"),
        "{}",
        r.text()
    );
}

#[tokio::test]
async fn conditional_get_virtual_host_and_direct_handle() {
    let e = env().await;
    let r = put(&e.app, ADMIN, "public/c.txt", b"cond").await;
    let etag = r.header("etag").to_string();
    let uri = format!("/{B}/public/c.txt");
    let r = send(
        &e.app,
        Method::GET,
        &uri,
        ADMIN,
        &[("if-none-match", &etag)],
        b"",
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_MODIFIED);
    assert!(r.body.is_empty());
    let r = send(
        &e.app,
        Method::GET,
        &uri,
        ADMIN,
        &[("if-none-match", "\"other\"")],
        b"",
    )
    .await;
    assert_eq!((r.status, &r.body[..]), (StatusCode::OK, &b"cond"[..]));
    let r = send(
        &e.app,
        Method::HEAD,
        &uri,
        ADMIN,
        &[("if-match", "\"other\"")],
        b"",
    )
    .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);
    let r = send(
        &e.app,
        Method::GET,
        &uri,
        ADMIN,
        &[("if-match", "\"other\"")],
        b"",
    )
    .await;
    assert_eq!(r.code(), "PreconditionFailed");
    let r = send(
        &e.app,
        Method::GET,
        &uri,
        ADMIN,
        &[("if-modified-since", "Fri, 01 Jan 2100 00:00:00 GMT")],
        b"",
    )
    .await;
    assert_eq!(r.status, StatusCode::NOT_MODIFIED);
    let r = send(
        &e.app,
        Method::GET,
        &uri,
        ADMIN,
        &[("if-unmodified-since", "Mon, 01 Jan 2001 00:00:00 GMT")],
        b"",
    )
    .await;
    assert_eq!(r.status, StatusCode::PRECONDITION_FAILED);

    // Virtual-hosted style: the bucket is in the Host.
    let req = http::Request::builder()
        .method(Method::GET)
        .uri("/public/c.txt")
        .header("host", format!("{B}.localhost:4443"))
        .header("x-test-principal", ADMIN)
        .body(Body::empty())
        .unwrap();
    let res = e.service.handle(req).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["etag"].to_str().unwrap(), etag);
    assert!(e.service.serves(B) && !e.service.serves("other.bucket"));
}

#[tokio::test]
async fn content_md5_and_crc32_are_checked() {
    let e = env().await;
    let uri = format!("/{B}/public/sum.txt");
    // md5("hello world") and crc32("hello world"), base64.
    let good = [
        ("content-md5", "XrY7u+Ae7tCTyyK7j1rNww=="),
        ("x-amz-checksum-crc32", "DUoRhQ=="),
    ];
    let r = send(&e.app, Method::PUT, &uri, ADMIN, &good, b"hello world").await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(r.header("x-amz-checksum-crc32"), "DUoRhQ==");
    let r = send(
        &e.app,
        Method::PUT,
        &uri,
        ADMIN,
        &good[..1],
        b"hello world?",
    )
    .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::BAD_REQUEST, "BadDigest")
    );
    let r = send(
        &e.app,
        Method::PUT,
        &uri,
        ADMIN,
        &good[1..],
        b"hello world?",
    )
    .await;
    assert_eq!(r.code(), "BadDigest");
    let r = send(
        &e.app,
        Method::PUT,
        &uri,
        ADMIN,
        &[("content-md5", "nope")],
        b"x",
    )
    .await;
    assert_eq!(r.code(), "InvalidDigest");
    // The refused bodies stored nothing: the first version is intact.
    assert_eq!(
        &get(&e.app, ADMIN, "public/sum.txt").await.body[..],
        b"hello world"
    );
}

#[tokio::test]
async fn list_objects_v1_marker_paging_and_location() {
    let e = env().await;
    for k in ["v1/a.txt", "v1/b/1.txt", "v1/b/2.txt", "v1/c.txt"] {
        assert_eq!(put(&e.app, ADMIN, k, b"x").await.status, StatusCode::OK);
    }
    let list = |marker: &str| {
        let app = e.app.clone();
        let uri = format!("/{B}?prefix=v1%2F&delimiter=%2F&max-keys=1&marker={marker}");
        async move { send(&app, Method::GET, &uri, ADMIN, &[], b"").await.text() }
    };
    let mut seen = Vec::new();
    let mut marker = String::new();
    for _ in 0..10 {
        let t = list(&marker.replace('/', "%2F")).await;
        assert!(
            t.contains(&format!("<Marker>{marker}</Marker><MaxKeys>1</MaxKeys>")),
            "{t}"
        );
        for tag in ["<Key>", "<CommonPrefixes><Prefix>"] {
            if let Some((_, r)) = t.split_once(tag) {
                seen.push(r.split_once('<').unwrap().0.to_string());
            }
        }
        match t.split_once("<NextMarker>") {
            Some((_, r)) => marker = r.split_once("</NextMarker>").unwrap().0.to_string(),
            None => {
                assert!(t.contains("<IsTruncated>false</IsTruncated>"), "{t}");
                break;
            }
        }
    }
    assert_eq!(seen, ["v1/a.txt", "v1/b/", "v1/c.txt"]);
    let r = send(
        &e.app,
        Method::GET,
        &format!("/{B}?location"),
        ADMIN,
        &[],
        b"",
    )
    .await;
    assert!(
        r.text()
            .ends_with("<LocationConstraint xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"/>")
    );
}
