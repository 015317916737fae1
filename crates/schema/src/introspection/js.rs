//! Small helpers that reproduce the JavaScript semantics the codegen relies on (truthiness,
//! `Array.prototype.concat`, spreading, property order of plain objects).

use serde_json::{Map, Value};

/// JavaScript truthiness of a JSON value (`undefined` is modelled as `None`).
pub(super) fn truthy(value: Option<&Value>) -> bool {
    match value {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(Value::Number(n)) => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        Some(Value::String(s)) => !s.is_empty(),
        Some(Value::Array(_) | Value::Object(_)) => true,
    }
}

/// `[first].concat(value ?? [])`: arrays are flattened one level, `null`/absent adds nothing,
/// anything else is appended as one element.
pub(super) fn concat_nullish(mut list: Vec<Value>, value: Option<&Value>) -> Vec<Value> {
    match value {
        None | Some(Value::Null) => {}
        Some(Value::Array(items)) => list.extend(items.iter().cloned()),
        Some(other) => list.push(other.clone()),
    }
    list
}

/// `value || []` followed by a spread (`[...value]`): arrays give their items, strings their
/// characters; falsy values give nothing. `None` means the value cannot be spread (a JS
/// `TypeError`).
pub(super) fn spread_or_empty(value: Option<&Value>) -> Option<Vec<Value>> {
    if !truthy(value) {
        return Some(Vec::new());
    }
    match value {
        Some(Value::Array(items)) => Some(items.clone()),
        Some(Value::String(s)) => Some(s.chars().map(|c| Value::String(c.to_string())).collect()),
        _ => None,
    }
}

/// `value[0]` for arrays and strings.
pub(super) fn index0(value: &Value) -> Option<Value> {
    match value {
        Value::Array(items) => items.first().cloned(),
        Value::String(s) => s.chars().next().map(|c| Value::String(c.to_string())),
        _ => None,
    }
}

/// `value.length` for arrays and strings.
pub(super) fn length(value: Option<&Value>) -> Option<usize> {
    match value {
        Some(Value::Array(items)) => Some(items.len()),
        Some(Value::String(s)) => Some(s.encode_utf16().count()),
        _ => None,
    }
}

/// Assign `obj[key] = value` the way a JS object literal / assignment does: an existing key
/// keeps its position, a new key goes to the end. `None` (JS `undefined`) removes the key
/// from the JSON rendering, which is what `JSON.stringify` does with `undefined` values.
pub(super) fn assign(obj: &mut Map<String, Value>, key: &str, value: Option<Value>) {
    match value {
        Some(v) => {
            if let Some(slot) = obj.get_mut(key) {
                *slot = v;
            } else {
                obj.insert(key.to_owned(), v);
            }
        }
        None => {
            obj.shift_remove(key);
        }
    }
}

/// Whether `key` is an array index in the ECMAScript sense (canonical numeric string below
/// 2^32 - 1); such keys are enumerated first, in ascending numeric order.
fn array_index(key: &str) -> Option<u32> {
    if key.is_empty() || (key.len() > 1 && key.starts_with('0')) {
        return None;
    }
    if !key.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    key.parse::<u32>().ok().filter(|n| *n != u32::MAX)
}

/// Property order of a plain JS object built by successive assignments: integer-like keys
/// first (ascending), then the other keys in insertion order.
pub(super) fn js_property_order(entries: Vec<(String, Value)>) -> Map<String, Value> {
    let mut indexed: Vec<(u32, String, Value)> = Vec::new();
    let mut named: Map<String, Value> = Map::new();
    for (key, value) in entries {
        if let Some(idx) = array_index(&key) {
            if let Some(slot) = indexed.iter_mut().find(|(i, _, _)| *i == idx) {
                slot.2 = value;
            } else {
                indexed.push((idx, key, value));
            }
        } else {
            assign(&mut named, &key, Some(value));
        }
    }
    indexed.sort_by_key(|(idx, _, _)| *idx);
    let mut out = Map::new();
    for (_, key, value) in indexed {
        out.insert(key, value);
    }
    for (key, value) in named {
        out.insert(key, value);
    }
    out
}

/// `JSON.stringify`-equivalent equality for plain data (used where the codegen compares
/// serialized values).
pub(super) fn same_json(a: &Value, b: &Value) -> bool {
    serde_json::to_string(a).ok() == serde_json::to_string(b).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn truthiness_follows_javascript() {
        assert!(!truthy(None));
        assert!(!truthy(Some(&json!(null))));
        assert!(!truthy(Some(&json!(""))));
        assert!(!truthy(Some(&json!(0))));
        assert!(truthy(Some(&json!([]))));
        assert!(truthy(Some(&json!({}))));
        assert!(truthy(Some(&json!("x"))));
    }

    #[test]
    fn concat_flattens_one_level() {
        let base = vec![json!("a")];
        assert_eq!(
            concat_nullish(base.clone(), Some(&json!(["b", "c"]))),
            vec![json!("a"), json!("b"), json!("c")]
        );
        assert_eq!(
            concat_nullish(base.clone(), Some(&json!("b"))),
            vec![json!("a"), json!("b")]
        );
        assert_eq!(concat_nullish(base, Some(&json!(null))), vec![json!("a")]);
    }

    #[test]
    fn integer_keys_come_first() {
        let map = js_property_order(vec![
            ("B".into(), json!(1)),
            ("10".into(), json!(2)),
            ("2".into(), json!(3)),
            ("01".into(), json!(4)),
        ]);
        let keys: Vec<&String> = map.keys().collect();
        assert_eq!(keys, ["2", "10", "B", "01"]);
    }

    #[test]
    fn assign_keeps_position_and_undefined_removes() {
        let mut m = Map::new();
        assign(&mut m, "a", Some(json!(1)));
        assign(&mut m, "b", Some(json!(2)));
        assign(&mut m, "a", Some(json!(3)));
        assign(&mut m, "b", None);
        assert_eq!(serde_json::to_string(&m).unwrap_or_default(), r#"{"a":3}"#);
    }
}
