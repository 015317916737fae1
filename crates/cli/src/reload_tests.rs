use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde_json::json;

use super::*;

/// A loader whose next result the test sets.
#[derive(Default)]
struct Script {
    next: Mutex<Option<Result<Backend, String>>>,
    calls: AtomicUsize,
}

impl Script {
    fn set(&self, result: Result<Backend, String>) {
        *self.next.lock().unwrap() = Some(result);
    }
    fn load(&self, _root: &Path) -> Result<Backend, String> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.next
            .lock()
            .unwrap()
            .take()
            .unwrap_or_else(|| Err("no scripted result".into()))
    }
}

fn backend_tagged(tag: &str) -> Backend {
    Backend {
        custom_outputs: Some(json!({ "tag": tag })),
        ..Backend::default()
    }
}

struct Fixture {
    tmp: tempfile::TempDir,
    outputs_path: PathBuf,
    shared: Arc<Shared>,
    script: Arc<Script>,
    /// The generation being served when outputs were generated, per call.
    seen_generations: Arc<Mutex<Vec<Option<u64>>>>,
    reloader: Reloader,
}

async fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let outputs_path = tmp.path().join("web").join(outputs_file::OUTPUTS_FILE);
    let store = Store::open(&tmp.path().join("state")).await.unwrap();
    let shared = Shared::new();
    let script = Arc::new(Script::default());
    let seen_generations = Arc::new(Mutex::new(Vec::new()));
    let load: Arc<LoadFn> = {
        let script = script.clone();
        Arc::new(move |root: &Path| script.load(root))
    };
    let outputs: Arc<OutputsFn> = {
        let shared = shared.clone();
        let seen = seen_generations.clone();
        Arc::new(move |backend: &Backend, info: &ServerInfo| {
            seen.lock()
                .unwrap()
                .push(shared.current().map(|l| l.generation));
            let tag = backend
                .custom_outputs
                .as_ref()
                .and_then(|c| c.get("tag"))
                .cloned()
                .unwrap_or_default();
            if tag == "bad-outputs" {
                return Err("amplify_outputs.json: cannot describe this".into());
            }
            Ok(json!({
                "version": "1.4",
                "tag": tag,
                "origin": info.origin,
                "api_key": info.api_key,
                "instance_id": info.instance_id,
            }))
        })
    };
    let reloader = Reloader::new(
        ReloaderConfig {
            root: tmp.path().to_path_buf(),
            outputs_path: outputs_path.clone(),
            origin: "https://127.0.0.1:9".into(),
            ca_file: tmp.path().join("rootCA.pem"),
            outbox: Outbox::new(),
            sender: None,
            admin_credentials_path: tmp.path().join("state").join(ADMIN_CREDENTIALS_FILE),
            storage_root: tmp.path().join("state").join(STORAGE_DIR),
            functions_dir: tmp.path().join("state").join("functions"),
        },
        shared.clone(),
        store,
        load,
        outputs,
    )
    .await
    .unwrap();
    Fixture {
        tmp,
        outputs_path,
        shared,
        script,
        seen_generations,
        reloader,
    }
}

fn read_outputs(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[tokio::test]
async fn good_reload_writes_outputs_then_swaps() {
    let f = fixture().await;
    f.script.set(Ok(backend_tagged("one")));
    let Outcome::Loaded {
        live,
        outputs_written,
        ..
    } = f.reloader.reload().await
    else {
        panic!("expected a load");
    };
    assert_eq!(live.generation, 1);
    assert!(outputs_written);
    let written = read_outputs(&f.outputs_path);
    assert_eq!(written["tag"], "one");
    assert_eq!(written["origin"], "https://127.0.0.1:9");
    assert!(written["api_key"].as_str().unwrap().starts_with("da2-"));
    assert_eq!(*live.outputs, written);
    assert_eq!(f.shared.current().unwrap().generation, 1);

    f.script.set(Ok(backend_tagged("two")));
    let Outcome::Loaded { live, .. } = f.reloader.reload().await else {
        panic!("expected a load");
    };
    assert_eq!(live.generation, 2);
    assert_eq!(read_outputs(&f.outputs_path)["tag"], "two");
    // The API key is kept across reloads.
    assert_eq!(read_outputs(&f.outputs_path)["api_key"], written["api_key"]);
    // Outputs were generated while the previous generation was still the one served.
    assert_eq!(*f.seen_generations.lock().unwrap(), vec![None, Some(1)]);
    assert_eq!(f.script.calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn broken_definition_keeps_the_last_good_backend_and_outputs() {
    let f = fixture().await;
    f.script.set(Ok(backend_tagged("good")));
    f.reloader.reload().await;
    let before = std::fs::read_to_string(&f.outputs_path).unwrap();

    f.script
        .set(Err("amplify/data/resource.ts:4:12: Unexpected token".into()));
    let Outcome::Failed { error, serving, .. } = f.reloader.reload().await else {
        panic!("expected a failure");
    };
    assert_eq!(error, "amplify/data/resource.ts:4:12: Unexpected token");
    assert_eq!(serving, Some(1));
    assert_eq!(std::fs::read_to_string(&f.outputs_path).unwrap(), before);
    let live = f.shared.current().unwrap();
    assert_eq!(live.generation, 1);
    assert_eq!(live.outputs["tag"], "good");
    assert_eq!(f.shared.last_error().as_deref(), Some(error.as_str()));

    // Fixing it swaps in generation 2 and clears the error.
    f.script.set(Ok(backend_tagged("fixed")));
    let Outcome::Loaded { live, .. } = f.reloader.reload().await else {
        panic!("expected a load");
    };
    assert_eq!(live.generation, 2);
    assert_eq!(f.shared.last_error(), None);
}

#[tokio::test]
async fn outputs_failure_does_not_swap() {
    let f = fixture().await;
    f.script.set(Ok(backend_tagged("good")));
    f.reloader.reload().await;
    f.script.set(Ok(backend_tagged("bad-outputs")));
    let Outcome::Failed { error, serving, .. } = f.reloader.reload().await else {
        panic!("expected a failure");
    };
    assert!(error.contains("cannot describe"), "{error}");
    assert_eq!(serving, Some(1));
    assert_eq!(read_outputs(&f.outputs_path)["tag"], "good");
}

#[tokio::test]
async fn unwritable_outputs_do_not_swap() {
    let f = fixture().await;
    // Make the outputs path a directory: the write fails.
    std::fs::create_dir_all(&f.outputs_path).unwrap();
    f.script.set(Ok(backend_tagged("one")));
    let Outcome::Failed { error, serving, .. } = f.reloader.reload().await else {
        panic!("expected a failure");
    };
    assert!(error.contains("amplify_outputs.json"), "{error}");
    assert_eq!(serving, None);
    assert!(f.shared.current().is_none());
}

#[tokio::test]
async fn identical_outputs_are_not_rewritten_but_generation_advances() {
    let f = fixture().await;
    f.script.set(Ok(backend_tagged("same")));
    f.reloader.reload().await;
    let modified = std::fs::metadata(&f.outputs_path)
        .unwrap()
        .modified()
        .unwrap();
    f.script.set(Ok(backend_tagged("same")));
    let Outcome::Loaded {
        live,
        outputs_written,
        ..
    } = f.reloader.reload().await
    else {
        panic!("expected a load");
    };
    assert!(!outputs_written);
    assert_eq!(live.generation, 2);
    assert_eq!(
        std::fs::metadata(&f.outputs_path)
            .unwrap()
            .modified()
            .unwrap(),
        modified
    );
}

#[tokio::test]
async fn a_panicking_loader_is_a_failed_reload() {
    let tmp = tempfile::tempdir().unwrap();
    let store = Store::open(tmp.path()).await.unwrap();
    let shared = Shared::new();
    let reloader = Reloader::new(
        ReloaderConfig {
            root: tmp.path().to_path_buf(),
            outputs_path: tmp.path().join(outputs_file::OUTPUTS_FILE),
            origin: "https://127.0.0.1:9".into(),
            ca_file: tmp.path().join("rootCA.pem"),
            outbox: Outbox::new(),
            sender: None,
            admin_credentials_path: tmp.path().join("state").join(ADMIN_CREDENTIALS_FILE),
            storage_root: tmp.path().join("state").join(STORAGE_DIR),
            functions_dir: tmp.path().join("state").join("functions"),
        },
        shared.clone(),
        store,
        Arc::new(|_: &Path| -> Result<Backend, String> { panic!("boom") }),
        Arc::new(|_: &Backend, _: &ServerInfo| Ok(json!({}))),
    )
    .await
    .unwrap();
    let Outcome::Failed { error, .. } = reloader.reload().await else {
        panic!("expected a failure");
    };
    assert!(error.contains("loader crashed"), "{error}");
    assert!(shared.last_error().is_some());
}

#[test]
fn api_key_lifetime_follows_the_definition() {
    assert_eq!(
        api_key_ttl(&Backend::default()),
        Duration::from_secs(7 * 86_400)
    );
}

fn backend_with_auth(tag: &str) -> Backend {
    let props = json!({"loginWith": {"email": true}});
    Backend {
        auth: Some(stratus_spec::auth::AuthSpec::from_props(&props).unwrap()),
        ..backend_tagged(tag)
    }
}

#[tokio::test]
async fn define_auth_opens_the_user_pool_the_outputs_advertise_and_the_outbox_survives() {
    let f = fixture().await;
    f.script.set(Ok(backend_with_auth("one")));
    let Outcome::Loaded { live, .. } = f.reloader.reload().await else {
        panic!("expected a load");
    };
    let written = read_outputs(&f.outputs_path);
    let instance_id = written["instance_id"].as_str().unwrap();
    let auth = live.services.auth.clone().expect("no user pool opened");
    let config = auth.config();
    assert_eq!(
        config.user_pool_id,
        stratus_outputs::user_pool_id(instance_id)
    );
    assert_eq!(
        config.client_id,
        stratus_outputs::user_pool_client_id(instance_id)
    );
    assert_eq!(config.origin, "https://127.0.0.1:9");
    assert!(config.allow_user_password_auth);
    assert_eq!(
        config.identity_pool_id.as_deref(),
        Some(stratus_outputs::identity_pool_id(instance_id).as_str())
    );
    let admin: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(f.tmp.path().join("state").join(ADMIN_CREDENTIALS_FILE)).unwrap(),
    )
    .unwrap();
    assert_eq!(admin["userPoolId"], config.user_pool_id);
    assert_eq!(
        admin["accessKeyId"],
        auth.admin_credentials().await.unwrap().access_key_id
    );
    let outbox = live.services.outbox.clone().expect("no outbox");

    let sign_up = json!({
        "ClientId": config.client_id,
        "Username": "ada@example.com",
        "Password": "Passw0rd!",
        "UserAttributes": [{"Name": "email", "Value": "ada@example.com"}],
    })
    .to_string();
    auth.handle("SignUp", sign_up.as_bytes()).await.unwrap();
    assert_eq!(outbox.messages().len(), 1);

    // A broken definition keeps the last good generation, user pool included.
    f.script
        .set(Err("amplify/auth/resource.ts:1:1: boom".into()));
    let Outcome::Failed { serving, .. } = f.reloader.reload().await else {
        panic!("expected a failure");
    };
    assert_eq!(serving, Some(1));
    let current = f.shared.current().unwrap();
    assert_eq!(
        current.services.auth.as_ref().map(|a| a.issuer()),
        Some(auth.issuer())
    );

    // Without defineAuth nothing of it is served.
    f.script.set(Ok(backend_tagged("two")));
    let Outcome::Loaded { live, .. } = f.reloader.reload().await else {
        panic!("expected a load");
    };
    assert!(live.services.auth.is_none());
    assert!(live.services.outbox.is_none());

    // Back again: the same pool (users kept in the store) and the same outbox.
    f.script.set(Ok(backend_with_auth("three")));
    let Outcome::Loaded { live, .. } = f.reloader.reload().await else {
        panic!("expected a load");
    };
    assert_eq!(live.generation, 3);
    let again = live.services.auth.clone().unwrap();
    assert_eq!(again.issuer(), auth.issuer());
    assert_eq!(again.jwks(), auth.jwks());
    let taken = again
        .handle("SignUp", sign_up.as_bytes())
        .await
        .unwrap_err();
    assert_eq!(taken.name(), "UsernameExistsException");
    assert!(Arc::ptr_eq(&live.services.outbox.clone().unwrap(), &outbox));
    assert_eq!(outbox.messages().len(), 1);
}
