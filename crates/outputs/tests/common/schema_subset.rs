//! A validator for the subset of JSON Schema (2020-12) that `schema_v1.5.json` uses:
//! `type`, `properties`, `additionalProperties: false`, `patternProperties` (only `.*`),
//! `propertyNames` (type only), `required`, `const`, `enum`, `items`, `minItems`,
//! `uniqueItems`, `minimum`, `maximum`, `anyOf`, `$ref` to `#/$defs/...`. Annotations
//! (`description`, `title`, `default`, `tsType`, `$id`, `$schema`) are ignored. Any other
//! keyword makes validation fail loudly instead of passing silently.

use serde_json::{Map, Value};

pub struct Validator<'a> {
    root: &'a Value,
}

const ANNOTATIONS: [&str; 6] = [
    "description",
    "title",
    "default",
    "tsType",
    "$id",
    "$schema",
];

impl<'a> Validator<'a> {
    pub fn new(root: &'a Value) -> Self {
        Self { root }
    }

    /// All violations (empty = valid).
    pub fn validate(&self, doc: &Value) -> Vec<String> {
        let mut errors = Vec::new();
        self.check(self.root, doc, "$", &mut errors);
        errors
    }

    fn resolve(&self, r: &str) -> Option<&'a Value> {
        let name = r.strip_prefix("#/$defs/")?;
        self.root.get("$defs")?.get(name)
    }

    fn check(&self, schema: &'a Value, v: &Value, at: &str, errors: &mut Vec<String>) {
        let Some(s) = schema.as_object() else {
            errors.push(format!("{at}: schema is not an object"));
            return;
        };
        for (k, kw) in s {
            match k.as_str() {
                "$ref" => match kw.as_str().and_then(|r| self.resolve(r)) {
                    Some(target) => self.check(target, v, at, errors),
                    None => errors.push(format!("{at}: unresolvable $ref {kw}")),
                },
                "type" => {
                    let ok = match kw.as_str() {
                        Some("object") => v.is_object(),
                        Some("array") => v.is_array(),
                        Some("string") => v.is_string(),
                        Some("boolean") => v.is_boolean(),
                        Some("integer") => v.as_f64().is_some_and(|n| n.fract() == 0.0),
                        Some("number") => v.is_number(),
                        _ => {
                            errors.push(format!("{at}: unsupported type {kw}"));
                            true
                        }
                    };
                    if !ok {
                        errors.push(format!("{at}: expected {kw}, found {v}"));
                    }
                }
                "const" if v != kw => errors.push(format!("{at}: expected const {kw}, found {v}")),
                "enum" if !kw.as_array().is_some_and(|a| a.contains(v)) => {
                    errors.push(format!("{at}: {v} not in {kw}"))
                }
                "minimum" if v.as_f64().zip(kw.as_f64()).is_some_and(|(x, m)| x < m) => {
                    errors.push(format!("{at}: {v} < minimum {kw}"))
                }
                "maximum" if v.as_f64().zip(kw.as_f64()).is_some_and(|(x, m)| x > m) => {
                    errors.push(format!("{at}: {v} > maximum {kw}"))
                }
                "required" => {
                    if let Some(obj) = v.as_object() {
                        for r in kw
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(Value::as_str)
                        {
                            if !obj.contains_key(r) {
                                errors.push(format!("{at}: missing required property {r}"));
                            }
                        }
                    }
                }
                "properties" | "patternProperties" | "additionalProperties" | "propertyNames" => {
                    if k == "properties" {
                        self.check_object(s, v, at, errors);
                    }
                    if k == "patternProperties" && !s.contains_key("properties") {
                        self.check_object(s, v, at, errors);
                    }
                }
                "items" => {
                    for (i, item) in v.as_array().into_iter().flatten().enumerate() {
                        self.check(kw, item, &format!("{at}[{i}]"), errors);
                    }
                }
                "minItems" => {
                    if let (Some(a), Some(n)) = (v.as_array(), kw.as_u64())
                        && (a.len() as u64) < n
                    {
                        errors.push(format!("{at}: fewer than {n} items"));
                    }
                }
                "uniqueItems" => {
                    if let (Some(a), Some(true)) = (v.as_array(), kw.as_bool()) {
                        for (i, x) in a.iter().enumerate() {
                            if a[..i].contains(x) {
                                errors.push(format!("{at}: duplicate item {x}"));
                            }
                        }
                    }
                }
                "anyOf" => {
                    let ok = kw.as_array().into_iter().flatten().any(|b| {
                        let mut e = Vec::new();
                        self.check(b, v, at, &mut e);
                        e.is_empty()
                    });
                    if !ok {
                        errors.push(format!("{at}: matches none of anyOf"));
                    }
                }
                "$defs" | "const" | "enum" | "minimum" | "maximum" => {}
                other if ANNOTATIONS.contains(&other) => {}
                other => errors.push(format!("{at}: unsupported keyword {other}")),
            }
        }
    }

    fn check_object(
        &self,
        s: &'a Map<String, Value>,
        v: &Value,
        at: &str,
        errors: &mut Vec<String>,
    ) {
        let Some(obj) = v.as_object() else { return };
        let props = s.get("properties").and_then(Value::as_object);
        let patterns = s.get("patternProperties").and_then(Value::as_object);
        for (key, value) in obj {
            let here = format!("{at}.{key}");
            if let Some(names) = s.get("propertyNames") {
                self.check(names, &Value::String(key.clone()), &here, errors);
            }
            let mut matched = false;
            if let Some(p) = props.and_then(|p| p.get(key)) {
                matched = true;
                self.check(p, value, &here, errors);
            }
            for (pattern, sub) in patterns.into_iter().flatten() {
                if pattern != ".*" {
                    errors.push(format!("{here}: unsupported pattern {pattern}"));
                    continue;
                }
                matched = true;
                self.check(sub, value, &here, errors);
            }
            if !matched && s.get("additionalProperties") == Some(&Value::Bool(false)) {
                errors.push(format!("{here}: additional property not allowed"));
            }
        }
    }
}
