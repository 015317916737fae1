//! Issuing, refreshing, verifying and revoking tokens: GetTokensFromRefreshToken,
//! REFRESH_TOKEN_AUTH, GlobalSignOut, RevokeToken, and the checks behind every action that
//! takes an `AccessToken` (and behind other Stratus services that accept our tokens).

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::pool_triggers::TokenSource;
use super::session::AuthContext;
use super::{AuthService, empty};
use crate::crypto;
use crate::db::UserRow;
use crate::error::{CResult, CognitoError, ErrorKind};
use crate::token_cache::{CachedUser, Entry};
use crate::tokens::{
    CommonClaims, TokenError, TokenSubject, TokenUse, access_claims, check_claims, id_claims,
};

/// A token that passed every check: signature, issuer, audience, use, expiry, revocation,
/// and the user still existing and enabled.
#[derive(Debug, Clone)]
pub struct VerifiedToken {
    pub sub: String,
    /// Cognito user name (`username` / `cognito:username`).
    pub username: String,
    pub groups: Vec<String>,
    pub token_use: TokenUse,
    pub origin_jti: String,
    pub auth_time: i64,
    pub exp: i64,
    /// Every claim, as signed.
    pub claims: Map<String, Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AccessTokenRequest {
    pub access_token: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct RefreshRequest {
    client_id: String,
    refresh_token: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct RevokeRequest {
    client_id: String,
    token: String,
}

impl AuthService {
    /// A successful sign-in: a new authentication (`origin_jti`) with a refresh token, and
    /// the access and id tokens.
    pub(super) async fn issue_tokens(&self, user: &UserRow, ctx: &AuthContext) -> CResult<Value> {
        // Trigger point: PostAuthentication (a failure refuses the tokens).
        self.post_authentication_trigger(user, ctx.device_key.as_deref())
            .await?;
        // The device the tokens are bound to: the sign-in's confirmed device, or a new one.
        let (device_key, new_device) = self
            .device_metadata(user, ctx.device_key.as_deref())
            .await?;
        let now = self.now();
        let origin_jti = uuid::Uuid::new_v4().to_string();
        let refresh = crypto::opaque_token()?;
        self.db()
            .insert_refresh(
                &crypto::token_hash(&refresh),
                &user.sub,
                &self.inner.config.client_id,
                &origin_jti,
                device_key.as_deref(),
                ctx.auth_time,
                now,
                now + self.inner.config.token_validity.refresh_secs,
            )
            .await?;
        let mut result = self
            .mint(
                user,
                &origin_jti,
                ctx.auth_time,
                device_key.as_deref(),
                ctx.token_source,
            )
            .await?;
        result["RefreshToken"] = json!(refresh);
        if let Some(metadata) = new_device {
            result["NewDeviceMetadata"] = metadata;
        }
        Ok(json!({"AuthenticationResult": result, "ChallengeParameters": {}}))
    }

    /// Signs a new access and id token for an existing authentication.
    async fn mint(
        &self,
        user: &UserRow,
        origin_jti: &str,
        auth_time: i64,
        device_key: Option<&str>,
        source: TokenSource,
    ) -> CResult<Value> {
        let groups = self.db().user_groups(&user.sub).await?;
        let attributes = self.db().attributes(&user.sub).await?;
        // Trigger point: PreTokenGeneration (may edit the id token's claims and the groups).
        let overrides = self
            .pre_token_generation_trigger(source, user, &groups, &attributes)
            .await?;
        let subject = TokenSubject {
            sub: &user.sub,
            username: &user.username,
            groups: &groups,
            attributes: &attributes,
            auth_time,
            origin_jti,
            device_key,
        };
        let cfg = &self.inner.config;
        let now = self.now();
        let event_id = uuid::Uuid::new_v4().to_string();
        let validity = cfg.token_validity;
        let mut access = access_claims(
            &subject,
            self.issuer(),
            &cfg.client_id,
            &event_id,
            now,
            validity.access_secs,
            &uuid::Uuid::new_v4().to_string(),
        );
        let mut id = id_claims(
            &subject,
            self.issuer(),
            &cfg.client_id,
            &event_id,
            now,
            validity.id_secs,
            &uuid::Uuid::new_v4().to_string(),
        );
        if let Some(details) = &overrides {
            super::pool_triggers::apply_overrides(details, &mut access, &mut id);
        }
        let signer = &self.inner.signer;
        Ok(json!({
            "AccessToken": signer.sign(&access)?,
            "ExpiresIn": validity.access_secs,
            "TokenType": "Bearer",
            "IdToken": signer.sign(&id)?,
        }))
    }

    /// New access and id tokens for a refresh token (no rotation: the refresh token stays).
    pub(super) async fn refresh(&self, refresh_token: &str) -> CResult<Value> {
        let invalid = || CognitoError::not_authorized("Invalid Refresh Token");
        let row = self
            .db()
            .refresh_by_hash(&crypto::token_hash(refresh_token))
            .await?
            .ok_or_else(invalid)?;
        if !crypto::ct_eq(
            row.client_id.as_bytes(),
            self.inner.config.client_id.as_bytes(),
        ) {
            return Err(invalid());
        }
        if row.revoked_at.is_some() {
            return Err(CognitoError::not_authorized(
                "Refresh Token has been revoked",
            ));
        }
        if self.now() >= row.expires_at {
            return Err(CognitoError::not_authorized("Refresh Token has expired"));
        }
        let user = self.db().user_by_sub(&row.sub).await?.ok_or_else(invalid)?;
        if !user.enabled {
            return Err(CognitoError::not_authorized("User is disabled."));
        }
        self.mint(
            &user,
            &row.origin_jti,
            row.auth_time,
            row.device_key.as_deref(),
            TokenSource::RefreshTokens,
        )
        .await
    }

    pub(super) async fn get_tokens_from_refresh_token(&self, r: RefreshRequest) -> CResult<Value> {
        self.check_client(&r.client_id)?;
        let result = self.refresh(&r.refresh_token).await?;
        Ok(json!({"AuthenticationResult": result}))
    }

    /// Checks a token's signature and claims (issuer, audience, use, expiry): no database.
    fn check_token(
        &self,
        token: &str,
        token_use: TokenUse,
    ) -> CResult<(CommonClaims, Map<String, Value>)> {
        let label = label(token_use);
        let signatures = &self.inner.signatures;
        let claims = match signatures.get(token) {
            Some(claims) => claims,
            None => {
                let claims = self
                    .inner
                    .signer
                    .verify(token)
                    .map_err(|_| CognitoError::not_authorized(format!("Invalid {label}")))?;
                let claims = std::sync::Arc::new(claims);
                if let Some(exp) = claims.get("exp").and_then(Value::as_i64) {
                    signatures.insert(token, claims.clone(), exp, self.now());
                }
                claims
            }
        };
        let claims = std::sync::Arc::unwrap_or_clone(claims);
        let c = check_claims(
            &claims,
            self.issuer(),
            &self.inner.config.client_id,
            token_use,
            self.now(),
        )
        .map_err(|e| match e {
            TokenError::Expired => CognitoError::not_authorized(format!("{label} has expired")),
            _ => CognitoError::not_authorized(format!("Invalid {label}")),
        })?;
        Ok((c, claims))
    }

    /// Verifies a token of the given use completely (see [`VerifiedToken`]), reading the user
    /// and the revocation state from the database.
    async fn verify(
        &self,
        token: &str,
        token_use: TokenUse,
    ) -> CResult<(UserRow, CommonClaims, Map<String, Value>)> {
        let (c, claims) = self.check_token(token, token_use)?;
        let user = self.db().user_by_sub(&c.sub).await?;
        let live = match &user {
            Some(_) => self.db().origin_live(&c.origin_jti, &c.sub).await?,
            None => false,
        };
        let entry = Entry {
            user: user.as_ref().map(|u| CachedUser {
                username: u.username.clone(),
                enabled: u.enabled,
            }),
            live,
        };
        check_entry(&entry, token_use)?;
        let user = user.expect("checked by check_entry");
        Ok((user, c, claims))
    }

    /// [`Self::verify`] for other services' requests: what it reads from the database comes
    /// from the token cache when fresh (`crate::token_cache`).
    async fn verify_cached(
        &self,
        token: &str,
        token_use: TokenUse,
    ) -> CResult<(String, CommonClaims, Map<String, Value>)> {
        let (c, claims) = self.check_token(token, token_use)?;
        let entry = self
            .inner
            .token_cache
            .lookup(&c.sub, &c.origin_jti, || async {
                let user = self.db().user_by_sub(&c.sub).await?;
                let live = match &user {
                    Some(_) => self.db().origin_live(&c.origin_jti, &c.sub).await?,
                    None => false,
                };
                Ok::<_, CognitoError>(Entry {
                    user: user.map(|u| CachedUser {
                        username: u.username,
                        enabled: u.enabled,
                    }),
                    live,
                })
            })
            .await?;
        check_entry(&entry, token_use)?;
        let username = entry.user.map(|u| u.username).unwrap_or_default();
        Ok((username, c, claims))
    }

    /// The user behind an `AccessToken` parameter.
    pub(super) async fn authenticate(&self, access_token: &str) -> CResult<UserRow> {
        self.verify(access_token, TokenUse::Access)
            .await
            .map(|(u, _, _)| u)
    }

    /// Checks an access token the way every Stratus service should (signature, expiry,
    /// revocation by RevokeToken / GlobalSignOut / DeleteUser, disabled users).
    pub async fn verify_access_token(&self, token: &str) -> CResult<VerifiedToken> {
        self.verified(token, TokenUse::Access).await
    }

    /// Checks an id token (identity pool `Logins`, AppSync user-pool auth).
    pub async fn verify_id_token(&self, token: &str) -> CResult<VerifiedToken> {
        self.verified(token, TokenUse::Id).await
    }

    async fn verified(&self, token: &str, token_use: TokenUse) -> CResult<VerifiedToken> {
        let (username, c, claims) = self.verify_cached(token, token_use).await?;
        Ok(VerifiedToken {
            sub: c.sub,
            username,
            groups: c.groups,
            token_use,
            origin_jti: c.origin_jti,
            auth_time: c.auth_time,
            exp: c.exp,
            claims,
        })
    }

    pub(super) async fn global_sign_out(&self, r: AccessTokenRequest) -> CResult<Value> {
        let user = self.authenticate(&r.access_token).await?;
        let revoked = self.db().revoke_all_refresh(&user.sub, self.now()).await;
        self.inner.token_cache.invalidate_user(&user.sub);
        revoked?;
        Ok(empty())
    }

    pub(super) async fn revoke_token(&self, r: RevokeRequest) -> CResult<Value> {
        self.check_client(&r.client_id)?;
        if r.token.split('.').count() == 3 {
            return Err(CognitoError::new(
                ErrorKind::UnsupportedTokenType,
                "Unsupported token type: only refresh tokens can be revoked",
            ));
        }
        // Unknown or already revoked tokens: nothing to do (and nothing revealed).
        let revoked = self
            .db()
            .revoke_refresh(&crypto::token_hash(&r.token), self.now())
            .await;
        // The token's user is not known without another read: forget every user.
        self.inner.token_cache.invalidate_all();
        revoked?;
        Ok(empty())
    }
}

fn label(token_use: TokenUse) -> &'static str {
    match token_use {
        TokenUse::Access => "Access Token",
        TokenUse::Id => "Id Token",
    }
}

/// The database's part of the token check, in Cognito's order: the user exists, the
/// authentication is not revoked, the user is enabled.
fn check_entry(entry: &Entry, token_use: TokenUse) -> CResult<()> {
    let Some(user) = &entry.user else {
        return Err(CognitoError::new(
            ErrorKind::UserNotFound,
            "User does not exist.",
        ));
    };
    if !entry.live {
        return Err(CognitoError::not_authorized(format!(
            "{} has been revoked",
            label(token_use)
        )));
    }
    if !user.enabled {
        return Err(CognitoError::not_authorized("User is disabled."));
    }
    Ok(())
}
