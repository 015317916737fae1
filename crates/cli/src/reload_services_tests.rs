//! Reloads that open the GraphQL API of `defineData` and the S3 API of `defineStorage`, with
//! backends loaded by the real loader from small projects.

use std::path::Path;
use std::sync::Mutex;

use axum::body::Body;
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

use super::*;

const BACKEND_TS: &str = "import { defineBackend } from '@aws-amplify/backend';\n\
import { data } from './data/resource';\n\
import { storage } from './storage/resource';\n\
defineBackend({ data, storage });\n";

const STORAGE_TS: &str = "import { defineStorage } from '@aws-amplify/backend';\n\
export const storage = defineStorage({ name: 'media', access: (allow) => ({ 'public/*': [allow.guest.to(['read'])] }) });\n";

/// `Item { name }` keyed by `id`, or by `name` with `identifier(['name'])`.
fn data_ts(keyed_by_name: bool) -> String {
    let identifier = if keyed_by_name {
        ".identifier(['name'])"
    } else {
        ""
    };
    format!(
        "import {{ a, defineData }} from '@aws-amplify/backend';\n\
         const schema = a.schema({{ Item: a.model({{ name: a.string().required() }}){identifier}\
         .authorization((allow) => [allow.publicApiKey()]) }});\n\
         export const data = defineData({{ schema, authorizationModes: {{ defaultAuthorizationMode: 'apiKey' }} }});\n"
    )
}

/// Loads a project with the given data definition through the real loader.
fn load_project(dir: &Path, keyed_by_name: bool) -> Backend {
    let amplify = dir.join("amplify");
    std::fs::create_dir_all(amplify.join("data")).unwrap();
    std::fs::create_dir_all(amplify.join("storage")).unwrap();
    std::fs::write(amplify.join("backend.ts"), BACKEND_TS).unwrap();
    std::fs::write(amplify.join("storage").join("resource.ts"), STORAGE_TS).unwrap();
    std::fs::write(
        amplify.join("data").join("resource.ts"),
        data_ts(keyed_by_name),
    )
    .unwrap();
    load_backend(dir).unwrap()
}

pub(super) struct Env {
    pub(super) tmp: tempfile::TempDir,
    pub(super) shared: Arc<Shared>,
    next: Arc<Mutex<Option<Backend>>>,
    reloader: Reloader,
}

pub(super) async fn env() -> Env {
    let tmp = tempfile::tempdir().unwrap();
    let state = tmp.path().join("state");
    let store = Store::open(&state).await.unwrap();
    let shared = Shared::new();
    let next: Arc<Mutex<Option<Backend>>> = Arc::default();
    let load: Arc<LoadFn> = {
        let next = next.clone();
        Arc::new(move |_: &Path| {
            next.lock()
                .unwrap()
                .take()
                .ok_or_else(|| "no backend".to_owned())
        })
    };
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
            functions_dir: state.join("functions"),
        },
        shared.clone(),
        store,
        load,
        Arc::new(|_: &Backend, info: &ServerInfo| {
            Ok(json!({"api_key": info.api_key, "instance_id": info.instance_id}))
        }),
    )
    .await
    .unwrap();
    Env {
        tmp,
        shared,
        next,
        reloader,
    }
}

impl Env {
    pub(super) async fn reload(&self, backend: Backend) -> Outcome {
        *self.next.lock().unwrap() = Some(backend);
        self.reloader.reload().await
    }

    pub(super) fn outputs(&self) -> Value {
        let text = std::fs::read_to_string(self.tmp.path().join(outputs_file::OUTPUTS_FILE));
        serde_json::from_str(&text.unwrap()).unwrap()
    }

    /// `POST /graphql` through the whole application with the API key.
    pub(super) async fn graphql(&self, query: &str) -> Value {
        let api_key = self.outputs()["api_key"].as_str().unwrap().to_owned();
        let request = axum::http::Request::post("/graphql")
            .header("content-type", "application/json")
            .header("x-api-key", api_key)
            .body(Body::from(json!({ "query": query }).to_string()))
            .unwrap();
        let response = stratus_server::router(self.shared.clone())
            .oneshot(request)
            .await
            .unwrap();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        serde_json::from_slice(&bytes).unwrap()
    }
}

#[tokio::test]
async fn define_data_is_served_and_a_schema_change_the_store_refuses_keeps_the_last_generation() {
    let env = env().await;
    let Outcome::Loaded { live, .. } = env.reload(load_project(env.tmp.path(), false)).await else {
        panic!("expected a load");
    };
    assert!(live.services.data.is_some());
    let created = env
        .graphql("mutation { createItem(input: {name: \"kept\"}) { id name } }")
        .await;
    assert_eq!(created["data"]["createItem"]["name"], "kept", "{created}");

    // The primary key of a table with items cannot change: the reload fails, the last good
    // generation (and its data) keeps serving.
    let Outcome::Failed { error, serving, .. } =
        env.reload(load_project(env.tmp.path(), true)).await
    else {
        panic!("expected a failure");
    };
    assert!(error.starts_with("data: "), "{error}");
    assert!(error.contains("Item"), "{error}");
    assert_eq!(serving, Some(1));
    assert_eq!(env.shared.current().unwrap().generation, 1);
    let listed = env.graphql("{ listItems { items { name } } }").await;
    assert_eq!(
        listed["data"]["listItems"]["items"],
        json!([{"name": "kept"}]),
        "{listed}"
    );

    // The same definition again reloads, keeping the items; the data service of generation 1
    // is kept (not reopened: its schema report is still the one that created the table), so
    // its realtime subscribers keep receiving events.
    let Outcome::Loaded { live, .. } = env.reload(load_project(env.tmp.path(), false)).await else {
        panic!("expected a load");
    };
    assert_eq!(live.generation, 2);
    let kept = live.services.data.as_ref().unwrap().schema_report();
    assert!(kept.changes.iter().any(|c| c.created), "{kept:?}");
    let listed = env.graphql("{ listItems { items { name } } }").await;
    assert_eq!(
        listed["data"]["listItems"]["items"],
        json!([{"name": "kept"}])
    );

    // A changed data definition opens a new service (its report: nothing to create).
    let mut changed = load_project(env.tmp.path(), false);
    changed
        .data
        .as_mut()
        .unwrap()
        .authorization_modes
        .api_key_expires_in_days = Some(9);
    let Outcome::Loaded { live, .. } = env.reload(changed).await else {
        panic!("expected a load");
    };
    let reopened = live.services.data.as_ref().unwrap().schema_report();
    assert!(!reopened.changes.iter().any(|c| c.created), "{reopened:?}");
}

#[tokio::test]
async fn define_storage_serves_the_advertised_bucket_over_one_object_store() {
    let env = env().await;
    let Outcome::Loaded { live, .. } = env.reload(load_project(env.tmp.path(), false)).await else {
        panic!("expected a load");
    };
    let instance_id = env.outputs()["instance_id"].as_str().unwrap().to_owned();
    let bucket = stratus_outputs::bucket_name(&instance_id, "media");
    let storage = live.services.storage.clone().expect("no storage served");
    assert_eq!(storage.buckets, vec![bucket.clone()]);
    assert!(storage.service.serves(&bucket));
    assert!(
        env.tmp
            .path()
            .join("state")
            .join(STORAGE_DIR)
            .join(&bucket)
            .is_dir()
    );
    // Without defineAuth nobody holds credentials: requests are refused, not served openly.
    let request = axum::http::Request::get(format!("/{bucket}/public/a.txt"))
        .body(Body::empty())
        .unwrap();
    let response = stratus_server::router(env.shared.clone())
        .oneshot(request)
        .await
        .unwrap();
    assert_eq!(response.status(), axum::http::StatusCode::FORBIDDEN);

    // A reload opens a new service over the same object store (opened once per process).
    let Outcome::Loaded { live: next, .. } = env.reload(load_project(env.tmp.path(), false)).await
    else {
        panic!("expected a load");
    };
    let again = next.services.storage.clone().expect("no storage served");
    assert!(std::ptr::addr_eq(
        Arc::as_ptr(storage.service.backend()),
        Arc::as_ptr(again.service.backend())
    ));
}

const FN_BACKEND_TS: &str = "import { defineBackend } from '@aws-amplify/backend';\n\
import { data } from './data/resource';\n\
import { echo } from './functions/echo/resource';\n\
defineBackend({ data, echo });\n";

const FN_DATA_TS: &str = "import { a, defineData } from '@aws-amplify/backend';\n\
import { echo } from '../functions/echo/resource';\n\
const schema = a.schema({ echo: a.query().arguments({ msg: a.string() }).returns(a.string())\
.authorization((allow) => [allow.publicApiKey()]).handler(a.handler.function(echo)) });\n\
export const data = defineData({ schema, authorizationModes: { defaultAuthorizationMode: 'apiKey' } });\n";

const FN_RESOURCE_TS: &str = "import { defineFunction } from '@aws-amplify/backend';\n\
export const echo = defineFunction({ name: 'echo', entry: './handler.ts' });\n";

/// A project whose custom query `echo` is resolved by a function answering `<tag>:<msg>`.
fn load_function_project(dir: &Path, tag: &str) -> Backend {
    let amplify = dir.join("amplify");
    let function = amplify.join("functions").join("echo");
    std::fs::create_dir_all(amplify.join("data")).unwrap();
    std::fs::create_dir_all(&function).unwrap();
    std::fs::write(amplify.join("backend.ts"), FN_BACKEND_TS).unwrap();
    std::fs::write(amplify.join("data").join("resource.ts"), FN_DATA_TS).unwrap();
    std::fs::write(function.join("resource.ts"), FN_RESOURCE_TS).unwrap();
    std::fs::write(
        function.join("handler.ts"),
        format!(
            "export const handler = async (event: {{ arguments: {{ msg: string }} }}) => \
             `{tag}:${{event.arguments.msg}}:${{event.typeName}}.${{event.fieldName}}`;\n"
        ),
    )
    .unwrap();
    load_backend(dir).unwrap()
}

#[tokio::test]
async fn custom_queries_run_the_generations_functions_and_follow_handler_edits() {
    let env = env().await;
    let Outcome::Loaded { .. } = env
        .reload(load_function_project(env.tmp.path(), "v1"))
        .await
    else {
        panic!("expected a load");
    };
    let v = env.graphql("query { echo(msg: \"hi\") }").await;
    assert_eq!(v["data"]["echo"], "v1:hi:Query.echo", "{v}");
    // Same data and auth definitions, new handler code: the data service must call the new
    // generation's functions, not keep the old ones.
    let Outcome::Loaded { .. } = env
        .reload(load_function_project(env.tmp.path(), "v2"))
        .await
    else {
        panic!("expected a load");
    };
    let v = env.graphql("query { echo(msg: \"hi\") }").await;
    assert_eq!(v["data"]["echo"], "v2:hi:Query.echo", "{v}");
}
