//! Sandbox secrets: the values of `secret('NAME')`, as `ampx sandbox secret set|get|list|remove`
//! keeps them in SSM per sandbox. Here they live in the sandbox's state directory
//! (`.amplify/stratus/<identifier>/secrets.json`, mode 0600, written atomically), each with a
//! version (1 on creation, +1 on every `set`, as an SSM parameter's) and its `lastUpdated`
//! time. A running sandbox watches the file and reloads when it changes.

use std::collections::BTreeMap;
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use serde::{Deserialize, Serialize};

use crate::args::{SecretAction, SecretArgs, SecretRemoveArgs};
use crate::identity;
use crate::outputs_file;

/// The secrets file in the state directory.
pub const SECRETS_FILE: &str = "secrets.json";

/// One secret as stored (and as `get` prints it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Secret {
    pub value: String,
    pub version: u64,
    #[serde(rename = "lastUpdated")]
    pub last_updated: String,
}

/// The secrets of one sandbox.
#[derive(Debug, Clone)]
pub struct SecretStore {
    path: PathBuf,
}

/// SSM parameter names: letters, digits and `_ . -` (the secret's name is the path's last part).
pub fn validate_name(name: &str) -> anyhow::Result<()> {
    if name.is_empty() || name.len() > 1011 {
        bail!("secret name {name:?} must have 1 to 1011 characters");
    }
    if let Some(c) = name
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-')))
    {
        bail!("secret name {name:?} has {c:?}: use letters, digits, '_', '.' and '-'");
    }
    Ok(())
}

impl SecretStore {
    pub fn new(path: impl Into<PathBuf>) -> Self {
        SecretStore { path: path.into() }
    }

    /// The store of sandbox `identifier` of the project at `root`.
    pub fn of_sandbox(root: &Path, identifier: &str) -> Self {
        SecretStore::new(identity::state_dir(root, identifier).join(SECRETS_FILE))
    }

    #[cfg(test)]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Every secret (none when the file does not exist).
    pub fn all(&self) -> anyhow::Result<BTreeMap<String, Secret>> {
        match std::fs::read_to_string(&self.path) {
            Ok(text) => serde_json::from_str(&text)
                .with_context(|| format!("{} is not a secrets file", self.path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(BTreeMap::new()),
            Err(e) => Err(e).with_context(|| format!("reading {}", self.path.display())),
        }
    }

    /// Name → value, what `RuntimeConfig::secrets` takes.
    pub fn values(&self) -> anyhow::Result<BTreeMap<String, String>> {
        Ok(self
            .all()?
            .into_iter()
            .map(|(name, secret)| (name, secret.value))
            .collect())
    }

    fn write(&self, secrets: &BTreeMap<String, Secret>) -> anyhow::Result<()> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        let text = serde_json::to_string_pretty(secrets)? + "\n";
        outputs_file::write_private_if_changed(&self.path, &text)?;
        Ok(())
    }

    /// Sets `name` to `value`; returns its new version.
    pub fn set(&self, name: &str, value: &str) -> anyhow::Result<u64> {
        validate_name(name)?;
        let mut secrets = self.all()?;
        let version = secrets.get(name).map_or(1, |s| s.version + 1);
        secrets.insert(
            name.to_string(),
            Secret {
                value: value.to_string(),
                version,
                last_updated: chrono::Utc::now()
                    .to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            },
        );
        self.write(&secrets)?;
        Ok(version)
    }

    pub fn get(&self, name: &str) -> anyhow::Result<Option<Secret>> {
        Ok(self.all()?.remove(name))
    }

    /// Removes `name`; false when it was not set.
    pub fn remove(&self, name: &str) -> anyhow::Result<bool> {
        let mut secrets = self.all()?;
        if secrets.remove(name).is_none() {
            return Ok(false);
        }
        self.write(&secrets)?;
        Ok(true)
    }

    /// Removes every secret; returns their names.
    pub fn remove_all(&self) -> anyhow::Result<Vec<String>> {
        let secrets = self.all()?;
        let names = secrets.keys().cloned().collect();
        if !secrets.is_empty() {
            self.write(&BTreeMap::new())?;
        }
        Ok(names)
    }
}

/// The value to set: typed at a prompt without echo on a terminal, else all of standard input
/// (one trailing newline removed). Empty values are refused, as ampx's prompt refuses them.
fn read_value() -> anyhow::Result<String> {
    let stdin = std::io::stdin();
    let value = if stdin.is_terminal() {
        eprint!("? Enter secret value ");
        std::io::stderr().flush().ok();
        let _echo = EchoOff::new();
        let mut line = String::new();
        stdin.read_line(&mut line)?;
        eprintln!();
        line
    } else {
        let mut all = String::new();
        stdin
            .lock()
            .read_to_string(&mut all)
            .context("reading the secret value from standard input")?;
        all
    };
    let value = value
        .strip_suffix('\n')
        .map(|v| v.strip_suffix('\r').unwrap_or(v))
        .unwrap_or(&value)
        .to_string();
    if value.is_empty() {
        bail!("Cannot be empty: the secret value");
    }
    Ok(value)
}

/// Terminal echo off until dropped.
struct EchoOff {
    #[cfg(unix)]
    saved: Option<libc::termios>,
}

impl EchoOff {
    fn new() -> EchoOff {
        #[cfg(unix)]
        {
            // SAFETY: tcgetattr/tcsetattr on stdin with a zeroed termios they fill.
            unsafe {
                let mut t: libc::termios = std::mem::zeroed();
                if libc::tcgetattr(libc::STDIN_FILENO, &mut t) != 0 {
                    return EchoOff { saved: None };
                }
                let saved = t;
                t.c_lflag &= !libc::ECHO;
                t.c_lflag |= libc::ECHONL;
                libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &t);
                EchoOff { saved: Some(saved) }
            }
        }
        #[cfg(not(unix))]
        EchoOff {}
    }
}

impl Drop for EchoOff {
    fn drop(&mut self) {
        #[cfg(unix)]
        if let Some(saved) = &self.saved {
            // SAFETY: restores the attributes read in `new`.
            unsafe {
                libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, saved);
            }
        }
    }
}

/// Watches a secrets file until dropped.
pub struct SecretsWatcher {
    _debouncer: notify_debouncer_full::Debouncer<
        notify::RecommendedWatcher,
        notify_debouncer_full::RecommendedCache,
    >,
}

/// Sends `[path]` on `changes` whenever the secrets file at `path` is created, replaced or
/// removed (its directory is watched, not recursively; the directory is created if missing).
pub fn watch(
    path: &Path,
    changes: tokio::sync::mpsc::UnboundedSender<Vec<PathBuf>>,
) -> anyhow::Result<SecretsWatcher> {
    let dir = path
        .parent()
        .context("the secrets file has no directory")?
        .to_path_buf();
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    let name = path.file_name().map(|n| n.to_os_string());
    let file = path.to_path_buf();
    let mut debouncer = notify_debouncer_full::new_debouncer(
        crate::watch::DEBOUNCE,
        None,
        move |result: notify_debouncer_full::DebounceEventResult| {
            let Ok(events) = result else { return };
            let touched = events.iter().any(|e| {
                (e.kind.is_create() || e.kind.is_modify() || e.kind.is_remove())
                    && e.paths.iter().any(|p| p.file_name() == name.as_deref())
            });
            if touched {
                // The receiver is gone only while shutting down.
                let _ = changes.send(vec![file.clone()]);
            }
        },
    )?;
    debouncer.watch(&dir, notify::RecursiveMode::NonRecursive)?;
    Ok(SecretsWatcher {
        _debouncer: debouncer,
    })
}

fn store_for(args: &SecretArgs) -> anyhow::Result<(SecretStore, String)> {
    let root = identity::project_root(&args.dir.dir)?;
    let identifier = identity::identifier(args.identifier.as_deref())?;
    Ok((SecretStore::of_sandbox(&root, &identifier), identifier))
}

/// `stratus sandbox secret ...`.
pub fn command(action: &SecretAction) -> anyhow::Result<ExitCode> {
    match action {
        SecretAction::Set(a) => {
            validate_name(&a.name)?;
            let (store, identifier) = store_for(&a.sandbox)?;
            let value = read_value()?;
            let version = store.set(&a.name, &value)?;
            eprintln!(
                "Secret {} set for sandbox \"{identifier}\" (version {version}); a running sandbox reloads with it.",
                a.name
            );
            Ok(ExitCode::SUCCESS)
        }
        SecretAction::Get(a) => {
            let (store, identifier) = store_for(&a.sandbox)?;
            let Some(secret) = store.get(&a.name)? else {
                bail!(
                    "sandbox \"{identifier}\" has no secret {} (set it with: stratus sandbox secret set {})",
                    a.name,
                    a.name
                );
            };
            println!(
                "name: {}\nversion: {}\nvalue: {}\nlastUpdated: {}",
                a.name, secret.version, secret.value, secret.last_updated
            );
            Ok(ExitCode::SUCCESS)
        }
        SecretAction::List(a) => {
            let (store, _) = store_for(a)?;
            let secrets = store.all()?;
            if secrets.is_empty() {
                println!(
                    "No sandbox secrets found. To create a secret use stratus sandbox secret set <secret-name>."
                );
            } else {
                for name in secrets.keys() {
                    println!(" - {name}");
                }
            }
            println!();
            Ok(ExitCode::SUCCESS)
        }
        SecretAction::Remove(a) => remove(a),
    }
}

fn remove(a: &SecretRemoveArgs) -> anyhow::Result<ExitCode> {
    let (store, identifier) = store_for(&a.sandbox)?;
    match (&a.name, a.all) {
        (Some(_), true) => bail!("give a secret name or --all, not both"),
        (None, false) => bail!("give the name of the secret to remove, or --all"),
        (None, true) => {
            let names = store.remove_all()?;
            eprintln!(
                "Removed {} secret(s) of sandbox \"{identifier}\"{}",
                names.len(),
                if names.is_empty() {
                    String::new()
                } else {
                    format!(": {}", names.join(", "))
                }
            );
        }
        (Some(name), false) => {
            if !store.remove(name)? {
                bail!("sandbox \"{identifier}\" has no secret {name}");
            }
            eprintln!("Secret {name} removed from sandbox \"{identifier}\".");
        }
    }
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn set_get_list_remove_with_versions_and_mode() {
        let tmp = tempfile::tempdir().unwrap();
        let store = SecretStore::of_sandbox(tmp.path(), "me");
        assert_eq!(
            store.path(),
            tmp.path().join(".amplify/stratus/me/secrets.json")
        );
        assert!(store.all().unwrap().is_empty());
        assert_eq!(store.set("API_KEY", "one").unwrap(), 1);
        assert_eq!(store.set("API_KEY", "two").unwrap(), 2);
        assert_eq!(store.set("OTHER", "x y\nz").unwrap(), 1);
        let got = store.get("API_KEY").unwrap().unwrap();
        assert_eq!((got.value.as_str(), got.version), ("two", 2));
        assert!(got.last_updated.ends_with('Z'), "{}", got.last_updated);
        assert_eq!(
            store.values().unwrap(),
            BTreeMap::from([
                ("API_KEY".to_string(), "two".to_string()),
                ("OTHER".to_string(), "x y\nz".to_string())
            ])
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(store.path())
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(store.remove("API_KEY").unwrap());
        assert!(!store.remove("API_KEY").unwrap());
        assert_eq!(store.remove_all().unwrap(), ["OTHER"]);
        assert!(store.values().unwrap().is_empty());
    }

    #[test]
    fn names_are_ssm_parameter_names() {
        for ok in ["API_KEY", "a.b-c_1"] {
            validate_name(ok).unwrap();
        }
        for bad in ["", "a b", "a/b", "é"] {
            assert!(validate_name(bad).is_err(), "{bad:?}");
        }
    }

    #[tokio::test]
    async fn the_watcher_reports_changes_of_the_secrets_file_only() {
        let tmp = tempfile::tempdir().unwrap();
        let store = SecretStore::of_sandbox(tmp.path(), "me");
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        let _watcher = watch(store.path(), tx).unwrap();
        let quiet = std::time::Duration::from_millis(400);
        // Other files of the state directory (the database) do not count.
        std::fs::write(store.path().with_file_name("stratus.db"), "x").unwrap();
        assert!(tokio::time::timeout(quiet, rx.recv()).await.is_err());
        store.set("API_KEY", "v").unwrap();
        let changed = tokio::time::timeout(std::time::Duration::from_secs(5), rx.recv())
            .await
            .expect("the set is reported")
            .unwrap();
        assert_eq!(changed, vec![store.path().to_path_buf()]);
        store.remove("API_KEY").unwrap();
        tokio::time::timeout(std::time::Duration::from_secs(5), rx.recv())
            .await
            .expect("the removal is reported")
            .unwrap();
    }

    #[test]
    fn a_damaged_file_is_an_error_not_an_empty_store() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join(SECRETS_FILE);
        std::fs::write(&path, "{not json").unwrap();
        let err = SecretStore::new(&path).values().unwrap_err();
        assert!(
            format!("{err:#}").contains("is not a secrets file"),
            "{err:#}"
        );
    }
}
