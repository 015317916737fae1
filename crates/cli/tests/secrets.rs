//! `stratus sandbox secret set|get|list|remove` as a user runs them (the value on standard
//! input, as a script pipes it), per sandbox identifier, and a running sandbox reloading when a
//! secret changes without any file of amplify/ being saved.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_stratus");

fn stratus(root: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .arg("--dir")
        .arg(root)
        .env_remove("RUST_LOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    if let Some(text) = stdin {
        input.write_all(text.as_bytes()).unwrap();
    }
    drop(input);
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn secret(root: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut all = vec!["sandbox", "secret"];
    all.extend_from_slice(args);
    stratus(root, &all, stdin)
}

fn ok(output: Output) -> String {
    assert!(
        output.status.success(),
        "failed ({}): {}",
        output.status,
        text(&output.stderr)
    );
    text(&output.stdout)
}

#[test]
fn set_get_list_remove_per_sandbox() {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let file = root.join(".amplify/stratus/itest/secrets.json");

    // Nothing yet.
    assert_eq!(
        ok(secret(root, &["list", "--identifier", "itest"], None)),
        "No sandbox secrets found. To create a secret use stratus sandbox secret set <secret-name>.\n\n"
    );

    // set reads the value from standard input (one trailing newline dropped).
    let out = secret(
        root,
        &["set", "API_KEY", "--identifier", "itest"],
        Some("s3cr3t value\n"),
    );
    ok(out);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600, "readable by its owner only");
    }
    let get = ok(secret(
        root,
        &["get", "API_KEY", "--identifier", "itest"],
        None,
    ));
    let lines: Vec<&str> = get.lines().collect();
    assert_eq!(
        lines[..3],
        ["name: API_KEY", "version: 1", "value: s3cr3t value"]
    );
    assert!(lines[3].starts_with("lastUpdated: 20"), "{get}");
    assert_eq!(lines.len(), 4);

    // set again: a new version; a second secret; list names them.
    ok(secret(
        root,
        &["set", "API_KEY", "--identifier", "itest"],
        Some("v2"),
    ));
    ok(secret(
        root,
        &["set", "OTHER", "--identifier", "itest"],
        Some("o\n"),
    ));
    let get = ok(secret(
        root,
        &["get", "API_KEY", "--identifier", "itest"],
        None,
    ));
    assert!(get.contains("version: 2\nvalue: v2\n"), "{get}");
    assert_eq!(
        ok(secret(root, &["list", "--identifier", "itest"], None)),
        " - API_KEY\n - OTHER\n\n"
    );

    // Another sandbox of the same project has its own secrets.
    assert!(
        ok(secret(root, &["list", "--identifier", "other"], None))
            .starts_with("No sandbox secrets found")
    );
    let missing = secret(root, &["get", "API_KEY", "--identifier", "other"], None);
    assert!(!missing.status.success());
    assert!(
        text(&missing.stderr).contains("stratus sandbox secret set API_KEY"),
        "{}",
        text(&missing.stderr)
    );

    // Refused: an empty value, a name SSM would refuse, remove without a name or with both.
    let empty = secret(root, &["set", "EMPTY", "--identifier", "itest"], Some("\n"));
    assert!(!empty.status.success());
    assert!(
        text(&empty.stderr).contains("Cannot be empty"),
        "{}",
        text(&empty.stderr)
    );
    let bad = secret(root, &["set", "a b", "--identifier", "itest"], Some("x"));
    assert!(!bad.status.success());
    assert!(
        !secret(root, &["remove", "--identifier", "itest"], None)
            .status
            .success()
    );
    assert!(
        !secret(
            root,
            &["remove", "A", "--all", "--identifier", "itest"],
            None
        )
        .status
        .success()
    );
    let stored: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    assert_eq!(
        stored.as_object().unwrap().keys().collect::<Vec<_>>(),
        ["API_KEY", "OTHER"],
        "refused commands change nothing"
    );

    // remove one, then the rest.
    ok(secret(
        root,
        &["remove", "API_KEY", "--identifier", "itest"],
        None,
    ));
    assert!(
        !secret(root, &["remove", "API_KEY", "--identifier", "itest"], None)
            .status
            .success()
    );
    assert_eq!(
        ok(secret(root, &["list", "--identifier", "itest"], None)),
        " - OTHER\n\n"
    );
    ok(secret(
        root,
        &["remove", "--all", "--identifier", "itest"],
        None,
    ));
    assert!(
        ok(secret(root, &["list", "--identifier", "itest"], None))
            .starts_with("No sandbox secrets found")
    );
}

#[test]
fn a_running_sandbox_reloads_when_a_secret_changes() {
    let tmp = tempfile::tempdir().unwrap();
    let ca = tempfile::tempdir().unwrap();
    let root = tmp.path();
    let write = |rel: &str, body: &str| {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, body).unwrap();
    };
    write(
        "amplify/functions/hello/resource.ts",
        "import { defineFunction, secret } from '@aws-amplify/backend';\n\
         export const hello = defineFunction({ name: 'hello', environment: { API_KEY: secret('API_KEY') } });\n",
    );
    write(
        "amplify/functions/hello/handler.ts",
        "export const handler = async () => process.env.API_KEY;\n",
    );
    write(
        "amplify/backend.ts",
        "import { defineBackend } from '@aws-amplify/backend';\n\
         import { hello } from './functions/hello/resource';\n\
         defineBackend({ hello });\n",
    );
    let mut child = Command::new(BIN)
        .args(["sandbox", "--identifier", "itest", "--port", "0", "--dir"])
        .arg(root)
        .env("STRATUS_CA_DIR", ca.path())
        .env_remove("RUST_LOG")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let log = Arc::new(Mutex::new(String::new()));
    let sink = log.clone();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines() {
            let Ok(line) = line else { break };
            let mut log = sink.lock().unwrap();
            log.push_str(&line);
            log.push('\n');
        }
    });
    let wait = |needle: &str| {
        let start = Instant::now();
        while !log.lock().unwrap().contains(needle) {
            assert!(
                start.elapsed() < Duration::from_secs(30),
                "no {needle:?} in the log:\n{}",
                log.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    wait("ready in");
    assert!(!log.lock().unwrap().contains("generation 2"));

    ok(secret(
        root,
        &["set", "API_KEY", "--identifier", "itest"],
        Some("v1"),
    ));
    wait("changed: .amplify/stratus/itest/secrets.json");
    wait("generation 2");
    ok(secret(
        root,
        &["remove", "API_KEY", "--identifier", "itest"],
        None,
    ));
    wait("generation 3");

    let _ = child.kill();
    let _ = child.wait();
}
