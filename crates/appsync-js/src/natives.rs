//! The Rust side of `util` (`globalThis.__stratus` in the JS runtime): ids, encodings,
//! regular expressions, Unicode normalization, time, randomness and `console`.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use rquickjs::{Ctx, Exception, Function, Object, Result};
use unicode_normalization::UnicodeNormalization;

use crate::time;

/// `util.autoId()`: a UUID v4.
pub fn auto_id() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn random_bytes() -> [u8; 16] {
    *uuid::Uuid::new_v4().as_bytes()
}

fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// `util.autoUlid()`: 48 bits of milliseconds and 80 random bits, Crockford base32.
pub fn auto_ulid() -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    let ms = u128::try_from(now_millis()).unwrap_or(0) & ((1 << 48) - 1);
    let random = u128::from_be_bytes(random_bytes()) >> 48;
    let value = (ms << 80) | random;
    (0..26)
        .rev()
        .map(|i| ALPHABET[((value >> (i * 5)) & 31) as usize] as char)
        .collect()
}

/// `util.autoKsuid()`: 4 bytes of seconds since the KSUID epoch (1400000000) and 16 random
/// bytes, base62, 27 characters.
pub fn auto_ksuid() -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let seconds = u32::try_from(now_millis() / 1000 - 1_400_000_000).unwrap_or(0);
    let mut bytes = seconds.to_be_bytes().to_vec();
    bytes.extend_from_slice(&random_bytes());
    let mut out = Vec::new();
    let mut digits = bytes;
    while digits.iter().any(|d| *d != 0) {
        let mut rem = 0u32;
        let mut next = Vec::with_capacity(digits.len());
        for d in &digits {
            let acc = rem * 256 + u32::from(*d);
            let q = acc / 62;
            rem = acc % 62;
            if !next.is_empty() || q != 0 {
                next.push(q as u8);
            }
        }
        out.push(ALPHABET[rem as usize]);
        digits = next;
    }
    while out.len() < 27 {
        out.push(b'0');
    }
    out.reverse();
    String::from_utf8(out).unwrap_or_default()
}

/// Java's `URLEncoder.encode(s, "UTF-8")`: `*-._` and alphanumerics kept, space as `+`.
pub fn url_encode(s: &str) -> String {
    const SET: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'*')
        .remove(b'-')
        .remove(b'.')
        .remove(b'_')
        .remove(b' ');
    utf8_percent_encode(s, SET).to_string().replace(' ', "+")
}

pub fn url_decode(s: &str) -> String {
    percent_decode_str(&s.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

/// `StringEscapeUtils.escapeEcmaScript`.
pub fn escape_javascript(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' => out.push_str("\\/"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    out.push_str(&format!("\\u{unit:04X}"));
                }
            }
            c => out.push(c),
        }
    }
    out
}

/// `util.matches(pattern, value)`: the whole value matches (Java's `String.matches`).
pub fn matches(pattern: &str, value: &str) -> std::result::Result<bool, String> {
    regex::Regex::new(&format!("^(?:{pattern})$"))
        .map(|r| r.is_match(value))
        .map_err(|e| e.to_string())
}

pub fn normalize(s: &str, form: &str) -> std::result::Result<String, String> {
    Ok(match form.to_ascii_lowercase().as_str() {
        "nfc" => s.nfc().collect(),
        "nfd" => s.nfd().collect(),
        "nfkc" => s.nfkc().collect(),
        "nfkd" => s.nfkd().collect(),
        other => return Err(format!("unknown normalization form {other:?}")),
    })
}

fn thrown<T>(ctx: &Ctx<'_>, r: std::result::Result<T, String>) -> Result<T> {
    r.map_err(|m| Exception::throw_message(ctx, &m))
}

/// Installs `globalThis.__stratus`; `auth_type` is what `util.authType()` answers.
pub fn install(ctx: &Ctx<'_>, auth_type: &str) -> Result<()> {
    let n = Object::new(ctx.clone())?;
    n.set("authType", auth_type)?;
    n.set("autoId", Function::new(ctx.clone(), auto_id)?)?;
    n.set("autoUlid", Function::new(ctx.clone(), auto_ulid)?)?;
    n.set("autoKsuid", Function::new(ctx.clone(), auto_ksuid)?)?;
    n.set("nowMillis", Function::new(ctx.clone(), now_millis)?)?;
    n.set(
        "random",
        Function::new(ctx.clone(), || {
            let bits = u64::from_be_bytes(random_bytes()[..8].try_into().unwrap_or([0; 8]));
            (bits >> 11) as f64 / (1u64 << 53) as f64
        })?,
    )?;
    n.set(
        "formatIso",
        Function::new(ctx.clone(), |ctx: Ctx<'_>, ms: f64| {
            thrown(&ctx, time::format_iso(ms as i64))
        })?,
    )?;
    n.set(
        "formatTime",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'_>, ms: f64, pattern: String, zone: String| {
                thrown(&ctx, time::format(ms as i64, &pattern, &zone))
            },
        )?,
    )?;
    n.set(
        "parseTime",
        Function::new(
            ctx.clone(),
            |ctx: Ctx<'_>, text: String, pattern: String, zone: String| {
                thrown(&ctx, time::parse(&text, &pattern, &zone).map(|v| v as f64))
            },
        )?,
    )?;
    n.set(
        "parseIso",
        Function::new(ctx.clone(), |ctx: Ctx<'_>, text: String| {
            thrown(&ctx, time::parse_iso(&text).map(|v| v as f64))
        })?,
    )?;
    n.set(
        "matches",
        Function::new(ctx.clone(), |ctx: Ctx<'_>, p: String, v: String| {
            thrown(&ctx, matches(&p, &v))
        })?,
    )?;
    n.set(
        "normalize",
        Function::new(ctx.clone(), |ctx: Ctx<'_>, s: String, form: String| {
            thrown(&ctx, normalize(&s, &form))
        })?,
    )?;
    n.set(
        "escapeJavaScript",
        Function::new(ctx.clone(), |s: String| escape_javascript(&s))?,
    )?;
    n.set(
        "urlEncode",
        Function::new(ctx.clone(), |s: String| url_encode(&s))?,
    )?;
    n.set(
        "urlDecode",
        Function::new(ctx.clone(), |s: String| url_decode(&s))?,
    )?;
    n.set(
        "base64Encode",
        Function::new(ctx.clone(), |s: String| STANDARD.encode(s.as_bytes()))?,
    )?;
    n.set(
        "base64Decode",
        Function::new(ctx.clone(), |ctx: Ctx<'_>, s: String| {
            thrown(
                &ctx,
                STANDARD
                    .decode(s.trim())
                    .map_err(|e| e.to_string())
                    .map(|b| String::from_utf8_lossy(&b).into_owned()),
            )
        })?,
    )?;
    n.set(
        "log",
        Function::new(ctx.clone(), |level: String, message: String| {
            match level.as_str() {
                "error" => tracing::error!(target: "stratus::resolver", "{message}"),
                "warn" => tracing::warn!(target: "stratus::resolver", "{message}"),
                _ => tracing::info!(target: "stratus::resolver", "{message}"),
            }
        })?,
    )?;
    ctx.globals().set("__stratus", n)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        let ulid = auto_ulid();
        assert_eq!(ulid.len(), 26);
        assert!(
            ulid.chars()
                .all(|c| c.is_ascii_alphanumeric() && !"ILOU".contains(c))
        );
        assert!(auto_ulid() > ulid || auto_ulid() != ulid);
        let ksuid = auto_ksuid();
        assert_eq!(ksuid.len(), 27, "{ksuid}");
        assert!(ksuid.chars().all(|c| c.is_ascii_alphanumeric()));
        assert_ne!(auto_ksuid(), ksuid);
        assert_eq!(
            uuid::Uuid::parse_str(&auto_id()).unwrap().get_version_num(),
            4
        );
    }

    #[test]
    fn encodings() {
        assert_eq!(url_encode("a b&c=d/é*"), "a+b%26c%3Dd%2F%C3%A9*");
        assert_eq!(url_decode("a+b%26c%3Dd%2F%C3%A9*"), "a b&c=d/é*");
        assert_eq!(
            escape_javascript("it's \"x\"\n/é"),
            "it\\'s \\\"x\\\"\\n\\/\\u00E9"
        );
        assert!(matches("a*b", "aaaaab").unwrap());
        assert!(!matches("a*b", "aaaaabc").unwrap());
        assert_eq!(normalize("e\u{301}", "nfc").unwrap(), "é");
    }
}
