//! Cognito's SRP-6a variant (client-protocol.md §C.1): the 3072-bit RFC 5054 group, g = 2,
//! SHA-256, Cognito's minimal two's-complement hex padding (`padHex`), `x` salted with the pool
//! name and user id, a 16-byte HKDF key ("Caldera Derived Key") and the timestamped HMAC
//! password claim. The server side is what the service uses; the client side is here for tests
//! and benchmarks (it follows the same maths the JS client uses).

use std::sync::LazyLock;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use hkdf::Hkdf;
use hmac::{Hmac, KeyInit, Mac};
use num_bigint::BigUint;
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;

const N_HEX: &str = concat!(
    "FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1",
    "29024E088A67CC74020BBEA63B139B22514A08798E3404DD",
    "EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245",
    "E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED",
    "EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D",
    "C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F",
    "83655D23DCA3AD961C62F356208552BB9ED529077096966D",
    "670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B",
    "E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9",
    "DE2BCBF6955817183995497CEA956AE515D2261898FA0510",
    "15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64",
    "ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7",
    "ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B",
    "F12FFA06D98A0864D87602733EC86A64521F2B18177B200C",
    "BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31",
    "43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF",
);

/// Length of the derived key (bytes).
pub const KEY_LEN: usize = 16;
/// HKDF info (the JS client appends the 0x01 block counter itself and runs one HMAC, which is
/// exactly HKDF-Expand's first block with this info).
const DERIVED_KEY_INFO: &[u8] = b"Caldera Derived Key";
/// Random bytes in the server's ephemeral secret `b` (256 bits: 128-bit security in the
/// 3072-bit group, and a quarter of the cost of a full-width exponent).
const SERVER_SECRET_BYTES: usize = 32;

struct Group {
    n: BigUint,
    g: BigUint,
    k: BigUint,
}

static GROUP: LazyLock<Group> = LazyLock::new(|| {
    // The constant above is valid hex; a parse failure would be a build defect caught by tests.
    let n = BigUint::parse_bytes(N_HEX.as_bytes(), 16).unwrap_or_default();
    let g = BigUint::from(2u32);
    let k = hash_to_int(&[&pad_bytes(&n), &pad_bytes(&g)]);
    Group { n, g, k }
});

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SrpError {
    #[error("SRP_A is not a hex number")]
    InvalidA,
    #[error("A mod N is zero")]
    ZeroA,
    #[error("B mod N is zero")]
    ZeroB,
    #[error("u is zero")]
    ZeroU,
    #[error("hex value expected")]
    InvalidHex,
    #[error("no randomness available")]
    Random,
}

/// The RFC 5054 3072-bit prime.
pub fn n() -> &'static BigUint {
    &GROUP.n
}

/// `k = H(padHex(N) ‖ padHex(g))`.
pub fn k() -> &'static BigUint {
    &GROUP.k
}

/// Cognito's `padHex`: lowercase hex, even length, `00` prefixed when the high bit is set.
pub fn pad_hex(v: &BigUint) -> String {
    let mut s = v.to_str_radix(16);
    if s.len() % 2 == 1 {
        s.insert(0, '0');
    }
    if s.as_bytes()
        .first()
        .is_some_and(|c| b"89abcdef".contains(c))
    {
        s.insert_str(0, "00");
    }
    s
}

/// The bytes of [`pad_hex`].
pub fn pad_bytes(v: &BigUint) -> Vec<u8> {
    let mut b = v.to_bytes_be();
    if b == [0] {
        return b;
    }
    if b.first().is_some_and(|x| x & 0x80 != 0) {
        b.insert(0, 0);
    }
    b
}

/// Parses a hex number (case-insensitive, no prefix).
pub fn parse_hex(s: &str) -> Result<BigUint, SrpError> {
    if s.is_empty() || s.len() > 2048 || !s.bytes().all(|c| c.is_ascii_hexdigit()) {
        return Err(SrpError::InvalidHex);
    }
    BigUint::parse_bytes(s.as_bytes(), 16).ok_or(SrpError::InvalidHex)
}

fn hash(parts: &[&[u8]]) -> [u8; 32] {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p);
    }
    h.finalize().into()
}

fn hash_to_int(parts: &[&[u8]]) -> BigUint {
    BigUint::from_bytes_be(&hash(parts))
}

fn random_bytes(len: usize) -> Result<Vec<u8>, SrpError> {
    let mut b = vec![0u8; len];
    aws_lc_rs::rand::fill(&mut b).map_err(|_| SrpError::Random)?;
    Ok(b)
}

/// `x = H(padHex(salt) ‖ H(poolName ‖ userId ‖ ":" ‖ password))`.
pub fn compute_x(pool_name: &str, user_id: &str, password: &str, salt: &BigUint) -> BigUint {
    let inner = hash(&[
        pool_name.as_bytes(),
        user_id.as_bytes(),
        b":",
        password.as_bytes(),
    ]);
    hash_to_int(&[&pad_bytes(salt), &inner])
}

/// A stored password verifier: `salt` and `v = g^x mod N`, both as Cognito-padded hex.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verifier {
    pub salt_hex: String,
    pub verifier_hex: String,
}

/// A new verifier with a fresh 16-byte salt.
pub fn make_verifier(pool_name: &str, user_id: &str, password: &str) -> Result<Verifier, SrpError> {
    let salt = BigUint::from_bytes_be(&random_bytes(16)?);
    Ok(verifier_with_salt(pool_name, user_id, password, &salt))
}

pub fn verifier_with_salt(
    pool_name: &str,
    user_id: &str,
    password: &str,
    salt: &BigUint,
) -> Verifier {
    let x = compute_x(pool_name, user_id, password, salt);
    let v = GROUP.g.modpow(&x, &GROUP.n);
    Verifier {
        salt_hex: pad_hex(salt),
        verifier_hex: pad_hex(&v),
    }
}

/// The server's ephemeral values for one PASSWORD_VERIFIER challenge.
#[derive(Debug, Clone)]
pub struct ServerEphemeral {
    /// Secret exponent (hex); kept server-side only.
    pub b_hex: String,
    /// `B = (k·v + g^b) mod N`, as sent (`SRP_B`, unpadded lowercase hex).
    pub big_b_hex: String,
}

/// A fresh `b` and `B` for verifier `v`.
pub fn server_ephemeral(verifier: &BigUint) -> Result<ServerEphemeral, SrpError> {
    loop {
        let b = BigUint::from_bytes_be(&random_bytes(SERVER_SECRET_BYTES)?);
        if let Some(e) = server_ephemeral_with(verifier, &b) {
            return Ok(e);
        }
    }
}

/// `B` for a given `b`; `None` when `B mod N` is zero (never in practice; retried).
pub fn server_ephemeral_with(verifier: &BigUint, b: &BigUint) -> Option<ServerEphemeral> {
    let g = &*GROUP;
    let big_b = (&g.k * verifier + g.g.modpow(b, &g.n)) % &g.n;
    if big_b == BigUint::ZERO {
        return None;
    }
    Some(ServerEphemeral {
        b_hex: b.to_str_radix(16),
        big_b_hex: big_b.to_str_radix(16),
    })
}

/// `u = H(padHex(A) ‖ padHex(B))`.
pub fn compute_u(a: &BigUint, b: &BigUint) -> BigUint {
    hash_to_int(&[&pad_bytes(a), &pad_bytes(b)])
}

/// The 16-byte session key: HKDF-SHA256(ikm = padHex(S), salt = padHex(u), info).
pub fn derive_key(s: &BigUint, u: &BigUint) -> [u8; KEY_LEN] {
    let hk = Hkdf::<Sha256>::new(Some(&pad_bytes(u)), &pad_bytes(s));
    let mut okm = [0u8; KEY_LEN];
    // 16 bytes is far below HKDF's 255·32 limit.
    let _ = hk.expand(DERIVED_KEY_INFO, &mut okm);
    okm
}

/// Server side: `S = (A · v^u)^b mod N` and the derived key. Rejects `A ≡ 0 (mod N)` (which
/// would let a client force `S = 0`) and `u = 0`.
pub fn server_key(
    a_hex: &str,
    big_b_hex: &str,
    b_hex: &str,
    verifier: &BigUint,
) -> Result<[u8; KEY_LEN], SrpError> {
    let g = &*GROUP;
    let a = parse_hex(a_hex).map_err(|_| SrpError::InvalidA)?;
    if &a % &g.n == BigUint::ZERO {
        return Err(SrpError::ZeroA);
    }
    let big_b = parse_hex(big_b_hex)?;
    let b = parse_hex(b_hex)?;
    let u = compute_u(&a, &big_b);
    if u == BigUint::ZERO {
        return Err(SrpError::ZeroU);
    }
    let s = (a * verifier.modpow(&u, &g.n)).modpow(&b, &g.n);
    Ok(derive_key(&s, &u))
}

/// `PASSWORD_CLAIM_SIGNATURE`: base64(HMAC-SHA256(key, poolName ‖ userId ‖ secretBlock ‖ timestamp)).
pub fn claim_signature(
    key: &[u8],
    pool_name: &str,
    user_id: &str,
    secret_block: &[u8],
    timestamp: &str,
) -> String {
    B64.encode(claim_mac(key, pool_name, user_id, secret_block, timestamp))
}

fn claim_mac(
    key: &[u8],
    pool_name: &str,
    user_id: &str,
    secret_block: &[u8],
    timestamp: &str,
) -> [u8; 32] {
    // HMAC accepts keys of any length.
    let Ok(mut mac) = <Hmac<Sha256> as KeyInit>::new_from_slice(key) else {
        return [0; 32];
    };
    mac.update(pool_name.as_bytes());
    mac.update(user_id.as_bytes());
    mac.update(secret_block);
    mac.update(timestamp.as_bytes());
    mac.finalize().into_bytes().into()
}

/// Checks a client's claim in constant time. `signature_b64` is the client's base64 value.
pub fn verify_claim(
    key: &[u8],
    pool_name: &str,
    user_id: &str,
    secret_block: &[u8],
    timestamp: &str,
    signature_b64: &str,
) -> bool {
    let expected = claim_mac(key, pool_name, user_id, secret_block, timestamp);
    let Ok(given) = B64.decode(signature_b64.trim()) else {
        return false;
    };
    given.len() == expected.len() && bool::from(given.ct_eq(&expected))
}

const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// Parses the claim `TIMESTAMP` (`ddd MMM D HH:mm:ss UTC YYYY`, the day with or without a
/// leading zero as the various Cognito SDKs send it) into Unix seconds. The weekday must match
/// the date.
pub fn parse_timestamp(s: &str) -> Option<i64> {
    use chrono::{Datelike, NaiveDate};
    let parts: Vec<&str> = s.split(' ').collect();
    let [wd, mon, day, time, utc, year] = parts.as_slice() else {
        return None;
    };
    if *utc != "UTC" || day.is_empty() || day.len() > 2 || year.len() != 4 {
        return None;
    }
    let month = MONTHS.iter().position(|m| m == mon)? + 1;
    let day: u32 = digits(day)?;
    let year: i32 = digits(year)?;
    let hms: Vec<&str> = time.split(':').collect();
    let [h, m, sec] = hms.as_slice() else {
        return None;
    };
    if h.len() != 2 || m.len() != 2 || sec.len() != 2 {
        return None;
    }
    let (h, m, sec): (u32, u32, u32) = (digits(h)?, digits(m)?, digits(sec)?);
    let date = NaiveDate::from_ymd_opt(year, u32::try_from(month).ok()?, day)?;
    let weekday_index = usize::try_from(date.weekday().num_days_from_monday()).ok()?;
    if WEEKDAYS[weekday_index] != *wd {
        return None;
    }
    let dt = date.and_hms_opt(h, m, sec)?;
    Some(dt.and_utc().timestamp())
}

fn digits<T: std::str::FromStr>(s: &str) -> Option<T> {
    if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// Formats Unix seconds the way the JS client does (`Sun Nov 22 06:07:30 UTC 2026`).
pub fn format_timestamp(unix: i64) -> Option<String> {
    use chrono::{Datelike, Timelike};
    let dt = chrono::DateTime::from_timestamp(unix, 0)?;
    let wd = WEEKDAYS[usize::try_from(dt.weekday().num_days_from_monday()).ok()?];
    let mon = MONTHS[usize::try_from(dt.month0()).ok()?];
    Some(format!(
        "{wd} {mon} {} {:02}:{:02}:{:02} UTC {}",
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second(),
        dt.year()
    ))
}

/// The client half of the exchange (what `aws-amplify` computes), for tests and benchmarks.
pub mod client {
    use super::*;

    /// A client's ephemeral pair.
    pub struct ClientEphemeral {
        pub a: BigUint,
        pub big_a: BigUint,
    }

    /// `A = g^a mod N` for a random 128-byte `a`, as the JS client does.
    pub fn ephemeral() -> Result<ClientEphemeral, SrpError> {
        loop {
            let a = BigUint::from_bytes_be(&random_bytes(128)?);
            let e = ephemeral_with(a);
            if e.big_a != BigUint::ZERO {
                return Ok(e);
            }
        }
    }

    pub fn ephemeral_with(a: BigUint) -> ClientEphemeral {
        let big_a = GROUP.g.modpow(&a, &GROUP.n);
        ClientEphemeral { a, big_a }
    }

    /// `S = (B − k·g^x)^(a + u·x) mod N` and the derived key.
    pub fn key(
        e: &ClientEphemeral,
        big_b: &BigUint,
        salt: &BigUint,
        pool_name: &str,
        user_id: &str,
        password: &str,
    ) -> Result<[u8; KEY_LEN], SrpError> {
        let g = &*GROUP;
        if big_b % &g.n == BigUint::ZERO {
            return Err(SrpError::ZeroB);
        }
        let u = compute_u(&e.big_a, big_b);
        if u == BigUint::ZERO {
            return Err(SrpError::ZeroU);
        }
        let x = compute_x(pool_name, user_id, password, salt);
        let kgx = (&g.k * g.g.modpow(&x, &g.n)) % &g.n;
        // (B - k·g^x) mod N without going negative.
        let base = ((big_b % &g.n) + &g.n - kgx) % &g.n;
        let s = base.modpow(&(&e.a + &u * &x), &g.n);
        Ok(derive_key(&s, &u))
    }
}

#[cfg(test)]
mod tests;
