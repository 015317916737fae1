//! Request bodies as [`ByteStream`]s: checked against the signed SHA-256 while streaming, and
//! aws-chunked framing (`STREAMING-*` content hashes) decoded on the fly. Memory use is bounded
//! by one chunk, whatever the object size.

use std::io;

use bytes::{Buf, Bytes, BytesMut};
use futures::StreamExt;
use http::StatusCode;
use sha2::{Digest, Sha256};

use super::checksum::Crc32;
use super::error::S3Error;
use crate::auth::{ChunkSignatures, PayloadCheck};
use crate::backend::ByteStream;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

/// The largest aws-chunked chunk accepted (signed chunks are held whole until verified).
const MAX_CHUNK: usize = 16 * 1024 * 1024;
/// The largest chunk header / trailer line.
const MAX_LINE: usize = 4096;

fn incomplete() -> io::Error {
    S3Error::new(
        StatusCode::BAD_REQUEST,
        "IncompleteBody",
        "The request body terminated unexpectedly",
    )
    .into_io()
}

/// The raw axum body as a stream of chunks.
pub fn raw_stream(body: axum::body::Body) -> ByteStream {
    body.into_data_stream()
        .map(|r| r.map_err(io::Error::other))
        .boxed()
}

/// Wraps `raw` according to the request's `x-amz-content-sha256` value and what the
/// authenticator said about the payload.
pub fn request_body(
    raw: ByteStream,
    content_sha256: Option<&str>,
    payload: PayloadCheck,
    decoded_length: Option<u64>,
) -> Result<ByteStream, S3Error> {
    let streaming = content_sha256.is_some_and(|v| v.starts_with("STREAMING-"));
    match payload {
        PayloadCheck::SignedChunks(verifier) => {
            Ok(decode_chunked(raw, Some(verifier), decoded_length))
        }
        _ if streaming => {
            if content_sha256.is_some_and(|v| v.starts_with("STREAMING-UNSIGNED-PAYLOAD")) {
                Ok(decode_chunked(raw, None, decoded_length))
            } else {
                // Signed chunks without a verifier would be unauthenticated data.
                Err(S3Error::access_denied())
            }
        }
        PayloadCheck::Sha256(expected) => Ok(check_sha256(raw, expected)),
        PayloadCheck::Unsigned => Ok(raw),
    }
}

/// Passes chunks through, hashing them; fails at the end if the hash differs.
pub fn check_sha256(raw: ByteStream, expected: String) -> ByteStream {
    let expected = expected.to_ascii_lowercase();
    futures::stream::unfold(
        (raw, Sha256::new(), expected, false),
        |(mut raw, mut hasher, expected, done)| async move {
            if done {
                return None;
            }
            match raw.next().await {
                Some(Ok(chunk)) => {
                    hasher.update(&chunk);
                    Some((Ok(chunk), (raw, hasher, expected, false)))
                }
                Some(Err(e)) => Some((Err(e), (raw, hasher, expected, true))),
                None => {
                    let got = hex::encode(hasher.clone().finalize());
                    if got == expected {
                        None
                    } else {
                        let e = S3Error::new(
                            StatusCode::BAD_REQUEST,
                            "XAmzContentSHA256Mismatch",
                            "The provided 'x-amz-content-sha256' header does not match what was computed.",
                        )
                        .with("ClientComputedContentSHA256", expected.clone())
                        .with("S3ComputedContentSHA256", got);
                        Some((Err(e.into_io()), (raw, hasher, expected, true)))
                    }
                }
            }
        },
    )
    .boxed()
}

enum Phase {
    Header,
    Data {
        remaining: usize,
        signature: Option<String>,
        whole: usize,
    },
    DataEnd,
    Trailer,
    Done,
}

struct Chunked {
    raw: ByteStream,
    buf: BytesMut,
    phase: Phase,
    verifier: Option<Box<dyn ChunkSignatures>>,
    decoded: u64,
    expected_len: Option<u64>,
    raw_done: bool,
    /// CRC-32 of the decoded bytes, for an `x-amz-checksum-crc32` trailer.
    crc: Crc32,
    trailer_crc: Option<String>,
}

impl Chunked {
    /// Reads more raw bytes; `false` at the end of the raw body.
    async fn fill(&mut self) -> io::Result<bool> {
        if self.raw_done {
            return Ok(false);
        }
        match self.raw.next().await {
            Some(Ok(b)) => {
                self.buf.extend_from_slice(&b);
                Ok(true)
            }
            Some(Err(e)) => Err(e),
            None => {
                self.raw_done = true;
                Ok(false)
            }
        }
    }

    fn take_line(&mut self) -> io::Result<Option<String>> {
        match self.buf.windows(2).position(|w| w == b"\r\n") {
            Some(i) => {
                let line = self.buf.split_to(i);
                self.buf.advance(2);
                String::from_utf8(line.to_vec())
                    .map(Some)
                    .map_err(|_| bad_framing("chunk header"))
            }
            None if self.buf.len() > MAX_LINE => Err(bad_framing("chunk header too long")),
            None => Ok(None),
        }
    }

    /// The next decoded piece, `None` at the end.
    async fn next_piece(&mut self) -> io::Result<Option<Bytes>> {
        loop {
            match &mut self.phase {
                Phase::Done => return Ok(None),
                Phase::Header => {
                    let Some(line) = self.take_line()? else {
                        if !self.fill().await? {
                            return Err(incomplete());
                        }
                        continue;
                    };
                    let (size, ext) = match line.split_once(';') {
                        Some((s, e)) => (s, Some(e)),
                        None => (line.as_str(), None),
                    };
                    let size = usize::from_str_radix(size.trim(), 16)
                        .map_err(|_| bad_framing("chunk size"))?;
                    if size > MAX_CHUNK {
                        return Err(bad_framing("chunk too large"));
                    }
                    let signature = ext
                        .and_then(|e| e.trim().strip_prefix("chunk-signature="))
                        .map(str::to_string);
                    if self.verifier.is_some() && signature.is_none() {
                        return Err(bad_framing("missing chunk-signature"));
                    }
                    self.phase = Phase::Data {
                        remaining: size,
                        signature,
                        whole: size,
                    };
                }
                Phase::Data {
                    remaining,
                    signature,
                    whole,
                } => {
                    let (remaining_now, whole) = (*remaining, *whole);
                    if let Some(verifier) = self.verifier.as_mut() {
                        // Signed: hold the whole chunk until its signature checks out.
                        if self.buf.len() < remaining_now {
                            if !self.fill().await? {
                                return Err(incomplete());
                            }
                            continue;
                        }
                        let data = self.buf.split_to(remaining_now).freeze();
                        let sig = signature.take().unwrap_or_default();
                        verifier
                            .verify_chunk(&data, &sig)
                            .map_err(S3Error::into_io)?;
                        self.phase = if whole == 0 {
                            Phase::Trailer
                        } else {
                            Phase::DataEnd
                        };
                        if !data.is_empty() {
                            self.decoded += data.len() as u64;
                            self.crc.update(&data);
                            return Ok(Some(data));
                        }
                        continue;
                    }
                    if whole == 0 {
                        self.phase = Phase::Trailer;
                        continue;
                    }
                    if remaining_now == 0 {
                        self.phase = Phase::DataEnd;
                        continue;
                    }
                    if self.buf.is_empty() {
                        if !self.fill().await? {
                            return Err(incomplete());
                        }
                        continue;
                    }
                    let n = remaining_now.min(self.buf.len());
                    let data = self.buf.split_to(n).freeze();
                    *remaining -= n;
                    self.decoded += n as u64;
                    self.crc.update(&data);
                    return Ok(Some(data));
                }
                Phase::DataEnd => {
                    if self.buf.len() < 2 {
                        if !self.fill().await? {
                            return Err(incomplete());
                        }
                        continue;
                    }
                    if &self.buf[..2] != b"\r\n" {
                        return Err(bad_framing("chunk not terminated by CRLF"));
                    }
                    self.buf.advance(2);
                    self.phase = Phase::Header;
                }
                Phase::Trailer => {
                    // Trailing headers up to an empty line or the end of the body. A CRC-32
                    // checksum is verified; other trailers (the trailer signature) are ignored.
                    let line = match self.take_line()? {
                        Some(line) => Some(line),
                        None => {
                            if !self.fill().await? {
                                self.phase = Phase::Done;
                                let rest = self.buf.split().to_vec();
                                Some(String::from_utf8_lossy(&rest).into_owned())
                            } else {
                                None
                            }
                        }
                    };
                    match line.as_deref() {
                        Some("") => self.phase = Phase::Done,
                        Some(l) => {
                            if let Some((name, value)) = l.split_once(':')
                                && name.trim().eq_ignore_ascii_case("x-amz-checksum-crc32")
                            {
                                self.trailer_crc = Some(value.trim().to_string());
                            }
                        }
                        None => {}
                    }
                    if matches!(self.phase, Phase::Done) {
                        if let Some(n) = self.expected_len
                            && n != self.decoded
                        {
                            return Err(incomplete());
                        }
                        if let Some(want) = &self.trailer_crc
                            && *want != STANDARD.encode(self.crc.finish().to_be_bytes())
                        {
                            return Err(S3Error::new(
                                StatusCode::BAD_REQUEST,
                                "BadDigest",
                                "The CRC32 you specified did not match the calculated checksum.",
                            )
                            .into_io());
                        }
                    }
                }
            }
        }
    }
}

fn bad_framing(what: &str) -> io::Error {
    S3Error::invalid_request(format!("Malformed aws-chunked body: {what}.")).into_io()
}

/// Decodes aws-chunked framing; with a verifier, every chunk's signature is checked before
/// its data is passed on.
pub fn decode_chunked(
    raw: ByteStream,
    verifier: Option<Box<dyn ChunkSignatures>>,
    expected_len: Option<u64>,
) -> ByteStream {
    let state = Chunked {
        raw,
        buf: BytesMut::new(),
        phase: Phase::Header,
        verifier,
        decoded: 0,
        expected_len,
        raw_done: false,
        crc: Crc32::new(),
        trailer_crc: None,
    };
    futures::stream::unfold(Some(state), |state| async move {
        let mut state = state?;
        match state.next_piece().await {
            Ok(Some(b)) => Some((Ok(b), Some(state))),
            Ok(None) => None,
            Err(e) => Some((Err(e), None)),
        }
    })
    .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream_of(parts: Vec<&'static [u8]>) -> ByteStream {
        futures::stream::iter(parts.into_iter().map(|p| Ok(Bytes::from_static(p)))).boxed()
    }

    async fn collect(s: ByteStream) -> io::Result<Vec<u8>> {
        let mut out = Vec::new();
        let mut s = s;
        while let Some(c) = s.next().await {
            out.extend_from_slice(&c?);
        }
        Ok(out)
    }

    struct Sigs(Vec<String>);
    impl ChunkSignatures for Sigs {
        fn verify_chunk(&mut self, data: &[u8], signature: &str) -> Result<(), S3Error> {
            self.0.push(format!("{}:{signature}", data.len()));
            if signature == "bad" {
                return Err(S3Error::signature_does_not_match());
            }
            Ok(())
        }
    }

    #[tokio::test]
    async fn unsigned_chunks_split_anywhere() {
        let body = stream_of(vec![
            b"5\r\nhel",
            b"lo\r\n6\r",
            b"\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n",
        ]);
        let out = collect(decode_chunked(body, None, Some(11))).await.unwrap();
        assert_eq!(out, b"hello world");
        // A wrong trailer checksum fails the body.
        let body = stream_of(vec![
            b"5\r\nhello\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n",
        ]);
        let err = collect(decode_chunked(body, None, None)).await.unwrap_err();
        let s3 = err
            .get_ref()
            .and_then(|e| e.downcast_ref::<S3Error>())
            .unwrap();
        assert_eq!(s3.code, "BadDigest");
        // An unterminated last trailer line still counts.
        let body = stream_of(vec![
            b"b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==",
        ]);
        assert_eq!(
            collect(decode_chunked(body, None, None)).await.unwrap(),
            b"hello world"
        );
    }

    #[tokio::test]
    async fn signed_chunks_checked_in_order() {
        let body = stream_of(vec![
            b"3;chunk-signature=s1\r\nabc\r\n0;chunk-signature=s2\r\n\r\n",
        ]);
        let out = collect(decode_chunked(body, Some(Box::new(Sigs(vec![]))), None))
            .await
            .unwrap();
        assert_eq!(out, b"abc");
        let body = stream_of(vec![
            b"3;chunk-signature=bad\r\nabc\r\n0;chunk-signature=s2\r\n\r\n",
        ]);
        let err = collect(decode_chunked(body, Some(Box::new(Sigs(vec![]))), None))
            .await
            .unwrap_err();
        let s3 = err
            .get_ref()
            .and_then(|e| e.downcast_ref::<S3Error>())
            .unwrap();
        assert_eq!(s3.code, "SignatureDoesNotMatch");
    }

    #[tokio::test]
    async fn truncated_and_wrong_length_fail() {
        let body = stream_of(vec![b"5\r\nhel"]);
        assert!(collect(decode_chunked(body, None, None)).await.is_err());
        let body = stream_of(vec![b"2\r\nhe\r\n0\r\n\r\n"]);
        assert!(collect(decode_chunked(body, None, Some(5))).await.is_err());
    }

    #[tokio::test]
    async fn sha256_mismatch_fails_at_end() {
        let good = "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9";
        let out = collect(check_sha256(
            stream_of(vec![b"hello ", b"world"]),
            good.into(),
        ))
        .await
        .unwrap();
        assert_eq!(out, b"hello world");
        let err = collect(check_sha256(stream_of(vec![b"hello"]), good.into()))
            .await
            .unwrap_err();
        let s3 = err
            .get_ref()
            .and_then(|e| e.downcast_ref::<S3Error>())
            .unwrap();
        assert_eq!(s3.code, "XAmzContentSHA256Mismatch");
    }
}
