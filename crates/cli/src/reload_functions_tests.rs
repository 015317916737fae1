//! Storage triggers, schedules and secrets through real reloads: a project loaded by the real
//! loader, TypeScript handlers on Node.js, S3 requests signed with the sandbox admin key sent
//! through the server's router. Handlers append what they received to files next to them.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant, SystemTime};

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{
    PayloadChecksumKind, PercentEncodingMode, SignableBody, SignableRequest, SigningSettings,
    UriPathNormalizationMode, sign,
};
use aws_sigv4::sign::v4;
use axum::body::Body;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use stratus_functions::RetryPolicy;
use stratus_functions::schedule::Clock;
use tower::ServiceExt;

use super::super::*;
use crate::secrets::SecretStore;

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// A handler that waits `delay_ms`, then appends `{event, tag}` (tag: its `TAG` secret) to
/// `<its folder>/events.jsonl`; it throws while `<its folder>/fail` exists.
fn recorder(delay_ms: u64) -> String {
    format!(
        r#"import {{ appendFileSync, existsSync }} from 'node:fs';
import {{ env }} from '$amplify/env/fn';
export const handler = async (event: unknown) => {{
  await new Promise((r) => setTimeout(r, {delay_ms}));
  appendFileSync(new URL('./events.jsonl', import.meta.url), JSON.stringify({{ event, tag: env.TAG }}) + '\n');
  if (existsSync(new URL('./fail', import.meta.url))) throw new Error('failing on purpose');
}};
"#
    )
}

fn function_ts(name: &str, export: &str, extra: &str) -> String {
    format!(
        "import {{ defineFunction, secret }} from '@aws-amplify/backend';\n\
         export const {export} = defineFunction({{ name: '{name}', environment: {{ TAG: secret('TAG') }}{extra} }});\n"
    )
}

/// Writes the project: auth (for the admin key), storage `media` with `onUpload` and
/// `onDelete` when `triggers`, and the `tick` function with `schedule` when given.
fn project(root: &Path, triggers: bool, schedule: Option<&str>) {
    let triggers_ts = if triggers {
        ", triggers: { onUpload: onUpload, onDelete: onDelete }"
    } else {
        ""
    };
    write(
        root,
        "amplify/auth/resource.ts",
        "import { defineAuth } from '@aws-amplify/backend';\n\
         export const auth = defineAuth({ loginWith: { email: true } });\n",
    );
    write(
        root,
        "amplify/storage/resource.ts",
        &format!(
            "import {{ defineStorage }} from '@aws-amplify/backend';\n\
             import {{ onUpload }} from '../functions/on-upload/resource';\n\
             import {{ onDelete }} from '../functions/on-delete/resource';\n\
             export const storage = defineStorage({{ name: 'media'{triggers_ts}, \
             access: (allow) => ({{ 'public/*': [allow.guest.to(['read'])] }}) }});\n"
        ),
    );
    for (dir, export, delay) in [
        ("on-upload", "onUpload", 1500),
        ("on-delete", "onDelete", 0),
    ] {
        write(
            root,
            &format!("amplify/functions/{dir}/resource.ts"),
            &function_ts(dir, export, ""),
        );
        write(
            root,
            &format!("amplify/functions/{dir}/handler.ts"),
            &recorder(delay),
        );
    }
    let extra = schedule.map_or(String::new(), |s| format!(", schedule: {s}"));
    write(
        root,
        "amplify/functions/tick/resource.ts",
        &function_ts("tick", "tick", &extra),
    );
    write(root, "amplify/functions/tick/handler.ts", &recorder(0));
    write(
        root,
        "amplify/backend.ts",
        "import { defineBackend } from '@aws-amplify/backend';\n\
         import { auth } from './auth/resource';\n\
         import { storage } from './storage/resource';\n\
         import { onUpload } from './functions/on-upload/resource';\n\
         import { onDelete } from './functions/on-delete/resource';\n\
         import { tick } from './functions/tick/resource';\n\
         defineBackend({ auth, storage, onUpload, onDelete, tick });\n",
    );
}

/// Wall time that starts 200 ms before a whole minute when the scheduler first asks, then
/// runs at real speed: the first scheduled run comes 200 ms after a reload.
struct JustBeforeAMinute {
    anchor: Mutex<Option<Instant>>,
    base: SystemTime,
}

impl JustBeforeAMinute {
    fn new() -> Self {
        JustBeforeAMinute {
            anchor: Mutex::new(None),
            // 2026-03-01T10:04:59.800Z
            base: SystemTime::UNIX_EPOCH + Duration::from_millis(1_772_359_499_800),
        }
    }
}

impl Clock for JustBeforeAMinute {
    fn now(&self) -> SystemTime {
        let mut anchor = self.anchor.lock().unwrap();
        self.base + anchor.get_or_insert_with(Instant::now).elapsed()
    }
}

struct Env {
    tmp: tempfile::TempDir,
    shared: Arc<Shared>,
    reloader: Reloader,
    secrets: SecretStore,
}

async fn env() -> Env {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join(".amplify/stratus/t");
    let store = Store::open(&state).await.unwrap();
    let shared = Shared::new();
    let secrets = SecretStore::new(state.join(crate::secrets::SECRETS_FILE));
    let reloader = Reloader::new(
        ReloaderConfig {
            root: tmp.path().to_path_buf(),
            outputs_path: tmp.path().join(outputs_file::OUTPUTS_FILE),
            origin: "https://127.0.0.1:9".into(),
            ca_file: tmp.path().join("rootCA.pem"),
            outbox: Outbox::new(),
            sender: None,
            admin_credentials_path: state.join(ADMIN_CREDENTIALS_FILE),
            storage_root: state.join(STORAGE_DIR),
            functions_dir: state.join(FUNCTIONS_DIR),
        },
        shared.clone(),
        store,
        Arc::new(load_backend),
        Arc::new(generate_outputs),
    )
    .await
    .unwrap()
    .with_secrets_file(secrets.path())
    .with_schedule_clock(Arc::new(JustBeforeAMinute::new()))
    .with_async_retry(RetryPolicy {
        delays: vec![Duration::from_millis(100), Duration::from_millis(100)],
    });
    Env {
        tmp,
        shared,
        reloader,
        secrets,
    }
}

impl Env {
    async fn reload(&self) -> Arc<LiveBackend> {
        match self.reloader.reload().await {
            Outcome::Loaded { live, .. } => live,
            Outcome::Failed { error, .. } => panic!("reload failed: {error}"),
        }
    }

    fn records_file(&self, function: &str) -> PathBuf {
        self.tmp
            .path()
            .join(format!("amplify/functions/{function}/events.jsonl"))
    }

    fn records(&self, function: &str) -> Vec<Value> {
        std::fs::read_to_string(self.records_file(function))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    }

    /// Waits (bounded) until `function` recorded `n` events.
    async fn wait_records(&self, function: &str, n: usize) -> Vec<Value> {
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let records = self.records(function);
            if records.len() >= n {
                return records;
            }
            assert!(
                Instant::now() < deadline,
                "{function} recorded {} of {n} events: {records:?}",
                records.len()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// An S3 request signed with the sandbox admin key, through the whole router.
    async fn s3(
        &self,
        live: &LiveBackend,
        method: &str,
        path: &str,
        body: &[u8],
        extra: &[(&str, &str)],
    ) -> (u16, axum::http::HeaderMap) {
        let admin = live
            .services
            .auth
            .as_ref()
            .unwrap()
            .admin_credentials()
            .await
            .unwrap();
        let identity = Credentials::new(
            &admin.access_key_id,
            &admin.secret_access_key,
            None,
            None,
            "t",
        )
        .into();
        let mut settings = SigningSettings::default();
        settings.percent_encoding_mode = PercentEncodingMode::Single;
        settings.uri_path_normalization_mode = UriPathNormalizationMode::Disabled;
        settings.payload_checksum_kind = PayloadChecksumKind::XAmzSha256;
        let params = v4::SigningParams::builder()
            .identity(&identity)
            .region("us-east-1")
            .name("s3")
            .time(SystemTime::now())
            .settings(settings)
            .build()
            .unwrap()
            .into();
        let host = "127.0.0.1:9";
        let uri = format!("https://{host}{path}");
        let mut headers: Vec<(&str, &str)> = vec![("host", host)];
        headers.extend_from_slice(extra);
        let signable = SignableRequest::new(
            method,
            uri.as_str(),
            headers.iter().copied(),
            SignableBody::Bytes(body),
        )
        .unwrap();
        let (instructions, _) = sign(signable, &params).unwrap().into_parts();
        let mut builder = axum::http::Request::builder().method(method).uri(path);
        for (k, v) in &headers {
            builder = builder.header(*k, *v);
        }
        let mut request = builder.body(body.to_vec()).unwrap();
        instructions.apply_to_request_http1x(&mut request);
        let response = stratus_server::router(self.shared.clone())
            .oneshot(request.map(Body::from))
            .await
            .unwrap();
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let _ = response.into_body().collect().await;
        (status, headers)
    }
}

fn bucket(live: &LiveBackend) -> String {
    live.outputs["storage"]["bucket_name"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test]
async fn storage_triggers_receive_s3_events_asynchronously_per_generation() {
    let env = env().await;
    env.secrets.set("TAG", "v1").unwrap();
    project(env.tmp.path(), true, None);
    let live = env.reload().await;
    let b = bucket(&live);

    // PutObject: the response does not wait for the 1.5 s handler.
    let started = Instant::now();
    let (status, headers) = env
        .s3(
            &live,
            "PUT",
            &format!("/{b}/public/red%20flower.txt"),
            b"hello",
            &[],
        )
        .await;
    assert_eq!(status, 200);
    assert!(
        started.elapsed() < Duration::from_millis(1200),
        "the upload waited for the trigger: {:?}",
        started.elapsed()
    );
    assert!(env.records("on-upload").is_empty(), "not run yet");
    let records = env.wait_records("on-upload", 1).await;
    assert_eq!(records[0]["tag"], "v1", "secret('TAG') from secrets.json");
    let record = &records[0]["event"]["Records"][0];
    assert_eq!(record["eventSource"], "aws:s3");
    assert_eq!(record["eventName"], "ObjectCreated:Put");
    assert_eq!(record["awsRegion"], "us-east-1");
    assert_eq!(
        record["responseElements"]["x-amz-request-id"],
        headers["x-amz-request-id"].to_str().unwrap()
    );
    assert_eq!(record["s3"]["bucket"]["name"], b.as_str());
    assert_eq!(record["s3"]["bucket"]["arn"], format!("arn:aws:s3:::{b}"));
    let object = &record["s3"]["object"];
    assert_eq!(object["key"], "public/red+flower.txt");
    assert_eq!(object["size"], 5);
    assert_eq!(
        object["eTag"],
        headers["etag"].to_str().unwrap().trim_matches('"')
    );
    assert_eq!(
        record["userIdentity"]["principalId"],
        "AWS:AIDASTRATUSADMIN"
    );

    // CopyObject and DeleteObject; the delete goes to onDelete only.
    let (status, _) = env
        .s3(
            &live,
            "PUT",
            &format!("/{b}/public/copy.txt"),
            b"",
            &[("x-amz-copy-source", &format!("{b}/public/red flower.txt"))],
        )
        .await;
    assert_eq!(status, 200);
    let (status, _) = env
        .s3(&live, "DELETE", &format!("/{b}/public/copy.txt"), b"", &[])
        .await;
    assert_eq!(status, 204);
    let deleted = env.wait_records("on-delete", 1).await;
    let record = &deleted[0]["event"]["Records"][0];
    assert_eq!(record["eventName"], "ObjectRemoved:Delete");
    assert_eq!(
        record["s3"]["object"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["key", "sequencer"]
    );
    let uploads = env.wait_records("on-upload", 2).await;
    assert_eq!(
        uploads[1]["event"]["Records"][0]["eventName"],
        "ObjectCreated:Copy"
    );
    let (put_seq, delete_seq) = (
        uploads[1]["event"]["Records"][0]["s3"]["object"]["sequencer"].clone(),
        record["s3"]["object"]["sequencer"].clone(),
    );
    assert!(
        delete_seq.as_str() > put_seq.as_str(),
        "later change, greater sequencer"
    );

    // A new secret value reloads the functions; the next generation delivers each event once
    // (the previous generation's subscription ended with its storage service).
    env.secrets.set("TAG", "v2").unwrap();
    let live = env.reload().await;
    assert_eq!(live.generation, 2);
    env.s3(&live, "PUT", &format!("/{b}/public/b.txt"), b"b", &[])
        .await;
    let uploads = env.wait_records("on-upload", 3).await;
    assert_eq!(uploads[2]["tag"], "v2");
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(env.records("on-upload").len(), 3, "delivered once");

    // A failing trigger is retried twice (Lambda's async retries), then dropped.
    std::fs::write(env.tmp.path().join("amplify/functions/on-delete/fail"), "").unwrap();
    env.s3(&live, "DELETE", &format!("/{b}/public/b.txt"), b"", &[])
        .await;
    let deletes = env.wait_records("on-delete", 4).await;
    assert!(
        deletes[1..]
            .iter()
            .all(|d| d["event"] == deletes[1]["event"]),
        "the same event three times"
    );
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(env.records("on-delete").len(), 4, "no fourth attempt");

    // Without triggers, nothing is invoked.
    project(env.tmp.path(), false, None);
    let live = env.reload().await;
    env.s3(&live, "PUT", &format!("/{b}/public/c.txt"), b"c", &[])
        .await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert_eq!(env.records("on-upload").len(), 3);
}

#[tokio::test]
async fn schedules_run_per_generation_and_a_bad_one_fails_the_reload() {
    let env = env().await;
    env.secrets.set("TAG", "s").unwrap();
    project(env.tmp.path(), false, Some("'every 1m'"));
    env.reload().await;
    assert_eq!(env.reloader.running_schedules(), 1);
    let records = env.wait_records("tick", 1).await;
    let event = &records[0]["event"];
    assert_eq!(event["source"], "aws.scheduler");
    assert_eq!(event["detail-type"], "Scheduled Event");
    assert_eq!(event["time"], "2026-03-01T10:05:00Z");
    assert_eq!(records[0]["tag"], "s");

    // A time zone that does not exist fails the reload like the deployment; the served
    // generation keeps its schedule.
    project(
        env.tmp.path(),
        false,
        Some("{ rate: 'every 1m', timezone: 'Mars/Olympus' }"),
    );
    let Outcome::Failed { error, serving, .. } = env.reloader.reload().await else {
        panic!("expected a failure");
    };
    assert!(
        error.starts_with("functions: schedule: function 'tick'"),
        "{error}"
    );
    assert!(error.contains("Mars/Olympus"), "{error}");
    assert_eq!(serving, Some(1));
    assert_eq!(env.reloader.running_schedules(), 1);

    // Without a schedule, the task stops.
    project(env.tmp.path(), false, None);
    env.reload().await;
    assert_eq!(env.reloader.running_schedules(), 0);

    // A missing secret fails the scheduled invocations (not the reload), with its name.
    env.secrets.remove("TAG").unwrap();
    project(env.tmp.path(), false, Some("'every 1m'"));
    let live = env.reload().await;
    let err = live
        .services
        .functions
        .invoke("tick", &json!({}))
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("stratus sandbox secret set TAG"),
        "{err}"
    );
}
