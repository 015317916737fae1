//! `defineFunction({ schedule })` → EventBridge Scheduler cron expressions, validated and
//! translated like `@aws-amplify/backend-function`'s `schedule_parser.js` (and CDK's
//! `ScheduleExpression.cron`).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{SpecError, SpecErrorKind};
use crate::props::{Obj, js_number, kind_of};

/// One `AWS::Scheduler::Schedule` of a function.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionSchedule {
    /// EventBridge form, e.g. `cron(*/5 * * * ? *)` (minute hour day-of-month month
    /// day-of-week year; day-of-week 1 = Sunday).
    pub expression: String,
    /// IANA time zone the expression is evaluated in (default `UTC`).
    pub timezone: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// What the user wrote (`every 5m`, `0 9 ? * 2`).
    pub source: String,
}

const DEFAULT_TIMEZONE: &str = "UTC";

enum Zoned {
    Rate {
        rate: String,
        timezone: String,
        description: Option<String>,
    },
    Cron {
        cron: String,
        timezone: String,
        description: Option<String>,
    },
}

fn schedule_error(message: impl Into<String>) -> SpecError {
    SpecError::new(SpecErrorKind::FunctionScheduleInitialization, message)
        .with_resolution("See the underlying error message for more details.")
}

fn hydrate(v: &Value) -> Result<Zoned, SpecError> {
    match v {
        Value::String(s) if s.contains("every") => Ok(Zoned::Rate {
            rate: s.clone(),
            timezone: DEFAULT_TIMEZONE.into(),
            description: None,
        }),
        Value::String(s) => Ok(Zoned::Cron {
            cron: s.clone(),
            timezone: DEFAULT_TIMEZONE.into(),
            description: None,
        }),
        Value::Object(_) => {
            let o = Obj::new(v, "defineFunction.schedule")?;
            let timezone = o
                .string("timezone")?
                .unwrap_or_else(|| DEFAULT_TIMEZONE.into());
            let description = o.string("description")?;
            if let Some(rate) = o.string("rate")? {
                Ok(Zoned::Rate {
                    rate,
                    timezone,
                    description,
                })
            } else if let Some(cron) = o.string("cron")? {
                Ok(Zoned::Cron {
                    cron,
                    timezone,
                    description,
                })
            } else {
                Err(schedule_error(
                    "Could not determine the function's schedule type",
                ))
            }
        }
        other => Err(SpecError::props(format!(
            "defineFunction.schedule must be a string, an object or an array of them, found {}",
            kind_of(other)
        ))),
    }
}

/// Parse `schedule` (string | object | array) for a function with `timeout_seconds`.
pub(crate) fn parse_schedules(
    raw: &Value,
    timeout_seconds: u32,
) -> Result<Vec<FunctionSchedule>, SpecError> {
    let items: Vec<&Value> = match raw {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    let zoned = items
        .into_iter()
        .map(hydrate)
        .collect::<Result<Vec<_>, _>>()?;
    let mut errors: Vec<String> = Vec::new();
    let mut out = Vec::new();
    for z in zoned {
        match z {
            Zoned::Rate {
                rate,
                timezone,
                description,
            } => {
                let Some(interval) = time_interval(&rate) else {
                    return Err(schedule_error(format!(
                        "Invalid function schedule rate \"{rate}\". Use \"every <n>m\", \"every <n>h\", \"every day\", \"every week\", \"every month\" or \"every year\"."
                    )));
                };
                match interval.value {
                    // JS `value && !isPositiveWholeNumber(value)`; a zero rate is rejected too
                    // (AWS would accept it at synth and fail at deploy).
                    Some(v) if !(v > 0.0 && v.fract() == 0.0) => {
                        errors.push(
                            "Function schedule rate must be set with a positive whole number"
                                .into(),
                        );
                    }
                    Some(v) if interval.unit == "m" && v * 60.0 < f64::from(timeout_seconds) => {
                        let unit = if timeout_seconds > 1 {
                            "seconds"
                        } else {
                            "second"
                        };
                        errors.push(format!(
                            "Function schedule rate must be greater than the function timeout of {timeout_seconds} {unit}"
                        ));
                    }
                    _ => {}
                }
                if errors.is_empty() {
                    let expression = rate_to_cron(&interval)?;
                    out.push(FunctionSchedule {
                        expression,
                        timezone,
                        description,
                        source: rate,
                    });
                }
            }
            Zoned::Cron {
                cron,
                timezone,
                description,
            } => {
                let fields: Vec<&str> = cron.split(' ').collect();
                if fields.len() < 5 || fields.len() > 6 {
                    return Err(schedule_error(format!(
                        "Invalid cron expression \"{cron}\": expected 5 or 6 space-separated fields (minute hour day-of-month month day-of-week [year])."
                    )));
                }
                errors.extend(validate_cron(&fields));
                if errors.is_empty() {
                    let year = fields.get(5).copied().unwrap_or("*");
                    let (day, week_day) = if fields[2] == "?" {
                        ("?", fields[4])
                    } else {
                        (fields[2], "?")
                    };
                    let expression = format!(
                        "cron({} {} {day} {} {week_day} {year})",
                        fields[0], fields[1], fields[3]
                    );
                    out.push(FunctionSchedule {
                        expression,
                        timezone,
                        description,
                        source: cron,
                    });
                }
            }
        }
    }
    if errors.is_empty() {
        Ok(out)
    } else {
        Err(schedule_error(errors.join("\n")))
    }
}

struct Interval {
    value: Option<f64>,
    unit: String,
}

/// `every <part>` with exactly two words whose second ends with a known unit.
fn time_interval(rate: &str) -> Option<Interval> {
    let parts: Vec<&str> = rate.split(' ').collect();
    let [first, part] = parts.as_slice() else {
        return None;
    };
    if *first != "every"
        || !["m", "h", "day", "week", "month", "year"]
            .iter()
            .any(|u| part.ends_with(u))
    {
        return None;
    }
    // value: first match of /-?\d+\.?\d*/ ; unit: first match of /[a-zA-Z]+/
    let value = first_number(part);
    let unit: String = part
        .char_indices()
        .find(|(_, c)| c.is_ascii_alphabetic())
        .map(|(i, _)| {
            part[i..]
                .chars()
                .take_while(char::is_ascii_alphabetic)
                .collect()
        })
        .unwrap_or_default();
    Some(Interval { value, unit })
}

fn first_number(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let start = (0..b.len()).find(|&i| {
        b[i].is_ascii_digit() || (b[i] == b'-' && b.get(i + 1).is_some_and(u8::is_ascii_digit))
    })?;
    let mut end = start + 1;
    while end < b.len() && b[end].is_ascii_digit() {
        end += 1;
    }
    if end < b.len() && b[end] == b'.' {
        end += 1;
        while end < b.len() && b[end].is_ascii_digit() {
            end += 1;
        }
    }
    s[start..end].parse().ok()
}

fn rate_to_cron(i: &Interval) -> Result<String, SpecError> {
    let v = i.value.map(js_number).unwrap_or_else(|| "undefined".into());
    Ok(match i.unit.as_str() {
        "m" => format!("cron(*/{v} * * * ? *)"),
        "h" => format!("cron(0 */{v} * * ? *)"),
        "day" => "cron(0 0 * * ? *)".into(),
        "week" => "cron(0 0 ? * 1 *)".into(),
        "month" => "cron(0 0 1 * ? *)".into(),
        "year" => "cron(0 0 1 1 ? *)".into(),
        _ => {
            return Err(schedule_error(
                "Could not determine the schedule rate for the function",
            ));
        }
    })
}

fn validate_cron(f: &[&str]) -> Vec<String> {
    let mut errors = validate_part("minutes", f[0], 0.0, 59.0);
    errors.extend(validate_part("hours", f[1], 0.0, 23.0));
    if f[2] != "?" {
        errors.extend(validate_part("day-of-month", f[2], 1.0, 31.0));
    }
    errors.extend(validate_part("month", f[3], 1.0, 12.0));
    if f[4] != "?" {
        errors.extend(validate_part("day-of-week", f[4], 1.0, 7.0));
    }
    if let Some(year) = f.get(5).filter(|y| !y.is_empty()) {
        errors.extend(validate_part("year", year, 1970.0, 2199.0));
    }
    if f[2] != "?" && f[4] != "?" {
        errors.push(
            "Cron expressions cannot have both day-of-month and day-of-week defined, you must use a ? in one of the fields"
                .into(),
        );
    }
    errors
}

fn whole_in(n: f64, min: f64, max: f64) -> bool {
    min <= n && n <= max && n.fract() == 0.0
}

fn validate_part(name: &str, value: &str, min: f64, max: f64) -> Vec<String> {
    let mut errors = Vec::new();
    if value == "*" {
        return errors;
    }
    let (has_step, has_range, has_list) = (
        value.contains('/'),
        value.contains('-'),
        value.contains(','),
    );
    if has_list {
        if !value
            .split(',')
            .all(|v| whole_in(js_to_number(v), min, max))
        {
            errors.push(format!(
                "Cron list for {name} must contain whole numbers between {} and {}",
                js_number(min),
                js_number(max)
            ));
        }
        for item in value.split(',') {
            if item.contains('/') {
                errors.extend(step_error(name, item, min, max));
            } else if item.contains('-') {
                errors.extend(range_error(name, item, min, max));
            }
        }
    } else if has_step {
        errors.extend(step_error(name, value, min, max));
    } else if has_range {
        errors.extend(range_error(name, value, min, max));
    }
    if !has_step && !has_range && !has_list && !whole_in(js_to_number(value), min, max) {
        errors.push(format!(
            "Cron field for {name} must be a whole number between {} and {}",
            js_number(min),
            js_number(max)
        ));
    }
    errors
}

fn first_two(value: &str, sep: char) -> (String, f64, f64) {
    let mut it = value.split(sep);
    let a = it.next().unwrap_or_default().to_string();
    let b = it.next().map_or(f64::NAN, js_to_number);
    let an = js_to_number(&a);
    (a, an, b)
}

fn step_error(name: &str, value: &str, min: f64, max: f64) -> Option<String> {
    let (original_base, base, step) = first_two(value, '/');
    if original_base == "*" {
        if step.is_nan() || step <= 0.0 || step.fract() != 0.0 {
            return Some(format!(
                "Cron step values for {name} must be positive whole numbers"
            ));
        }
    } else if base.is_nan() || step.is_nan() || !whole_in(base, min, max) || step <= 0.0 {
        return Some(format!(
            "Cron step values for {name} must be whole numbers between {} and {}",
            js_number(min),
            js_number(max)
        ));
    }
    None
}

fn range_error(name: &str, value: &str, min: f64, max: f64) -> Option<String> {
    let (_, start, end) = first_two(value, '-');
    if start.is_nan()
        || end.is_nan()
        || !whole_in(start, min, max)
        || !whole_in(end, min, max)
        || start > end
    {
        return Some(format!(
            "Cron range for {name} must be whole numbers between {} and {}",
            js_number(min),
            js_number(max)
        ));
    }
    None
}

/// JS `Number(string)` for the inputs a cron field can contain.
fn js_to_number(s: &str) -> f64 {
    let t = s.trim();
    if t.is_empty() {
        return 0.0;
    }
    match t {
        "Infinity" | "+Infinity" => return f64::INFINITY,
        "-Infinity" => return f64::NEG_INFINITY,
        _ => {}
    }
    let radix = [
        ("0x", 16),
        ("0X", 16),
        ("0o", 8),
        ("0O", 8),
        ("0b", 2),
        ("0B", 2),
    ]
    .iter()
    .find_map(|(p, r)| t.strip_prefix(p).map(|rest| (rest, *r)));
    if let Some((digits, radix)) = radix {
        return u64::from_str_radix(digits, radix).map_or(f64::NAN, |n| n as f64);
    }
    if t.chars()
        .all(|c| c.is_ascii_digit() || matches!(c, '+' | '-' | '.' | 'e' | 'E'))
    {
        t.parse().unwrap_or(f64::NAN)
    } else {
        f64::NAN
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn exprs(v: Value, timeout: u32) -> Vec<String> {
        parse_schedules(&v, timeout)
            .unwrap()
            .into_iter()
            .map(|s| s.expression)
            .collect()
    }

    fn err(v: Value, timeout: u32) -> String {
        parse_schedules(&v, timeout).unwrap_err().message
    }

    #[test]
    fn rates_table() {
        assert_eq!(
            exprs(
                json!([
                    "every 5m",
                    "every 2h",
                    "every day",
                    "every week",
                    "every month",
                    "every year",
                    "every 1day"
                ]),
                3
            ),
            [
                "cron(*/5 * * * ? *)",
                "cron(0 */2 * * ? *)",
                "cron(0 0 * * ? *)",
                "cron(0 0 ? * 1 *)",
                "cron(0 0 1 * ? *)",
                "cron(0 0 1 1 ? *)",
                "cron(0 0 * * ? *)"
            ]
        );
    }

    #[test]
    fn crons_and_zones() {
        assert_eq!(exprs(json!("0 9 ? * 2"), 3), ["cron(0 9 ? * 2 *)"]);
        assert_eq!(
            exprs(json!("0 12 1-15 * ? 2030"), 3),
            ["cron(0 12 1-15 * ? 2030)"]
        );
        assert_eq!(
            exprs(json!("0,30 8-17 ? * 2-6"), 3),
            ["cron(0,30 8-17 ? * 2-6 *)"]
        );
        let s = parse_schedules(
            &json!({"rate": "every day", "timezone": "Europe/Paris", "description": "d"}),
            3,
        )
        .unwrap();
        assert_eq!(
            (s[0].timezone.as_str(), s[0].description.as_deref()),
            ("Europe/Paris", Some("d"))
        );
        assert_eq!(s[0].source, "every day");
    }

    #[test]
    fn errors() {
        assert_eq!(
            err(json!("every 1m"), 120),
            "Function schedule rate must be greater than the function timeout of 120 seconds"
        );
        assert_eq!(
            err(json!("every 1.5h"), 3),
            "Function schedule rate must be set with a positive whole number"
        );
        assert_eq!(
            err(json!("every 0m"), 3),
            "Function schedule rate must be set with a positive whole number"
        );
        assert_eq!(
            err(json!("61 * * * ?"), 3),
            "Cron field for minutes must be a whole number between 0 and 59"
        );
        assert_eq!(
            err(json!("0 0 ? 5-13 1"), 3),
            "Cron range for month must be whole numbers between 1 and 12"
        );
        assert_eq!(
            err(json!("0 0 ? * 1,9"), 3),
            "Cron list for day-of-week must contain whole numbers between 1 and 7"
        );
        assert_eq!(
            err(json!("*/0 * * * ?"), 3),
            "Cron step values for minutes must be positive whole numbers"
        );
        assert_eq!(
            err(json!("0 0 L * ?"), 3),
            "Cron field for day-of-month must be a whole number between 1 and 31"
        );
        assert_eq!(
            err(json!("0 0 1 * 2"), 3),
            "Cron expressions cannot have both day-of-month and day-of-week defined, you must use a ? in one of the fields"
        );
        assert_eq!(
            err(json!(["99 0 ? * 1", "0 99 ? * 1"]), 3),
            "Cron field for minutes must be a whole number between 0 and 59\nCron field for hours must be a whole number between 0 and 23"
        );
        assert!(err(json!("every 5 minutes"), 3).starts_with("Invalid function schedule rate"));
        assert!(err(json!("0 9 ?"), 3).starts_with("Invalid cron expression"));
        assert_eq!(
            err(json!({"at": "x"}), 3),
            "Could not determine the function's schedule type"
        );
        assert_eq!(
            err(json!("every 5mm"), 3),
            "Could not determine the schedule rate for the function"
        );
    }

    #[test]
    fn js_numbers() {
        assert_eq!(js_to_number(""), 0.0);
        assert_eq!(js_to_number("0x10"), 16.0);
        assert!(js_to_number("L").is_nan());
        assert!(js_to_number("inf").is_nan());
        assert_eq!(js_to_number(" 7 "), 7.0);
    }
}
