//! `@validate` rules (`a.string().validate(...)`), checked on mutation inputs as the generated
//! `validate` pipeline function checks them (after authorization, before the write).

use async_graphql::Result;
use serde_json::{Map, Value};
use stratus_spec::data::Model;

/// The first rule a field of `input` breaks, as AppSync's error.
pub fn check(model: &Model, input: &Map<String, Value>) -> Result<()> {
    for field in &model.fields {
        if field.validations.is_empty() {
            continue;
        }
        let Some(value) = input.get(&field.name).filter(|v| !v.is_null()) else {
            continue;
        };
        for rule in &field.validations {
            if let Some(message) = broken(&model.name, &field.name, rule, value) {
                // `$util.error(message)` without a type: no `errorType` here either.
                return Err(async_graphql::Error::new(message));
            }
        }
    }
    Ok(())
}

fn broken(
    type_name: &str,
    field: &str,
    rule: &stratus_spec::data::Validation,
    value: &Value,
) -> Option<String> {
    let v = rule.value.as_str();
    let prefix = format!("Field {field} of type {type_name} must");
    let (ok, default) = match rule.kind.as_str() {
        "minLength" | "maxLength" => {
            // Java's `String.length()`: UTF-16 code units.
            let len = value.as_str()?.encode_utf16().count();
            let bound: usize = v.parse().ok()?;
            if rule.kind == "minLength" {
                (
                    len >= bound,
                    format!("{prefix} have a minimum length of {v}"),
                )
            } else {
                (
                    len <= bound,
                    format!("{prefix} have a maximum length of {v}"),
                )
            }
        }
        "startsWith" => (
            value.as_str()?.starts_with(v),
            format!("{prefix} start with {v}"),
        ),
        "endsWith" => (
            value.as_str()?.ends_with(v),
            format!("{prefix} end with {v}"),
        ),
        "matches" => {
            // `$util.matches` is Java's `String.matches`: the whole string.
            let re = regex::Regex::new(&format!("^(?:{v})$")).ok()?;
            (re.is_match(value.as_str()?), format!("{prefix} match {v}"))
        }
        "gt" | "lt" | "gte" | "lte" => {
            let n = value.as_f64()?;
            let bound: f64 = v.parse().ok()?;
            match rule.kind.as_str() {
                "gt" => (n > bound, format!("{prefix} be greater than {v}")),
                "lt" => (n < bound, format!("{prefix} be less than {v}")),
                "gte" => (
                    n >= bound,
                    format!("{prefix} be greater than or equal to {v}"),
                ),
                _ => (n <= bound, format!("{prefix} be less than or equal to {v}")),
            }
        }
        _ => return None,
    };
    (!ok).then(|| rule.error_message.clone().unwrap_or(default))
}
