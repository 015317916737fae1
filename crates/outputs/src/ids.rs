//! Deterministic resource identifiers for one sandbox instance, shaped like the AWS ones the
//! client libraries expect (the JS client checks the shape of some of them).

use sha2::{Digest, Sha256};

/// The region every identifier and `aws_region` uses. The client requires a region-shaped
/// value (it derives service endpoints and parses pool ids with it); nothing is sent to AWS.
pub const REGION: &str = "us-east-1";

fn digest(instance_id: &str, purpose: &str) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(instance_id.as_bytes());
    h.update([0u8]);
    h.update(purpose.as_bytes());
    h.finalize().into()
}

fn chars_from(bytes: &[u8], alphabet: &[u8], n: usize) -> String {
    bytes
        .iter()
        .take(n)
        .map(|b| char::from(alphabet[usize::from(*b) % alphabet.len()]))
        .collect()
}

const ALNUM: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const LOWER_ALNUM: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";

/// Cognito user pool id: `<region>_<9 alphanumerics>`.
pub fn user_pool_id(instance_id: &str) -> String {
    format!(
        "{REGION}_{}",
        chars_from(&digest(instance_id, "auth"), ALNUM, 9)
    )
}

/// Cognito app client id: 26 lower-case alphanumerics.
pub fn user_pool_client_id(instance_id: &str) -> String {
    chars_from(&digest(instance_id, "auth-client"), LOWER_ALNUM, 26)
}

/// Cognito identity pool id: `<region>:<uuid>`.
pub fn identity_pool_id(instance_id: &str) -> String {
    let mut b = digest(instance_id, "identity-pool");
    b[6] = (b[6] & 0x0f) | 0x40; // version 4 layout
    b[8] = (b[8] & 0x3f) | 0x80; // RFC 4122 variant
    let hex: String = b[..16].iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{REGION}:{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// S3 bucket name for the bucket called `name`: `<label>.<10 hex>.stratus`. It contains dots,
/// so the client addresses it path-style; it is lower-case, 3–63 characters, and every label
/// starts and ends with a letter or digit.
pub fn bucket_name(instance_id: &str, name: &str) -> String {
    let hash: String = digest(instance_id, &format!("storage\0{name}"))[..5]
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect();
    let mut label = String::new();
    for c in name.chars() {
        let c = c.to_ascii_lowercase();
        let c = if c.is_ascii_lowercase() || c.is_ascii_digit() {
            c
        } else {
            '-'
        };
        if !(c == '-' && (label.is_empty() || label.ends_with('-'))) {
            label.push(c);
        }
    }
    // room for ".<10 hex>.stratus" (19 characters) within 63
    label.truncate(44);
    let label = label.trim_end_matches('-');
    let label = if label.is_empty() { "bucket" } else { label };
    format!("{label}.{hash}.stratus")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_and_determinism() {
        let p = user_pool_id("notes-alice");
        assert!(p.starts_with("us-east-1_"));
        assert_eq!(p.len(), "us-east-1_".len() + 9);
        assert!(
            p["us-east-1_".len()..]
                .chars()
                .all(|c| c.is_ascii_alphanumeric())
        );
        assert_eq!(p, user_pool_id("notes-alice"));
        assert_ne!(p, user_pool_id("notes-bob"));
        let c = user_pool_client_id("notes-alice");
        assert_eq!(c.len(), 26);
        assert!(
            c.chars()
                .all(|x| x.is_ascii_lowercase() || x.is_ascii_digit())
        );
        let i = identity_pool_id("notes-alice");
        let uuid = i.strip_prefix("us-east-1:").unwrap();
        let groups: Vec<usize> = uuid.split('-').map(str::len).collect();
        assert_eq!(groups, [8, 4, 4, 4, 12]);
        assert_eq!(&uuid[14..15], "4");
    }

    #[test]
    fn bucket_names_are_s3_valid() {
        for name in [
            "media",
            "My Files_2",
            "---",
            "a".repeat(80).as_str(),
            "Notes-Files",
        ] {
            let b = bucket_name("x", name);
            assert!(b.len() >= 3 && b.len() <= 63, "{b}");
            assert!(b.contains('.'));
            for label in b.split('.') {
                assert!(!label.is_empty());
                assert!(
                    label
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                    "{b}"
                );
                assert!(!label.starts_with('-') && !label.ends_with('-'), "{b}");
            }
        }
        assert!(bucket_name("x", "media").starts_with("media."));
        assert_ne!(bucket_name("x", "media"), bucket_name("y", "media"));
        assert_ne!(bucket_name("x", "a b"), bucket_name("x", "a_b"));
    }
}
