//! Issuing, refreshing, verifying and revoking tokens: GetTokensFromRefreshToken,
//! REFRESH_TOKEN_AUTH, GlobalSignOut, RevokeToken, and the checks behind every action that
//! takes an `AccessToken` (and behind other Stratus services that accept our tokens).

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::session::AuthContext;
use super::{AuthService, empty};
use crate::crypto;
use crate::db::UserRow;
use crate::error::{CResult, CognitoError, ErrorKind};
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
            .mint(user, &origin_jti, ctx.auth_time, device_key.as_deref())
            .await?;
        result["RefreshToken"] = json!(refresh);
        if let Some(metadata) = new_device {
            result["NewDeviceMetadata"] = metadata;
        }
        // Trigger point: PostAuthentication.
        Ok(json!({"AuthenticationResult": result, "ChallengeParameters": {}}))
    }

    /// Signs a new access and id token for an existing authentication.
    async fn mint(
        &self,
        user: &UserRow,
        origin_jti: &str,
        auth_time: i64,
        device_key: Option<&str>,
    ) -> CResult<Value> {
        let groups = self.db().user_groups(&user.sub).await?;
        let attributes = self.db().attributes(&user.sub).await?;
        let subject = TokenSubject {
            sub: &user.sub,
            username: &user.username,
            groups: &groups,
            attributes: &attributes,
            auth_time,
            origin_jti,
            device_key,
        };
        // Trigger point: PreTokenGeneration (may edit claims and groups).
        let cfg = &self.inner.config;
        let now = self.now();
        let event_id = uuid::Uuid::new_v4().to_string();
        let validity = cfg.token_validity;
        let access = access_claims(
            &subject,
            self.issuer(),
            &cfg.client_id,
            &event_id,
            now,
            validity.access_secs,
            &uuid::Uuid::new_v4().to_string(),
        );
        let id = id_claims(
            &subject,
            self.issuer(),
            &cfg.client_id,
            &event_id,
            now,
            validity.id_secs,
            &uuid::Uuid::new_v4().to_string(),
        );
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
        )
        .await
    }

    pub(super) async fn get_tokens_from_refresh_token(&self, r: RefreshRequest) -> CResult<Value> {
        self.check_client(&r.client_id)?;
        let result = self.refresh(&r.refresh_token).await?;
        Ok(json!({"AuthenticationResult": result}))
    }

    /// Verifies a token of the given use completely (see [`VerifiedToken`]).
    async fn verify(
        &self,
        token: &str,
        token_use: TokenUse,
    ) -> CResult<(UserRow, CommonClaims, Map<String, Value>)> {
        let label = match token_use {
            TokenUse::Access => "Access Token",
            TokenUse::Id => "Id Token",
        };
        let claims = self
            .inner
            .signer
            .verify(token)
            .map_err(|_| CognitoError::not_authorized(format!("Invalid {label}")))?;
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
        let user =
            self.db().user_by_sub(&c.sub).await?.ok_or_else(|| {
                CognitoError::new(ErrorKind::UserNotFound, "User does not exist.")
            })?;
        if !self.db().origin_live(&c.origin_jti, &c.sub).await? {
            return Err(CognitoError::not_authorized(format!(
                "{label} has been revoked"
            )));
        }
        if !user.enabled {
            return Err(CognitoError::not_authorized("User is disabled."));
        }
        Ok((user, c, claims))
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
        let (user, c, claims) = self.verify(token, token_use).await?;
        Ok(VerifiedToken {
            sub: user.sub,
            username: user.username,
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
        self.db().revoke_all_refresh(&user.sub, self.now()).await?;
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
        self.db()
            .revoke_refresh(&crypto::token_hash(&r.token), self.now())
            .await?;
        Ok(empty())
    }
}
