//! Readable differences: lines, JSON documents (values and key order), AppSync SDL documents
//! (as sets of definitions).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde_json::Value;
use stratus_schema::sdl::print::print_definition;
use stratus_schema::sdl::read_document;

/// A line diff (longest common subsequence): `    ` common, `  - ` expected only, `  + `
/// actual only.
pub fn line_diff(expected: &str, actual: &str) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    let mut lcs = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j, mut out) = (0, 0, String::new());
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            let _ = writeln!(out, "    {}", a[i]);
            i += 1;
            j += 1;
        } else if j < b.len() && (i == a.len() || lcs[i][j + 1] >= lcs[i + 1][j]) {
            let _ = writeln!(out, "  + {}", b[j]);
            j += 1;
        } else {
            let _ = writeln!(out, "  - {}", a[i]);
            i += 1;
        }
    }
    out
}

/// A JSON value, shortened to about 160 characters.
fn short(v: &Value) -> String {
    let s = serde_json::to_string(v).unwrap_or_default();
    if s.len() > 160 {
        format!("{}…", &s[..s.floor_char_boundary(160)])
    } else {
        s
    }
}

/// Value differences (`path: expected → actual`) and key-order differences, separately.
fn json_diff(
    path: &str,
    expected: &Value,
    actual: &Value,
    values: &mut Vec<String>,
    order: &mut Vec<String>,
) {
    match (expected, actual) {
        (Value::Object(e), Value::Object(a)) => {
            for (k, ev) in e {
                let p = format!("{path}.{k}");
                match a.get(k) {
                    Some(av) => json_diff(&p, ev, av, values, order),
                    None => values.push(format!("{p}: {} → <absent>", short(ev))),
                }
            }
            for (k, av) in a {
                if !e.contains_key(k) {
                    values.push(format!("{path}.{k}: <absent> → {}", short(av)));
                }
            }
            let ek: Vec<&String> = e.keys().filter(|k| a.contains_key(*k)).collect();
            let ak: Vec<&String> = a.keys().filter(|k| e.contains_key(*k)).collect();
            if ek != ak {
                let at = if path.is_empty() { "$" } else { path };
                order.push(format!("{at}: expected key order {ek:?}, got {ak:?}"));
            }
        }
        (Value::Array(e), Value::Array(a)) if e.len() == a.len() => {
            for (i, (ev, av)) in e.iter().zip(a).enumerate() {
                json_diff(&format!("{path}[{i}]"), ev, av, values, order);
            }
        }
        _ if expected != actual => {
            values.push(format!("{path}: {} → {}", short(expected), short(actual)))
        }
        _ => {}
    }
}

/// `None` when `actual` is `expected` exactly (same values, same key order, same serialized
/// form); else a report of at most `limit` value differences (`path: expected → actual`) and
/// `limit` key-order differences.
pub fn json_mismatch(expected: &Value, actual: &Value, limit: usize) -> Option<String> {
    let (mut values, mut order) = (Vec::new(), Vec::new());
    json_diff("", expected, actual, &mut values, &mut order);
    let same_text = serde_json::to_string(expected).ok() == serde_json::to_string(actual).ok();
    if values.is_empty() && order.is_empty() && same_text {
        return None;
    }
    let mut report = String::new();
    for (kind, lines) in [("value", &values), ("order", &order)] {
        for line in lines.iter().take(limit) {
            let _ = writeln!(report, "    {kind}  {line}");
        }
        if lines.len() > limit {
            let _ = writeln!(
                report,
                "    … {} more {kind} differences",
                lines.len() - limit
            );
        }
    }
    if values.is_empty() && order.is_empty() {
        let _ = writeln!(report, "    serialized forms differ (number formatting?)");
    }
    Some(report)
}

/// Panics unless `actual` is `expected` exactly, key order included, listing the differences.
#[track_caller]
pub fn assert_json_eq(expected: &Value, actual: &Value, what: &str) {
    if let Some(report) = json_mismatch(expected, actual, 40) {
        panic!("{what}: differs from the expected JSON (expected → actual):\n{report}");
    }
}

/// Definition (`type Todo`, `input ModelTodoFilterInput`, …) → the definition as printed.
fn definitions(sdl: &str) -> Result<BTreeMap<String, String>, String> {
    let doc = read_document(sdl).map_err(|e| e.to_string())?;
    let mut map = BTreeMap::new();
    for def in &doc.definitions {
        let printed = print_definition(def);
        let key = printed
            .lines()
            .next()
            .unwrap_or_default()
            .split_whitespace()
            .take(2)
            .collect::<Vec<_>>()
            .join(" ");
        map.insert(key, printed);
    }
    Ok(map)
}

/// Compares two SDL documents as sets of definitions: top-level order does not matter, but
/// within a definition fields, arguments and directives must be in the same order. `Ok(None)`
/// when they agree; else the missing, unexpected and differing definitions, with a line diff
/// of the first `max_diffs` differing ones. `Err` when either side does not parse.
pub fn sdl_mismatch(
    expected: &str,
    actual: &str,
    max_diffs: usize,
) -> Result<Option<String>, String> {
    let expected = definitions(expected).map_err(|e| format!("expected SDL: {e}"))?;
    let actual = definitions(actual).map_err(|e| format!("generated SDL: {e}"))?;
    let missing: Vec<&String> = expected
        .keys()
        .filter(|k| !actual.contains_key(*k))
        .collect();
    let extra: Vec<&String> = actual
        .keys()
        .filter(|k| !expected.contains_key(*k))
        .collect();
    let differing: Vec<&String> = expected
        .keys()
        .filter(|k| actual.get(*k).is_some_and(|a| a != &expected[*k]))
        .collect();
    if missing.is_empty() && extra.is_empty() && differing.is_empty() {
        return Ok(None);
    }
    let mut report = String::new();
    if !missing.is_empty() {
        let _ = writeln!(report, "  missing: {missing:?}");
    }
    if !extra.is_empty() {
        let _ = writeln!(report, "  unexpected: {extra:?}");
    }
    if !differing.is_empty() {
        let _ = writeln!(report, "  differing: {differing:?}");
        for key in differing.iter().take(max_diffs) {
            let _ = writeln!(report, "  --- {key} (- expected, + generated)");
            report.push_str(&line_diff(&expected[*key], &actual[*key]));
        }
    }
    Ok(Some(report))
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn line_diff_marks_removed_and_added_lines() {
        assert_eq!(
            line_diff("a\nb\nc", "a\nc\nd"),
            "    a\n  - b\n    c\n  + d\n"
        );
    }

    #[test]
    fn json_mismatch_reports_values_and_key_order() {
        let expected = json!({"a": 1, "b": {"x": [1, 2]}, "c": true});
        assert_eq!(json_mismatch(&expected, &expected.clone(), 10), None);
        let actual = json!({"c": true, "a": 1, "b": {"x": [1, 3]}, "d": null});
        let report = json_mismatch(&expected, &actual, 10).expect("differs");
        assert!(report.contains("value  .b.x[1]: 2 → 3"), "{report}");
        assert!(report.contains("value  .d: <absent> → null"), "{report}");
        assert!(report.contains("order  $: expected key order"), "{report}");
        assert!(json_mismatch(&json!(1.0), &json!(1), 10).is_some());
    }

    #[test]
    #[should_panic(expected = "doc: differs")]
    fn assert_json_eq_panics_on_key_order() {
        assert_json_eq(&json!({"a": 1, "b": 2}), &json!({"b": 2, "a": 1}), "doc");
    }

    #[test]
    fn sdl_mismatch_ignores_top_level_order_only() {
        let a = "type A {\n  x: Int\n}\n\ntype B {\n  y: Int\n}\n";
        let b = "type B {\n  y: Int\n}\n\ntype A {\n  x: Int\n}\n";
        assert_eq!(sdl_mismatch(a, b, 2), Ok(None));
        let c = "type A {\n  z: Int\n  x: Int\n}\n\ninput C {\n  y: Int\n}\n";
        let report = sdl_mismatch(a, c, 2).unwrap().expect("differs");
        assert!(report.contains("missing: [\"type B\"]"), "{report}");
        assert!(report.contains("unexpected: [\"input C\"]"), "{report}");
        assert!(report.contains("  +   z: Int\n      x: Int"), "{report}");
        assert!(sdl_mismatch(a, "type {", 2).is_err());
    }
}
