//! Writing `amplify_outputs.json`: atomically (temp file + rename, so a frontend dev server
//! never reads half a file) and only when the content changed (so it is not reloaded for
//! nothing).

use std::io::Write;
use std::path::{Path, PathBuf};

/// The file name ampx writes.
pub const OUTPUTS_FILE: &str = "amplify_outputs.json";

#[derive(Debug, thiserror::Error)]
#[error("cannot write {path}: {source}")]
pub struct WriteError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// The text ampx writes: `JSON.stringify(outputs, null, 2)`.
pub fn render(outputs: &serde_json::Value) -> String {
    // Serialising a `Value` cannot fail (keys are strings, numbers are finite).
    serde_json::to_string_pretty(outputs).unwrap_or_default()
}

/// Write `text` to `path` unless it already holds exactly that. Returns whether it wrote.
pub fn write_if_changed(path: &Path, text: &str) -> Result<bool, WriteError> {
    if std::fs::read(path).is_ok_and(|current| current == text.as_bytes()) {
        return Ok(false);
    }
    write_atomic(path, text.as_bytes(), false)?;
    Ok(true)
}

/// [`write_if_changed`] for a secret: the file is readable by its owner only (mode 0600 on
/// Unix, from its creation on).
pub fn write_private_if_changed(path: &Path, text: &str) -> Result<bool, WriteError> {
    if std::fs::read(path).is_ok_and(|current| current == text.as_bytes()) {
        return Ok(false);
    }
    write_atomic(path, text.as_bytes(), true)?;
    Ok(true)
}

fn create(path: &Path, private: bool) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    if private {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    #[cfg(not(unix))]
    let _ = private;
    options.open(path)
}

fn write_atomic(path: &Path, bytes: &[u8], private: bool) -> Result<(), WriteError> {
    let err = |source| WriteError {
        path: path.to_path_buf(),
        source,
    };
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(err)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    // A leftover temp file may have other permissions: start from a fresh one.
    let _ = std::fs::remove_file(&tmp);
    let written = create(&tmp, private)
        .and_then(|mut file| file.write_all(bytes).and_then(|()| file.sync_data()))
        .and_then(|()| std::fs::rename(&tmp, path));
    if let Err(source) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(err(source));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn renders_like_json_stringify_with_two_spaces() {
        let text = render(&json!({"version": "1.4", "data": {"url": "u", "list": []}}));
        assert_eq!(
            text,
            "{\n  \"version\": \"1.4\",\n  \"data\": {\n    \"url\": \"u\",\n    \"list\": []\n  }\n}"
        );
    }

    #[test]
    fn writes_creates_dirs_and_skips_identical_content() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("web/src").join(OUTPUTS_FILE);
        assert!(write_if_changed(&path, "{}").unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{}");
        assert!(!write_if_changed(&path, "{}").unwrap());
        assert!(write_if_changed(&path, "{\"a\": 1}").unwrap());
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"a\": 1}");
        // Only the outputs file remains (no temp files).
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from(OUTPUTS_FILE)]);
    }

    #[cfg(unix)]
    #[test]
    fn private_files_are_owner_only() {
        use std::os::unix::fs::PermissionsExt;
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("state/admin-credentials.json");
        assert!(write_private_if_changed(&path, "{\"k\": 1}").unwrap());
        assert!(!write_private_if_changed(&path, "{\"k\": 1}").unwrap());
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"k\": 1}");
    }

    #[test]
    fn reports_the_path_on_failure() {
        let tmp = tempfile::tempdir().unwrap();
        // A directory where the file should be.
        let path = tmp.path().join(OUTPUTS_FILE);
        std::fs::create_dir(&path).unwrap();
        let err = write_if_changed(&path, "{}").unwrap_err();
        assert_eq!(err.path, path);
        assert!(err.to_string().contains(OUTPUTS_FILE));
    }
}
