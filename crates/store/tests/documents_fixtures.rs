//! The layouts derived from every conformance fixture's schema key the tables as the real
//! transformer does: the same primary key and the same secondary indexes as its `tables.json`
//! (composite sort keys split at `#`).

use std::collections::BTreeSet;
use std::path::PathBuf;

use serde_json::Value;
use stratus_store::documents::{KeySchema, layouts_for};

fn key_of(schema: &Value) -> KeySchema {
    let mut partition = String::new();
    let mut sort = Vec::new();
    for k in schema.as_array().unwrap() {
        let name = k["attributeName"].as_str().unwrap();
        match k["keyType"].as_str().unwrap() {
            "HASH" => partition = name.to_string(),
            _ => sort = name.split('#').map(str::to_string).collect(),
        }
    }
    KeySchema {
        partition_key: partition,
        sort_keys: sort,
    }
}

#[test]
fn layouts_match_the_transformer_tables() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/conformance");
    let mut checked_models = 0;
    let mut checked_indexes = 0;
    let mut failures = Vec::new();
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    dirs.sort();
    for dir in dirs {
        let sdl = dir.join("expected/directives.graphql");
        let tables = dir.join("expected/tables.json");
        let (Ok(sdl), Ok(tables)) = (
            std::fs::read_to_string(sdl),
            std::fs::read_to_string(tables),
        ) else {
            continue;
        };
        let name = dir.file_name().unwrap().to_string_lossy().to_string();
        let Ok(schema) = stratus_schema::parse_directive_sdl(&sdl) else {
            failures.push(format!("{name}: schema does not parse"));
            continue;
        };
        let layouts = layouts_for(&schema).unwrap();
        let tables: Value = serde_json::from_str(&tables).unwrap();
        for (model, table) in tables.as_object().unwrap() {
            // Generated models (manyToMany join tables, conversations) are not in the IR.
            let Some(layout) = layouts.iter().find(|l| &l.model == model) else {
                continue;
            };
            checked_models += 1;
            let pk = key_of(&table["keySchema"]);
            if pk != layout.primary_key {
                failures.push(format!(
                    "{name} {model}: primary key {pk:?} vs {:?}",
                    layout.primary_key
                ));
            }
            let expected: BTreeSet<KeySchema> = table["globalSecondaryIndexes"]
                .as_array()
                .map(|gsis| gsis.iter().map(|g| key_of(&g["keySchema"])).collect())
                .unwrap_or_default();
            let ours: BTreeSet<KeySchema> = layout.indexes.iter().cloned().collect();
            checked_indexes += expected.len();
            if expected != ours {
                failures.push(format!(
                    "{name} {model}: indexes {expected:?} vs ours {ours:?}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked_models > 100, "only {checked_models} models checked");
    assert!(
        checked_indexes > 40,
        "only {checked_indexes} indexes checked"
    );
}
