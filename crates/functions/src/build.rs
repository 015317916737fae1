//! Compiling a project's function handlers for Node.js: every TypeScript file under `amplify/`
//! and every file a handler reaches through relative static imports is type-stripped (oxc, with
//! an inline source map) into the build directory. Node loads the compiled code in place of the
//! `.ts` file through `js/hooks.mjs`, so module URLs, relative imports and npm packages (from the
//! project's `node_modules`) resolve exactly as they do from the user's sources.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};
use stratus_loader::{Target, resolve_file, strip_types};

use crate::BuildError;

/// The embedded Node.js side.
pub(crate) const HOST_JS: &str = include_str!("../js/host.mjs");
pub(crate) const HOOKS_JS: &str = include_str!("../js/hooks.mjs");

const TS_EXTENSIONS: [&str; 4] = ["ts", "mts", "cts", "tsx"];

/// What a build produced: the directory and the files every worker needs.
#[derive(Debug, Clone)]
pub(crate) struct Build {
    /// The hash of the inputs (also the directory's name).
    pub id: String,
    pub host: PathBuf,
    pub hooks: PathBuf,
    /// `{ "<ts file>": "<compiled file>" }`, read by the hooks.
    pub manifest: PathBuf,
}

fn is_typescript(path: &Path) -> bool {
    path.extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| TS_EXTENSIONS.contains(&e))
}

/// TypeScript files under `dir`, skipping `node_modules` and dot directories.
fn typescript_tree(dir: &Path, out: &mut BTreeSet<PathBuf>) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            if name != "node_modules" && !name.starts_with('.') {
                typescript_tree(&path, out);
            }
        } else if is_typescript(&path) && !name.ends_with(".d.ts") {
            out.insert(path);
        }
    }
}

/// Compile the handlers at `entries` (absolute paths) of the project at `root` into
/// `build_root/<hash of the inputs>/`; an unchanged tree reuses the previous build.
pub(crate) fn build(
    root: &Path,
    entries: &[PathBuf],
    build_root: &Path,
) -> Result<Build, BuildError> {
    let mut files = BTreeSet::new();
    typescript_tree(&root.join("amplify"), &mut files);
    // Follow relative imports out of amplify/ (shared code elsewhere in the repository).
    let mut queue: Vec<PathBuf> = entries.to_vec();
    queue.extend(files.iter().cloned());
    let mut seen: BTreeSet<PathBuf> = BTreeSet::new();
    // TypeScript file → (its source, the compiled code).
    let mut compiled: BTreeMap<PathBuf, (String, String)> = BTreeMap::new();
    while let Some(path) = queue.pop() {
        if !is_typescript(&path) || !seen.insert(path.clone()) {
            continue;
        }
        let source = fs::read_to_string(&path).map_err(|source| BuildError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let stripped = strip_types(&path, &source).map_err(|e| BuildError::Syntax {
            file: relative(root, &path),
            line: e.line,
            column: e.column,
            message: e.message,
        })?;
        let dir = path.parent().unwrap_or(root).to_path_buf();
        for specifier in &stripped.imports {
            if !(specifier.starts_with("./") || specifier.starts_with("../")) {
                continue;
            }
            if let Ok(Target::User(found)) = resolve_file(&dir, specifier)
                && !found.components().any(|c| c.as_os_str() == "node_modules")
            {
                queue.push(found);
            }
        }
        compiled.insert(path, (source, stripped.code));
    }

    let mut hasher = Sha256::new();
    hasher.update(HOST_JS);
    hasher.update(HOOKS_JS);
    for (path, (source, _)) in &compiled {
        hasher.update(path.to_string_lossy().as_bytes());
        hasher.update([0]);
        hasher.update(source.as_bytes());
        hasher.update([0]);
    }
    let hash = hex::encode(&hasher.finalize()[..8]);
    let dir = build_root.join(&hash);
    let io = |path: &Path| {
        let path = path.display().to_string();
        move |source| BuildError::Io { path, source }
    };
    let build = Build {
        id: hash.clone(),
        host: dir.join("host.mjs"),
        hooks: dir.join("hooks.mjs"),
        manifest: dir.join("manifest.json"),
    };
    if build.manifest.is_file() {
        return Ok(build);
    }

    // Compile into a fresh directory, then move it into place (concurrent builds of the same
    // tree cannot see a half-written one).
    let staging = build_root.join(format!(".{hash}-{}", uuid::Uuid::new_v4().simple()));
    fs::create_dir_all(&staging).map_err(io(&staging))?;
    let mut manifest = serde_json::Map::new();
    for (index, (path, (_, code))) in compiled.into_iter().enumerate() {
        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let name = format!("{index:04}-{stem}.mjs");
        let out = staging.join(&name);
        fs::write(&out, code).map_err(io(&out))?;
        manifest.insert(
            path.to_string_lossy().into_owned(),
            serde_json::Value::String(dir.join(&name).to_string_lossy().into_owned()),
        );
    }
    let write = |name: &str, text: &str| {
        let p = staging.join(name);
        fs::write(&p, text).map_err(io(&p))
    };
    write("host.mjs", HOST_JS)?;
    write("hooks.mjs", HOOKS_JS)?;
    write(
        "manifest.json",
        &serde_json::Value::Object(manifest).to_string(),
    )?;
    match fs::rename(&staging, &dir) {
        Ok(()) => {}
        // Another build of the same inputs won the race: use it.
        Err(_) if build.manifest.is_file() => {
            let _ = fs::remove_dir_all(&staging);
        }
        Err(e) => return Err(io(&dir)(e)),
    }
    prune(build_root, &hash);
    Ok(build)
}

/// Keep the newest few builds (workers of the previous generation may still be starting).
fn prune(build_root: &Path, keep: &str) {
    let Ok(entries) = fs::read_dir(build_root) else {
        return;
    };
    let mut builds: Vec<(std::time::SystemTime, PathBuf)> = entries
        .flatten()
        .filter(|e| {
            let n = e.file_name();
            let n = n.to_string_lossy();
            n != keep && !n.starts_with('.')
        })
        .filter_map(|e| Some((e.metadata().ok()?.modified().ok()?, e.path())))
        .collect();
    builds.sort();
    let excess = builds.len().saturating_sub(2);
    for (_, path) in builds.into_iter().take(excess) {
        let _ = fs::remove_dir_all(path);
    }
}

pub(crate) fn relative(root: &Path, path: &Path) -> String {
    path.strip_prefix(root)
        .map(|p| p.to_string_lossy().replace('\\', "/"))
        .unwrap_or_else(|_| path.display().to_string())
}
