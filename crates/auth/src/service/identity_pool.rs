//! The identity pool's actions (GetId, GetCredentialsForIdentity, GetOpenIdToken), the
//! credentials it issues, the admin key, and SigV4 credential resolution.

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value, json};
use stratus_sigv4::{CredentialResolver, ResolveError, ResolvedCredential};

use super::{AuthService, parse};
use crate::error::{CResult, CognitoError, ErrorKind};
use crate::identity::db::NewCredential;
use crate::identity::{
    AdminCredentials, CREDENTIALS_TTL, OPEN_ID_TOKEN_TTL, Principal, PrincipalKind,
    TemporaryCredentials, derive_secret, derive_session_token, logins_key, new_access_key_id,
};

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct GetIdRequest {
    identity_pool_id: String,
    #[serde(default)]
    logins: Option<BTreeMap<String, String>>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct ForIdentityRequest {
    identity_id: String,
    #[serde(default)]
    logins: Option<BTreeMap<String, String>>,
}

/// Who a `Logins` map (or its absence) says the caller is.
struct Caller {
    sub: Option<String>,
    groups: Vec<String>,
    /// The `Logins` key used (for `amr`).
    provider: Option<String>,
}

fn not_authorized(message: &str) -> CognitoError {
    CognitoError::not_authorized(message)
}

impl AuthService {
    /// Runs one identity-pool action (`X-Amz-Target` without `AWSCognitoIdentityService.`).
    pub async fn handle_identity(&self, action: &str, body: &[u8]) -> CResult<Value> {
        match action {
            "GetId" => self.get_id(parse(body)?).await,
            "GetCredentialsForIdentity" => self.get_credentials_for_identity(parse(body)?).await,
            "GetOpenIdToken" => self.get_open_id_token(parse(body)?).await,
            _ => Err(CognitoError::new(
                ErrorKind::UnknownOperation,
                format!("Unknown operation {action}"),
            )),
        }
    }

    /// The identity pool id the outputs advertise, when configured; the region of identity ids.
    fn identity_region(&self) -> &str {
        let config = self.config();
        config
            .identity_pool_id
            .as_deref()
            .and_then(|p| p.split_once(':'))
            .or_else(|| config.user_pool_id.split_once('_'))
            .map(|(region, _)| region)
            .unwrap_or("us-east-1")
    }

    fn check_identity_pool(&self, id: &str) -> CResult<()> {
        let well_formed = id
            .split_once(':')
            .is_some_and(|(r, u)| !r.is_empty() && !u.is_empty());
        let known = match &self.config().identity_pool_id {
            Some(expected) => crate::crypto::ct_eq(expected.as_bytes(), id.as_bytes()),
            None => well_formed,
        };
        if !well_formed {
            return Err(CognitoError::invalid_parameter(format!(
                "1 validation error detected: Value '{id}' at 'identityPoolId' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w-]+:[0-9a-f-]+"
            )));
        }
        if !known {
            return Err(CognitoError::new(
                ErrorKind::ResourceNotFound,
                format!("IdentityPool '{id}' not found."),
            ));
        }
        Ok(())
    }

    /// Checks the `Logins` map: empty or absent means a guest; otherwise exactly our issuer's
    /// key with a valid id token.
    async fn caller(&self, logins: Option<BTreeMap<String, String>>) -> CResult<Caller> {
        let logins = logins.unwrap_or_default();
        if logins.is_empty() {
            if !self.spec().allow_unauthenticated_identities {
                return Err(not_authorized(
                    "Unauthenticated access is not supported for this identity pool.",
                ));
            }
            return Ok(Caller {
                sub: None,
                groups: Vec::new(),
                provider: None,
            });
        }
        let ours = logins_key(self.issuer());
        let mut found = None;
        for (provider, token) in &logins {
            if provider == ours || provider == self.issuer() {
                found = Some((provider.clone(), token));
            } else {
                return Err(not_authorized(&format!(
                    "Invalid login token. Issuer doesn't match providerName: {provider}"
                )));
            }
        }
        let Some((provider, token)) = found else {
            return Err(not_authorized("Invalid login token."));
        };
        let verified = self
            .verify_id_token(token)
            .await
            .map_err(|e| match e.kind {
                ErrorKind::InternalError => e,
                _ => not_authorized(&format!("Invalid login token. {}", e.message)),
            })?;
        Ok(Caller {
            sub: Some(verified.sub),
            groups: verified.groups,
            provider: Some(provider),
        })
    }

    async fn get_id(&self, r: GetIdRequest) -> CResult<Value> {
        self.check_identity_pool(&r.identity_pool_id)?;
        let caller = self.caller(r.logins).await?;
        let now = self.now();
        let id = match &caller.sub {
            Some(sub) => match self.db().identity_of_sub(sub).await? {
                Some(id) => id,
                None => {
                    let id = self.new_identity_id();
                    self.db().insert_identity(&id, Some(sub), now).await?
                }
            },
            None => {
                let id = self.new_identity_id();
                self.db().insert_identity(&id, None, now).await?
            }
        };
        Ok(json!({"IdentityId": id}))
    }

    fn new_identity_id(&self) -> String {
        format!("{}:{}", self.identity_region(), uuid::Uuid::new_v4())
    }

    /// The identity the caller gets credentials for, checked against the caller. A guest
    /// identity presented with a user's login becomes the user's if the user has none yet;
    /// otherwise it is merged into the user's identity, whose id is returned (Cognito answers
    /// the authenticated identity's id, and the client adopts it).
    async fn identity_for(&self, identity_id: &str, caller: &Caller) -> CResult<String> {
        let mismatch = || {
            not_authorized(
                "Logins don't match. Please include at least one valid login for this identity or identity pool.",
            )
        };
        let identity = self.db().identity(identity_id).await?.ok_or_else(|| {
            CognitoError::new(
                ErrorKind::ResourceNotFound,
                format!("Identity '{identity_id}' not found."),
            )
        })?;
        let effective = match (&identity.sub, &caller.sub) {
            (None, None) => identity.identity_id,
            (Some(owner), Some(sub)) if crate::crypto::ct_eq(owner.as_bytes(), sub.as_bytes()) => {
                identity.identity_id
            }
            (None, Some(sub)) => {
                if self.db().link_identity(identity_id, sub).await? {
                    identity.identity_id
                } else {
                    self.db().identity_of_sub(sub).await?.ok_or_else(mismatch)?
                }
            }
            _ => return Err(mismatch()),
        };
        self.db().touch_identity(&effective, self.now()).await?;
        Ok(effective)
    }

    async fn get_credentials_for_identity(&self, r: ForIdentityRequest) -> CResult<Value> {
        let caller = self.caller(r.logins).await?;
        let identity_id = self.identity_for(&r.identity_id, &caller).await?;
        let credentials = self.issue_credentials(&identity_id, &caller).await?;
        Ok(json!({"IdentityId": identity_id, "Credentials": credentials.to_json()}))
    }

    async fn issue_credentials(
        &self,
        identity_id: &str,
        caller: &Caller,
    ) -> CResult<TemporaryCredentials> {
        let now = self.now();
        let access_key_id = new_access_key_id("ASIA")?;
        let (kind, role_group) = match &caller.sub {
            Some(_) => (
                PrincipalKind::Authenticated,
                self.spec()
                    .preferred_group(&caller.groups)
                    .map(|g| g.name.clone()),
            ),
            None => (PrincipalKind::Unauthenticated, None),
        };
        let expiration = now + CREDENTIALS_TTL;
        self.db()
            .insert_credential(
                &NewCredential {
                    access_key_id: &access_key_id,
                    kind,
                    identity_id: Some(identity_id),
                    sub: caller.sub.as_deref(),
                    groups: &caller.groups,
                    role_group: role_group.as_deref(),
                    expires_at: Some(expiration),
                },
                now,
            )
            .await?;
        self.db().purge_credentials(now).await?;
        Ok(TemporaryCredentials {
            secret_key: derive_secret(&self.inner.secret, &access_key_id),
            session_token: derive_session_token(&self.inner.secret, &access_key_id),
            access_key_id,
            expiration,
        })
    }

    /// `GetOpenIdToken`: an RS256 token (the pool's key) with `sub` = the identity id,
    /// `aud` = the identity pool id, `amr` as Cognito's.
    async fn get_open_id_token(&self, r: ForIdentityRequest) -> CResult<Value> {
        let caller = self.caller(r.logins).await?;
        let identity_id = self.identity_for(&r.identity_id, &caller).await?;
        let now = self.now();
        let amr = match &caller.provider {
            Some(p) => json!(["authenticated", p]),
            None => json!(["unauthenticated"]),
        };
        let mut claims = Map::new();
        claims.insert("sub".into(), json!(identity_id));
        claims.insert(
            "aud".into(),
            json!(
                self.config()
                    .identity_pool_id
                    .clone()
                    .unwrap_or_else(|| self.identity_region().to_string())
            ),
        );
        claims.insert(
            "iss".into(),
            json!(format!(
                "{}{}",
                self.config().origin,
                crate::identity::IDENTITY_POOL_PATH
            )),
        );
        claims.insert("amr".into(), amr);
        claims.insert("iat".into(), json!(now));
        claims.insert("exp".into(), json!(now + OPEN_ID_TOKEN_TTL));
        let token = self.inner.signer.sign(&claims)?;
        Ok(json!({"IdentityId": identity_id, "Token": token}))
    }

    /// The principal behind a live access key id (identity-pool or admin credentials).
    /// `None` for unknown or expired keys and for users since deleted or disabled.
    pub async fn resolve_credentials(&self, access_key_id: &str) -> CResult<Option<Principal>> {
        let now = self.now();
        Ok(self
            .db()
            .credential(access_key_id)
            .await?
            .filter(|p| p.expires_at.is_none_or(|exp| exp > now)))
    }

    /// The sandbox admin key: made once per pool (its id is derived from the pool secret, so
    /// concurrent first calls agree) and kept.
    pub async fn admin_credentials(&self) -> CResult<AdminCredentials> {
        let access_key_id = self.admin_access_key_id();
        let now = self.now();
        if self.db().admin_key().await?.is_none() {
            let insert = self
                .db()
                .insert_credential(
                    &NewCredential {
                        access_key_id: &access_key_id,
                        kind: PrincipalKind::Admin,
                        identity_id: None,
                        sub: None,
                        groups: &[],
                        role_group: None,
                        expires_at: None,
                    },
                    now,
                )
                .await;
            match insert {
                Ok(()) => {}
                Err(sqlx::Error::Database(d)) if d.is_unique_violation() => {}
                Err(e) => return Err(e.into()),
            }
        }
        let (stored_id, created_at) = self
            .db()
            .admin_key()
            .await?
            .ok_or_else(CognitoError::internal)?;
        let config = self.config();
        Ok(AdminCredentials {
            secret_access_key: derive_secret(&self.inner.secret, &stored_id),
            access_key_id: stored_id,
            region: config
                .user_pool_id
                .split_once('_')
                .map(|(r, _)| r.to_string())
                .unwrap_or_default(),
            user_pool_id: config.user_pool_id.clone(),
            user_pool_endpoint: format!("{}{}", config.origin, crate::protocol::USER_POOL_PATH),
            created_at,
        })
    }

    fn admin_access_key_id(&self) -> String {
        let mac = crate::crypto::keyed_hash(&self.inner.secret, &[b"stratus:admin-key-id"]);
        const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        let mut id = String::from("AKIA");
        for b in mac.iter().take(16) {
            id.push(char::from(ALPHABET[usize::from(b & 31)]));
        }
        id
    }
}

impl CredentialResolver for AuthService {
    type Principal = Principal;

    async fn resolve(
        &self,
        access_key_id: &str,
    ) -> Result<Option<ResolvedCredential<Principal>>, ResolveError> {
        let principal = self
            .db()
            .credential(access_key_id)
            .await
            .map_err(|e| ResolveError(e.to_string()))?;
        Ok(principal.map(|p| ResolvedCredential {
            secret_access_key: derive_secret(&self.inner.secret, &p.access_key_id),
            session_token: match p.kind {
                PrincipalKind::Admin => None,
                _ => Some(derive_session_token(&self.inner.secret, &p.access_key_id)),
            },
            expires_at: p.expires_at,
            principal: p,
        }))
    }
}
