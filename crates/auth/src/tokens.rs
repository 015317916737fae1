//! RS256 id and access tokens with Cognito's claims, the pool's signing key and its JWKS.

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as B64;
use jsonwebtoken::jwk::Jwk;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::Deserialize;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

use crate::error::InternalError;

/// Cognito's default validity periods (CDK `UserPoolClient` defaults, which Amplify keeps).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TokenValidity {
    pub access_secs: i64,
    pub id_secs: i64,
    pub refresh_secs: i64,
}

impl Default for TokenValidity {
    fn default() -> Self {
        Self {
            access_secs: 3600,
            id_secs: 3600,
            refresh_secs: 30 * 24 * 3600,
        }
    }
}

/// The scope Cognito puts in access tokens from the user-pool API (not the hosted UI).
pub const ADMIN_SCOPE: &str = "aws.cognito.signin.user.admin";

/// The pool's RSA key: signs tokens, verifies them, publishes the JWKS.
pub struct Signer {
    kid: String,
    encoding: EncodingKey,
    decoding: DecodingKey,
    n: String,
    e: String,
}

impl std::fmt::Debug for Signer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Signer")
            .field("kid", &self.kid)
            .finish_non_exhaustive()
    }
}

/// A new 2048-bit RSA key (PKCS#8 DER) and its key id.
pub fn generate_key() -> Result<(String, Vec<u8>), InternalError> {
    use aws_lc_rs::encoding::AsDer;
    let kp = aws_lc_rs::rsa::KeyPair::generate(aws_lc_rs::rsa::KeySize::Rsa2048)
        .map_err(|_| InternalError::Crypto("RSA key generation failed".into()))?;
    let der = kp
        .as_der()
        .map_err(|_| InternalError::Crypto("RSA key encoding failed".into()))?;
    let der = der.as_ref().to_vec();
    let signer = Signer::from_pkcs8("pending", &der)?;
    Ok((signer.derive_kid(), der))
}

fn pkcs8_pem(der: &[u8]) -> String {
    let b64 = B64.encode(der);
    let mut pem = String::from("-----BEGIN PRIVATE KEY-----\n");
    for chunk in b64.as_bytes().chunks(64) {
        pem.push_str(&String::from_utf8_lossy(chunk));
        pem.push('\n');
    }
    pem.push_str("-----END PRIVATE KEY-----\n");
    pem
}

impl Signer {
    pub fn from_pkcs8(kid: &str, der: &[u8]) -> Result<Self, InternalError> {
        let encoding = EncodingKey::from_rsa_pem(pkcs8_pem(der).as_bytes())?;
        let jwk = Jwk::from_encoding_key(&encoding, Algorithm::RS256)?;
        let (n, e) = match &jwk.algorithm {
            jsonwebtoken::jwk::AlgorithmParameters::RSA(p) => (p.n.clone(), p.e.clone()),
            _ => return Err(InternalError::Crypto("signing key is not RSA".into())),
        };
        let decoding = DecodingKey::from_rsa_components(&n, &e)?;
        Ok(Self {
            kid: kid.to_string(),
            encoding,
            decoding,
            n,
            e,
        })
    }

    /// Key id: base64 of SHA-256 over the public modulus (the shape of Cognito's kids).
    fn derive_kid(&self) -> String {
        B64.encode(Sha256::digest(format!("{}.{}", self.n, self.e).as_bytes()))
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    pub fn sign(&self, claims: &Map<String, Value>) -> Result<String, InternalError> {
        let mut header = Header::new(Algorithm::RS256);
        header.typ = None;
        header.kid = Some(self.kid.clone());
        Ok(jsonwebtoken::encode(&header, claims, &self.encoding)?)
    }

    /// Checks the signature, algorithm and key id; returns the claims. Time, issuer and use
    /// are checked by [`check_claims`].
    pub fn verify(&self, token: &str) -> Result<Map<String, Value>, TokenError> {
        let header = jsonwebtoken::decode_header(token).map_err(|_| TokenError::Malformed)?;
        if header.alg != Algorithm::RS256 || header.kid.as_deref() != Some(self.kid.as_str()) {
            return Err(TokenError::BadSignature);
        }
        let mut v = Validation::new(Algorithm::RS256);
        v.validate_exp = false;
        v.validate_nbf = false;
        v.validate_aud = false;
        v.required_spec_claims.clear();
        jsonwebtoken::decode::<Map<String, Value>>(token, &self.decoding, &v)
            .map(|d| d.claims)
            .map_err(|e| match e.kind() {
                jsonwebtoken::errors::ErrorKind::InvalidSignature => TokenError::BadSignature,
                _ => TokenError::Malformed,
            })
    }

    /// `{"keys": [...]}` as Cognito publishes it.
    pub fn jwks(&self) -> Value {
        json!({"keys": [{
            "alg": "RS256",
            "e": self.e,
            "kid": self.kid,
            "kty": "RSA",
            "n": self.n,
            "use": "sig",
        }]})
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TokenError {
    #[error("malformed token")]
    Malformed,
    #[error("bad signature")]
    BadSignature,
    #[error("token expired")]
    Expired,
    #[error("wrong issuer, audience or use")]
    WrongToken,
}

/// `token_use`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenUse {
    Access,
    Id,
}

impl TokenUse {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Access => "access",
            Self::Id => "id",
        }
    }
}

/// The claims every verified token is checked for.
#[derive(Debug, Clone, Deserialize)]
pub struct CommonClaims {
    pub sub: String,
    pub iss: String,
    pub token_use: String,
    pub exp: i64,
    pub iat: i64,
    pub auth_time: i64,
    pub jti: String,
    pub origin_jti: String,
    /// Access tokens.
    #[serde(default)]
    pub client_id: Option<String>,
    /// Id tokens.
    #[serde(default)]
    pub aud: Option<String>,
    /// Access tokens.
    #[serde(default)]
    pub username: Option<String>,
    /// Id tokens.
    #[serde(default, rename = "cognito:username")]
    pub cognito_username: Option<String>,
    #[serde(default, rename = "cognito:groups")]
    pub groups: Vec<String>,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub device_key: Option<String>,
}

/// Issuer, use, audience and expiry checks on verified claims.
pub fn check_claims(
    claims: &Map<String, Value>,
    issuer: &str,
    client_id: &str,
    token_use: TokenUse,
    now: i64,
) -> Result<CommonClaims, TokenError> {
    let c: CommonClaims =
        serde_json::from_value(Value::Object(claims.clone())).map_err(|_| TokenError::Malformed)?;
    let audience = match token_use {
        TokenUse::Access => c.client_id.as_deref(),
        TokenUse::Id => c.aud.as_deref(),
    };
    if c.iss != issuer || c.token_use != token_use.as_str() || audience != Some(client_id) {
        return Err(TokenError::WrongToken);
    }
    if now >= c.exp {
        return Err(TokenError::Expired);
    }
    Ok(c)
}

/// What goes into one authentication's tokens.
#[derive(Debug, Clone)]
pub struct TokenSubject<'a> {
    pub sub: &'a str,
    pub username: &'a str,
    pub groups: &'a [String],
    /// The user's attributes (without `sub`) for the id token.
    pub attributes: &'a [(String, String)],
    pub auth_time: i64,
    pub origin_jti: &'a str,
    pub device_key: Option<&'a str>,
}

/// The access token's claims.
pub fn access_claims(
    s: &TokenSubject<'_>,
    issuer: &str,
    client_id: &str,
    event_id: &str,
    now: i64,
    validity: i64,
    jti: &str,
) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("sub".into(), json!(s.sub));
    if !s.groups.is_empty() {
        m.insert("cognito:groups".into(), json!(s.groups));
    }
    if let Some(d) = s.device_key {
        m.insert("device_key".into(), json!(d));
    }
    m.insert("iss".into(), json!(issuer));
    m.insert("client_id".into(), json!(client_id));
    m.insert("origin_jti".into(), json!(s.origin_jti));
    m.insert("event_id".into(), json!(event_id));
    m.insert("token_use".into(), json!("access"));
    m.insert("scope".into(), json!(ADMIN_SCOPE));
    m.insert("auth_time".into(), json!(s.auth_time));
    m.insert("exp".into(), json!(now + validity));
    m.insert("iat".into(), json!(now));
    m.insert("jti".into(), json!(jti));
    m.insert("username".into(), json!(s.username));
    m
}

/// The id token's claims: identity, every attribute (verified flags as booleans) and the
/// standard claims.
pub fn id_claims(
    s: &TokenSubject<'_>,
    issuer: &str,
    client_id: &str,
    event_id: &str,
    now: i64,
    validity: i64,
    jti: &str,
) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("sub".into(), json!(s.sub));
    if !s.groups.is_empty() {
        m.insert("cognito:groups".into(), json!(s.groups));
    }
    for (name, value) in s.attributes {
        let v = match name.as_str() {
            "email_verified" | "phone_number_verified" => json!(value == "true"),
            "updated_at" => value
                .parse::<i64>()
                .map_or_else(|_| json!(value), |n| json!(n)),
            _ => json!(value),
        };
        m.insert(name.clone(), v);
    }
    m.insert("iss".into(), json!(issuer));
    m.insert("cognito:username".into(), json!(s.username));
    m.insert("origin_jti".into(), json!(s.origin_jti));
    m.insert("aud".into(), json!(client_id));
    m.insert("event_id".into(), json!(event_id));
    m.insert("token_use".into(), json!("id"));
    m.insert("auth_time".into(), json!(s.auth_time));
    m.insert("exp".into(), json!(now + validity));
    m.insert("iat".into(), json!(now));
    m.insert("jti".into(), json!(jti));
    m
}

#[cfg(test)]
mod tests;
