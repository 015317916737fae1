//! `aws-chunked` bodies (`STREAMING-AWS4-HMAC-SHA256-PAYLOAD`): every chunk carries a
//! signature chained from the request's signature.

use crate::canonical::{EMPTY_SHA256, hmac, sha256_hex};
use crate::error::SigV4Error;
use crate::verify::signature_matches;

/// Checks chunk signatures in order. `Debug` hides the signing key.
#[derive(Clone)]
pub struct ChunkVerifier {
    key: [u8; 32],
    amz_date: String,
    scope: String,
    previous: String,
}

impl std::fmt::Debug for ChunkVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChunkVerifier")
            .field("amz_date", &self.amz_date)
            .field("scope", &self.scope)
            .field("previous", &self.previous)
            .finish_non_exhaustive()
    }
}

impl ChunkVerifier {
    pub(crate) fn new(key: [u8; 32], amz_date: String, scope: String, seed: String) -> Self {
        Self {
            key,
            amz_date,
            scope,
            previous: seed,
        }
    }

    /// The signature chunk `data` must carry next.
    pub fn expected(&self, data: &[u8]) -> [u8; 32] {
        let sts = format!(
            "AWS4-HMAC-SHA256-PAYLOAD\n{}\n{}\n{}\n{EMPTY_SHA256}\n{}",
            self.amz_date,
            self.scope,
            self.previous,
            sha256_hex(data)
        );
        hmac(&self.key, sts.as_bytes())
    }

    /// Checks the next chunk (the last one is empty) and advances the chain.
    pub fn verify_chunk(&mut self, data: &[u8], signature: &str) -> Result<(), SigV4Error> {
        let expected = self.expected(data);
        if !signature_matches(&expected, signature) {
            return Err(SigV4Error::Chunk(
                "The chunk signature does not match.".into(),
            ));
        }
        self.previous = signature.to_ascii_lowercase();
        Ok(())
    }
}

/// Decodes a whole signed `aws-chunked` body, checking every chunk signature, and returns the
/// payload. Trailing headers after the final chunk are ignored.
pub fn decode_signed_chunks(
    body: &[u8],
    verifier: &mut ChunkVerifier,
) -> Result<Vec<u8>, SigV4Error> {
    let bad = |m: &str| SigV4Error::Chunk(format!("Malformed aws-chunked body: {m}."));
    let mut out = Vec::new();
    let mut rest = body;
    loop {
        let line_end = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or_else(|| bad("missing chunk header"))?;
        let header = std::str::from_utf8(&rest[..line_end]).map_err(|_| bad("chunk header"))?;
        let (size, signature) = header
            .split_once(";chunk-signature=")
            .ok_or_else(|| bad("missing chunk-signature"))?;
        let size = usize::from_str_radix(size.trim(), 16).map_err(|_| bad("chunk size"))?;
        let data_start = line_end + 2;
        let data_end = data_start
            .checked_add(size)
            .filter(|&e| e <= rest.len())
            .ok_or_else(|| bad("truncated chunk"))?;
        let data = &rest[data_start..data_end];
        verifier.verify_chunk(data, signature.trim())?;
        if size == 0 {
            return Ok(out);
        }
        out.extend_from_slice(data);
        rest = rest
            .get(data_end..)
            .and_then(|r| r.strip_prefix(b"\r\n"))
            .ok_or_else(|| bad("missing CRLF after chunk"))?;
    }
}

/// A decoded unsigned `aws-chunked` body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnsignedChunks {
    pub payload: Vec<u8>,
    /// Trailing headers (lower-case names), e.g. `x-amz-checksum-crc32`.
    pub trailers: Vec<(String, String)>,
}

/// The payload and trailing headers of an unsigned `aws-chunked` body
/// (`STREAMING-UNSIGNED-PAYLOAD-TRAILER`): `<hex size>\r\n<data>\r\n` ... `0\r\n`, then
/// `name:value\r\n` trailers and a final `\r\n`. Chunk extensions are ignored.
pub fn decode_unsigned_chunks(body: &[u8]) -> Result<UnsignedChunks, SigV4Error> {
    let bad = |m: &str| SigV4Error::Chunk(format!("Malformed aws-chunked body: {m}."));
    let line = |rest: &[u8]| -> Result<(usize, usize), SigV4Error> {
        let end = rest
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or_else(|| bad("missing CRLF"))?;
        Ok((end, end + 2))
    };
    let mut out = Vec::new();
    let mut rest = body;
    loop {
        let (end, next) = line(rest)?;
        let header = std::str::from_utf8(&rest[..end]).map_err(|_| bad("chunk header"))?;
        let size = header.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size, 16).map_err(|_| bad("chunk size"))?;
        rest = &rest[next..];
        if size == 0 {
            break;
        }
        let data = rest.get(..size).ok_or_else(|| bad("truncated chunk"))?;
        out.extend_from_slice(data);
        rest = rest[size..]
            .strip_prefix(b"\r\n")
            .ok_or_else(|| bad("missing CRLF after chunk"))?;
    }
    let mut trailers = Vec::new();
    while !rest.is_empty() {
        let (end, next) = line(rest)?;
        if end == 0 {
            break;
        }
        let text = std::str::from_utf8(&rest[..end]).map_err(|_| bad("trailer"))?;
        let (name, value) = text.split_once(':').ok_or_else(|| bad("trailer"))?;
        trailers.push((name.trim().to_ascii_lowercase(), value.trim().to_string()));
        rest = &rest[next..];
    }
    Ok(UnsignedChunks {
        payload: out,
        trailers,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsigned_chunks_with_trailers() {
        let body = b"5\r\nhello\r\n6;ext=1\r\n world\r\n0\r\nx-amz-checksum-crc32:AAAAAA==\r\n\r\n";
        let decoded = decode_unsigned_chunks(body).unwrap();
        assert_eq!(decoded.payload, b"hello world");
        assert_eq!(
            decoded.trailers,
            [("x-amz-checksum-crc32".to_string(), "AAAAAA==".to_string())]
        );
        assert_eq!(decode_unsigned_chunks(b"0\r\n\r\n").unwrap().payload, b"");
        assert!(decode_unsigned_chunks(b"5\r\nhel").is_err());
        assert!(decode_unsigned_chunks(b"z\r\n").is_err());
        assert!(decode_unsigned_chunks(b"3\r\nabcX").is_err());
    }
}
