//! `StorageService::subscribe`: every way an object is created or removed emits exactly one
//! event (PutObject, CompleteMultipartUpload, CopyObject's destination, DeleteObject,
//! DeleteObjects per key), and the operations that create or remove nothing emit none
//! (refused, failed, multipart steps before Complete, deletes of missing keys). Each event
//! names its operation (S3's `eventName`) and carries the request's id, principal, time and an
//! increasing sequencer; the stream ends when the service is dropped.

mod common;

use common::{ADMIN, B, complete_doc, create_upload, env, get, md5_etag, put, send, upload_part};
use http::{Method, StatusCode};
use md5::{Digest, Md5};
use stratus_spec::storage::StorageRole;
use stratus_storage::{CreateOperation, Principal, StorageEvent, StorageNotification};
use tokio::sync::broadcast::Receiver;
use tokio::sync::broadcast::error::{RecvError, TryRecvError};

/// Every notification emitted since the last call (the service emits before it answers).
fn drain_all(rx: &mut Receiver<StorageNotification>) -> Vec<StorageNotification> {
    let mut out = Vec::new();
    loop {
        match rx.try_recv() {
            Ok(e) => out.push(e),
            Err(TryRecvError::Empty) => return out,
            Err(e) => panic!("event stream: {e:?}"),
        }
    }
}

/// The events of [`drain_all`].
fn drain(rx: &mut Receiver<StorageNotification>) -> Vec<StorageEvent> {
    drain_all(rx).into_iter().map(|n| n.event).collect()
}

fn created_by(key: &str, data: &[u8], operation: CreateOperation) -> StorageEvent {
    StorageEvent::Created {
        bucket: B.to_string(),
        key: key.to_string(),
        size: data.len() as u64,
        etag: md5_etag(data),
        operation,
    }
}

fn created(key: &str, data: &[u8]) -> StorageEvent {
    created_by(key, data, CreateOperation::Put)
}

fn copied(key: &str, data: &[u8]) -> StorageEvent {
    created_by(key, data, CreateOperation::Copy)
}

fn removed(key: &str) -> StorageEvent {
    StorageEvent::Removed {
        bucket: B.to_string(),
        key: key.to_string(),
    }
}

#[tokio::test]
async fn put_and_copy_emit_one_created_each() {
    let e = env().await;
    let mut rx = e.service.subscribe();

    // PutObject: a new key, then an overwrite (S3 notifies ObjectCreated:Put for both).
    assert_eq!(
        put(&e.app, ADMIN, "public/a.txt", b"one").await.status,
        StatusCode::OK
    );
    assert_eq!(drain(&mut rx), vec![created("public/a.txt", b"one")]);
    assert_eq!(
        put(&e.app, ADMIN, "public/a.txt", b"two!").await.status,
        StatusCode::OK
    );
    assert_eq!(drain(&mut rx), vec![created("public/a.txt", b"two!")]);

    // Refused or failed puts create nothing and emit nothing.
    let r = put(&e.app, "guest:g1", "public/g.txt", b"x").await;
    assert_eq!(r.code(), "AccessDenied");
    let r = send(
        &e.app,
        Method::PUT,
        &format!("/{B}/public/a.txt"),
        ADMIN,
        &[("if-none-match", "*")],
        b"three",
    )
    .await;
    assert_eq!(r.code(), "PreconditionFailed");
    let r = send(
        &e.app,
        Method::PUT,
        &format!("/{B}/public/bad.txt"),
        ADMIN,
        &[("content-md5", "1B2M2Y8AsgTpgAmY7PhCfg==")],
        b"not empty",
    )
    .await;
    assert_eq!(r.code(), "BadDigest");
    let r = send(
        &e.app,
        Method::PUT,
        &format!("/{B}/public/sha.txt"),
        ADMIN,
        &[("x-amz-content-sha256", &"0".repeat(64))],
        b"body",
    )
    .await;
    assert_eq!(r.code(), "XAmzContentSHA256Mismatch");
    assert_eq!(drain(&mut rx), vec![]);

    // CopyObject: one Created for the destination, with the destination's key.
    let r = send(
        &e.app,
        Method::PUT,
        &format!("/{B}/public/b.txt"),
        ADMIN,
        &[("x-amz-copy-source", &format!("/{B}/public/a.txt"))],
        b"",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(drain(&mut rx), vec![copied("public/b.txt", b"two!")]);
    // A copy onto itself with new metadata is a new version of the object: one Created.
    let r = send(
        &e.app,
        Method::PUT,
        &format!("/{B}/public/b.txt"),
        ADMIN,
        &[
            ("x-amz-copy-source", &format!("{B}/public/b.txt")),
            ("x-amz-metadata-directive", "REPLACE"),
            ("content-type", "text/plain"),
        ],
        b"",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    assert_eq!(drain(&mut rx), vec![copied("public/b.txt", b"two!")]);
    // A copy of a missing source, or one the caller may not read, emits nothing.
    let r = send(
        &e.app,
        Method::PUT,
        &format!("/{B}/public/c.txt"),
        ADMIN,
        &[("x-amz-copy-source", &format!("{B}/public/missing"))],
        b"",
    )
    .await;
    assert_eq!(r.code(), "NoSuchKey");
    assert_eq!(
        put(&e.app, "auth:ada", "private/ada/p.txt", b"p")
            .await
            .status,
        StatusCode::OK
    );
    assert_eq!(drain(&mut rx), vec![created("private/ada/p.txt", b"p")]);
    let r = send(
        &e.app,
        Method::PUT,
        &format!("/{B}/public/stolen.txt"),
        "auth:bob",
        &[("x-amz-copy-source", &format!("{B}/private/ada/p.txt"))],
        b"",
    )
    .await;
    assert_eq!(r.code(), "AccessDenied");
    assert_eq!(drain(&mut rx), vec![]);
}

#[tokio::test]
async fn multipart_emits_one_created_on_complete_only() {
    let e = env().await;
    let mut rx = e.service.subscribe();
    let base = format!("/{B}/public/big.bin");
    let id = create_upload(&e.app, &base, &[]).await;
    let p1 = upload_part(&e.app, &base, &id, 1, b"hello").await;
    let p2 = upload_part(&e.app, &base, &id, 2, b"world").await;
    let r = send(
        &e.app,
        Method::GET,
        &format!("{base}?uploadId={id}"),
        ADMIN,
        &[],
        b"",
    )
    .await;
    assert_eq!(r.status, StatusCode::OK);
    // Create, UploadPart and ListParts create no object.
    assert_eq!(drain(&mut rx), vec![]);

    // A failed Complete (a wrong part ETag) emits nothing.
    let r = send(
        &e.app,
        Method::POST,
        &format!("{base}?uploadId={id}"),
        ADMIN,
        &[],
        complete_doc(&[(1, p1.header("etag")), (2, "\"ffff\"")]).as_bytes(),
    )
    .await;
    assert_eq!(r.code(), "InvalidPart");
    assert_eq!(drain(&mut rx), vec![]);

    let r = send(
        &e.app,
        Method::POST,
        &format!("{base}?uploadId={id}"),
        ADMIN,
        &[],
        complete_doc(&[(1, p1.header("etag")), (2, p2.header("etag"))]).as_bytes(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let part_md5s = [Md5::digest(b"hello"), Md5::digest(b"world")].concat();
    let etag = format!("\"{}-2\"", hex::encode(Md5::digest(&part_md5s)));
    assert_eq!(
        drain(&mut rx),
        vec![StorageEvent::Created {
            bucket: B.to_string(),
            key: "public/big.bin".to_string(),
            size: 10,
            etag,
            operation: CreateOperation::CompleteMultipartUpload,
        }]
    );
    // Completing the same upload again is NoSuchUpload, no second event.
    let r = send(
        &e.app,
        Method::POST,
        &format!("{base}?uploadId={id}"),
        ADMIN,
        &[],
        complete_doc(&[(1, p1.header("etag")), (2, p2.header("etag"))]).as_bytes(),
    )
    .await;
    assert_eq!(r.code(), "NoSuchUpload");

    // An aborted upload emits nothing.
    let id = create_upload(&e.app, &base, &[]).await;
    upload_part(&e.app, &base, &id, 1, b"abc").await;
    let r = send(
        &e.app,
        Method::DELETE,
        &format!("{base}?uploadId={id}"),
        ADMIN,
        &[],
        b"",
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(drain(&mut rx), vec![]);
    assert_eq!(
        &get(&e.app, ADMIN, "public/big.bin").await.body[..],
        b"helloworld"
    );
}

#[tokio::test]
async fn deletes_emit_one_removed_per_removed_key() {
    let e = env().await;
    for key in ["public/a", "public/b", "public/c", "private/ada/x"] {
        assert_eq!(put(&e.app, ADMIN, key, b"x").await.status, StatusCode::OK);
    }
    let mut rx = e.service.subscribe();

    // DeleteObject: one Removed; deleting it again (204 as S3 answers) removes nothing.
    let r = send(
        &e.app,
        Method::DELETE,
        &format!("/{B}/public/a"),
        ADMIN,
        &[],
        b"",
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(drain(&mut rx), vec![removed("public/a")]);
    let r = send(
        &e.app,
        Method::DELETE,
        &format!("/{B}/public/a"),
        ADMIN,
        &[],
        b"",
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    // A refused delete removes nothing.
    let r = send(
        &e.app,
        Method::DELETE,
        &format!("/{B}/public/b"),
        "guest:g",
        &[],
        b"",
    )
    .await;
    assert_eq!(r.code(), "AccessDenied");
    assert_eq!(drain(&mut rx), vec![]);

    // DeleteObjects: one Removed per key actually removed, in request order; the missing key
    // and the refused key (reported as <Error>) emit nothing.
    let doc = "<Delete><Object><Key>public/b</Key></Object><Object><Key>public/missing</Key></Object>\
               <Object><Key>private/ada/x</Key></Object><Object><Key>public/c</Key></Object></Delete>";
    let md5 = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(Md5::digest(doc.as_bytes()))
    };
    let r = send(
        &e.app,
        Method::POST,
        &format!("/{B}?delete"),
        "auth:bob",
        &[("content-md5", &md5)],
        doc.as_bytes(),
    )
    .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.text());
    let t = r.text();
    assert!(
        t.contains("<Error><Key>private/ada/x</Key><Code>AccessDenied</Code>"),
        "{t}"
    );
    assert!(
        t.contains("<Deleted><Key>public/missing</Key></Deleted>"),
        "{t}"
    );
    assert_eq!(
        drain(&mut rx),
        vec![removed("public/b"), removed("public/c")]
    );
    assert_eq!(
        get(&e.app, ADMIN, "private/ada/x").await.status,
        StatusCode::OK
    );

    // Two subscribers each see every event once.
    let mut second = e.service.subscribe();
    let r = send(
        &e.app,
        Method::DELETE,
        &format!("/{B}/private/ada/x"),
        ADMIN,
        &[],
        b"",
    )
    .await;
    assert_eq!(r.status, StatusCode::NO_CONTENT);
    assert_eq!(drain(&mut rx), vec![removed("private/ada/x")]);
    assert_eq!(drain(&mut second), vec![removed("private/ada/x")]);
}

#[tokio::test]
async fn notifications_carry_the_request_and_an_increasing_sequencer() {
    let e = env().await;
    let mut rx = e.service.subscribe();
    let before = std::time::SystemTime::now();
    let r1 = put(&e.app, "auth:ada", "public/seq.txt", b"one").await;
    assert_eq!(r1.status, StatusCode::OK);
    let r2 = send(
        &e.app,
        Method::DELETE,
        &format!("/{B}/public/seq.txt"),
        ADMIN,
        &[],
        b"",
    )
    .await;
    assert_eq!(r2.status, StatusCode::NO_CONTENT);
    let after = std::time::SystemTime::now();
    let all = drain_all(&mut rx);
    assert_eq!(all.len(), 2);
    let (a, b) = (&all[0], &all[1]);
    assert_eq!(a.event.event_name(), "ObjectCreated:Put");
    assert_eq!(b.event.event_name(), "ObjectRemoved:Delete");
    assert_eq!((a.event.bucket(), a.event.key()), (B, "public/seq.txt"));
    // The request id is the response's x-amz-request-id.
    assert_eq!(a.request_id, r1.header("x-amz-request-id"));
    assert_eq!(b.request_id, r2.header("x-amz-request-id"));
    assert_ne!(a.request_id, b.request_id);
    assert_eq!(
        a.principal,
        Principal::Identity {
            role: StorageRole::Authenticated,
            identity_id: Some("ada".into())
        }
    );
    assert_eq!(b.principal, Principal::Admin);
    assert!(before <= a.time && a.time <= b.time && b.time <= after);
    // Sequencers: uppercase hex, the later change greater.
    for n in [a, b] {
        assert_eq!(n.sequencer.len(), 18, "{}", n.sequencer);
        assert!(
            n.sequencer
                .chars()
                .all(|c| c.is_ascii_digit() || ('A'..='F').contains(&c))
        );
    }
    assert!(b.sequencer > a.sequencer, "{} {}", a.sequencer, b.sequencer);
    assert_eq!(
        copied("k", b"").event_name(),
        "ObjectCreated:Copy",
        "eventName of a copy"
    );
    assert_eq!(
        created_by("k", b"", CreateOperation::CompleteMultipartUpload).event_name(),
        "ObjectCreated:CompleteMultipartUpload"
    );

    // When the last clone of the service is gone, the stream ends.
    let common::Env { service, app, .. } = e;
    drop(app);
    drop(service);
    assert!(matches!(rx.recv().await, Err(RecvError::Closed)));
}
