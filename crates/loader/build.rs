//! Embeds every file under `js/` (the built-in `@aws-amplify/backend` module and the `a`
//! builder) into the binary, so new files written there are picked up without code changes.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

fn collect(dir: &Path, base: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).map(|e| e.path()).collect();
    entries.sort();
    for path in entries {
        if path.is_dir() {
            collect(&path, base, out);
        } else if matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("js" | "mjs" | "json")
        ) {
            let Ok(rel) = path.strip_prefix(base) else {
                continue;
            };
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            out.push((rel, path));
        }
    }
}

fn main() {
    let manifest =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    let js = manifest.join("js");
    println!("cargo:rerun-if-changed=js");
    println!("cargo:rerun-if-changed=build.rs");
    let mut files = Vec::new();
    collect(&js, &js, &mut files);
    let mut src = String::from(
        "/// Every file under `crates/loader/js/`, keyed by its path relative to that folder.\n",
    );
    src.push_str("pub static FILES: &[(&str, &str)] = &[\n");
    // Paths are spelled relative to CARGO_MANIFEST_DIR so the generated file does not depend on
    // where the checkout lives (CI and several checkouts may share one target dir).
    for (rel, _path) in &files {
        let _ = writeln!(
            src,
            "    ({rel:?}, include_str!(concat!(env!(\"CARGO_MANIFEST_DIR\"), \"/js/{rel}\"))),"
        );
    }
    src.push_str("];\n");
    let out =
        PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("builtin_js.rs");
    std::fs::write(out, src).expect("write builtin_js.rs");
}
