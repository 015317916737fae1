//! Amplify's `ObjectAccumulator` (lodash `mergeWith` with a customizer): how the category
//! contributions and `backend.addOutput(...)` parts are squashed into one document.
//!
//! - arrays concatenate;
//! - a key whose existing value is a truthy scalar cannot be set again
//!   (`OutputEntryAlreadyExistsError`), except `version`, where the higher version wins and a
//!   different major version is an error (`VersionMismatchError`);
//! - objects merge recursively; anything else is overwritten.

use serde_json::{Map, Value};

use crate::OutputsError;

fn truthy_scalar(v: &Value) -> bool {
    match v {
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|f| f != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Null | Value::Array(_) | Value::Object(_) => false,
    }
}

/// semver `coerce`: the first `major[.minor[.patch]]` in the text.
fn coerce(v: &Value) -> Option<(u64, u64, u64)> {
    let s = match v {
        Value::String(s) => s.clone(),
        Value::Number(n) => n.to_string(),
        _ => return None,
    };
    let start = s.find(|c: char| c.is_ascii_digit())?;
    let mut parts = s[start..].split('.').map(|p| {
        p.chars()
            .take_while(char::is_ascii_digit)
            .collect::<String>()
    });
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    let patch = parts.next().and_then(|p| p.parse().ok()).unwrap_or(0);
    Some((major, minor, patch))
}

/// Merge `part` into `acc`.
pub(crate) fn accumulate(
    acc: &mut Map<String, Value>,
    part: Map<String, Value>,
) -> Result<(), OutputsError> {
    for (key, incoming) in part {
        let Some(existing) = acc.get_mut(&key) else {
            acc.insert(key, incoming);
            continue;
        };
        if let Value::Array(items) = existing {
            match incoming {
                Value::Array(more) => items.extend(more),
                other => items.push(other),
            }
            continue;
        }
        if truthy_scalar(existing) {
            if key != "version" {
                return Err(OutputsError::DuplicateEntry(key));
            }
            if let (Some(old), Some(new)) = (coerce(existing), coerce(&incoming)) {
                if old.0 != new.0 {
                    return Err(OutputsError::VersionMismatch {
                        existing: existing.to_string(),
                        incoming: incoming.to_string(),
                    });
                }
                if new >= old {
                    *existing = incoming;
                }
                continue;
            }
            *existing = incoming;
            continue;
        }
        match (existing, incoming) {
            (Value::Object(dst), Value::Object(src)) => accumulate(dst, src)?,
            (slot, value) => *slot = value,
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        v.as_object().cloned().unwrap_or_default()
    }

    #[test]
    fn merges_like_the_accumulator() {
        let mut acc = obj(json!({"auth": {"a": 1, "list": [1]}, "version": "1.5"}));
        accumulate(
            &mut acc,
            obj(json!({"auth": {"b": 2, "list": [2]}, "version": "1.4", "custom": {"x": 1}})),
        )
        .unwrap();
        assert_eq!(
            Value::Object(acc.clone()),
            json!({"auth": {"a": 1, "list": [1, 2], "b": 2}, "version": "1.5", "custom": {"x": 1}})
        );
        let keys: Vec<&String> = acc.keys().collect();
        assert_eq!(keys, ["auth", "version", "custom"]);
    }

    #[test]
    fn duplicates_and_versions() {
        let mut acc = obj(json!({"auth": {"user_pool_id": "x"}, "version": "1.5"}));
        let e = accumulate(&mut acc, obj(json!({"auth": {"user_pool_id": "y"}}))).unwrap_err();
        assert!(matches!(e, OutputsError::DuplicateEntry(ref k) if k == "user_pool_id"));
        let e = accumulate(&mut acc, obj(json!({"version": "2"}))).unwrap_err();
        assert!(matches!(e, OutputsError::VersionMismatch { .. }));
        // falsy existing values are silently overwritten (lodash default)
        let mut acc = obj(json!({"flag": false}));
        accumulate(&mut acc, obj(json!({"flag": true}))).unwrap();
        assert_eq!(acc["flag"], json!(true));
    }

    #[test]
    fn semver_coercion() {
        assert_eq!(coerce(&json!("1.5")), Some((1, 5, 0)));
        assert_eq!(coerce(&json!("v1")), Some((1, 0, 0)));
        assert_eq!(coerce(&json!("x")), None);
    }
}
