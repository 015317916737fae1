//! Watching `amplify/` for saves: notify + the full debouncer (50 ms), keeping only creations,
//! modifications and removals (debounced batches also carry directory `Access(Open)` noise),
//! and ignoring `node_modules/`, `.amplify/` and editor scratch files.

use std::path::{Path, PathBuf};
use std::time::Duration;

use notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{DebounceEventResult, DebouncedEvent, Debouncer, RecommendedCache};
use tokio::sync::mpsc::UnboundedSender;

/// How long the debouncer waits for a burst of events (an editor's save) to settle.
/// 50 ms covers an editor's write-rename-chmod burst; a longer burst costs one extra, cheap
/// reload (identical outputs are not rewritten).
pub const DEBOUNCE: Duration = Duration::from_millis(50);

/// Watches until dropped.
pub struct Watcher {
    _debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
}

/// Watch `dir` recursively; every debounced batch with relevant changes sends their paths.
pub fn watch(
    dir: &Path,
    debounce: Duration,
    changes: UnboundedSender<Vec<PathBuf>>,
) -> notify::Result<Watcher> {
    let mut debouncer = notify_debouncer_full::new_debouncer(
        debounce,
        None,
        move |result: DebounceEventResult| match result {
            Ok(events) => {
                let paths = relevant_paths(&events);
                if !paths.is_empty() {
                    // The receiver is gone only while shutting down.
                    let _ = changes.send(paths);
                }
            }
            Err(errors) => {
                for error in errors {
                    tracing::warn!("watching: {error}");
                }
            }
        },
    )?;
    debouncer.watch(dir, RecursiveMode::Recursive)?;
    Ok(Watcher {
        _debouncer: debouncer,
    })
}

/// The changed paths in a debounced batch that should trigger a reload, deduplicated.
pub fn relevant_paths(events: &[DebouncedEvent]) -> Vec<PathBuf> {
    let mut paths: Vec<PathBuf> = Vec::new();
    for event in events {
        if !is_relevant_kind(&event.kind) {
            continue;
        }
        for path in &event.paths {
            if !is_ignored(path) && !paths.contains(path) {
                paths.push(path.clone());
            }
        }
    }
    paths
}

fn is_relevant_kind(kind: &EventKind) -> bool {
    kind.is_create() || kind.is_modify() || kind.is_remove()
}

fn is_ignored(path: &Path) -> bool {
    let in_ignored_dir = path.components().any(|c| {
        let c = c.as_os_str();
        c == "node_modules" || c == ".amplify" || c == ".git"
    });
    let scratch = path
        .file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|name| {
            name.ends_with('~')
                || name.ends_with(".swp")
                || name.ends_with(".swx")
                || name.starts_with(".#")
                || name == "4913" // vim's write probe
        });
    in_ignored_dir || scratch
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use notify::event::{AccessKind, AccessMode, CreateKind, DataChange, ModifyKind, RemoveKind};

    use super::*;

    fn event(kind: EventKind, path: &str) -> DebouncedEvent {
        DebouncedEvent::new(
            notify::Event::new(kind).add_path(PathBuf::from(path)),
            Instant::now(),
        )
    }

    #[test]
    fn keeps_saves_and_drops_noise() {
        let events = vec![
            event(
                EventKind::Access(AccessKind::Open(AccessMode::Any)),
                "/p/amplify",
            ),
            event(
                EventKind::Modify(ModifyKind::Data(DataChange::Content)),
                "/p/amplify/data/resource.ts",
            ),
            event(
                EventKind::Modify(ModifyKind::Data(DataChange::Any)),
                "/p/amplify/data/resource.ts",
            ),
            event(
                EventKind::Create(CreateKind::File),
                "/p/amplify/auth/resource.ts",
            ),
            event(EventKind::Remove(RemoveKind::File), "/p/amplify/old.ts"),
            event(
                EventKind::Create(CreateKind::File),
                "/p/amplify/node_modules/x/index.js",
            ),
            event(
                EventKind::Create(CreateKind::File),
                "/p/amplify/.amplify/artifacts/x",
            ),
            event(
                EventKind::Create(CreateKind::File),
                "/p/amplify/data/.resource.ts.swp",
            ),
            event(EventKind::Create(CreateKind::File), "/p/amplify/data/4913"),
            event(
                EventKind::Modify(ModifyKind::Data(DataChange::Any)),
                "/p/amplify/backend.ts~",
            ),
        ];
        assert_eq!(
            relevant_paths(&events),
            vec![
                PathBuf::from("/p/amplify/data/resource.ts"),
                PathBuf::from("/p/amplify/auth/resource.ts"),
                PathBuf::from("/p/amplify/old.ts"),
            ]
        );
    }

    #[test]
    fn access_only_batches_are_empty() {
        let events = vec![event(
            EventKind::Access(AccessKind::Close(notify::event::AccessMode::Write)),
            "/p/amplify/data/resource.ts",
        )];
        assert!(relevant_paths(&events).is_empty());
    }

    #[tokio::test]
    async fn a_save_is_reported_once_and_ignored_dirs_are_not() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("amplify");
        std::fs::create_dir_all(dir.join("data")).unwrap();
        std::fs::create_dir_all(dir.join("node_modules/pkg")).unwrap();
        let file = dir.join("data/resource.ts");
        std::fs::write(&file, "export const a = 1;\n").unwrap();
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
        // A debounce well above the time five writes take even on a loaded machine, so the
        // burst is one batch; the waits below are longer than the debounce.
        let debounce = Duration::from_millis(300);
        let _watcher = watch(&dir, debounce, tx).unwrap();

        // Changes only under node_modules: nothing arrives.
        std::fs::write(dir.join("node_modules/pkg/index.js"), "x").unwrap();
        let quiet = tokio::time::timeout(debounce * 3, rx.recv()).await;
        assert!(quiet.is_err(), "unexpected change: {quiet:?}");

        // A burst of writes to one file arrives as one batch naming it.
        for i in 0..5 {
            std::fs::write(&file, format!("export const a = {i};\n")).unwrap();
        }
        let batch = tokio::time::timeout(Duration::from_secs(5), rx.recv())
            .await
            .expect("no change reported")
            .unwrap();
        let canonical = file.canonicalize().unwrap();
        assert!(
            batch
                .iter()
                .any(|p| p == &file || p.canonicalize().ok().as_ref() == Some(&canonical)),
            "{batch:?}"
        );
        let more = tokio::time::timeout(debounce * 3, rx.recv()).await;
        assert!(more.is_err(), "burst reported twice: {more:?}");
    }
}
