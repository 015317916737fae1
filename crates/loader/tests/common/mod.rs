//! Helpers shared by the loader's integration tests.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// `tests/fixtures` of the repository.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures")
}

/// Every `tests/fixtures/<kind>/*` that has an `amplify/` folder, sorted.
pub fn projects(kind: &str) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(fixtures().join(kind)) else {
        return Vec::new();
    };
    let mut dirs: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("amplify").is_dir())
        .collect();
    dirs.sort();
    dirs
}

pub fn name(dir: &Path) -> String {
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// A throw-away project: `files` are (path relative to the project root, contents).
pub struct Project {
    pub dir: tempfile::TempDir,
}

impl Project {
    pub fn new(files: &[(&str, &str)]) -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        for (path, contents) in files {
            let full = dir.path().join(path);
            std::fs::create_dir_all(full.parent().expect("parent")).expect("mkdir");
            std::fs::write(full, contents).expect("write");
        }
        Self { dir }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn load(&self) -> Result<stratus_spec::Backend, stratus_loader::LoadError> {
        stratus_loader::load(self.path())
    }

    pub fn raw(&self) -> Result<serde_json::Value, stratus_loader::LoadError> {
        stratus_loader::load_raw(self.path()).map(|r| r.json)
    }

    /// The error of a load that must fail.
    pub fn error(&self) -> stratus_spec::Diagnostic {
        match self.load() {
            Ok(_) => panic!("expected the load to fail"),
            Err(stratus_loader::LoadError::Definition(d)) => d,
            Err(e) => panic!("unexpected error kind: {e}"),
        }
    }
}

pub const AUTH: &str = "import { defineAuth } from '@aws-amplify/backend';\nexport const auth = defineAuth({ loginWith: { email: true } });\n";
