use std::sync::Arc;
use std::time::{Duration, UNIX_EPOCH};

use stratus_storage::{BucketConfig, CreateOperation, FsBackend, FsOptions};

use super::*;

fn notification(event: StorageEvent, principal: Principal) -> StorageNotification {
    StorageNotification {
        event,
        request_id: "0123456789ABCDEF".into(),
        principal,
        time: UNIX_EPOCH + Duration::from_millis(1_772_359_350_123),
        sequencer: "00188A6B3C2D1E0F00".into(),
    }
}

#[test]
fn keys_are_encoded_as_s3_encodes_them() {
    assert_eq!(event_key("public/photo.jpg"), "public/photo.jpg");
    assert_eq!(event_key("public/red flower.jpg"), "public/red+flower.jpg");
    assert_eq!(event_key("a+b (1)/x~y.txt"), "a%2Bb+%281%29/x%7Ey.txt");
    assert_eq!(event_key("été/ß"), "%C3%A9t%C3%A9/%C3%9F");
    assert_eq!(event_key("a-b_c.d*e"), "a-b_c.d*e");
}

#[test]
fn a_put_event_as_lambda_receives_it() {
    let n = notification(
        StorageEvent::Created {
            bucket: "media.abc.stratus".into(),
            key: "public/my file.txt".into(),
            size: 11,
            etag: "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"".into(),
            operation: CreateOperation::Put,
        },
        Principal::Identity {
            role: StorageRole::Authenticated,
            identity_id: Some("us-east-1:abc".into()),
        },
    );
    let config = TriggerConfig::new("us-east-1", "000000000000");
    let event = s3_event(&n, "Y29uZmln", &config);
    assert_eq!(
        event,
        json!({"Records": [{
            "eventVersion": "2.6",
            "eventSource": "aws:s3",
            "awsRegion": "us-east-1",
            "eventTime": "2026-03-01T10:02:30.123Z",
            "eventName": "ObjectCreated:Put",
            "userIdentity": {"principalId": "AWS:AROAAUTHENTICATED:CognitoIdentityCredentials"},
            "requestParameters": {"sourceIPAddress": "127.0.0.1"},
            "responseElements": {
                "x-amz-request-id": "0123456789ABCDEF",
                "x-amz-id-2": "c3RyYXR1cy8wMTIzNDU2Nzg5QUJDREVG"
            },
            "s3": {
                "s3SchemaVersion": "1.0",
                "configurationId": "Y29uZmln",
                "bucket": {
                    "name": "media.abc.stratus",
                    "ownerIdentity": {"principalId": "000000000000"},
                    "arn": "arn:aws:s3:::media.abc.stratus"
                },
                "object": {
                    "key": "public/my+file.txt",
                    "size": 11,
                    "eTag": "5eb63bbbe01eeed093cb22bb8f5acdc3",
                    "sequencer": "00188A6B3C2D1E0F00"
                }
            }
        }]})
    );
}

#[test]
fn copy_multipart_and_delete_events() {
    let config = TriggerConfig::new("us-east-1", "000000000000");
    let created = |operation| {
        notification(
            StorageEvent::Created {
                bucket: "b".into(),
                key: "k".into(),
                size: 10,
                etag: "\"abc-2\"".into(),
                operation,
            },
            Principal::Admin,
        )
    };
    let copy = s3_event(&created(CreateOperation::Copy), "c", &config);
    assert_eq!(copy["Records"][0]["eventName"], "ObjectCreated:Copy");
    assert_eq!(
        copy["Records"][0]["userIdentity"]["principalId"],
        "AWS:AIDASTRATUSADMIN"
    );
    let multipart = s3_event(
        &created(CreateOperation::CompleteMultipartUpload),
        "c",
        &config,
    );
    assert_eq!(
        multipart["Records"][0]["eventName"],
        "ObjectCreated:CompleteMultipartUpload"
    );
    assert_eq!(multipart["Records"][0]["s3"]["object"]["eTag"], "abc-2");

    let removed = notification(
        StorageEvent::Removed {
            bucket: "b".into(),
            key: "editors/a b".into(),
        },
        Principal::Identity {
            role: StorageRole::Group("Editors".into()),
            identity_id: None,
        },
    );
    let event = s3_event(&removed, "c", &config);
    let record = &event["Records"][0];
    assert_eq!(record["eventName"], "ObjectRemoved:Delete");
    assert_eq!(
        record["userIdentity"]["principalId"],
        "AWS:AROAGROUPEDITORS:CognitoIdentityCredentials"
    );
    // A delete names the key and sequencer only: no size, no eTag.
    assert_eq!(
        record["s3"]["object"],
        json!({"key": "editors/a+b", "sequencer": "00188A6B3C2D1E0F00"})
    );
}

struct Admin;
impl stratus_storage::Authenticator for Admin {
    fn authenticate<'a>(
        &'a self,
        _parts: &'a http::request::Parts,
    ) -> futures::future::BoxFuture<
        'a,
        Result<stratus_storage::Authenticated, stratus_storage::S3Error>,
    > {
        Box::pin(async {
            Ok(stratus_storage::Authenticated {
                principal: Principal::Admin,
                payload: stratus_storage::PayloadCheck::Unsigned,
            })
        })
    }
}

#[tokio::test]
async fn the_dispatcher_ends_with_its_service_and_needs_a_trigger() {
    let dir = tempfile::tempdir().unwrap();
    let backend = FsBackend::open(dir.path(), FsOptions::default())
        .await
        .unwrap();
    let service = StorageService::new(
        Arc::new(backend),
        Arc::new(Admin),
        vec![BucketConfig {
            name: "media.abc.stratus".into(),
            access: None,
            is_default: true,
        }],
    )
    .await
    .unwrap();
    let config = TriggerConfig::new("us-east-1", "000000000000");
    let none = BucketTriggers {
        bucket: "media.abc.stratus".into(),
        on_upload: None,
        on_delete: None,
    };
    assert!(spawn(&service, vec![none], Functions::empty(), config.clone()).is_none());
    let task = spawn(
        &service,
        vec![BucketTriggers {
            bucket: "media.abc.stratus".into(),
            on_upload: Some("f".into()),
            on_delete: None,
        }],
        Functions::empty(),
        config,
    )
    .expect("a trigger is served");
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(!task.is_finished());
    drop(service);
    tokio::time::timeout(Duration::from_secs(5), task)
        .await
        .expect("the task ends when its service is gone")
        .unwrap();
}
