//! The canonical request, the string to sign and the signing key, as AWS defines them
//! (Signature Version 4, "Create a canonical request").

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

/// `AWS4-HMAC-SHA256`.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";
/// The payload hash of requests whose body is not signed.
pub const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";
/// The prefix of the aws-chunked streaming payload markers
/// (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD`, `STREAMING-UNSIGNED-PAYLOAD-TRAILER`, ...).
pub const STREAMING_PREFIX: &str = "STREAMING-";
/// The SHA-256 of the empty body.
pub const EMPTY_SHA256: &str = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

/// How the path is encoded into the canonical URI.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UriEncoding {
    /// S3: the path as received (already percent-encoded once by the client), not normalized.
    Single,
    /// Every other service: the received path, dot segments removed, percent-encoded again
    /// (`%` becomes `%25`).
    Double,
}

impl UriEncoding {
    /// S3 signs single-encoded paths; every other service double-encodes.
    pub fn for_service(service: &str) -> Self {
        if service == "s3" || service == "s3-object-lambda" || service == "s3express" {
            Self::Single
        } else {
            Self::Double
        }
    }
}

/// Percent-encodes everything but the unreserved characters (`A-Za-z0-9-_.~`), and `/` when
/// `keep_slash`.
pub fn uri_encode(input: &[u8], keep_slash: bool) -> String {
    let mut out = String::with_capacity(input.len());
    for &b in input {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(char::from(b));
            }
            b'/' if keep_slash => out.push('/'),
            _ => {
                out.push('%');
                out.push_str(&format!("{b:02X}"));
            }
        }
    }
    out
}

/// Decodes `%XX` escapes (invalid escapes are kept literally); `+` becomes a space when
/// `plus_as_space` (query strings, as URL parsers read them).
pub fn percent_decode(input: &str, plus_as_space: bool) -> Vec<u8> {
    let bytes = input.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(v) => {
                        out.push(v);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' if plus_as_space => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    out
}

/// The canonical URI of a raw (as received) request path.
pub fn canonical_uri(raw_path: &str, encoding: UriEncoding) -> String {
    let path = if raw_path.is_empty() { "/" } else { raw_path };
    match encoding {
        UriEncoding::Single => path.to_string(),
        UriEncoding::Double => {
            let normalized = remove_dot_segments(path);
            uri_encode(normalized.as_bytes(), true)
        }
    }
}

/// Dot-segment and empty-segment removal as AWS's signers do it; the result starts with `/`
/// and ends with `/` when the input ends with `/`, `/.` or `/..`.
fn remove_dot_segments(path: &str) -> String {
    if !(path.contains('.') || path.contains("//")) && path.starts_with('/') {
        return path.to_string();
    }
    let mut out: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                out.pop();
            }
            s => out.push(s),
        }
    }
    let mut result = format!("/{}", out.join("/"));
    let trailing = ["/", "/.", "/.."].iter().any(|end| path.ends_with(end));
    if trailing && !result.ends_with('/') {
        result.push('/');
    }
    result
}

/// The canonical query string of a raw query (without `?`): every parameter decoded,
/// re-encoded with the unreserved set, sorted by name then value; `exclude` (the presigned
/// signature) left out.
pub fn canonical_query(raw_query: Option<&str>, exclude: Option<&str>) -> String {
    let Some(query) = raw_query.filter(|q| !q.is_empty()) else {
        return String::new();
    };
    let mut params: Vec<(String, String)> = query
        .split('&')
        .filter(|p| !p.is_empty())
        .filter_map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let key = percent_decode(k, true);
            if exclude.is_some_and(|e| e.as_bytes() == key.as_slice()) {
                return None;
            }
            Some((
                uri_encode(&key, false),
                uri_encode(&percent_decode(v, true), false),
            ))
        })
        .collect();
    params.sort();
    params
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

/// A header value with spaces trimmed and inner runs of spaces collapsed to one (spaces only,
/// as S3 and AWS's signers do).
pub fn canonical_header_value(value: &[u8]) -> String {
    let text = String::from_utf8_lossy(value);
    let mut out = String::with_capacity(text.len());
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// The canonical request: method, URI, query, headers (`name:value\n` each), the signed
/// header list and the payload hash, joined by newlines.
pub fn canonical_request(
    method: &str,
    canonical_uri: &str,
    canonical_query: &str,
    headers: &[(String, String)],
    signed_headers: &str,
    payload_hash: &str,
) -> String {
    let mut out = String::new();
    out.push_str(method);
    out.push('\n');
    out.push_str(canonical_uri);
    out.push('\n');
    out.push_str(canonical_query);
    out.push('\n');
    for (name, value) in headers {
        out.push_str(name);
        out.push(':');
        out.push_str(value);
        out.push('\n');
    }
    out.push('\n');
    out.push_str(signed_headers);
    out.push('\n');
    out.push_str(payload_hash);
    out
}

/// `AWS4-HMAC-SHA256\n<amz-date>\n<scope>\n<hex sha256(canonical request)>`.
pub fn string_to_sign(amz_date: &str, scope: &str, canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{amz_date}\n{scope}\n{}",
        sha256_hex(canonical_request.as_bytes())
    )
}

/// `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")`.
pub fn signing_key(secret: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
    let k_date = hmac(format!("AWS4{secret}").as_bytes(), date.as_bytes());
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    hmac(&k_service, b"aws4_request")
}

/// HMAC-SHA256.
pub fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    // HMAC accepts keys of any length.
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(key)
        .unwrap_or_else(|_| unreachable!("HMAC takes any key length"));
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(data: &[u8]) -> String {
    hex::encode(Sha256::digest(data))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding() {
        assert_eq!(uri_encode(b"a b/c~d*", true), "a%20b/c~d%2A");
        assert_eq!(uri_encode(b"a/b", false), "a%2Fb");
        assert_eq!(percent_decode("a%3Ab+c%zz", true), b"a:b c%zz");
        assert_eq!(percent_decode("%4", false), b"%4");
        assert_eq!(percent_decode("a+b", false), b"a+b");
    }

    #[test]
    fn uris() {
        assert_eq!(canonical_uri("", UriEncoding::Double), "/");
        assert_eq!(canonical_uri("/a/./b/../c/", UriEncoding::Double), "/a/c/");
        assert_eq!(
            canonical_uri("/p/us-east-1%3Aid", UriEncoding::Double),
            "/p/us-east-1%253Aid"
        );
        assert_eq!(
            canonical_uri("/b/us-east-1%3Aid/./x", UriEncoding::Single),
            "/b/us-east-1%3Aid/./x"
        );
        assert_eq!(canonical_uri("//a", UriEncoding::Double), "/a");
        assert_eq!(canonical_uri("/a/..", UriEncoding::Double), "/");
        assert_eq!(canonical_uri("/a/b/.", UriEncoding::Double), "/a/b/");
    }

    #[test]
    fn queries() {
        assert_eq!(canonical_query(None, None), "");
        assert_eq!(
            canonical_query(
                Some("b=2&a=1&a=0&c&d=x%20y+z&X-Amz-Signature=f"),
                Some("X-Amz-Signature")
            ),
            "a=0&a=1&b=2&c=&d=x%20y%20z"
        );
        assert_eq!(canonical_query(Some("k=%2a!"), None), "k=%2A%21");
    }

    #[test]
    fn header_values() {
        assert_eq!(canonical_header_value(b"  a   b c  "), "a b c");
    }

    /// The example of AWS's documentation ("Examples of how to derive a signing key").
    #[test]
    fn signing_key_vector() {
        let key = signing_key(
            "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
            "20120215",
            "us-east-1",
            "iam",
        );
        assert_eq!(
            hex::encode(key),
            "f4780e2d9f65fa895f9c67b32ce1baf0b0d8a43505a000a1a9e090d414db404d"
        );
    }
}
