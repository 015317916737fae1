//! Small crypto helpers: randomness from aws-lc (a CSPRNG), opaque tokens, one-time codes,
//! keyed hashes for stored secrets, argon2id password hashes and constant-time comparison.

use argon2::Argon2;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use base64::Engine as _;
use base64::engine::general_purpose::{STANDARD as B64, URL_SAFE_NO_PAD as B64URL};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

use crate::error::InternalError;

pub fn random_bytes<const N: usize>() -> Result<[u8; N], InternalError> {
    let mut b = [0u8; N];
    aws_lc_rs::rand::fill(&mut b).map_err(|_| InternalError::Crypto("no randomness".into()))?;
    Ok(b)
}

/// An opaque bearer value (sessions, refresh tokens): 32 random bytes, base64url.
pub fn opaque_token() -> Result<String, InternalError> {
    Ok(B64URL.encode(random_bytes::<32>()?))
}

/// Standard base64 of 32 random bytes (`SECRET_BLOCK`).
pub fn secret_block() -> Result<String, InternalError> {
    // 48 bytes so the block looks like Cognito's longer opaque blob; the size is irrelevant
    // to the client, which only echoes it and signs it.
    Ok(B64.encode(random_bytes::<48>()?))
}

/// A uniformly random decimal code of `digits` digits (rejection sampling, no modulo bias).
pub fn numeric_code(digits: u32) -> Result<String, InternalError> {
    let modulus = 10u32.pow(digits);
    // Largest multiple of `modulus` that fits in u32.
    let limit = u32::MAX - (u32::MAX % modulus);
    loop {
        let v = u32::from_be_bytes(random_bytes::<4>()?);
        if v < limit {
            return Ok(format!("{:0width$}", v % modulus, width = digits as usize));
        }
    }
}

/// SHA-256 of a high-entropy token (refresh tokens, sessions): no salt needed.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// HMAC-SHA256 under the pool's secret key.
pub fn keyed_hash(key: &[u8], parts: &[&[u8]]) -> Vec<u8> {
    let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(key) else {
        return Vec::new();
    };
    for p in parts {
        // Length-prefix every part so that different splits never collide.
        mac.update(&(p.len() as u64).to_be_bytes());
        mac.update(p);
    }
    mac.finalize().into_bytes().to_vec()
}

pub fn ct_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && bool::from(a.ct_eq(b))
}

/// argon2id (the crate's defaults: m = 19 MiB, t = 2, p = 1) as a PHC string.
pub fn hash_password(password: &str) -> Result<String, InternalError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| InternalError::Crypto(format!("argon2: {e}")))
}

/// Verifies against a PHC string (its own parameters are used).
pub fn verify_password(password: &str, phc: &str) -> bool {
    Argon2::default()
        .verify_password(password.as_bytes(), phc)
        .is_ok()
}

/// Runs an argon2 verification against a fixed dummy hash so that requests for unknown users
/// cost the same as for known ones.
pub fn burn_password_check(password: &str) {
    static DUMMY: std::sync::LazyLock<Option<String>> =
        std::sync::LazyLock::new(|| hash_password("stratus-dummy-password").ok());
    if let Some(h) = DUMMY.as_deref() {
        let _ = verify_password(password, h);
    }
}

pub fn b64(bytes: &[u8]) -> String {
    B64.encode(bytes)
}

pub fn b64_decode(s: &str) -> Option<Vec<u8>> {
    B64.decode(s.trim())
        .ok()
        .or_else(|| B64URL.decode(s.trim().trim_end_matches('=')).ok())
}

pub fn b64url(bytes: &[u8]) -> String {
    B64URL.encode(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits_and_vary() {
        let codes: Vec<String> = (0..50).map(|_| numeric_code(6).unwrap()).collect();
        assert!(
            codes
                .iter()
                .all(|c| c.len() == 6 && c.bytes().all(|b| b.is_ascii_digit()))
        );
        let distinct: std::collections::HashSet<_> = codes.iter().collect();
        assert!(distinct.len() > 40);
    }

    #[test]
    fn argon2_round_trip() {
        let h = hash_password("Passw0rd!").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(!h.contains("Passw0rd!"));
        assert!(verify_password("Passw0rd!", &h));
        assert!(!verify_password("Passw0rd?", &h));
        assert!(!verify_password("Passw0rd!", "not a phc string"));
    }

    #[test]
    fn keyed_hash_separates_parts() {
        let k = b"key";
        assert_ne!(keyed_hash(k, &[b"ab", b"c"]), keyed_hash(k, &[b"a", b"bc"]));
        assert_eq!(keyed_hash(k, &[b"ab"]), keyed_hash(k, &[b"ab"]));
        assert_ne!(keyed_hash(k, &[b"ab"]), keyed_hash(b"other", &[b"ab"]));
    }

    #[test]
    fn constant_time_eq() {
        assert!(ct_eq(b"abc", b"abc"));
        assert!(!ct_eq(b"abc", b"abd"));
        assert!(!ct_eq(b"abc", b"ab"));
    }
}
