//! Integrity headers of uploads: `Content-MD5` and `x-amz-checksum-crc32` (both base64), checked
//! over the decoded body while it streams; a mismatch fails the body at its end, so nothing is
//! stored (`BadDigest`).

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use futures::StreamExt;
use http::{HeaderMap, StatusCode};
use md5::{Digest, Md5};

use super::error::S3Error;
use crate::backend::ByteStream;

/// CRC-32 (IEEE 802.3, reflected, polynomial 0xEDB88320), as S3's `ChecksumCRC32`.
#[derive(Clone)]
pub struct Crc32(u32);

const fn table() -> [u32; 256] {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
}

static TABLE: [u32; 256] = table();

impl Crc32 {
    pub fn new() -> Self {
        Self(0xFFFF_FFFF)
    }

    pub fn update(&mut self, data: &[u8]) {
        let mut c = self.0;
        for &b in data {
            c = TABLE[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8);
        }
        self.0 = c;
    }

    pub fn finish(&self) -> u32 {
        self.0 ^ 0xFFFF_FFFF
    }
}

impl Default for Crc32 {
    fn default() -> Self {
        Self::new()
    }
}

/// What an upload's headers ask to be checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Expected {
    pub md5: Option<Vec<u8>>,
    pub crc32: Option<u32>,
}

impl Expected {
    pub fn from_headers(h: &HeaderMap) -> Result<Self, S3Error> {
        let get = |n: &str| h.get(n).and_then(|v| v.to_str().ok()).map(str::trim);
        let md5 = match get("content-md5") {
            None => None,
            Some(v) => Some(
                STANDARD
                    .decode(v)
                    .ok()
                    .filter(|d| d.len() == 16)
                    .ok_or_else(|| {
                        S3Error::new(
                            StatusCode::BAD_REQUEST,
                            "InvalidDigest",
                            "The Content-MD5 you specified was invalid.",
                        )
                    })?,
            ),
        };
        let crc32 = match get("x-amz-checksum-crc32") {
            None => None,
            Some(v) => Some(
                STANDARD
                    .decode(v)
                    .ok()
                    .and_then(|d| <[u8; 4]>::try_from(d.as_slice()).ok())
                    .map(u32::from_be_bytes)
                    .ok_or_else(|| {
                        S3Error::invalid_request(
                            "Value for x-amz-checksum-crc32 header is invalid.",
                        )
                    })?,
            ),
        };
        Ok(Self { md5, crc32 })
    }

    pub fn is_empty(&self) -> bool {
        self.md5.is_none() && self.crc32.is_none()
    }
}

fn bad_digest(message: &str) -> S3Error {
    S3Error::new(StatusCode::BAD_REQUEST, "BadDigest", message)
}

/// Passes the body through, failing at its end if a digest differs.
pub fn check(body: ByteStream, expected: Expected) -> ByteStream {
    if expected.is_empty() {
        return body;
    }
    let state = (body, Md5::new(), Crc32::new(), expected, false);
    futures::stream::unfold(
        state,
        |(mut body, mut md5, mut crc, expected, done)| async move {
            if done {
                return None;
            }
            match body.next().await {
                Some(Ok(chunk)) => {
                    if expected.md5.is_some() {
                        md5.update(&chunk);
                    }
                    if expected.crc32.is_some() {
                        crc.update(&chunk);
                    }
                    Some((Ok(chunk), (body, md5, crc, expected, false)))
                }
                Some(Err(e)) => Some((Err(e), (body, md5, crc, expected, true))),
                None => {
                    let err = if expected
                        .md5
                        .as_ref()
                        .is_some_and(|m| m.as_slice() != md5.clone().finalize().as_slice())
                    {
                        Some(bad_digest(
                            "The Content-MD5 you specified did not match what we received.",
                        ))
                    } else if expected.crc32.is_some_and(|c| c != crc.finish()) {
                        Some(bad_digest(
                            "The CRC32 you specified did not match the calculated checksum.",
                        ))
                    } else {
                        None
                    };
                    err.map(|e| (Err(e.into_io()), (body, md5, crc, expected, true)))
                }
            }
        },
    )
    .boxed()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc32_known_values() {
        let mut c = Crc32::new();
        c.update(b"123456789");
        assert_eq!(c.finish(), 0xCBF4_3926);
        let mut c = Crc32::new();
        c.update(b"hello ");
        c.update(b"world");
        // base64 of the big-endian value, as the SDK sends it for "hello world".
        assert_eq!(STANDARD.encode(c.finish().to_be_bytes()), "DUoRhQ==");
    }
}
