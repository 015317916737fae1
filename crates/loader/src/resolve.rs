//! Import specifier resolution: relative files (TypeScript conventions), our built-in modules,
//! CDK-ish packages (recording proxies), `$amplify/env/<name>`, and a few Node built-ins.

use std::path::{Component, Path, PathBuf};

use crate::builtins;

/// Prefix of every module name that is not a user file.
pub const BUILTIN_PREFIX: &str = "stratus:";

/// What an import specifier points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A file of the user's project (absolute, normalised path).
    User(PathBuf),
    /// One of our embedded JS files (`backend/index.js`).
    Builtin(String),
    /// The `a` builder is not embedded yet: a stand-in whose `a` throws on use.
    MissingBuilder,
    /// A CDK-ish package: every export is a recording proxy.
    Cdk(String),
    /// `$amplify/env/<function>`.
    Env(String),
}

impl Target {
    /// The QuickJS module name for this target, unique per importer for CDK proxies (their
    /// export list depends on what the importer reads).
    pub fn module_name(&self, importer: &str) -> String {
        match self {
            Target::User(path) => path.to_string_lossy().into_owned(),
            Target::Builtin(rel) => format!("{BUILTIN_PREFIX}{rel}"),
            Target::MissingBuilder => format!("{BUILTIN_PREFIX}missing-data-builder"),
            Target::Cdk(spec) => format!("{BUILTIN_PREFIX}cdk:{spec}@{importer}"),
            Target::Env(name) => format!("{BUILTIN_PREFIX}env:{name}"),
        }
    }
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum ResolveError {
    #[error("cannot find module '{specifier}' (looked for {tried})")]
    NotFound { specifier: String, tried: String },
    #[error(
        "cannot import '{specifier}': npm packages are not available when stratus evaluates amplify/ \
         (only @aws-amplify/backend, aws-cdk-lib, constructs and relative files can be imported)"
    )]
    Package { specifier: String },
    #[error(
        "cannot import Node built-in '{specifier}': only path, url, fs (read-only) and process are available"
    )]
    NodeBuiltin { specifier: String },
    #[error(
        "cannot import '{specifier}': only .ts, .mts, .js, .mjs and .json files are modules \
         (read other files with readFileSync from 'fs')"
    )]
    UnsupportedFile { specifier: String },
}

const NODE_SHIMS: &[&str] = &["path", "url", "fs", "process"];
const NODE_BUILTINS: &[&str] = &[
    "assert",
    "buffer",
    "child_process",
    "cluster",
    "crypto",
    "dgram",
    "dns",
    "events",
    "fs",
    "fs/promises",
    "http",
    "http2",
    "https",
    "module",
    "net",
    "os",
    "path",
    "perf_hooks",
    "process",
    "querystring",
    "readline",
    "stream",
    "string_decoder",
    "timers",
    "tls",
    "tty",
    "url",
    "util",
    "v8",
    "vm",
    "worker_threads",
    "zlib",
];

/// Resolve `specifier` imported from the module named `importer`.
pub fn resolve(importer: &str, specifier: &str) -> Result<Target, ResolveError> {
    if let Some(base) = importer.strip_prefix(BUILTIN_PREFIX) {
        return resolve_from_builtin(base, specifier);
    }
    if is_relative(specifier) || Path::new(specifier).is_absolute() {
        let base_dir = Path::new(importer).parent().unwrap_or(Path::new("/"));
        return resolve_file(base_dir, specifier);
    }
    resolve_bare(specifier)
}

fn is_relative(specifier: &str) -> bool {
    specifier == "."
        || specifier == ".."
        || specifier.starts_with("./")
        || specifier.starts_with("../")
}

fn resolve_from_builtin(base: &str, specifier: &str) -> Result<Target, ResolveError> {
    if let Some(rel) = specifier.strip_prefix(BUILTIN_PREFIX)
        && builtins::file(rel).is_some()
    {
        return Ok(Target::Builtin(rel.to_string()));
    }
    if !is_relative(specifier) {
        return resolve_bare(specifier);
    }
    let dir = base.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    let joined = normalize_rel(&format!("{dir}/{specifier}"));
    if builtins::file(&joined).is_some() {
        return Ok(Target::Builtin(joined));
    }
    if joined.starts_with("data/") {
        return Ok(Target::MissingBuilder);
    }
    Err(ResolveError::NotFound {
        specifier: specifier.to_string(),
        tried: joined,
    })
}

fn resolve_bare(specifier: &str) -> Result<Target, ResolveError> {
    if specifier == "@aws-amplify/backend" {
        return Ok(Target::Builtin("backend/index.js".into()));
    }
    if specifier == "@aws-amplify/data-schema" {
        return Ok(if builtins::file("data/index.js").is_some() {
            Target::Builtin("data/index.js".into())
        } else {
            Target::MissingBuilder
        });
    }
    if let Some(name) = specifier.strip_prefix("$amplify/env/") {
        return Ok(Target::Env(name.to_string()));
    }
    if is_cdk_ish(specifier) {
        return Ok(Target::Cdk(specifier.to_string()));
    }
    let node_name = specifier.strip_prefix("node:").unwrap_or(specifier);
    if NODE_SHIMS.contains(&node_name) {
        return Ok(Target::Builtin(format!("node/{node_name}.js")));
    }
    if specifier.starts_with("node:") || NODE_BUILTINS.contains(&node_name) {
        return Err(ResolveError::NodeBuiltin {
            specifier: specifier.to_string(),
        });
    }
    Err(ResolveError::Package {
        specifier: specifier.to_string(),
    })
}

/// Packages whose only purpose at definition time is CDK customisation.
pub fn is_cdk_ish(specifier: &str) -> bool {
    let first = specifier.split('/').next().unwrap_or(specifier);
    specifier == "aws-cdk-lib"
        || specifier.starts_with("aws-cdk-lib/")
        || specifier == "constructs"
        || first == "@aws-cdk"
        || first == "@aws-amplify"
        || first.starts_with("cdk-")
        || first.starts_with("@cdklabs")
}

/// Resolve a relative or absolute file specifier from `base_dir`.
pub fn resolve_file(base_dir: &Path, specifier: &str) -> Result<Target, ResolveError> {
    let candidate = normalize(&base_dir.join(specifier));
    let mut tried = Vec::new();
    let ext = candidate.extension().and_then(|e| e.to_str()).unwrap_or("");
    let known = matches!(ext, "ts" | "mts" | "cts" | "js" | "mjs" | "cjs" | "json");
    if known {
        if candidate.is_file() {
            return Ok(Target::User(candidate));
        }
        tried.push(candidate.clone());
        // TypeScript ESM convention: `./x.js` names `./x.ts`.
        let alternatives: &[&str] = match ext {
            "js" => &["ts", "tsx"],
            "mjs" => &["mts"],
            "cjs" => &["cts"],
            _ => &[],
        };
        for alt in alternatives {
            let p = candidate.with_extension(alt);
            if p.is_file() {
                return Ok(Target::User(p));
            }
            tried.push(p);
        }
    }
    for suffix in [".ts", ".mts", ".js", ".mjs"] {
        let p = PathBuf::from(format!("{}{suffix}", candidate.display()));
        if p.is_file() {
            return Ok(Target::User(p));
        }
        tried.push(p);
    }
    for index in ["index.ts", "index.mts", "index.js", "index.mjs"] {
        let p = candidate.join(index);
        if p.is_file() {
            return Ok(Target::User(p));
        }
        tried.push(p);
    }
    if !known && candidate.is_file() {
        return Err(ResolveError::UnsupportedFile {
            specifier: specifier.to_string(),
        });
    }
    let tried = tried
        .iter()
        .map(|p| {
            p.file_name()
                .map(|f| f.to_string_lossy().into_owned())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(", ");
    Err(ResolveError::NotFound {
        specifier: specifier.to_string(),
        tried,
    })
}

/// Lexically normalise `.` and `..` components.
pub fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for comp in path.components() {
        match comp {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

fn normalize_rel(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

/// `path` relative to `root`, with `/` separators (falls back to the full path).
pub fn relative_to(root: &Path, path: &Path) -> String {
    let rel = match path.strip_prefix(root) {
        Ok(rel) => rel.to_path_buf(),
        Err(_) => relative_outside(root, path),
    };
    rel.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

fn relative_outside(root: &Path, path: &Path) -> PathBuf {
    let root_parts: Vec<_> = root.components().collect();
    let path_parts: Vec<_> = path.components().collect();
    let common = root_parts
        .iter()
        .zip(&path_parts)
        .take_while(|(a, b)| a == b)
        .count();
    if common == 0 {
        return path.to_path_buf();
    }
    let mut out = PathBuf::new();
    for _ in common..root_parts.len() {
        out.push("..");
    }
    for part in &path_parts[common..] {
        out.push(part.as_os_str());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bare_specifiers() {
        assert_eq!(
            resolve_bare("@aws-amplify/backend").ok(),
            Some(Target::Builtin("backend/index.js".into()))
        );
        assert_eq!(
            resolve_bare("aws-cdk-lib/aws-s3").ok(),
            Some(Target::Cdk("aws-cdk-lib/aws-s3".into()))
        );
        assert_eq!(
            resolve_bare("constructs").ok(),
            Some(Target::Cdk("constructs".into()))
        );
        assert_eq!(
            resolve_bare("@aws-amplify/backend-function").ok(),
            Some(Target::Cdk("@aws-amplify/backend-function".into()))
        );
        assert_eq!(
            resolve_bare("$amplify/env/my-fn").ok(),
            Some(Target::Env("my-fn".into()))
        );
        assert!(matches!(
            resolve_bare("lodash"),
            Err(ResolveError::Package { .. })
        ));
        assert!(matches!(
            resolve_bare("node:child_process"),
            Err(ResolveError::NodeBuiltin { .. })
        ));
    }

    #[test]
    fn builtin_relative() {
        assert_eq!(
            resolve("stratus:backend/index.js", "./auth.js").ok(),
            Some(Target::Builtin("backend/auth.js".into()))
        );
    }

    #[test]
    fn relative_paths() {
        assert_eq!(
            relative_to(Path::new("/a/b"), Path::new("/a/b/amplify/x.ts")),
            "amplify/x.ts"
        );
        assert_eq!(
            relative_to(Path::new("/a/b"), Path::new("/a/c/x.ts")),
            "../c/x.ts"
        );
        assert_eq!(
            normalize(Path::new("/a/b/../c/./d.ts")),
            PathBuf::from("/a/c/d.ts")
        );
    }
}
