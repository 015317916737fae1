//! The `OPENID_CONNECT` authorization mode: a JWT from the configured issuer, verified as
//! AppSync verifies it.
//!
//! - the token's `iss` must equal the configured issuer URL exactly, and so must the `issuer`
//!   of the provider's discovery document (`<issuer>/.well-known/openid-configuration`);
//! - the signature is checked against the provider's JWKS (`jwks_uri` of the discovery
//!   document), fetched over HTTP(S) and cached for [`JWKS_LIFETIME`]; a `kid` the cache does
//!   not know triggers a refetch, so keys can rotate (fetches, failed ones included, happen at
//!   most once per [`MIN_REFETCH_INTERVAL`]);
//! - `exp` must be in the future and `nbf`, when present, in the past (no leeway); when
//!   `clientId` is configured, `aud` (or the `client_id` claim, which access tokens carry
//!   instead) must match it: like AppSync's `clientId`, it is a regular expression matched
//!   against the whole value;
//! - `tokenExpiryFromAuthInSeconds` / `tokenExpireFromIssueInSeconds` (AppSync's `authTTL` /
//!   `iatTTL`, given in seconds by `defineData`), when not 0, bound the age of the token from
//!   `auth_time` / `iat`; a token without that claim is refused.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use jsonwebtoken::jwk::JwkSet;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Map, Value};
use stratus_spec::data::OidcConfig;
use tokio::sync::RwLock;

/// How long fetched keys are trusted before the JWKS is fetched again.
pub const JWKS_LIFETIME: Duration = Duration::from_secs(15 * 60);
/// The shortest time between two fetches caused by unknown key ids.
pub const MIN_REFETCH_INTERVAL: Duration = Duration::from_secs(1);
/// The timeout of one request to the provider.
const HTTP_TIMEOUT: Duration = Duration::from_secs(5);

/// Why an OIDC token was refused (logged; the client sees AppSync's generic 401).
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum OidcError {
    #[error("the token is not a JWT")]
    Malformed,
    #[error("the token's issuer is not the configured issuer")]
    WrongIssuer,
    #[error("the token's algorithm is not supported: {0}")]
    Algorithm(String),
    #[error("no key of the provider has the token's kid")]
    UnknownKey,
    #[error("the provider's keys cannot be fetched: {0}")]
    Discovery(String),
    #[error("the token is invalid: {0}")]
    Invalid(String),
    #[error("the token's audience is not the configured client id")]
    WrongAudience,
    #[error("the token is older than {0} allows")]
    TooOld(&'static str),
}

/// Verifies the tokens of one OIDC provider. Cheap to share behind an `Arc`.
pub struct OidcVerifier {
    config: OidcConfig,
    client_id: Option<regex::Regex>,
    http: reqwest::Client,
    /// Read-locked on the hot path; the write lock is taken only to fetch (one fetch at a
    /// time, the others wait for its keys instead of fetching too).
    keys: RwLock<Keys>,
}

impl std::fmt::Debug for OidcVerifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcVerifier")
            .field("issuer", &self.config.issuer_url)
            .finish_non_exhaustive()
    }
}

#[derive(Default)]
struct Keys {
    by_kid: HashMap<String, DecodingKey>,
    /// Keys without a `kid` (usable only when the token has none either).
    anonymous: Vec<DecodingKey>,
    fetched: Option<Instant>,
    /// The last fetch attempt (failures are rate-limited like refetches).
    attempted: Option<Instant>,
}

impl OidcVerifier {
    pub fn new(config: &OidcConfig) -> OidcVerifier {
        let client_id = config.client_id.as_deref().map(|c| {
            regex::Regex::new(&format!("^(?:{c})$"))
                .unwrap_or_else(|_| regex::Regex::new(&format!("^{}$", regex::escape(c))).unwrap())
        });
        let http = reqwest::Client::builder()
            .timeout(HTTP_TIMEOUT)
            .build()
            .unwrap_or_default();
        OidcVerifier {
            config: config.clone(),
            client_id,
            http,
            keys: RwLock::new(Keys::default()),
        }
    }

    /// The configured issuer URL.
    pub fn issuer(&self) -> &str {
        &self.config.issuer_url
    }

    /// Whether `token` claims to come from this provider (its unverified `iss`), which is how
    /// a JWT is told apart from a user pool token.
    pub fn claims_issuer(&self, token: &str) -> bool {
        unverified_issuer(token).as_deref() == Some(self.config.issuer_url.as_str())
    }

    /// The verified claims of `token`.
    pub async fn verify(&self, token: &str) -> Result<Map<String, Value>, OidcError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| OidcError::Malformed)?;
        if !self.claims_issuer(token) {
            return Err(OidcError::WrongIssuer);
        }
        let alg = header.alg;
        if matches!(alg, Algorithm::HS256 | Algorithm::HS384 | Algorithm::HS512) {
            return Err(OidcError::Algorithm(format!("{alg:?}")));
        }
        let key = self.key(header.kid.as_deref()).await?;
        let mut validation = Validation::new(alg);
        validation.leeway = 0;
        validation.validate_nbf = true;
        validation.validate_aud = false;
        validation.set_issuer(&[self.config.issuer_url.as_str()]);
        validation.set_required_spec_claims(&["exp", "iss"]);
        let claims = jsonwebtoken::decode::<Map<String, Value>>(token, &key, &validation)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::InvalidIssuer => OidcError::WrongIssuer,
                _ => OidcError::Invalid(e.to_string()),
            })?
            .claims;
        if let Some(re) = &self.client_id {
            let audiences: Vec<&str> = match claims.get("aud") {
                Some(Value::String(a)) => vec![a.as_str()],
                Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).collect(),
                _ => claims
                    .get("client_id")
                    .and_then(Value::as_str)
                    .into_iter()
                    .collect(),
            };
            if !audiences.iter().any(|a| re.is_match(a)) {
                return Err(OidcError::WrongAudience);
            }
        }
        let now = now_unix();
        for (ttl, claim, what) in [
            (
                self.config.token_expiry_from_issue_seconds,
                "iat",
                "tokenExpireFromIssueInSeconds",
            ),
            (
                self.config.token_expiry_from_auth_seconds,
                "auth_time",
                "tokenExpiryFromAuthInSeconds",
            ),
        ] {
            if ttl == 0 {
                continue;
            }
            let at = claims
                .get(claim)
                .and_then(Value::as_f64)
                .ok_or(OidcError::TooOld(what))?;
            if now - at > ttl as f64 {
                return Err(OidcError::TooOld(what));
            }
        }
        Ok(claims)
    }

    /// The provider's key for `kid`, fetching the JWKS when the cache is empty, stale, or does
    /// not know the kid (rate-limited).
    async fn key(&self, kid: Option<&str>) -> Result<DecodingKey, OidcError> {
        {
            let keys = self.keys.read().await;
            if keys.is_fresh()
                && let Some(k) = keys.find(kid)
            {
                return Ok(k);
            }
        }
        let mut keys = self.keys.write().await;
        // Another request may have fetched while this one waited for the write lock.
        if keys.is_fresh()
            && let Some(k) = keys.find(kid)
        {
            return Ok(k);
        }
        if keys
            .attempted
            .is_some_and(|t| t.elapsed() < MIN_REFETCH_INTERVAL)
        {
            return Err(OidcError::UnknownKey);
        }
        keys.attempted = Some(Instant::now());
        match self.fetch().await {
            Ok(fetched) => *keys = fetched,
            Err(e) => {
                // Keys past their lifetime are not trusted, even while the provider is down.
                tracing::warn!(issuer = %self.config.issuer_url, error = %e, "OIDC keys unavailable");
                return Err(e);
            }
        }
        keys.find(kid).ok_or(OidcError::UnknownKey)
    }

    async fn fetch(&self) -> Result<Keys, OidcError> {
        let issuer = &self.config.issuer_url;
        let discovery_url = format!(
            "{}/.well-known/openid-configuration",
            issuer.trim_end_matches('/')
        );
        let discovery: Value = self.get_json(&discovery_url).await?;
        if discovery.get("issuer").and_then(Value::as_str) != Some(issuer.as_str()) {
            return Err(OidcError::Discovery(format!(
                "the discovery document's issuer is not {issuer}"
            )));
        }
        let jwks_uri = discovery
            .get("jwks_uri")
            .and_then(Value::as_str)
            .ok_or_else(|| OidcError::Discovery("the discovery document has no jwks_uri".into()))?;
        let set: JwkSet = serde_json::from_value(self.get_json(jwks_uri).await?)
            .map_err(|e| OidcError::Discovery(format!("invalid JWKS: {e}")))?;
        let now = Instant::now();
        let mut keys = Keys {
            fetched: Some(now),
            attempted: Some(now),
            ..Keys::default()
        };
        for jwk in &set.keys {
            let Ok(key) = DecodingKey::from_jwk(jwk) else {
                continue;
            };
            match &jwk.common.key_id {
                Some(kid) => {
                    keys.by_kid.insert(kid.clone(), key);
                }
                None => keys.anonymous.push(key),
            }
        }
        Ok(keys)
    }

    async fn get_json(&self, url: &str) -> Result<Value, OidcError> {
        let res = self
            .http
            .get(url)
            .send()
            .await
            .map_err(|e| OidcError::Discovery(format!("GET {url}: {e}")))?;
        if !res.status().is_success() {
            return Err(OidcError::Discovery(format!(
                "GET {url}: HTTP {}",
                res.status()
            )));
        }
        res.json()
            .await
            .map_err(|e| OidcError::Discovery(format!("GET {url}: {e}")))
    }
}

impl Keys {
    fn is_fresh(&self) -> bool {
        self.fetched.is_some_and(|t| t.elapsed() < JWKS_LIFETIME)
    }

    fn find(&self, kid: Option<&str>) -> Option<DecodingKey> {
        match kid {
            Some(kid) => self.by_kid.get(kid).cloned(),
            None if self.anonymous.len() + self.by_kid.len() == 1 => self
                .anonymous
                .first()
                .or_else(|| self.by_kid.values().next())
                .cloned(),
            None => None,
        }
    }
}

/// The `iss` of a JWT's payload, without verifying anything.
pub fn unverified_issuer(token: &str) -> Option<String> {
    use base64::Engine as _;
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    let v: Value = serde_json::from_slice(&bytes).ok()?;
    v.get("iss").and_then(Value::as_str).map(str::to_string)
}

fn now_unix() -> f64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs_f64())
        .unwrap_or(0.0)
}
