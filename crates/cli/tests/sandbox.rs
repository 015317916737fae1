//! The `stratus` binary end to end: `ca`, `sandbox` (serving, outputs, reload, broken edits,
//! `--once`, stopping) and `sandbox delete`, on a temp copy of a conformance fixture.
//!
//! Tests that need a loaded backend (outputs, reload) depend on `stratus-loader` and
//! `stratus-outputs`; the others (CA, TLS, plain HTTP, state, delete, signals) do not.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_stratus");
const IDENTIFIER: &str = "itest";
const TIMEOUT: Duration = Duration::from_secs(30);

fn fixture() -> PathBuf {
    let in_repo = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/fixtures/conformance/ex-todo-owner");
    if in_repo.join("amplify").is_dir() {
        return in_repo;
    }
    PathBuf::from("/work/shared/oracle/examples/todo-owner")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// A temp project (a copy of the fixture's `amplify/`) and a temp CA directory.
struct Project {
    dir: tempfile::TempDir,
    ca_dir: tempfile::TempDir,
}

impl Project {
    fn new() -> Project {
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&fixture().join("amplify"), &dir.path().join("amplify"));
        Project {
            dir,
            ca_dir: tempfile::tempdir().unwrap(),
        }
    }

    fn root(&self) -> &Path {
        self.dir.path()
    }

    fn outputs(&self) -> PathBuf {
        self.root().join("amplify_outputs.json")
    }

    fn resource(&self) -> PathBuf {
        self.root().join("amplify/data/resource.ts")
    }

    fn state_dir(&self) -> PathBuf {
        self.root().join(".amplify/stratus").join(IDENTIFIER)
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(BIN);
        command
            .args(args)
            .env("STRATUS_CA_DIR", self.ca_dir.path())
            .env_remove("RUST_LOG");
        command
    }

    fn ca_pem(&self) -> Vec<u8> {
        std::fs::read(self.ca_dir.path().join("rootCA.pem")).unwrap()
    }

    fn sandbox(&self, extra: &[&str]) -> Sandbox {
        let root = self.root().to_str().unwrap();
        let mut args = vec![
            "sandbox",
            "--dir",
            root,
            "--identifier",
            IDENTIFIER,
            "--port",
            "0",
        ];
        args.extend_from_slice(extra);
        let mut child = self
            .command(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let stderr = child.stderr.take().unwrap();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let mut sandbox = Sandbox {
            child,
            log,
            port: 0,
        };
        sandbox.wait_log("ready in");
        sandbox.port = sandbox.parse_port();
        sandbox
    }
}

struct Sandbox {
    child: Child,
    log: Arc<Mutex<String>>,
    port: u16,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Sandbox {
    fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    fn wait_log(&mut self, needle: &str) {
        let start = Instant::now();
        loop {
            if self.log().contains(needle) {
                return;
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                // Let the reader thread drain what is left.
                std::thread::sleep(Duration::from_millis(100));
                panic!(
                    "stratus exited ({status}) before logging {needle:?}:\n{}",
                    self.log()
                );
            }
            assert!(
                start.elapsed() < TIMEOUT,
                "no {needle:?} in the log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// From `  origin         https://127.0.0.1:PORT  (...)`, the first origin logged.
    fn parse_port(&self) -> u16 {
        let log = self.log();
        let marker = "https://127.0.0.1:";
        let at = log
            .find(marker)
            .unwrap_or_else(|| panic!("no origin line:\n{log}"));
        log[at + marker.len()..]
            .chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
            .parse()
            .unwrap()
    }

    async fn health(&self, client: &reqwest::Client, scheme: &str) -> (u16, Value) {
        let url = format!("{scheme}://127.0.0.1:{}/_stratus/health", self.port);
        let response = client.get(&url).send().await.unwrap();
        let status = response.status().as_u16();
        (status, response.json().await.unwrap())
    }
}

fn https_client(ca_pem: &[u8]) -> reqwest::Client {
    reqwest::Client::builder()
        .no_proxy()
        .tls_certs_only([reqwest::Certificate::from_pem(ca_pem).unwrap()])
        .build()
        .unwrap()
}

fn http_client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

async fn wait_until<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let start = Instant::now();
    while !check().await {
        assert!(start.elapsed() < TIMEOUT, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn read_outputs(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

/// Add a field to the first model of `data/resource.ts`.
fn add_field(resource: &Path, field: &str) {
    let text = std::fs::read_to_string(resource).unwrap();
    let changed = text.replacen(
        ".model({",
        &format!(".model({{\n      {field}: a.string(),"),
        1,
    );
    assert_ne!(changed, text, "no .model({{ in {}", resource.display());
    std::fs::write(resource, changed).unwrap();
}

// ---- independent of the loader -------------------------------------------------------------

#[test]
fn ca_path_creates_the_ca_once() {
    let project = Project::new();
    let run = |args: &[&str]| {
        let out = project.command(args).output().unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let printed = run(&["ca", "--path"]);
    let path = PathBuf::from(printed.trim_end());
    assert_eq!(path, project.ca_dir.path().join("rootCA.pem"));
    assert_eq!(printed, format!("{}\n", path.display()));
    let pem = std::fs::read_to_string(&path).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    assert_eq!(run(&["ca", "--path"]), printed);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), pem);

    let help = run(&["ca"]);
    assert!(help.contains(&path.display().to_string()), "{help}");
    assert!(help.contains("NODE_EXTRA_CA_CERTS="), "{help}");
    assert!(help.contains("update-ca-certificates"), "{help}");
}

#[tokio::test]
async fn serves_health_over_https_trusting_our_ca_and_over_plain_http() {
    let project = Project::new();
    let sandbox = project.sandbox(&[]);
    assert_ne!(sandbox.port, 0);
    let (status, body) = sandbox
        .health(&https_client(&project.ca_pem()), "https")
        .await;
    assert!(status == 200 || status == 503, "{status} {body}");
    assert!(body["generation"].is_u64(), "{body}");
    let (_, plain) = sandbox.health(&http_client(), "http").await;
    assert_eq!(plain["generation"], body["generation"]);

    // Unknown paths are JSON errors, and requests are logged compactly.
    let response = http_client()
        .get(format!("http://127.0.0.1:{}/nope?secret=1", sandbox.port))
        .send()
        .await
        .unwrap();
    assert!(matches!(response.status().as_u16(), 404 | 503));
    let body: Value = response.json().await.unwrap();
    assert!(body["message"].is_string(), "{body}");
    let mut sandbox = sandbox;
    sandbox.wait_log("GET /nope ");
    assert!(!sandbox.log().contains("secret=1"), "query logged");
    assert!(sandbox.log().contains("GET /_stratus/health "));
}

#[test]
fn sandbox_state_is_created_and_delete_removes_it() {
    let project = Project::new();
    let sandbox = project.sandbox(&[]);
    assert!(project.state_dir().join("stratus.db").is_file());
    drop(sandbox);

    let root = project.root().to_str().unwrap();
    let delete = |extra: &[&str]| {
        let mut args = vec![
            "sandbox",
            "delete",
            "--dir",
            root,
            "--identifier",
            IDENTIFIER,
        ];
        args.extend_from_slice(extra);
        let out = project.command(&args).output().unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stdout).unwrap()
    };
    let said = delete(&["--yes"]);
    assert!(said.contains("deleted"), "{said}");
    assert!(!project.state_dir().exists());
    assert!(project.root().join("amplify").is_dir(), "deleted too much");
    let said = delete(&[]);
    assert!(said.contains("nothing to delete"), "{said}");
}

#[cfg(unix)]
#[test]
fn interrupt_stops_the_sandbox_cleanly() {
    let project = Project::new();
    let mut sandbox = project.sandbox(&[]);
    let pid = sandbox.child.id().to_string();
    let status = Command::new("kill").args(["-INT", &pid]).status().unwrap();
    assert!(status.success());
    let start = Instant::now();
    let exit = loop {
        if let Some(exit) = sandbox.child.try_wait().unwrap() {
            break exit;
        }
        assert!(start.elapsed() < TIMEOUT, "still running after SIGINT");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "{exit}");
    sandbox.wait_log("stopped");
}

#[test]
fn a_folder_without_amplify_is_refused() {
    let empty = tempfile::tempdir().unwrap();
    let project = Project::new();
    let out = project
        .command(&["sandbox", "--dir", empty.path().to_str().unwrap(), "--once"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(stderr.contains("has no amplify/ folder"), "{stderr}");
}

// ---- need the loader and the outputs generator ---------------------------------------------

#[test]
fn once_writes_outputs_and_exits() {
    let project = Project::new();
    let out_dir = project.root().join("web/src");
    let out = project
        .command(&[
            "sandbox",
            "--dir",
            project.root().to_str().unwrap(),
            "--identifier",
            IDENTIFIER,
            "--port",
            "0",
            "--outputs-out-dir",
            out_dir.to_str().unwrap(),
            "--once",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    let outputs = read_outputs(&out_dir.join("amplify_outputs.json"));
    assert!(outputs["version"].is_string(), "{outputs}");
    assert!(!project.outputs().exists(), "written to ROOT too");
}

#[tokio::test]
async fn writes_outputs_and_reloads_on_save() {
    let project = Project::new();
    let mut sandbox = project.sandbox(&[]);
    let client = https_client(&project.ca_pem());
    let (status, body) = sandbox.health(&client, "https").await;
    assert_eq!(status, 200, "{body}\n{}", sandbox.log());
    assert_eq!(body["status"], "ok");
    assert_eq!(body["generation"], 1);
    assert_eq!(body["services"], serde_json::json!(["auth", "data"]));
    let before = std::fs::read_to_string(project.outputs()).unwrap();
    let served: Value = client
        .get(format!(
            "https://127.0.0.1:{}/_stratus/outputs",
            sandbox.port
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(served, serde_json::from_str::<Value>(&before).unwrap());

    add_field(&project.resource(), "extraNote");
    wait_until("generation 2", || async {
        sandbox.health(&client, "https").await.1["generation"] == 2
    })
    .await;
    let after = std::fs::read_to_string(project.outputs()).unwrap();
    assert_ne!(after, before);
    assert!(after.contains("extraNote"), "{after}");
    sandbox.wait_log("reloaded in");
}

#[tokio::test]
async fn broken_edit_keeps_serving_and_reports_file_and_line() {
    let project = Project::new();
    let mut sandbox = project.sandbox(&[]);
    let client = http_client();
    assert_eq!(
        sandbox.health(&client, "http").await.1["generation"],
        1,
        "{}",
        sandbox.log()
    );
    let before = std::fs::read_to_string(project.outputs()).unwrap();

    let resource = project.resource();
    let text = std::fs::read_to_string(&resource).unwrap();
    let line = text
        .lines()
        .position(|l| l.contains("priority: a.integer(),"))
        .expect("fixture changed")
        + 1;
    std::fs::write(
        &resource,
        text.replace("priority: a.integer(),", "priority: a.integer(,"),
    )
    .unwrap();
    sandbox.wait_log(&format!("amplify/data/resource.ts:{line}:"));
    sandbox.wait_log("still serving generation 1");
    let (status, body) = sandbox.health(&client, "http").await;
    assert_eq!(status, 200);
    assert_eq!(body["generation"], 1);
    assert!(
        body["error"]
            .as_str()
            .is_some_and(|e| e.contains("resource.ts")),
        "{body}"
    );
    assert_eq!(std::fs::read_to_string(project.outputs()).unwrap(), before);

    std::fs::write(&resource, &text).unwrap();
    wait_until("generation 2 after the fix", || async {
        let body = sandbox.health(&client, "http").await.1;
        body["generation"] == 2 && body["error"].is_null()
    })
    .await;
}

// ---- the user pool of defineAuth -------------------------------------------------------------

/// The decoded JSON of a JWT segment (base64url without padding).
fn jwt_part(token: &str, index: usize) -> Value {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let segment = token.split('.').nth(index).unwrap();
    let mut bytes = Vec::new();
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in segment.bytes() {
        let value = ALPHABET.iter().position(|&a| a == c).unwrap();
        acc = (acc << 6) | u32::try_from(value).unwrap();
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            bytes.push(u8::try_from((acc >> bits) & 0xff).unwrap());
        }
    }
    serde_json::from_slice(&bytes).unwrap()
}

async fn cognito(
    client: &reqwest::Client,
    endpoint: &str,
    action: &str,
    body: Value,
) -> (u16, Value) {
    let response = client
        .post(endpoint)
        .header("content-type", "application/x-amz-json-1.1")
        .header(
            "x-amz-target",
            format!("AWSCognitoIdentityProviderService.{action}"),
        )
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    let status = response.status().as_u16();
    (status, response.json().await.unwrap())
}

#[tokio::test]
async fn serves_the_user_pool_the_outputs_advertise_across_reloads() {
    let project = Project::new();
    let mut sandbox = project.sandbox(&[]);
    let client = https_client(&project.ca_pem());
    let outputs = read_outputs(&project.outputs());
    let origin = format!("https://127.0.0.1:{}", sandbox.port);
    let pool_id = outputs["auth"]["user_pool_id"].as_str().unwrap().to_owned();
    let client_id = outputs["auth"]["user_pool_client_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let endpoint = outputs["custom"]["stratus"]["user_pool_endpoint"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(endpoint, format!("{origin}/cognito-idp"));
    let jwks_url = format!("{origin}/{pool_id}/.well-known/jwks.json");
    // The banner announces what is really served.
    let log = sandbox.log();
    assert!(log.contains(&format!("user_pool      {endpoint}")), "{log}");
    assert!(log.contains(&format!("jwks           {jwks_url}")), "{log}");
    assert!(
        log.contains(&format!("outbox         {origin}/_stratus/outbox")),
        "{log}"
    );
    assert!(
        log.contains(&format!("identity_pool  {origin}/cognito-identity")),
        "{log}"
    );
    // The admin key for SigV4-signed admin actions, readable by its owner only.
    let admin_file = project.state_dir().join("admin-credentials.json");
    let admin = read_outputs(&admin_file);
    assert_eq!(admin["userPoolId"], pool_id);
    assert_eq!(admin["userPoolEndpoint"], endpoint);
    assert_eq!(admin["accessKeyId"].as_str().unwrap().len(), 20);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&admin_file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let email = "ada@example.com";
    let (status, body) = cognito(
        &client,
        &endpoint,
        "SignUp",
        serde_json::json!({
            "ClientId": client_id,
            "Username": email,
            "Password": "Passw0rd!",
            "UserAttributes": [{"Name": "email", "Value": email}],
        }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["UserConfirmed"], false);
    assert_eq!(body["CodeDeliveryDetails"]["DeliveryMedium"], "EMAIL");
    let sub = body["UserSub"].as_str().unwrap().to_owned();

    // A wrong client id is refused as Cognito refuses it.
    let (status, body) = cognito(
        &client,
        &endpoint,
        "SignUp",
        serde_json::json!({"ClientId": "nope", "Username": "x@example.com", "Password": "Passw0rd!"}),
    )
    .await;
    assert_eq!(status, 400, "{body}");
    assert!(
        body["__type"].as_str().unwrap().ends_with("Exception"),
        "{body}"
    );

    let outbox_url = format!("{origin}/_stratus/outbox?to={email}");
    let outbox = |client: reqwest::Client, url: String| async move {
        client
            .get(url)
            .send()
            .await
            .unwrap()
            .json::<Value>()
            .await
            .unwrap()
    };
    let messages = outbox(client.clone(), outbox_url.clone()).await;
    assert_eq!(messages.as_array().unwrap().len(), 1, "{messages}");
    let code = messages[0]["code"].as_str().unwrap().to_owned();
    sandbox.wait_log(&code); // printed in the terminal too

    // A reload keeps the outbox, the users and the signing key.
    let jwks: Value = client
        .get(&jwks_url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    add_field(&project.resource(), "extraNote");
    wait_until("generation 2", || async {
        sandbox.health(&client, "https").await.1["generation"] == 2
    })
    .await;
    assert_eq!(outbox(client.clone(), outbox_url).await, messages);
    let (status, body) = cognito(
        &client,
        &endpoint,
        "ConfirmSignUp",
        serde_json::json!({"ClientId": client_id, "Username": email, "ConfirmationCode": code}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let (status, body) = cognito(
        &client,
        &endpoint,
        "InitiateAuth",
        serde_json::json!({
            "ClientId": client_id,
            "AuthFlow": "USER_PASSWORD_AUTH",
            "AuthParameters": {"USERNAME": email, "PASSWORD": "Passw0rd!"},
        }),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    let id_token = body["AuthenticationResult"]["IdToken"].as_str().unwrap();
    let header = jwt_part(id_token, 0);
    let claims = jwt_part(id_token, 1);
    assert_eq!(header["alg"], "RS256");
    assert_eq!(claims["iss"], format!("{origin}/{pool_id}"));
    assert_eq!(claims["aud"], client_id);
    assert_eq!(claims["sub"], sub);

    let jwks_after: Value = client
        .get(&jwks_url)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(jwks_after, jwks);
    let keys = jwks["keys"].as_array().unwrap();
    assert!(
        keys.iter()
            .any(|k| k["kid"] == header["kid"] && k["kty"] == "RSA"),
        "{jwks}"
    );
}
