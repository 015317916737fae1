//! `nextToken`s: the position after the last examined item, bound to the query it came from and
//! signed with HMAC-SHA256 under a per-instance secret, so a client can neither forge nor alter
//! one (or replay it on another query).
//!
//! Format: `base64url(payload JSON) "." base64url(mac)`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use hmac::{Hmac, KeyInit, Mac};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::Sha256;

use super::DocumentError;

type HmacSha256 = Hmac<Sha256>;

/// Where the next page starts: after the item at (`sort`, `seq`) in the query's order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Cursor {
    /// The query this token belongs to (see [`fingerprint`]).
    #[serde(rename = "q")]
    pub query: String,
    /// The sort key value of the last examined item (`null` for a scan or an unsorted index).
    #[serde(rename = "s")]
    pub sort: Value,
    /// The store's sequence number of the last examined item.
    #[serde(rename = "n")]
    pub seq: i64,
}

#[derive(Clone)]
pub(crate) struct TokenSigner {
    secret: Vec<u8>,
}

impl std::fmt::Debug for TokenSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenSigner(..)")
    }
}

impl TokenSigner {
    pub fn new(secret: Vec<u8>) -> TokenSigner {
        TokenSigner { secret }
    }

    fn mac(&self) -> HmacSha256 {
        // HMAC accepts keys of any length.
        match HmacSha256::new_from_slice(&self.secret) {
            Ok(mac) => mac,
            Err(_) => unreachable!("HMAC takes keys of any length"),
        }
    }

    pub fn sign(&self, cursor: &Cursor) -> String {
        let payload = serde_json::to_vec(cursor).unwrap_or_default();
        let mut mac = self.mac();
        mac.update(&payload);
        let tag = mac.finalize().into_bytes();
        format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(&payload),
            URL_SAFE_NO_PAD.encode(tag)
        )
    }

    /// The cursor in `token`, if the token is intact and belongs to the query `fingerprint`.
    pub fn verify(&self, token: &str, fingerprint: &str) -> Result<Cursor, DocumentError> {
        let (payload, tag) = token
            .split_once('.')
            .ok_or(DocumentError::InvalidNextToken)?;
        let payload = URL_SAFE_NO_PAD
            .decode(payload)
            .map_err(|_| DocumentError::InvalidNextToken)?;
        let tag = URL_SAFE_NO_PAD
            .decode(tag)
            .map_err(|_| DocumentError::InvalidNextToken)?;
        let mut mac = self.mac();
        mac.update(&payload);
        mac.verify_slice(&tag)
            .map_err(|_| DocumentError::InvalidNextToken)?;
        let cursor: Cursor =
            serde_json::from_slice(&payload).map_err(|_| DocumentError::InvalidNextToken)?;
        if cursor.query != fingerprint {
            return Err(DocumentError::InvalidNextToken);
        }
        Ok(cursor)
    }
}

/// A short digest of what makes a query: model, index, partition value, sort condition and
/// direction (not the filter or limit, which DynamoDB also lets change between pages).
pub(crate) fn fingerprint(parts: &[&str]) -> String {
    use sha2::Digest;
    let mut h = Sha256::new();
    for p in parts {
        h.update((p.len() as u64).to_le_bytes());
        h.update(p.as_bytes());
    }
    URL_SAFE_NO_PAD.encode(&h.finalize()[..12])
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn round_trip_and_tamper() {
        let signer = TokenSigner::new(b"secret".to_vec());
        let fp = fingerprint(&["Post", "scan"]);
        let cursor = Cursor {
            query: fp.clone(),
            sort: json!("a"),
            seq: 7,
        };
        let token = signer.sign(&cursor);
        assert_eq!(signer.verify(&token, &fp).unwrap(), cursor);
        // Another query.
        assert!(signer.verify(&token, &fingerprint(&["Post", "x"])).is_err());
        // Another secret.
        assert!(
            TokenSigner::new(b"other".to_vec())
                .verify(&token, &fp)
                .is_err()
        );
        // A changed payload with the old tag.
        let (_, tag) = token.split_once('.').unwrap();
        let forged = Cursor { seq: 1, ..cursor };
        let forged_payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&forged).unwrap());
        assert!(
            signer
                .verify(&format!("{forged_payload}.{tag}"), &fp)
                .is_err()
        );
        assert!(signer.verify("garbage", &fp).is_err());
    }
}
