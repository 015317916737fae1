//! The AWS AppSync scalars and the validation AppSync applies to their values
//! (<https://docs.aws.amazon.com/appsync/latest/devguide/scalars.html>).

use std::net::{Ipv4Addr, Ipv6Addr};

use async_graphql::Value;
use async_graphql::dynamic::Scalar;

/// The scalars AppSync defines, beside the GraphQL built-ins.
pub const AWS_SCALARS: [&str; 9] = [
    "AWSDate",
    "AWSTime",
    "AWSDateTime",
    "AWSTimestamp",
    "AWSEmail",
    "AWSJSON",
    "AWSURL",
    "AWSPhone",
    "AWSIPAddress",
];

/// Whether `value` is a valid value of the scalar `name` (any value for an unknown scalar).
pub fn is_valid(name: &str, value: &Value) -> bool {
    match (name, value) {
        ("AWSTimestamp", Value::Number(n)) => n.is_i64() || n.is_u64(),
        ("AWSTimestamp", _) => false,
        (_, Value::String(s)) => is_valid_str(name, s),
        _ => !AWS_SCALARS.contains(&name),
    }
}

/// Whether `s` is a valid string value of the scalar `name`.
pub fn is_valid_str(name: &str, s: &str) -> bool {
    match name {
        "AWSDate" => valid_date(s),
        "AWSTime" => valid_time(s),
        "AWSDateTime" => valid_date_time(s),
        "AWSEmail" => valid_email(s),
        "AWSJSON" => serde_json::from_str::<serde_json::Value>(s).is_ok(),
        "AWSURL" => valid_url(s),
        "AWSPhone" => valid_phone(s),
        "AWSIPAddress" => valid_ip(s),
        "AWSTimestamp" => false,
        _ => true,
    }
}

/// The dynamic-schema scalar for `name`, validating as AppSync does.
pub fn scalar(name: &str) -> Scalar {
    let owned = name.to_string();
    Scalar::new(name).validator(move |v| is_valid(&owned, v))
}

fn digits(s: &str, n: usize) -> Option<(u32, &str)> {
    if s.len() < n || !s.is_char_boundary(n) {
        return None;
    }
    let (head, rest) = s.split_at(n);
    if !head.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    head.parse().ok().map(|v| (v, rest))
}

/// `YYYY-MM-DD` then the rest.
fn date_part(s: &str) -> Option<&str> {
    let (year, rest) = digits(s, 4)?;
    let rest = rest.strip_prefix('-')?;
    let (month, rest) = digits(rest, 2)?;
    let rest = rest.strip_prefix('-')?;
    let (day, rest) = digits(rest, 2)?;
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let max = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (1..=max).contains(&day).then_some(rest)
}

/// `hh:mm[:ss[.fff…]]` then the rest.
fn time_part(s: &str) -> Option<&str> {
    let (h, rest) = digits(s, 2)?;
    let rest = rest.strip_prefix(':')?;
    let (m, mut rest) = digits(rest, 2)?;
    if h > 23 || m > 59 {
        return None;
    }
    if let Some(r) = rest.strip_prefix(':') {
        let (sec, r) = digits(r, 2)?;
        if sec > 60 {
            return None;
        }
        rest = r;
        if let Some(frac) = rest.strip_prefix('.') {
            let n = frac.bytes().take_while(u8::is_ascii_digit).count();
            if n == 0 {
                return None;
            }
            rest = &frac[n..];
        }
    }
    Some(rest)
}

/// `Z`, `±hh`, `±hh:mm` or `±hh:mm:ss`.
fn offset(s: &str) -> bool {
    if s == "Z" {
        return true;
    }
    let Some(rest) = s.strip_prefix('+').or_else(|| s.strip_prefix('-')) else {
        return false;
    };
    let Some((h, rest)) = digits(rest, 2) else {
        return false;
    };
    if h > 23 {
        return false;
    }
    let mut rest = rest;
    for _ in 0..2 {
        if rest.is_empty() {
            return true;
        }
        let Some(r) = rest.strip_prefix(':') else {
            return false;
        };
        let Some((v, r)) = digits(r, 2) else {
            return false;
        };
        if v > 59 {
            return false;
        }
        rest = r;
    }
    rest.is_empty()
}

fn valid_date(s: &str) -> bool {
    date_part(s).is_some_and(|rest| rest.is_empty() || offset(rest))
}

fn valid_time(s: &str) -> bool {
    time_part(s).is_some_and(|rest| rest.is_empty() || offset(rest))
}

fn valid_date_time(s: &str) -> bool {
    date_part(s)
        .and_then(|rest| rest.strip_prefix('T'))
        .and_then(time_part)
        .is_some_and(offset)
}

fn valid_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && !domain.is_empty()
        && !s.chars().any(char::is_whitespace)
        && domain.split('.').all(|label| !label.is_empty())
}

fn valid_url(s: &str) -> bool {
    let Some((scheme, rest)) = s.split_once(':') else {
        return false;
    };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        && !rest.is_empty()
        && !s.chars().any(char::is_whitespace)
}

fn valid_phone(s: &str) -> bool {
    let body = s.strip_prefix('+').unwrap_or(s);
    let digits = body.bytes().filter(u8::is_ascii_digit).count();
    (3..=15).contains(&digits)
        && body
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b' ' || b == b'-')
        && body.bytes().next().is_some_and(|b| b.is_ascii_digit())
}

fn valid_ip(s: &str) -> bool {
    let (addr, prefix) = match s.split_once('/') {
        Some((a, p)) => (a, Some(p)),
        None => (s, None),
    };
    let max = if addr.parse::<Ipv4Addr>().is_ok() {
        32
    } else if addr.parse::<Ipv6Addr>().is_ok() {
        128
    } else {
        return false;
    };
    prefix.is_none_or(|p| p.parse::<u32>().is_ok_and(|n| n <= max) && !p.starts_with('+'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_times_and_date_times() {
        assert!(valid_date("1970-01-01"));
        assert!(valid_date("1970-01-01Z"));
        assert!(valid_date("1970-01-01-07:00"));
        assert!(!valid_date("1970-02-30"));
        assert!(!valid_date("1970-1-01"));
        assert!(valid_time("12:30"));
        assert!(valid_time("12:30:24.500+05:30"));
        assert!(!valid_time("24:00"));
        assert!(valid_date_time("2024-01-01T00:00:00.000Z"));
        assert!(valid_date_time("1930-01-01T16:00-07:00"));
        assert!(!valid_date_time("2024-01-01T00:00:00"));
        assert!(!valid_date_time("2024-01-01"));
        assert!(!valid_date_time("yesterday"));
    }

    #[test]
    fn other_scalars() {
        assert!(valid_email("a@example.com"));
        assert!(!valid_email("example.com"));
        assert!(!valid_email("a b@example.com"));
        assert!(valid_url("https://example.com/x?y=1"));
        assert!(valid_url("mailto:a@example.com"));
        assert!(!valid_url("example.com"));
        assert!(valid_phone("+1 555-123-4567"));
        assert!(!valid_phone("call me"));
        assert!(valid_ip("127.0.0.1"));
        assert!(valid_ip("10.0.0.0/8"));
        assert!(valid_ip("::1"));
        assert!(!valid_ip("10.0.0.0/33"));
        assert!(!valid_ip("300.0.0.1"));
        assert!(is_valid_str("AWSJSON", "{\"a\":1}"));
        assert!(!is_valid_str("AWSJSON", "{a:1}"));
        assert!(is_valid("AWSTimestamp", &Value::from(1_700_000_000)));
        assert!(!is_valid("AWSTimestamp", &Value::from("1700000000")));
    }
}
