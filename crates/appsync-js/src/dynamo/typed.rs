//! DynamoDB attribute values (`{"S": "x"}`, `{"N": 1}`, `{"M": {...}}`, ...) as AppSync's
//! request objects carry them, and the plain JSON the document store keeps and resolvers get
//! back (sets become lists, numbers JSON numbers, binary its base64 text).

use serde_json::{Map, Number, Value};

/// A value that is not a DynamoDB attribute value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct TypeError(pub String);

/// The plain JSON of one attribute value.
pub fn to_plain(value: &Value) -> Result<Value, TypeError> {
    let Value::Object(map) = value else {
        return Err(not_typed(value));
    };
    let mut entries = map.iter();
    let (Some((tag, inner)), None) = (entries.next(), entries.next()) else {
        return Err(not_typed(value));
    };
    Ok(match (tag.as_str(), inner) {
        ("S", Value::String(_)) | ("B", Value::String(_)) | ("BOOL", Value::Bool(_)) => {
            inner.clone()
        }
        ("NULL", _) => Value::Null,
        ("N", n) => number(n)?,
        ("SS", Value::Array(items)) | ("BS", Value::Array(items)) => {
            if !items.iter().all(Value::is_string) {
                return Err(not_typed(value));
            }
            Value::Array(items.clone())
        }
        ("NS", Value::Array(items)) => {
            Value::Array(items.iter().map(number).collect::<Result<_, _>>()?)
        }
        ("L", Value::Array(items)) => {
            Value::Array(items.iter().map(to_plain).collect::<Result<_, _>>()?)
        }
        ("M", Value::Object(fields)) => Value::Object(map_to_plain(fields)?),
        _ => return Err(not_typed(value)),
    })
}

/// The plain JSON of an attribute map (`{ "id": {"S": "1"} }` → `{ "id": "1" }`).
pub fn map_to_plain(map: &Map<String, Value>) -> Result<Map<String, Value>, TypeError> {
    map.iter()
        .map(|(k, v)| Ok((k.clone(), to_plain(v)?)))
        .collect()
}

/// [`map_to_plain`] of a JSON value that must be an object.
pub fn object_to_plain(value: &Value, what: &str) -> Result<Map<String, Value>, TypeError> {
    match value {
        Value::Object(map) => map_to_plain(map),
        other => Err(TypeError(format!(
            "{what} must be a map of attribute values, found {other}"
        ))),
    }
}

/// The attribute value of plain JSON, as `util.dynamodb.toDynamoDB` makes it.
pub fn from_plain(value: &Value) -> Value {
    let tagged = |tag: &str, v: Value| {
        let mut m = Map::new();
        m.insert(tag.to_string(), v);
        Value::Object(m)
    };
    match value {
        Value::Null => tagged("NULL", Value::Bool(true)),
        Value::Bool(b) => tagged("BOOL", Value::Bool(*b)),
        Value::Number(n) => tagged("N", Value::Number(n.clone())),
        Value::String(s) => tagged("S", Value::String(s.clone())),
        Value::Array(items) => tagged("L", Value::Array(items.iter().map(from_plain).collect())),
        Value::Object(fields) => tagged(
            "M",
            Value::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.clone(), from_plain(v)))
                    .collect(),
            ),
        ),
    }
}

/// A number attribute: a JSON number, or the decimal string DynamoDB itself uses.
fn number(value: &Value) -> Result<Value, TypeError> {
    match value {
        Value::Number(_) => Ok(value.clone()),
        Value::String(s) => parse_number(s)
            .map(Value::Number)
            .ok_or_else(|| TypeError(format!("the number {s:?} is not a valid number"))),
        other => Err(TypeError(format!(
            "the number {other} is not a valid number"
        ))),
    }
}

/// A decimal string as a JSON number (integers stay integers).
pub fn parse_number(s: &str) -> Option<Number> {
    let s = s.trim();
    if let Ok(i) = s.parse::<i64>() {
        return Some(Number::from(i));
    }
    s.parse::<f64>().ok().and_then(Number::from_f64)
}

fn not_typed(value: &Value) -> TypeError {
    TypeError(format!(
        "{value} is not a DynamoDB attribute value (use util.dynamodb.toDynamoDB or toMapValues)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn attribute_values_become_plain_json() {
        let typed = json!({
            "id": {"S": "a"}, "n": {"N": "12"}, "f": {"N": 1.5}, "b": {"BOOL": true},
            "z": {"NULL": true}, "ss": {"SS": ["x", "y"]}, "ns": {"NS": ["1", 2]},
            "l": {"L": [{"S": "q"}, {"M": {"k": {"N": 3}}}]},
        });
        let plain = object_to_plain(&typed, "item").unwrap();
        assert_eq!(
            Value::Object(plain),
            json!({"id": "a", "n": 12, "f": 1.5, "b": true, "z": null, "ss": ["x", "y"],
                   "ns": [1, 2], "l": ["q", {"k": 3}]})
        );
    }

    #[test]
    fn plain_values_are_refused_and_round_trip() {
        assert!(to_plain(&json!("a")).is_err());
        assert!(to_plain(&json!({"S": "a", "N": 1})).is_err());
        assert!(to_plain(&json!({"N": "x1"})).is_err());
        let v = json!({"a": [1, "b", {"c": null}], "d": true});
        assert_eq!(to_plain(&from_plain(&v)).unwrap(), v);
    }
}
