//! The oracle's conformance fixtures: `<root>/<name>/` holds the input the oracle was given
//! (`amplify/`, a Gen 2 project, or `schema.graphql`, directive SDL), `oracle-args`, and
//! `expected/`, the oracle's output (see `/work/shared/oracle/README.md`).

use std::path::{Path, PathBuf};

use serde_json::Value;

/// The repository root.
pub fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .nth(2)
        .unwrap_or(manifest)
        .to_path_buf()
}

/// `tests/fixtures/conformance`, or the directory named by `$STRATUS_CONFORMANCE_DIR` (to run
/// the conformance tests over a regenerated or ad-hoc set of oracle runs).
pub fn conformance_root() -> PathBuf {
    match std::env::var_os("STRATUS_CONFORMANCE_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => workspace_root().join("tests/fixtures/conformance"),
    }
}

/// What the oracle was given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A Gen 2 project: the fixture directory, which contains `amplify/`.
    Amplify(PathBuf),
    /// Directive SDL: the path of `schema.graphql`.
    Sdl(PathBuf),
}

/// One fixture directory.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// The directory name, e.g. `ex-todo-owner`.
    pub name: String,
    pub dir: PathBuf,
}

impl Fixture {
    pub fn new(dir: impl Into<PathBuf>) -> Fixture {
        let dir = dir.into();
        let name = dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        Fixture { name, dir }
    }

    /// The name up to its first `-`: `ex`, `lib`, `b`, ….
    pub fn group(&self) -> &str {
        self.name.split('-').next().unwrap_or_default()
    }

    /// `expected/<file>`.
    pub fn expected_path(&self, file: &str) -> PathBuf {
        self.dir.join("expected").join(file)
    }

    /// The text of `expected/<file>`.
    pub fn read_expected(&self, file: &str) -> Result<String, String> {
        read_text(&self.expected_path(file))
    }

    /// `expected/<file>` parsed as JSON (key order kept).
    pub fn expected_json(&self, file: &str) -> Result<Value, String> {
        read_json(&self.expected_path(file))
    }

    /// The oracle's input: `amplify/` wins over `schema.graphql`; `None` when neither exists.
    pub fn input(&self) -> Option<Input> {
        let sdl = self.dir.join("schema.graphql");
        if self.dir.join("amplify").is_dir() {
            Some(Input::Amplify(self.dir.clone()))
        } else if sdl.is_file() {
            Some(Input::Sdl(sdl))
        } else {
            None
        }
    }

    /// `options` of `expected/meta.json` (the oracle options of the run).
    pub fn oracle_options(&self) -> Result<Value, String> {
        let meta = self.expected_json("meta.json")?;
        Ok(meta.get("options").cloned().unwrap_or(Value::Null))
    }
}

/// The fixture directories directly under `root` that have every `expected/<file>` named in
/// `expected_files`, sorted by name. Panics when `root` cannot be read.
pub fn fixtures_in(root: &Path, expected_files: &[&str]) -> Vec<Fixture> {
    let entries = std::fs::read_dir(root)
        .unwrap_or_else(|e| panic!("cannot read fixture directory {}: {e}", root.display()));
    let mut found: Vec<Fixture> = entries
        .filter_map(Result::ok)
        .map(|e| Fixture::new(e.path()))
        .filter(|f| f.dir.is_dir())
        .filter(|f| expected_files.iter().all(|n| f.expected_path(n).is_file()))
        .collect();
    found.sort_by(|a, b| a.name.cmp(&b.name));
    found
}

/// [`fixtures_in`] the [`conformance_root`]; panics when there is none.
pub fn conformance_fixtures(expected_files: &[&str]) -> Vec<Fixture> {
    let root = conformance_root();
    let found = fixtures_in(&root, expected_files);
    assert!(
        !found.is_empty(),
        "no fixture with expected/{expected_files:?} under {}",
        root.display()
    );
    found
}

/// A file's text; the error names the file.
pub fn read_text(path: &Path) -> Result<String, String> {
    std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// A JSON file (key order kept); the error names the file.
pub fn read_json(path: &Path) -> Result<Value, String> {
    serde_json::from_str(&read_text(path)?).map_err(|e| format!("{}: {e}", path.display()))
}

/// Does any file under `dir` (outside `node_modules`) contain `needle`?
pub fn tree_mentions(dir: &Path, needle: &str) -> bool {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|e| {
        let p = e.path();
        if p.is_dir() {
            p.file_name().is_some_and(|n| n != "node_modules") && tree_mentions(&p, needle)
        } else {
            std::fs::read_to_string(&p).is_ok_and(|s| s.contains(needle))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_conformance_fixtures() {
        let all = conformance_fixtures(&["appsync.graphql"]);
        let todo = all
            .iter()
            .find(|f| f.name == "ex-todo-owner")
            .expect("ex-todo-owner");
        assert_eq!(todo.group(), "ex");
        assert_eq!(todo.input(), Some(Input::Amplify(todo.dir.clone())));
        let names: Vec<&str> = all.iter().map(|f| f.name.as_str()).collect();
        let mut sorted = names.clone();
        sorted.sort();
        assert_eq!(names, sorted);
        let lib = all
            .iter()
            .find(|f| f.group() == "lib")
            .expect("a lib-* fixture");
        assert_eq!(
            lib.input(),
            Some(Input::Sdl(lib.dir.join("schema.graphql")))
        );
        assert!(fixtures_in(&conformance_root(), &["no-such-file"]).is_empty());
    }

    #[test]
    fn errors_name_the_file() {
        let err = read_json(Path::new("/nonexistent/x.json")).unwrap_err();
        assert!(err.starts_with("/nonexistent/x.json: "), "{err}");
    }
}
