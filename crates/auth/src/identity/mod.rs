//! The identity pool (`AWSCognitoIdentityService.GetId`, `GetCredentialsForIdentity`,
//! `GetOpenIdToken` on `POST /cognito-identity`) and the AWS credentials Stratus issues: the
//! identity pool's temporary credentials and the sandbox admin key. Both are verified with
//! SigV4 through [`crate::AuthService`]'s [`stratus_sigv4::CredentialResolver`] impl.
//!
//! Secrets are not stored: a credential's secret key and session token are HMAC-SHA256 of its
//! access key id under the pool secret (`auth_pools.secret`), recomputed on every check; the
//! `auth_credentials` row binds the key to its identity, user, groups, role and expiry.

pub(crate) mod db;
pub mod protocol;

use serde_json::{Value, json};

use crate::crypto;
use crate::error::InternalError;

/// The `X-Amz-Target` prefix of identity-pool actions.
pub const IDENTITY_TARGET_PREFIX: &str = "AWSCognitoIdentityService.";
/// Where the identity pool is served (`custom.stratus.identity_pool_endpoint`).
pub const IDENTITY_POOL_PATH: &str = "/cognito-identity";
/// Lifetime of identity-pool credentials: 1 hour, as Cognito's.
pub const CREDENTIALS_TTL: i64 = 3600;
/// Lifetime of `GetOpenIdToken` tokens: 10 minutes, as Cognito's default.
pub const OPEN_ID_TOKEN_TTL: i64 = 600;

/// Who a credential belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrincipalKind {
    /// The sandbox admin key (Cognito admin actions; full access).
    Admin,
    /// A signed-in user through the identity pool (authenticated role).
    Authenticated,
    /// A guest identity (unauthenticated role).
    Unauthenticated,
}

impl PrincipalKind {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Admin => "admin",
            Self::Authenticated => "authenticated",
            Self::Unauthenticated => "unauthenticated",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        Some(match s {
            "admin" => Self::Admin,
            "authenticated" => Self::Authenticated,
            "unauthenticated" => Self::Unauthenticated,
            _ => return None,
        })
    }
}

/// The IAM-side identity of a SigV4-signed request, for storage and data authorization.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Principal {
    pub access_key_id: String,
    pub kind: PrincipalKind,
    /// `<region>:<uuid>` (identity-pool credentials).
    pub identity_id: Option<String>,
    /// The user's `sub` (authenticated credentials).
    pub sub: Option<String>,
    /// The user's groups when the credentials were issued (from the id token).
    pub groups: Vec<String>,
    /// The group whose role the credentials carry (`AuthSpec::preferred_group`); `None`
    /// means the kind's own role (authenticated / unauthenticated / admin).
    pub role_group: Option<String>,
    /// Unix seconds; `None` for the admin key.
    pub expires_at: Option<i64>,
}

/// What `GetCredentialsForIdentity` hands out. `Debug` hides the secret and token.
#[derive(Clone, PartialEq, Eq)]
pub struct TemporaryCredentials {
    pub access_key_id: String,
    pub secret_key: String,
    pub session_token: String,
    /// Unix seconds.
    pub expiration: i64,
}

impl std::fmt::Debug for TemporaryCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TemporaryCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("expiration", &self.expiration)
            .finish_non_exhaustive()
    }
}

impl TemporaryCredentials {
    /// Cognito's `Credentials` member (`Expiration` in epoch seconds).
    pub fn to_json(&self) -> Value {
        json!({
            "AccessKeyId": self.access_key_id,
            "SecretKey": self.secret_key,
            "SessionToken": self.session_token,
            "Expiration": self.expiration,
        })
    }
}

/// The sandbox's long-term admin key (SigV4-signs the Cognito admin actions). `Debug` hides
/// the secret.
#[derive(Clone, PartialEq, Eq)]
pub struct AdminCredentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    /// The region to sign for (the user pool's).
    pub region: String,
    pub user_pool_id: String,
    /// `<origin>/cognito-idp`.
    pub user_pool_endpoint: String,
    pub created_at: i64,
}

impl std::fmt::Debug for AdminCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AdminCredentials")
            .field("access_key_id", &self.access_key_id)
            .field("region", &self.region)
            .field("user_pool_id", &self.user_pool_id)
            .field("user_pool_endpoint", &self.user_pool_endpoint)
            .field("created_at", &self.created_at)
            .finish_non_exhaustive()
    }
}

impl AdminCredentials {
    /// The content of `.amplify/stratus/<identifier>/admin-credentials.json` (see README).
    pub fn to_file_json(&self) -> Value {
        json!({
            "version": 1,
            "accessKeyId": self.access_key_id,
            "secretAccessKey": self.secret_access_key,
            "region": self.region,
            "userPoolId": self.user_pool_id,
            "userPoolEndpoint": self.user_pool_endpoint,
            "createdAt": self.created_at,
        })
    }
}

const KEY_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// `prefix` + 16 random characters of `A-Z2-7` (AWS access key ids are 20 characters).
pub(crate) fn new_access_key_id(prefix: &str) -> Result<String, InternalError> {
    let bytes = crypto::random_bytes::<16>()?;
    let mut id = String::with_capacity(prefix.len() + 16);
    id.push_str(prefix);
    for b in bytes {
        id.push(char::from(KEY_ALPHABET[usize::from(b & 31)]));
    }
    Ok(id)
}

/// The secret key of `access_key_id`: 40 characters, like AWS's.
pub(crate) fn derive_secret(pool_secret: &[u8], access_key_id: &str) -> String {
    let mac = crypto::keyed_hash(
        pool_secret,
        &[b"stratus:credential-secret", access_key_id.as_bytes()],
    );
    let mut s = crypto::b64(&mac);
    s.truncate(40);
    s
}

/// The session token of a temporary `access_key_id`.
pub(crate) fn derive_session_token(pool_secret: &[u8], access_key_id: &str) -> String {
    let mac = crypto::keyed_hash(
        pool_secret,
        &[b"stratus:session-token", access_key_id.as_bytes()],
    );
    format!("IQoJc3RyYXR1cw{}", crypto::b64(&mac))
}

/// The `Logins` key of an issuer: the issuer URL without its scheme
/// (`https://127.0.0.1:4443/us-east-1_X` → `127.0.0.1:4443/us-east-1_X`).
pub fn logins_key(issuer: &str) -> &str {
    issuer
        .strip_prefix("https://")
        .or_else(|| issuer.strip_prefix("http://"))
        .unwrap_or(issuer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_and_secrets() {
        let id = new_access_key_id("ASIA").unwrap();
        assert_eq!(id.len(), 20);
        assert!(id.starts_with("ASIA"));
        assert!(id.bytes().all(|b| KEY_ALPHABET.contains(&b)));
        assert_ne!(id, new_access_key_id("ASIA").unwrap());
        let s = derive_secret(b"k", &id);
        assert_eq!(s.len(), 40);
        assert_eq!(s, derive_secret(b"k", &id));
        assert_ne!(s, derive_secret(b"other", &id));
        assert_ne!(
            derive_session_token(b"k", &id),
            derive_session_token(b"k", "ASIAX")
        );
    }

    #[test]
    fn debug_hides_secrets() {
        let a = AdminCredentials {
            access_key_id: "AKIAX".into(),
            secret_access_key: "s3cr3t".into(),
            region: "us-east-1".into(),
            user_pool_id: "us-east-1_X".into(),
            user_pool_endpoint: "https://h/cognito-idp".into(),
            created_at: 1,
        };
        assert!(!format!("{a:?}").contains("s3cr3t"));
        let t = TemporaryCredentials {
            access_key_id: "ASIAX".into(),
            secret_key: "s3cr3t".into(),
            session_token: "t0ken".into(),
            expiration: 2,
        };
        let shown = format!("{t:?}");
        assert!(!shown.contains("s3cr3t") && !shown.contains("t0ken") && shown.contains("ASIAX"));
    }

    #[test]
    fn logins_keys() {
        assert_eq!(
            logins_key("https://127.0.0.1:4443/us-east-1_Ab"),
            "127.0.0.1:4443/us-east-1_Ab"
        );
        assert_eq!(logins_key("http://h/p"), "h/p");
    }
}
