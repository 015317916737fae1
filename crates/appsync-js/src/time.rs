//! `util.time`: epoch milliseconds ↔ text, with the patterns of Java's `DateTimeFormatter`
//! (which AppSync documents for `nowFormatted` and friends) in IANA time zones or fixed
//! offsets (`UTC`, `+08:00`, `America/Los_Angeles`).
//!
//! Pattern letters: `y u M L d D H h k K m s S a E e z Z X x V` and `'quoted text'`. Others
//! are an error naming the letter.

use jiff::civil::{Date, DateTime, Time};
use jiff::tz::{Offset, TimeZone};
use jiff::{Timestamp, ZonedDateTime as Zoned};

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// A time zone by ID: `UTC`/`Z`/`GMT`, a fixed offset (`+08:00`, `-0500`, `GMT+2`), or an IANA
/// name.
pub fn zone(id: &str) -> Result<TimeZone, String> {
    let id = id.trim();
    if matches!(id, "UTC" | "Z" | "GMT" | "UT" | "Etc/UTC") {
        return Ok(TimeZone::UTC);
    }
    let offset_text = id
        .strip_prefix("GMT")
        .or_else(|| id.strip_prefix("UTC"))
        .unwrap_or(id);
    if let Some(seconds) = parse_offset(offset_text) {
        let offset = Offset::from_seconds(seconds).map_err(|e| e.to_string())?;
        return Ok(TimeZone::fixed(offset));
    }
    TimeZone::get(id).map_err(|_| format!("Unknown time-zone ID: {id}"))
}

/// `+08:00`, `+0800`, `+08`, `-5` → seconds east of UTC.
fn parse_offset(s: &str) -> Option<i32> {
    let sign = match s.chars().next()? {
        '+' => 1,
        '-' => -1,
        _ => return None,
    };
    let digits: String = s[1..].chars().filter(|c| *c != ':').collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) || digits.len() > 4 {
        return None;
    }
    let (h, m) = match digits.len() {
        1 | 2 => (digits.parse::<i32>().ok()?, 0),
        3 => (
            digits[..1].parse::<i32>().ok()?,
            digits[1..].parse::<i32>().ok()?,
        ),
        _ => (
            digits[..2].parse::<i32>().ok()?,
            digits[2..].parse::<i32>().ok()?,
        ),
    };
    (h <= 18 && m < 60).then_some(sign * (h * 3600 + m * 60))
}

fn zoned(ms: i64, tz: &str) -> Result<Zoned, String> {
    let ts = Timestamp::from_millisecond(ms).map_err(|e| e.to_string())?;
    Ok(ts.to_zoned_datetime(zone(tz)?))
}

/// `2018-02-06T19:01:35.749Z`: AppSync's ISO 8601 form (UTC, milliseconds).
pub fn format_iso(ms: i64) -> Result<String, String> {
    format(ms, "yyyy-MM-dd'T'HH:mm:ss.SSSX", "UTC")
}

/// Milliseconds of an ISO 8601 date-time (`2018-02-06T19:01:35.749Z`, with an offset, or
/// without one for UTC).
pub fn parse_iso(text: &str) -> Result<i64, String> {
    let text = text.trim();
    if let Ok(ts) = text.parse::<Timestamp>() {
        return Ok(ts.as_millisecond());
    }
    if let Ok(dt) = text.parse::<DateTime>() {
        return dt
            .to_zoned_datetime(TimeZone::UTC)
            .map(|z| z.timestamp().as_millisecond())
            .map_err(|e| e.to_string());
    }
    if let Ok(d) = text.parse::<Date>() {
        return d
            .to_zoned_datetime(TimeZone::UTC)
            .map(|z| z.timestamp().as_millisecond())
            .map_err(|e| e.to_string());
    }
    Err(format!(
        "Text '{text}' could not be parsed as an ISO 8601 date-time"
    ))
}

/// A pattern split into runs of one letter and literal text.
fn tokens(pattern: &str) -> Result<Vec<(char, usize)>, String> {
    // (letter, count); literal text is ('\'', index into a side table) — kept simple by
    // encoding literals as ('\0', char code) one character at a time.
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\'' {
            if chars.get(i + 1) == Some(&'\'') {
                out.push(('\0', '\'' as usize));
                i += 2;
                continue;
            }
            i += 1;
            while i < chars.len() {
                if chars[i] == '\'' {
                    if chars.get(i + 1) == Some(&'\'') {
                        out.push(('\0', '\'' as usize));
                        i += 2;
                        continue;
                    }
                    break;
                }
                out.push(('\0', chars[i] as usize));
                i += 1;
            }
            i += 1;
        } else if c.is_ascii_alphabetic() {
            let mut n = 1;
            while chars.get(i + n) == Some(&c) {
                n += 1;
            }
            if !"yuMLdDHhkKmsSaEezZXxV".contains(c) {
                return Err(format!("Unknown pattern letter: {c}"));
            }
            out.push((c, n));
            i += n;
        } else {
            out.push(('\0', c as usize));
            i += 1;
        }
    }
    Ok(out)
}

fn pad(n: i64, width: usize) -> String {
    if n < 0 {
        format!("-{:0width$}", -n, width = width)
    } else {
        format!("{n:0width$}")
    }
}

fn offset_text(seconds: i32, colon: bool, zulu: bool, minimal: bool) -> String {
    if seconds == 0 && zulu {
        return "Z".into();
    }
    let sign = if seconds < 0 { '-' } else { '+' };
    let s = seconds.abs();
    let (h, m) = (s / 3600, (s % 3600) / 60);
    if minimal && m == 0 {
        return format!("{sign}{h:02}");
    }
    if colon {
        format!("{sign}{h:02}:{m:02}")
    } else {
        format!("{sign}{h:02}{m:02}")
    }
}

/// Formats epoch milliseconds with a `DateTimeFormatter` pattern in `tz`.
pub fn format(ms: i64, pattern: &str, tz: &str) -> Result<String, String> {
    let z = zoned(ms, tz)?;
    let offset = z.offset().seconds();
    let mut out = String::new();
    for (c, n) in tokens(pattern)? {
        let text = match c {
            '\0' => char::from_u32(n as u32)
                .map(String::from)
                .unwrap_or_default(),
            'y' | 'u' if n == 2 => pad(i64::from(z.year()).rem_euclid(100), 2),
            'y' | 'u' => pad(i64::from(z.year()), n),
            'M' | 'L' => match n {
                1 | 2 => pad(i64::from(z.month()), n),
                3 => MONTHS[z.month() as usize - 1][..3].to_string(),
                _ => MONTHS[z.month() as usize - 1].to_string(),
            },
            'd' => pad(i64::from(z.day()), n),
            'D' => pad(i64::from(z.day_of_year()), n),
            'H' => pad(i64::from(z.hour()), n),
            'k' => pad(
                if z.hour() == 0 {
                    24
                } else {
                    i64::from(z.hour())
                },
                n,
            ),
            'K' => pad(i64::from(z.hour() % 12), n),
            'h' => pad(
                if z.hour() % 12 == 0 {
                    12
                } else {
                    i64::from(z.hour() % 12)
                },
                n,
            ),
            'm' => pad(i64::from(z.minute()), n),
            's' => pad(i64::from(z.second()), n),
            'S' => {
                let nanos = format!("{:09}", z.subsec_nanosecond());
                nanos
                    .chars()
                    .chain(std::iter::repeat('0'))
                    .take(n)
                    .collect()
            }
            'a' => if z.hour() < 12 { "AM" } else { "PM" }.to_string(),
            'E' | 'e' => {
                let day = DAYS[z.weekday().to_monday_zero_offset() as usize];
                if n >= 4 {
                    day.to_string()
                } else {
                    day[..3].to_string()
                }
            }
            'z' => z
                .time_zone()
                .iana_name()
                .filter(|_| n >= 4)
                .map(str::to_string)
                .unwrap_or_else(|| {
                    if offset == 0 {
                        "UTC".into()
                    } else {
                        offset_text(offset, true, false, false)
                    }
                }),
            'V' => z
                .time_zone()
                .iana_name()
                .map(str::to_string)
                .unwrap_or_else(|| offset_text(offset, true, true, false)),
            'Z' => match n {
                1..=3 => offset_text(offset, false, false, false),
                4 => format!("GMT{}", offset_text(offset, true, false, false)),
                _ => offset_text(offset, true, true, false),
            },
            'X' => offset_text(offset, n >= 3 && n != 4, true, n == 1),
            'x' => offset_text(offset, n >= 3 && n != 4, false, n == 1),
            other => return Err(format!("Unknown pattern letter: {other}")),
        };
        out.push_str(&text);
    }
    Ok(out)
}

/// Parses `text` with a `DateTimeFormatter` pattern (in `tz` unless the text has an offset)
/// to epoch milliseconds.
pub fn parse(text: &str, pattern: &str, tz: &str) -> Result<i64, String> {
    let fail = || format!("Text '{text}' could not be parsed with pattern '{pattern}'");
    let chars: Vec<char> = text.chars().collect();
    let mut i = 0;
    let (mut year, mut month, mut day) = (1970i64, 1i64, 1i64);
    let (mut hour, mut minute, mut second, mut nanos) = (0i64, 0i64, 0i64, 0i64);
    let mut pm: Option<bool> = None;
    let mut offset: Option<i32> = None;
    let number = |i: &mut usize, min: usize, max: usize| -> Option<i64> {
        let start = *i;
        let mut neg = false;
        if chars.get(*i) == Some(&'-') && max > 4 {
            neg = true;
            *i += 1;
        }
        let digits_start = *i;
        while *i < chars.len() && *i - digits_start < max && chars[*i].is_ascii_digit() {
            *i += 1;
        }
        if *i - digits_start < min {
            *i = start;
            return None;
        }
        let n: i64 = chars[digits_start..*i]
            .iter()
            .collect::<String>()
            .parse()
            .ok()?;
        Some(if neg { -n } else { n })
    };
    let name = |i: &mut usize, names: &[&str]| -> Option<i64> {
        let rest: String = chars[*i..].iter().collect();
        for (idx, full) in names.iter().enumerate() {
            for candidate in [*full, &full[..3]] {
                if rest.to_lowercase().starts_with(&candidate.to_lowercase()) {
                    *i += candidate.chars().count();
                    return Some(idx as i64 + 1);
                }
            }
        }
        None
    };
    for (c, n) in tokens(pattern)? {
        let fixed = n >= 2;
        match c {
            '\0' => {
                if chars.get(i).map(|ch| *ch as usize) != Some(n) {
                    return Err(fail());
                }
                i += 1;
            }
            'y' | 'u' if n == 2 => year = 2000 + number(&mut i, 2, 2).ok_or_else(fail)?,
            'y' | 'u' => year = number(&mut i, n.min(4), 9).ok_or_else(fail)?,
            'M' | 'L' if n >= 3 => month = name(&mut i, &MONTHS).ok_or_else(fail)?,
            'M' | 'L' => month = number(&mut i, if fixed { 2 } else { 1 }, 2).ok_or_else(fail)?,
            'd' => day = number(&mut i, if fixed { 2 } else { 1 }, 2).ok_or_else(fail)?,
            'H' | 'k' | 'K' | 'h' => {
                hour = number(&mut i, if fixed { 2 } else { 1 }, 2).ok_or_else(fail)?
            }
            'm' => minute = number(&mut i, if fixed { 2 } else { 1 }, 2).ok_or_else(fail)?,
            's' => second = number(&mut i, if fixed { 2 } else { 1 }, 2).ok_or_else(fail)?,
            'S' => {
                let start = i;
                let v = number(&mut i, n, n).ok_or_else(fail)?;
                let digits = (i - start) as u32;
                nanos = v * 10i64.pow(9 - digits.min(9));
            }
            'a' => {
                let rest: String = chars[i..].iter().take(2).collect::<String>().to_uppercase();
                pm = match rest.as_str() {
                    "AM" => Some(false),
                    "PM" => Some(true),
                    _ => return Err(fail()),
                };
                i += 2;
            }
            'E' | 'e' => {
                name(&mut i, &DAYS).ok_or_else(fail)?;
            }
            'X' | 'x' | 'Z' => {
                if c == 'X' && chars.get(i) == Some(&'Z') {
                    offset = Some(0);
                    i += 1;
                    continue;
                }
                let start = i;
                while i < chars.len()
                    && (chars[i] == '+'
                        || chars[i] == '-'
                        || chars[i] == ':'
                        || chars[i].is_ascii_digit())
                {
                    i += 1;
                }
                let text: String = chars[start..i].iter().collect();
                offset = Some(parse_offset(&text).ok_or_else(fail)?);
            }
            'z' | 'V' | 'D' => {
                return Err(format!(
                    "Parsing with the pattern letter {c} is not supported"
                ));
            }
            _ => return Err(fail()),
        }
    }
    if i != chars.len() {
        return Err(fail());
    }
    if let Some(pm) = pm {
        hour = hour % 12 + if pm { 12 } else { 0 };
    }
    let to_i8 = |v: i64| i8::try_from(v).map_err(|_| fail());
    let date = Date::new(
        i16::try_from(year).map_err(|_| fail())?,
        to_i8(month)?,
        to_i8(day)?,
    )
    .map_err(|_| fail())?;
    let time = Time::new(
        to_i8(hour)?,
        to_i8(minute)?,
        to_i8(second)?,
        i32::try_from(nanos).map_err(|_| fail())?,
    )
    .map_err(|_| fail())?;
    let dt = DateTime::from_parts(date, time);
    let tz = match offset {
        Some(o) => TimeZone::fixed(Offset::from_seconds(o).map_err(|_| fail())?),
        None => zone(tz)?,
    };
    let z = dt.to_zoned_datetime(tz).map_err(|e| e.to_string())?;
    Ok(z.timestamp().as_millisecond())
}

#[cfg(test)]
mod tests {
    use super::*;

    // 2018-02-06T19:01:35.749Z
    const T: i64 = 1_517_943_695_749;

    #[test]
    fn formats_like_date_time_formatter() {
        assert_eq!(format_iso(T).unwrap(), "2018-02-06T19:01:35.749Z");
        assert_eq!(
            format(T, "yyyy-MM-dd HH:mm:ss", "UTC").unwrap(),
            "2018-02-06 19:01:35"
        );
        assert_eq!(
            format(T, "ddMMyy hh:mm a", "UTC").unwrap(),
            "060218 07:01 PM"
        );
        assert_eq!(
            format(T, "EEE, d MMM yyyy", "UTC").unwrap(),
            "Tue, 6 Feb 2018"
        );
        assert_eq!(
            format(T, "yyyy-MM-dd'T'HH:mmXXX", "+05:30").unwrap(),
            "2018-02-07T00:31+05:30"
        );
        assert_eq!(
            format(T, "HH:mm Z", "America/Los_Angeles").unwrap(),
            "11:01 -0800"
        );
        assert!(format(T, "yyyy q", "UTC").unwrap_err().contains("q"));
        assert!(format(T, "yyyy", "Mars/Olympus").is_err());
    }

    #[test]
    fn parses_back() {
        assert_eq!(parse_iso("2018-02-06T19:01:35.749Z").unwrap(), T);
        assert_eq!(parse_iso("2018-02-06T20:01:35.749+01:00").unwrap(), T);
        assert_eq!(
            parse("2018-02-06 19:01:35.749", "yyyy-MM-dd HH:mm:ss.SSS", "UTC").unwrap(),
            T
        );
        assert_eq!(
            parse(
                "06/02/2018 11:01:35.749 AM",
                "dd/MM/yyyy hh:mm:ss.SSS a",
                "America/Los_Angeles"
            )
            .unwrap(),
            T
        );
        assert_eq!(
            parse(
                "2018-02-06T19:01:35.749Z",
                "yyyy-MM-dd'T'HH:mm:ss.SSSX",
                "+09:00"
            )
            .unwrap(),
            T
        );
        assert!(parse("2018-02-06", "yyyy-MM-dd HH", "UTC").is_err());
    }
}
