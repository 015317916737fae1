//! Hand-written XML: escaping for the documents we write, and a small reader for the two
//! request bodies S3 clients send (CompleteMultipartUpload, Delete).

use super::error::S3Error;
use crate::backend::CompletedPart;

pub const S3_NS: &str = "http://s3.amazonaws.com/doc/2006-03-01/";
pub const DECL: &str = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";

/// Escapes text for element content (`&`, `<`, `>`, `"`, `'`; S3 writes ETags as `&quot;..`).
/// Control characters that XML 1.0 cannot carry are written as character references.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 || c == '\r' => out.push_str(&format!("&#x{:X};", c as u32)),
            c => out.push(c),
        }
    }
    out
}

/// `<name>escaped value</name>`
pub fn elem(out: &mut String, name: &str, value: &str) {
    out.push('<');
    out.push_str(name);
    out.push('>');
    out.push_str(&escape(value));
    out.push_str("</");
    out.push_str(name);
    out.push('>');
}

fn unescape(s: &str) -> Result<String, S3Error> {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        let end = rest[i..].find(';').ok_or_else(S3Error::malformed_xml)?;
        let ent = &rest[i + 1..i + end];
        let c = match ent {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code = if let Some(h) = ent.strip_prefix("#x").or(ent.strip_prefix("#X")) {
                    u32::from_str_radix(h, 16).ok()
                } else if let Some(d) = ent.strip_prefix('#') {
                    d.parse().ok()
                } else {
                    None
                };
                code.and_then(char::from_u32)
                    .ok_or_else(S3Error::malformed_xml)?
            }
        };
        out.push(c);
        rest = &rest[i + end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// The raw (still escaped) contents of each top-level `<name>...</name>` in `doc`, in order.
/// Namespace prefixes are not supported (S3 clients do not use them); attributes are allowed.
fn children<'a>(doc: &'a str, name: &str) -> Vec<&'a str> {
    let mut out = Vec::new();
    let close = format!("</{name}>");
    let mut rest = doc;
    while let Some(i) = rest.find(&format!("<{name}")) {
        let after = &rest[i + name.len() + 1..];
        // `<Part>` but not `<PartNumber>`.
        let Some(gt) = after.find('>') else { break };
        let head = &after[..gt];
        if !(head.is_empty() || head.starts_with(char::is_whitespace)) {
            rest = after;
            continue;
        }
        if head.ends_with('/') {
            out.push("");
            rest = &after[gt + 1..];
            continue;
        }
        let body = &after[gt + 1..];
        let Some(end) = body.find(&close) else { break };
        out.push(&body[..end]);
        rest = &body[end + close.len()..];
    }
    out
}

fn text(doc: &str, name: &str) -> Result<Option<String>, S3Error> {
    children(doc, name).first().map(|t| unescape(t)).transpose()
}

/// The parts of a `<CompleteMultipartUpload>` body.
pub fn parse_complete(doc: &str) -> Result<Vec<CompletedPart>, S3Error> {
    if !doc.contains("<CompleteMultipartUpload") {
        return Err(S3Error::malformed_xml());
    }
    children(doc, "Part")
        .into_iter()
        .map(|p| {
            let number = text(p, "PartNumber")?
                .and_then(|n| n.trim().parse::<u32>().ok())
                .ok_or_else(S3Error::malformed_xml)?;
            let etag = text(p, "ETag")?.ok_or_else(S3Error::malformed_xml)?;
            Ok(CompletedPart {
                part_number: number,
                etag: etag.trim().to_string(),
            })
        })
        .collect()
}

/// The keys and `Quiet` flag of a `<Delete>` body.
pub fn parse_delete(doc: &str) -> Result<(Vec<String>, bool), S3Error> {
    if !doc.contains("<Delete") {
        return Err(S3Error::malformed_xml());
    }
    let quiet = text(doc, "Quiet")?.is_some_and(|q| q.trim().eq_ignore_ascii_case("true"));
    let keys = children(doc, "Object")
        .into_iter()
        .map(|o| text(o, "Key")?.ok_or_else(S3Error::malformed_xml))
        .collect::<Result<Vec<_>, _>>()?;
    if keys.len() > 1000 {
        return Err(S3Error::malformed_xml());
    }
    Ok((keys, quiet))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_round_trip() {
        let s = "a&b<c>\"d'\u{1}";
        assert_eq!(escape(s), "a&amp;b&lt;c&gt;&quot;d&apos;&#x1;");
        assert_eq!(unescape(&escape(s)).unwrap(), s);
    }

    #[test]
    fn complete_body() {
        let doc = r#"<?xml version="1.0" encoding="UTF-8"?><CompleteMultipartUpload xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Part><ETag>"aa"</ETag><PartNumber>1</PartNumber><ChecksumCRC32>x</ChecksumCRC32></Part><Part><PartNumber>2</PartNumber><ETag>&quot;bb&quot;</ETag></Part></CompleteMultipartUpload>"#;
        let parts = parse_complete(doc).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(
            (parts[0].part_number, parts[0].etag.as_str()),
            (1, "\"aa\"")
        );
        assert_eq!(
            (parts[1].part_number, parts[1].etag.as_str()),
            (2, "\"bb\"")
        );
        assert!(parse_complete("<Part></Part>").is_err());
        assert!(
            parse_complete(
                "<CompleteMultipartUpload><Part><ETag>x</ETag></Part></CompleteMultipartUpload>"
            )
            .is_err()
        );
    }

    #[test]
    fn delete_body() {
        let doc = "<Delete xmlns=\"x\"><Quiet>false</Quiet><Object><Key>a &amp; b</Key></Object><Object><Key>c</Key></Object></Delete>";
        let (keys, quiet) = parse_delete(doc).unwrap();
        assert_eq!(keys, vec!["a & b".to_string(), "c".to_string()]);
        assert!(!quiet);
    }
}
