//! Access rules per role through the router: guest, authenticated, entity (own identity id vs
//! another's), a group, deny-by-default sub-paths, list prefixes, copy and DeleteObjects.

mod common;

use common::{B, env, get, put, send};
use http::{Method, StatusCode};

const GUEST: &str = "guest:us-east-1:g1";
const U1: &str = "auth:us-east-1:u1";
const U2: &str = "auth:us-east-1:u2";
const ADMINS: &str = "group:Admins:us-east-1:a1";

async fn status_put(app: &axum::Router, who: &str, key: &str) -> StatusCode {
    let r = put(app, who, key, b"data").await;
    if r.status == StatusCode::FORBIDDEN {
        assert_eq!(r.code(), "AccessDenied", "{}", r.text());
    }
    r.status
}

async fn status_get(app: &axum::Router, who: &str, key: &str) -> StatusCode {
    get(app, who, key).await.status
}

async fn status_delete(app: &axum::Router, who: &str, key: &str) -> StatusCode {
    send(app, Method::DELETE, &format!("/{B}/{key}"), who, &[], b"")
        .await
        .status
}

async fn status_list(app: &axum::Router, who: &str, prefix: &str) -> StatusCode {
    let p = prefix.replace('/', "%2F").replace(':', "%3A");
    let r = send(
        app,
        Method::GET,
        &format!("/{B}?list-type=2&prefix={p}"),
        who,
        &[],
        b"",
    )
    .await;
    r.status
}

const OK: StatusCode = StatusCode::OK;
const DENIED: StatusCode = StatusCode::FORBIDDEN;

#[tokio::test]
async fn public_paths() {
    let e = env().await;
    let app = &e.app;
    assert_eq!(status_put(app, GUEST, "public/g.txt").await, DENIED);
    assert_eq!(status_put(app, U1, "public/u1.txt").await, OK);
    assert_eq!(status_get(app, GUEST, "public/u1.txt").await, OK);
    assert_eq!(status_get(app, U2, "public/u1.txt").await, OK);
    assert_eq!(status_list(app, GUEST, "public/").await, OK);
    assert_eq!(status_list(app, GUEST, "").await, DENIED);
    assert_eq!(status_list(app, GUEST, "private/").await, DENIED);
    assert_eq!(status_delete(app, GUEST, "public/u1.txt").await, DENIED);
    assert_eq!(
        status_delete(app, U2, "public/u1.txt").await,
        StatusCode::NO_CONTENT
    );
    // A group member runs as the group's role only: Admins was not granted public/ writes.
    assert_eq!(status_put(app, ADMINS, "public/a.txt").await, DENIED);
}

#[tokio::test]
async fn protected_paths() {
    let e = env().await;
    let app = &e.app;
    assert_eq!(
        status_put(app, U1, "protected/us-east-1:u1/p.txt").await,
        OK
    );
    assert_eq!(
        status_put(app, U2, "protected/us-east-1:u1/p.txt").await,
        DENIED
    );
    assert_eq!(
        status_get(app, U2, "protected/us-east-1:u1/p.txt").await,
        OK
    );
    assert_eq!(status_list(app, U2, "protected/us-east-1:u1/").await, OK);
    assert_eq!(
        status_delete(app, U2, "protected/us-east-1:u1/p.txt").await,
        DENIED
    );
    assert_eq!(
        status_get(app, GUEST, "protected/us-east-1:u1/p.txt").await,
        DENIED
    );
    assert_eq!(
        status_delete(app, U1, "protected/us-east-1:u1/p.txt").await,
        StatusCode::NO_CONTENT
    );
}

#[tokio::test]
async fn private_paths() {
    let e = env().await;
    let app = &e.app;
    assert_eq!(
        status_put(app, U1, "private/us-east-1:u1/secret.txt").await,
        OK
    );
    assert_eq!(
        status_get(app, U1, "private/us-east-1:u1/secret.txt").await,
        OK
    );
    assert_eq!(
        status_get(app, U2, "private/us-east-1:u1/secret.txt").await,
        DENIED
    );
    assert_eq!(
        status_put(app, U2, "private/us-east-1:u1/secret.txt").await,
        DENIED
    );
    assert_eq!(status_list(app, U1, "private/us-east-1:u1/").await, OK);
    assert_eq!(status_list(app, U2, "private/us-east-1:u1/").await, DENIED);
    assert_eq!(status_list(app, U2, "private/").await, DENIED);
    assert_eq!(
        status_get(app, GUEST, "private/us-east-1:u1/secret.txt").await,
        DENIED
    );
    // Multipart under someone else's private path is refused at every step.
    let r = send(
        app,
        Method::POST,
        &format!("/{B}/private/us-east-1:u1/x?uploads"),
        U2,
        &[],
        b"",
    )
    .await;
    assert_eq!(r.code(), "AccessDenied");
    let r = send(
        app,
        Method::POST,
        &format!("/{B}/private/us-east-1:u1/x?uploads"),
        U1,
        &[],
        b"",
    )
    .await;
    let id = r
        .text()
        .split_once("<UploadId>")
        .unwrap()
        .1
        .split_once("</UploadId>")
        .unwrap()
        .0
        .to_string();
    let r = send(
        app,
        Method::PUT,
        &format!("/{B}/private/us-east-1:u1/x?partNumber=1&uploadId={id}"),
        U2,
        &[],
        b"evil",
    )
    .await;
    assert_eq!(r.code(), "AccessDenied");
    // Copy out of someone else's private path: the source read is refused.
    let r = send(
        app,
        Method::PUT,
        &format!("/{B}/private/us-east-1:u2/stolen.txt"),
        U2,
        &[(
            "x-amz-copy-source",
            &format!("{B}/private/us-east-1:u1/secret.txt"),
        )],
        b"",
    )
    .await;
    assert_eq!(r.code(), "AccessDenied");
    assert_eq!(
        status_get(app, "admin", "private/us-east-1:u2/stolen.txt").await,
        StatusCode::NOT_FOUND
    );
    // Copy within one's own paths works.
    let r = send(
        app,
        Method::PUT,
        &format!("/{B}/public/shared.txt"),
        U1,
        &[(
            "x-amz-copy-source",
            &format!("{B}/private/us-east-1:u1/secret.txt"),
        )],
        b"",
    )
    .await;
    assert_eq!(r.status, OK, "{}", r.text());
}

#[tokio::test]
async fn group_paths_and_deny_by_default() {
    let e = env().await;
    let app = &e.app;
    assert_eq!(status_put(app, ADMINS, "admin/report.pdf").await, OK);
    assert_eq!(status_get(app, ADMINS, "admin/report.pdf").await, OK);
    assert_eq!(status_get(app, U1, "admin/report.pdf").await, DENIED);
    assert_eq!(
        status_get(app, "group:Editors:us-east-1:e1", "admin/report.pdf").await,
        DENIED
    );
    assert_eq!(status_list(app, ADMINS, "admin/").await, OK);
    // public/locked/* is only granted to Admins: public/* readers are denied below it.
    assert_eq!(status_put(app, ADMINS, "public/locked/x.txt").await, OK);
    assert_eq!(status_get(app, GUEST, "public/locked/x.txt").await, DENIED);
    assert_eq!(status_get(app, U1, "public/locked/x.txt").await, DENIED);
    assert_eq!(status_put(app, U1, "public/locked/y.txt").await, DENIED);
    assert_eq!(status_get(app, ADMINS, "public/locked/x.txt").await, OK);
    // Admin credentials bypass the rules; an unauthenticated request is refused.
    assert_eq!(status_get(app, "admin", "admin/report.pdf").await, OK);
    assert_eq!(
        status_get(app, "nobody", "public/locked/x.txt").await,
        DENIED
    );
}

#[tokio::test]
async fn delete_objects_reports_refusals_per_key() {
    let e = env().await;
    let app = &e.app;
    assert_eq!(status_put(app, U1, "public/a").await, OK);
    assert_eq!(status_put(app, U1, "private/us-east-1:u1/b").await, OK);
    let body = "<Delete><Object><Key>public/a</Key></Object><Object><Key>private/us-east-1:u1/b</Key></Object></Delete>";
    let r = send(
        app,
        Method::POST,
        &format!("/{B}?delete"),
        U2,
        &[],
        body.as_bytes(),
    )
    .await;
    assert_eq!(r.status, OK);
    let t = r.text();
    assert!(t.contains("<Deleted><Key>public/a</Key></Deleted>"), "{t}");
    assert!(t.contains("<Error><Key>private/us-east-1:u1/b</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"), "{t}");
    assert_eq!(status_get(app, U1, "private/us-east-1:u1/b").await, OK);
}
