//! Reading the raw props JSON the loader hands over (`/work/notes/raw-props.md`): typed
//! accessors that turn shape mistakes into [`SpecError`]s naming the offending key.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::backend::SourceLocation;
use crate::error::SpecError;

/// A JSON object being read, with its dotted path for error messages.
#[derive(Clone, Copy)]
pub(crate) struct Obj<'a> {
    map: &'a Map<String, Value>,
    path: &'a str,
}

impl<'a> Obj<'a> {
    pub(crate) fn new(value: &'a Value, path: &'a str) -> Result<Self, SpecError> {
        match value {
            Value::Object(map) => Ok(Self { map, path }),
            other => Err(SpecError::props(format!(
                "{path} must be an object, found {}",
                kind_of(other)
            ))),
        }
    }

    pub(crate) fn map(&self) -> &'a Map<String, Value> {
        self.map
    }

    pub(crate) fn key_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// The value of `key`, treating JSON `null` like an absent key.
    pub(crate) fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key).filter(|v| !v.is_null())
    }

    pub(crate) fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    pub(crate) fn str(&self, key: &str) -> Result<Option<&'a str>, SpecError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(other) => Err(self.wrong(key, "a string", other)),
        }
    }

    pub(crate) fn string(&self, key: &str) -> Result<Option<String>, SpecError> {
        Ok(self.str(key)?.map(str::to_string))
    }

    pub(crate) fn required_str(&self, key: &str) -> Result<&'a str, SpecError> {
        self.str(key)?
            .ok_or_else(|| SpecError::props(format!("{} is required", self.key_path(key))))
    }

    pub(crate) fn bool(&self, key: &str) -> Result<Option<bool>, SpecError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Bool(b)) => Ok(Some(*b)),
            Some(other) => Err(self.wrong(key, "a boolean", other)),
        }
    }

    pub(crate) fn number(&self, key: &str) -> Result<Option<f64>, SpecError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Number(n)) => n.as_f64().map(Some).ok_or_else(|| {
                SpecError::props(format!("{} is not a finite number", self.key_path(key)))
            }),
            Some(other) => Err(self.wrong(key, "a number", other)),
        }
    }

    pub(crate) fn obj(&self, key: &str, path: &'a str) -> Result<Option<Obj<'a>>, SpecError> {
        match self.get(key) {
            None => Ok(None),
            Some(v @ Value::Object(_)) => Obj::new(v, path).map(Some),
            Some(other) => Err(self.wrong(key, "an object", other)),
        }
    }

    pub(crate) fn array(&self, key: &str) -> Result<Option<&'a Vec<Value>>, SpecError> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::Array(a)) => Ok(Some(a)),
            Some(other) => Err(self.wrong(key, "an array", other)),
        }
    }

    pub(crate) fn str_list(&self, key: &str) -> Result<Option<Vec<String>>, SpecError> {
        let Some(items) = self.array(key)? else {
            return Ok(None);
        };
        items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                other => Err(SpecError::props(format!(
                    "{} must contain only strings, found {}",
                    self.key_path(key),
                    kind_of(other)
                ))),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// `{"$function": name}` at `key`.
    pub(crate) fn function_ref(&self, key: &str) -> Result<Option<String>, SpecError> {
        self.get(key)
            .map(|v| function_ref(v, &self.key_path(key)))
            .transpose()
    }

    /// A string or `{"$secret": NAME}` at `key`.
    pub(crate) fn secret_or_string(&self, key: &str) -> Result<Option<SecretValue>, SpecError> {
        self.get(key)
            .map(|v| SecretValue::from_raw(v, &self.key_path(key)))
            .transpose()
    }

    fn wrong(&self, key: &str, expected: &str, found: &Value) -> SpecError {
        SpecError::props(format!(
            "{} must be {expected}, found {}",
            self.key_path(key),
            kind_of(found)
        ))
    }
}

pub(crate) fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// `{"$function": name}` → `name`.
pub(crate) fn function_ref(v: &Value, path: &str) -> Result<String, SpecError> {
    match v.get("$function") {
        Some(Value::String(name)) => Ok(name.clone()),
        _ => Err(SpecError::props(format!(
            "{path} must be a defineFunction(...) result ({{\"$function\": name}}), found {}",
            kind_of(v)
        ))),
    }
}

/// `"$location"` of a top-level props object, if the loader provided one.
pub(crate) fn location(v: &Value) -> Option<SourceLocation> {
    let loc = v.get("$location")?;
    Some(SourceLocation {
        file: loc.get("file")?.as_str()?.to_string(),
        line: u32::try_from(loc.get("line")?.as_u64()?).ok()?,
        column: u32::try_from(loc.get("column")?.as_u64()?).ok()?,
    })
}

/// A value that is either given in the definition or read from a sandbox secret
/// (`secret('NAME')`, resolved at run time).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SecretValue {
    /// A literal string in the definition.
    Plain(String),
    /// `secret('NAME')`.
    Secret(String),
}

impl SecretValue {
    pub(crate) fn from_raw(v: &Value, path: &str) -> Result<Self, SpecError> {
        match v {
            Value::String(s) => Ok(Self::Plain(s.clone())),
            Value::Object(m) => match m.get("$secret") {
                Some(Value::String(name)) => Ok(Self::Secret(name.clone())),
                _ => Err(SpecError::props(format!(
                    "{path} must be a string or secret('NAME') ({{\"$secret\": NAME}})"
                ))),
            },
            other => Err(SpecError::props(format!(
                "{path} must be a string or secret('NAME'), found {}",
                kind_of(other)
            ))),
        }
    }
}

/// A whole number in `[min, max]` (JS `min <= n && n <= max && n % 1 === 0`).
pub(crate) fn whole_between(n: f64, min: f64, max: f64) -> Option<u32> {
    if n >= min && n <= max && n.fract() == 0.0 && n >= 0.0 && n <= f64::from(u32::MAX) {
        // In range, integral and non-negative: the cast is exact.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Some(n as u32)
    } else {
        None
    }
}

/// Format a number the way JS `String(n)` does for the values Amplify prints (`1.5`, `0`).
pub(crate) fn js_number(n: f64) -> String {
    if n.fract() == 0.0 && n.abs() < 1e21 {
        format!("{n:.0}")
    } else {
        format!("{n}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn typed_access_and_errors() {
        let v = json!({"a": "x", "n": 3, "b": true, "o": {"k": 1}, "l": ["p"], "z": null,
                        "f": {"$function": "echo"}, "s": {"$secret": "K"}});
        let o = Obj::new(&v, "props").unwrap();
        assert_eq!(o.str("a").unwrap(), Some("x"));
        assert_eq!(o.number("n").unwrap(), Some(3.0));
        assert_eq!(o.bool("b").unwrap(), Some(true));
        assert_eq!(o.str("z").unwrap(), None);
        assert_eq!(o.str_list("l").unwrap(), Some(vec!["p".to_string()]));
        assert_eq!(o.function_ref("f").unwrap(), Some("echo".to_string()));
        assert_eq!(
            o.secret_or_string("s").unwrap(),
            Some(SecretValue::Secret("K".into()))
        );
        assert_eq!(
            o.secret_or_string("a").unwrap(),
            Some(SecretValue::Plain("x".into()))
        );
        let e = o.str("n").unwrap_err();
        assert_eq!(e.message, "props.n must be a string, found a number");
        assert!(o.function_ref("a").is_err());
        assert!(Obj::new(&json!(1), "p").is_err());
    }

    #[test]
    fn numbers() {
        assert_eq!(whole_between(3.0, 1.0, 900.0), Some(3));
        assert_eq!(whole_between(1.5, 1.0, 900.0), None);
        assert_eq!(whole_between(0.0, 1.0, 900.0), None);
        assert_eq!(js_number(1.5), "1.5");
        assert_eq!(js_number(901.0), "901");
        assert_eq!(js_number(-2.0), "-2");
    }

    #[test]
    fn locations() {
        let v = json!({"$location": {"file": "amplify/auth/resource.ts", "line": 3, "column": 21}});
        let l = location(&v).unwrap();
        assert_eq!(
            (l.file.as_str(), l.line, l.column),
            ("amplify/auth/resource.ts", 3, 21)
        );
        assert!(location(&json!({})).is_none());
    }
}
