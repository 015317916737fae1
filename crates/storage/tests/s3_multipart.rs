//! Multipart uploads through the router: XML of each step, errors, abort, full-object CRC-32.

mod common;

use common::{ADMIN, B, create_upload, env, get, md5_etag, send, upload_id, upload_part};
use http::{Method, StatusCode};

#[tokio::test]
async fn multipart_over_http() {
    let e = env().await;
    let base = format!("/{B}/public/big.bin");
    let r = send(
        &e.app,
        Method::POST,
        &format!("{base}?uploads"),
        ADMIN,
        &[("content-type", "video/mp4")],
        b"",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    let t = r.text();
    assert!(t.starts_with(&format!("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<InitiateMultipartUploadResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Bucket>{B}</Bucket><Key>public/big.bin</Key><UploadId>")), "{t}");
    let id = upload_id(&t);
    let r1 = upload_part(&e.app, &base, &id, 1, b"hello").await;
    let r2 = upload_part(&e.app, &base, &id, 2, b"world").await;
    assert_eq!(r1.header("etag"), md5_etag(b"hello"));
    let (e1, e2) = (r1.header("etag").to_string(), r2.header("etag").to_string());
    let r = send(
        &e.app,
        Method::GET,
        &format!("{base}?x-id=ListParts&uploadId={id}"),
        ADMIN,
        &[],
        b"",
    )
    .await;
    let t = r.text();
    assert!(
        t.contains("<Part><PartNumber>1</PartNumber><LastModified>"),
        "{t}"
    );
    assert!(
        t.contains(&format!(
            "<ETag>{}</ETag><Size>5</Size></Part>",
            e2.replace('"', "&quot;")
        )),
        "{t}"
    );
    let doc = |parts: &[(u32, &str)]| {
        let mut s = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?><CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">",
        );
        for (n, etag) in parts {
            s.push_str(&format!(
                "<Part><ETag>{etag}</ETag><PartNumber>{n}</PartNumber></Part>"
            ));
        }
        s.push_str("</CompleteMultipartUpload>");
        s
    };
    let complete = |body: String, id: String| {
        let app = e.app.clone();
        let base = base.clone();
        async move {
            send(
                &app,
                Method::POST,
                &format!("{base}?uploadId={id}"),
                ADMIN,
                &[("content-type", "application/xml")],
                body.as_bytes(),
            )
            .await
        }
    };
    let r = complete(doc(&[(1, &e1), (2, "\"ffff\"")]), id.clone()).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::BAD_REQUEST, "InvalidPart")
    );
    let r = complete(doc(&[(1, &e1)]), "0".repeat(32)).await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::NOT_FOUND, "NoSuchUpload")
    );
    let r = complete("<nope/>".into(), id.clone()).await;
    assert_eq!(r.code(), "MalformedXML");
    let r = complete(doc(&[(1, &e1), (2, &e2)]), id.clone()).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let t = r.text();
    assert!(t.contains(&format!("<Location>https://localhost:4443/{B}/public/big.bin</Location><Bucket>{B}</Bucket><Key>public/big.bin</Key><ETag>&quot;065947336a2f2a95ba8899f3675c3be6-2&quot;</ETag>")), "{t}");
    let r = send(
        &e.app,
        Method::HEAD,
        &format!("{base}?response-cache-control=no-store"),
        ADMIN,
        &[],
        b"",
    )
    .await;
    assert_eq!(
        (r.header("content-length"), r.header("content-type")),
        ("10", "video/mp4")
    );
    // Too-small parts and abort.
    let id = create_upload(&e.app, &base, &[]).await;
    let s1 = upload_part(&e.app, &base, &id, 1, b"abc").await;
    let s2 = upload_part(&e.app, &base, &id, 2, b"de").await;
    let r = complete(
        doc(&[(1, s1.header("etag")), (2, s2.header("etag"))]),
        id.clone(),
    )
    .await;
    assert_eq!(
        (r.status, r.code().as_str()),
        (StatusCode::BAD_REQUEST, "EntityTooSmall")
    );
    let r = send(
        &e.app,
        Method::DELETE,
        &format!("{base}?x-id=AbortMultipartUpload&uploadId={id}"),
        ADMIN,
        &[],
        b"",
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    let r = send(
        &e.app,
        Method::GET,
        &format!("{base}?x-id=ListParts&uploadId={id}"),
        ADMIN,
        &[],
        b"",
    )
    .await;
    assert_eq!(r.code(), "NoSuchUpload");
    // The completed object is intact.
    assert_eq!(
        &get(&e.app, ADMIN, "public/big.bin").await.body[..],
        b"helloworld"
    );
}

#[tokio::test]
async fn multipart_full_object_crc32_is_checked() {
    let e = env().await;
    let base = format!("/{B}/public/crc.bin");
    let mut ids = Vec::new();
    for _ in 0..2 {
        ids.push(
            create_upload(
                &e.app,
                &base,
                &[
                    ("x-amz-checksum-algorithm", "CRC32"),
                    ("x-amz-checksum-type", "FULL_OBJECT"),
                ],
            )
            .await,
        );
    }
    for (id, crc, want) in [
        (&ids[0], "AAAAAA==", StatusCode::BAD_REQUEST),
        (&ids[1], "+esgrQ==", StatusCode::OK),
    ] {
        let p1 = upload_part(&e.app, &base, id, 1, b"hello").await;
        let p2 = upload_part(&e.app, &base, id, 2, b"world").await;
        let doc = format!(
            "<CompleteMultipartUpload><Part><ETag>{}</ETag><PartNumber>1</PartNumber></Part><Part><ETag>{}</ETag><PartNumber>2</PartNumber></Part></CompleteMultipartUpload>",
            p1.header("etag"),
            p2.header("etag")
        );
        let h = [
            ("x-amz-checksum-crc32", crc),
            ("x-amz-checksum-type", "FULL_OBJECT"),
        ];
        let r = send(
            &e.app,
            Method::POST,
            &format!("{base}?uploadId={id}"),
            ADMIN,
            &h,
            doc.as_bytes(),
        )
        .await;
        assert_eq!(r.status, want, "{}", r.text());
        if want != StatusCode::OK {
            assert_eq!(r.code(), "BadDigest");
            assert_eq!(
                get(&e.app, ADMIN, "public/crc.bin").await.status,
                StatusCode::NOT_FOUND
            );
        }
    }
    assert_eq!(
        &get(&e.app, ADMIN, "public/crc.bin").await.body[..],
        b"helloworld"
    );
}
