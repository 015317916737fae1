//! `@default(value:)`: the plugin changes nothing in the schema of a DynamoDB model but rejects
//! values that do not fit the field's type.

use std::net::IpAddr;

use super::Transform;
use super::scalars::is_scalar_name;
use crate::SchemaError;
use crate::sdl::ast::{Definition, Value};

impl Transform {
    pub(super) fn default_value_hooks(&mut self) -> Result<(), SchemaError> {
        for def in self.input.objects() {
            for f in &def.fields {
                for d in f.directives.iter().filter(|d| d.name == "default") {
                    let at = |msg: &str| {
                        SchemaError::at(d.pos, format!("{}.{}: {msg}", def.name, f.name))
                    };
                    if !def.has_directive("model") {
                        return Err(at(
                            "The @default directive may only be added to object definitions annotated with @model.",
                        ));
                    }
                    let base = f.ty.base_name();
                    let is_enum = self.input.is_enum(base);
                    if f.ty.is_list() || !(is_scalar_name(base) || is_enum) {
                        return Err(at(
                            "The @default directive may only be added to scalar or enum field types.",
                        ));
                    }
                    if d.args.is_empty() {
                        return Err(at(
                            "The @default directive requires a value property on non-Postgres datasources.",
                        ));
                    }
                    if d.args.len() > 1 {
                        return Err(at("The @default directive only takes a value property"));
                    }
                    let value = match d.arg("value") {
                        None | Some(Value::Null) => {
                            return Err(at("The @default directive does not support null values."));
                        }
                        Some(v) => match v {
                            Value::String(s) | Value::Int(s) | Value::Float(s) | Value::Enum(s) => {
                                s.clone()
                            }
                            Value::Boolean(b) => b.to_string(),
                            other => crate::sdl::print::value(other),
                        },
                    };
                    if is_enum {
                        let known = self.input.definitions.iter().any(|def| {
                            matches!(def, Definition::Enum(e) if e.name == base
                                && e.values.iter().any(|v| v.name == value))
                        });
                        if !known {
                            return Err(at(&format!(
                                "Default value \"{value}\" is not a member of {base} enum."
                            )));
                        }
                    } else if !valid_for_type(base, &value) {
                        return Err(at(&format!(
                            "Default value \"{value}\" is not a valid {base}."
                        )));
                    }
                }
            }
        }
        Ok(())
    }
}

/// The plugin's `TypeValidators`.
fn valid_for_type(type_name: &str, v: &str) -> bool {
    match type_name {
        "Int" | "AWSTimestamp" | "BigInt" => js_parse_int(v),
        "Float" | "Double" => js_parse_float(v),
        "Boolean" => v.eq_ignore_ascii_case("true") || v.eq_ignore_ascii_case("false"),
        "AWSJSON" => serde_json::from_str::<serde_json::Value>(v).is_ok(),
        "AWSDate" => valid_date(v),
        "AWSTime" => valid_time(v),
        "AWSDateTime" => match v.split_once('T') {
            Some((date, time)) => valid_date(date) && valid_time(time),
            None => false,
        },
        "AWSEmail" => valid_email(v),
        "AWSURL" => valid_url(v),
        "AWSIPAddress" => v.parse::<IpAddr>().is_ok(),
        // String, ID and AWSPhone (checked by libphonenumber upstream) are accepted.
        _ => true,
    }
}

/// `!isNaN(parseInt(x, 10))`: optional whitespace and sign, then at least one digit.
fn js_parse_int(v: &str) -> bool {
    let t = v.trim_start();
    let t = t.strip_prefix(['+', '-']).unwrap_or(t);
    t.starts_with(|c: char| c.is_ascii_digit())
}

/// `!isNaN(parseFloat(x))`.
fn js_parse_float(v: &str) -> bool {
    let t = v.trim_start();
    let t = t.strip_prefix(['+', '-']).unwrap_or(t);
    t.starts_with("Infinity")
        || t.starts_with(|c: char| c.is_ascii_digit())
        || (t.starts_with('.') && t[1..].starts_with(|c: char| c.is_ascii_digit()))
}

fn digits(s: &str, n: usize) -> Option<u32> {
    (s.len() == n && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

/// RFC 3339 full-date with month lengths and leap years.
fn valid_date(v: &str) -> bool {
    let parts: Vec<&str> = v.split('-').collect();
    let [y, m, d] = parts.as_slice() else {
        return false;
    };
    let (Some(year), Some(month), Some(day)) = (digits(y, 4), digits(m, 2), digits(d, 2)) else {
        return false;
    };
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let max = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=max).contains(&day)
}

/// `hh:mm:ss(.fff)?(Z|±hh:mm)`.
fn valid_time(v: &str) -> bool {
    let (clock, zone) = match v.find(['Z', '+', '-']) {
        Some(i) => v.split_at(i),
        None => return false,
    };
    let zone_ok = zone == "Z"
        || (zone.len() == 6 && {
            let (h, m) = (&zone[1..3], &zone[4..6]);
            &zone[3..4] == ":"
                && digits(h, 2).is_some_and(|h| h < 24)
                && digits(m, 2).is_some_and(|m| m < 60)
        });
    let (hms, fraction) = match clock.split_once('.') {
        Some((hms, f)) => (hms, Some(f)),
        None => (clock, None),
    };
    let fraction_ok =
        fraction.is_none_or(|f| !f.is_empty() && f.bytes().all(|b| b.is_ascii_digit()));
    let parts: Vec<&str> = hms.split(':').collect();
    let [h, m, s] = parts.as_slice() else {
        return false;
    };
    zone_ok
        && fraction_ok
        && digits(h, 2).is_some_and(|h| h < 24)
        && digits(m, 2).is_some_and(|m| m < 60)
        && digits(s, 2).is_some_and(|s| s < 60)
}

fn valid_email(v: &str) -> bool {
    let Some((local, domain)) = v.split_once('@') else {
        return false;
    };
    let local_ok = !local.is_empty()
        && local
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".!#$%&'*+/=?^_`{|}~-".contains(c));
    let label_ok = |l: &str| {
        !l.is_empty()
            && l.len() <= 63
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    local_ok && domain.split('.').all(label_ok)
}

/// An absolute URL: a scheme followed by `:` and something.
fn valid_url(v: &str) -> bool {
    match v.split_once(':') {
        Some((scheme, rest)) => {
            scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                && !rest.is_empty()
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::valid_for_type;

    #[test]
    fn validators_match_the_plugin() {
        assert!(valid_for_type("AWSTime", "12:30:00Z"));
        assert!(!valid_for_type("AWSTime", "09:00:00"));
        assert!(valid_for_type("AWSDate", "2024-02-29"));
        assert!(!valid_for_type("AWSDate", "2023-02-29"));
        assert!(valid_for_type("AWSDateTime", "2024-01-01T00:00:00.000Z"));
        assert!(valid_for_type("Int", " -12abc"));
        assert!(!valid_for_type("Int", "abc"));
        assert!(valid_for_type("Float", ".5"));
        assert!(valid_for_type("Boolean", "TRUE"));
        assert!(!valid_for_type("AWSJSON", "{theme}"));
        assert!(valid_for_type("AWSEmail", "nobody@example.com"));
        assert!(valid_for_type("AWSURL", "https://example.com"));
        assert!(valid_for_type("AWSIPAddress", "::1"));
        assert!(!valid_for_type("AWSIPAddress", "999.1.1.1"));
    }
}
