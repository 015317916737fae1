//! Which project and which sandbox: the root folder, the identifier, the state directory.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

/// Longest identifier kept (what ampx keeps of the name in a stack name).
const MAX_IDENTIFIER: usize = 50;
/// Used when no user name can be found.
const FALLBACK_IDENTIFIER: &str = "sandbox";

/// The project root as an absolute path; it must exist.
pub fn project_root(dir: &Path) -> anyhow::Result<PathBuf> {
    dir.canonicalize()
        .with_context(|| format!("project folder {}", dir.display()))
}

/// The sandbox identifier: `--identifier` or the OS user name, with everything but ASCII
/// letters and digits removed and cut to 50 characters (as ampx does for stack names).
pub fn identifier(explicit: Option<&str>) -> anyhow::Result<String> {
    match explicit {
        Some(name) => {
            let clean = sanitize(name);
            if clean.is_empty() {
                bail!("--identifier {name:?} has no letters or digits");
            }
            Ok(clean)
        }
        None => {
            let clean = os_user_name().map(|n| sanitize(&n)).unwrap_or_default();
            Ok(if clean.is_empty() {
                FALLBACK_IDENTIFIER.to_owned()
            } else {
                clean
            })
        }
    }
}

/// `ROOT/.amplify/stratus/<identifier>/`
pub fn state_dir(root: &Path, identifier: &str) -> PathBuf {
    root.join(".amplify").join("stratus").join(identifier)
}

pub fn sanitize(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .take(MAX_IDENTIFIER)
        .collect()
}

fn os_user_name() -> Option<String> {
    for var in ["USER", "LOGNAME", "USERNAME"] {
        if let Some(name) = std::env::var(var).ok().filter(|n| !n.is_empty()) {
            return Some(name);
        }
    }
    passwd_name()
}

/// The name of the process's user from /etc/passwd (containers often have no USER variable).
#[cfg(target_os = "linux")]
fn passwd_name() -> Option<String> {
    use std::os::unix::fs::MetadataExt;
    // /proc/self belongs to the process's (effective) user.
    let uid = std::fs::metadata("/proc/self").ok()?.uid();
    let passwd = std::fs::read_to_string("/etc/passwd").ok()?;
    name_for_uid(&passwd, uid)
}

#[cfg(not(target_os = "linux"))]
fn passwd_name() -> Option<String> {
    None
}

#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
fn name_for_uid(passwd: &str, uid: u32) -> Option<String> {
    passwd.lines().find_map(|line| {
        let mut fields = line.split(':');
        let name = fields.next()?;
        let _password = fields.next()?;
        let line_uid: u32 = fields.next()?.parse().ok()?;
        (line_uid == uid && !name.is_empty()).then(|| name.to_owned())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitizes_like_ampx() {
        assert_eq!(sanitize("jane.doe-2"), "janedoe2");
        assert_eq!(sanitize("Zoë"), "Zo");
        assert_eq!(sanitize(&"a".repeat(60)).len(), 50);
        assert_eq!(identifier(Some("my-box")).unwrap(), "mybox");
        assert!(identifier(Some("--")).is_err());
    }

    #[test]
    fn default_identifier_is_never_empty() {
        let id = identifier(None).unwrap();
        assert!(!id.is_empty());
        assert!(id.chars().all(|c| c.is_ascii_alphanumeric()));
    }

    #[test]
    fn state_dir_layout() {
        assert_eq!(
            state_dir(Path::new("/p"), "me"),
            PathBuf::from("/p/.amplify/stratus/me")
        );
    }

    #[test]
    fn passwd_lookup() {
        let passwd = "root:x:0:0:root:/root:/bin/bash\n# comment\nbad line\njane:x:1000:1000::/home/jane:/bin/sh\n";
        assert_eq!(name_for_uid(passwd, 0).as_deref(), Some("root"));
        assert_eq!(name_for_uid(passwd, 1000).as_deref(), Some("jane"));
        assert_eq!(name_for_uid(passwd, 5), None);
    }
}
