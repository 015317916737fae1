//! The IAM principals SigV4-signed requests come from: the identity pool's (and the sandbox
//! admin key's) credentials, verified against the `AuthService`, and the execution-role
//! credentials of `defineFunction` functions, which the functions runtime puts in each
//! function's environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`,
//! as Lambda does). A function's requests are `IamPrincipal::Function(name)`, which the
//! schema's `allow.resource(fn).to([...])` authorizes (`authz`).

use std::collections::HashMap;

use stratus_auth::{AuthService, Principal};
use stratus_sigv4::{CredentialResolver, ResolveError, ResolvedCredential};

/// The temporary credentials of one function's execution role.
#[derive(Clone, PartialEq, Eq)]
pub struct FunctionCredential {
    pub function: String,
    pub access_key_id: String,
    pub secret_access_key: String,
    pub session_token: String,
}

impl std::fmt::Debug for FunctionCredential {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("FunctionCredential")
            .field("function", &self.function)
            .field("access_key_id", &self.access_key_id)
            .finish_non_exhaustive()
    }
}

const KEY_ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

impl FunctionCredential {
    /// New random credentials for `function` (`ASIA…` keys, as STS issues them).
    pub fn generate(function: &str) -> FunctionCredential {
        let id_bytes = uuid::Uuid::new_v4();
        let mut access_key_id = String::from("ASIA");
        for b in id_bytes.as_bytes().iter().take(16) {
            access_key_id.push(char::from(KEY_ALPHABET[usize::from(b & 31)]));
        }
        let secret = format!(
            "{}{}",
            uuid::Uuid::new_v4().simple(),
            uuid::Uuid::new_v4().simple()
        );
        FunctionCredential {
            function: function.to_string(),
            access_key_id,
            secret_access_key: secret[..40].to_string(),
            session_token: format!(
                "StratusFunction{}{}",
                uuid::Uuid::new_v4().simple(),
                uuid::Uuid::new_v4().simple()
            ),
        }
    }

    /// The variables Lambda sets for the execution role's credentials.
    pub fn environment(&self) -> [(&'static str, String); 3] {
        [
            ("AWS_ACCESS_KEY_ID", self.access_key_id.clone()),
            ("AWS_SECRET_ACCESS_KEY", self.secret_access_key.clone()),
            ("AWS_SESSION_TOKEN", self.session_token.clone()),
        ]
    }
}

/// Who signed an IAM request.
#[derive(Debug, Clone)]
pub enum Signer {
    /// Identity-pool credentials or the admin key.
    Pool(Principal),
    /// A function's execution role.
    Function(String),
}

/// Resolves access keys: functions' first, then the user pool's identity pool.
pub struct IamResolver<'a> {
    pub auth: Option<&'a AuthService>,
    pub functions: &'a HashMap<String, FunctionCredential>,
}

impl CredentialResolver for IamResolver<'_> {
    type Principal = Signer;

    async fn resolve(
        &self,
        access_key_id: &str,
    ) -> Result<Option<ResolvedCredential<Signer>>, ResolveError> {
        if let Some(c) = self.functions.get(access_key_id) {
            return Ok(Some(ResolvedCredential {
                secret_access_key: c.secret_access_key.clone(),
                session_token: Some(c.session_token.clone()),
                expires_at: None,
                principal: Signer::Function(c.function.clone()),
            }));
        }
        let Some(auth) = self.auth else {
            return Ok(None);
        };
        Ok(auth
            .resolve(access_key_id)
            .await?
            .map(|r| ResolvedCredential {
                secret_access_key: r.secret_access_key,
                session_token: r.session_token,
                expires_at: r.expires_at,
                principal: Signer::Pool(r.principal),
            }))
    }
}
