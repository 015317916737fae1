//! The user pool: configuration, opening, action dispatch and the helpers the actions share
//! (client check, access-token authentication, code delivery, token issuing).

mod admin;
mod admin_actions;
mod challenges;
mod custom_auth;
mod devices;
mod identity_pool;
mod mfa;
mod password;
mod pool_triggers;
mod session;
mod signin;
mod signup;
mod tokens;
mod user;
mod user_auth;

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};
use stratus_spec::auth::{AuthSpec, CODE_PLACEHOLDER};

use crate::attributes::{mask_email, mask_phone};
use crate::clock::{Clock, SystemClock};
use crate::crypto;
use crate::db::{CodeCheck, Db, PoolKeys, UserRow};
use crate::error::{CResult, CognitoError, ErrorKind, InternalError, OpenError};
use crate::sender::{Channel, Message, Sender};
use crate::tokens::{Signer, TokenValidity};

pub use admin_actions::{ADMIN_ACTIONS, is_admin_action};
pub use devices::DeviceTracking;
pub use tokens::VerifiedToken;

/// Where and as what the pool runs.
#[derive(Debug, Clone)]
pub struct AuthConfig {
    /// `<region>_<id>` (`stratus_outputs::user_pool_id`); the part after `_` is the SRP pool
    /// name.
    pub user_pool_id: String,
    /// The one app client (`stratus_outputs::user_pool_client_id`).
    pub client_id: String,
    /// `https://host:port` of the server; tokens' `iss` is `<origin>/<user_pool_id>`.
    pub origin: String,
    pub token_validity: TokenValidity,
    /// Accept `USER_PASSWORD_AUTH` although Amplify's app client does not list
    /// `ALLOW_USER_PASSWORD_AUTH` (real Cognito would answer `InvalidParameterException`).
    pub allow_user_password_auth: bool,
    /// `<region>:<uuid>` (`stratus_outputs::identity_pool_id`): the identity pool
    /// `POST /cognito-identity` answers for. `None` accepts any well-formed id.
    pub identity_pool_id: Option<String>,
    /// Device tracking (Cognito's `DeviceConfiguration`). Amplify's `defineAuth` configures
    /// none, but the client's `rememberDevice` / `fetchDevices` / `forgetDevice` need it, so
    /// the default is [`DeviceTracking::UserOptIn`]; [`DeviceTracking::Off`] is AWS's
    /// behaviour for an Amplify pool.
    pub device_tracking: DeviceTracking,
    /// Request and message rate limits (token buckets per client and per user).
    pub throttle: crate::throttle::ThrottleConfig,
    /// The custom authentication triggers (DefineAuthChallenge, CreateAuthChallenge,
    /// VerifyAuthChallengeResponse) that drive `CUSTOM_AUTH`. `None` (the default, and the
    /// sandbox's until a functions runtime exists): `CUSTOM_AUTH` answers Cognito's "not
    /// configured" error.
    pub triggers: Option<Arc<dyn crate::triggers::AuthTriggers>>,
    /// The pool's other Lambda triggers (PreSignUp, PostConfirmation, PreAuthentication,
    /// PostAuthentication, PreTokenGeneration, CustomMessage, UserMigration). `None` (the
    /// default): none of them runs.
    pub pool_triggers: Option<Arc<dyn crate::triggers::UserPoolTriggers>>,
}

impl AuthConfig {
    pub fn new(
        user_pool_id: impl Into<String>,
        client_id: impl Into<String>,
        origin: impl Into<String>,
    ) -> Self {
        Self {
            user_pool_id: user_pool_id.into(),
            client_id: client_id.into(),
            origin: origin.into().trim_end_matches('/').to_string(),
            token_validity: TokenValidity::default(),
            allow_user_password_auth: false,
            identity_pool_id: None,
            device_tracking: DeviceTracking::default(),
            throttle: crate::throttle::ThrottleConfig::default(),
            triggers: None,
            pool_triggers: None,
        }
    }
}

/// How long a sign-in session (between challenges) lives: Cognito's default 3 minutes.
pub const SESSION_TTL: i64 = 3 * 60;
/// Sign-up confirmation and attribute verification codes: 24 hours.
pub const CONFIRMATION_CODE_TTL: i64 = 24 * 3600;
/// Password reset codes: 1 hour.
pub const RESET_CODE_TTL: i64 = 3600;

/// The user pool service. Cheap to clone.
#[derive(Debug, Clone)]
pub struct AuthService {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    db: Db,
    spec: AuthSpec,
    config: AuthConfig,
    /// The part of the pool id after `_` (SRP).
    pool_name: String,
    issuer: String,
    signer: Signer,
    secret: Vec<u8>,
    sender: Arc<dyn Sender>,
    clock: Arc<dyn Clock>,
    /// When expired sessions and codes were last deleted.
    last_purge: AtomicI64,
    throttle: crate::throttle::Throttle,
    /// What the token check reads from the database, per user (`crate::token_cache`).
    token_cache: Arc<crate::token_cache::TokenCache>,
    /// Tokens whose signature checked out (`crate::token_cache::SignatureCache`).
    signatures: crate::token_cache::SignatureCache,
}

impl AuthService {
    /// Opens the pool in the shared store: creates the auth tables if needed, the pool's
    /// signing key on first use, and the groups of the definition.
    pub async fn open(
        store: &stratus_store::Store,
        spec: AuthSpec,
        config: AuthConfig,
        sender: Arc<dyn Sender>,
    ) -> Result<Self, OpenError> {
        Self::open_with(
            store.pool().clone(),
            spec,
            config,
            sender,
            Arc::new(SystemClock),
        )
        .await
    }

    /// [`AuthService::open`] on a bare pool with a chosen clock (tests).
    pub async fn open_with(
        pool: sqlx::SqlitePool,
        spec: AuthSpec,
        config: AuthConfig,
        sender: Arc<dyn Sender>,
        clock: Arc<dyn Clock>,
    ) -> Result<Self, OpenError> {
        let pool_name = match config.user_pool_id.split_once('_') {
            Some((region, name)) if !region.is_empty() && !name.is_empty() => name.to_string(),
            _ => {
                return Err(OpenError::Config(format!(
                    "user pool id {:?} must look like <region>_<id>",
                    config.user_pool_id
                )));
            }
        };
        if config.client_id.is_empty() {
            return Err(OpenError::Config("empty client id".into()));
        }
        crate::db::migrate(&pool).await?;
        let db = Db::new(pool, config.user_pool_id.clone());
        let now = clock.now();
        let keys = match db.pool_keys().await? {
            Some(k) => k,
            None => {
                let (kid, der) = crate::tokens::generate_key()?;
                let keys = PoolKeys {
                    kid,
                    signing_key_pkcs8: der,
                    secret: crypto::random_bytes::<32>()?.to_vec(),
                };
                db.insert_pool_keys(&keys, now).await?;
                // Another opener may have inserted first; use whatever is stored.
                db.pool_keys()
                    .await?
                    .ok_or_else(|| OpenError::Config("pool keys vanished".into()))?
            }
        };
        let signer = Signer::from_pkcs8(&keys.kid, &keys.signing_key_pkcs8)?;
        let groups: Vec<(String, u32)> = spec
            .groups
            .iter()
            .map(|g| (g.name.clone(), g.precedence))
            .collect();
        db.ensure_groups(&groups, now).await?;
        db.purge_expired(now).await?;
        let issuer = format!("{}/{}", config.origin, config.user_pool_id);
        let throttle = crate::throttle::Throttle::new(&config.throttle);
        let token_cache = crate::token_cache::TokenCache::shared(&db.pool, &config.user_pool_id);
        Ok(Self {
            inner: Arc::new(Inner {
                db,
                spec,
                config,
                pool_name,
                issuer,
                signer,
                secret: keys.secret,
                sender,
                clock,
                last_purge: AtomicI64::new(now),
                throttle,
                token_cache,
                signatures: Default::default(),
            }),
        })
    }

    pub fn config(&self) -> &AuthConfig {
        &self.inner.config
    }

    pub fn spec(&self) -> &AuthSpec {
        &self.inner.spec
    }

    /// `<origin>/<user_pool_id>`: the tokens' `iss`.
    pub fn issuer(&self) -> &str {
        &self.inner.issuer
    }

    /// The JWKS published at `<issuer>/.well-known/jwks.json`.
    pub fn jwks(&self) -> Value {
        self.inner.signer.jwks()
    }

    /// The OpenID discovery document published at
    /// `<issuer>/.well-known/openid-configuration` (no hosted UI / OAuth endpoints yet).
    pub fn openid_configuration(&self) -> Value {
        let iss = self.issuer();
        json!({
            "issuer": iss,
            "jwks_uri": format!("{iss}/.well-known/jwks.json"),
            "response_types_supported": ["code", "token"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", "email", "phone", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
            "claims_supported": ["sub", "iss", "aud", "exp", "iat", "auth_time", "token_use",
                "cognito:username", "cognito:groups", "email", "email_verified",
                "phone_number", "phone_number_verified"],
        })
    }

    /// Runs one action (`X-Amz-Target` without the service prefix) on a JSON body.
    pub async fn handle(&self, action: &str, body: &[u8]) -> CResult<Value> {
        if self.inner.config.pool_triggers.is_some() {
            // The triggers see the request's ClientMetadata.
            let meta = pool_triggers::RequestMeta::of(action, body);
            return pool_triggers::in_request(meta, self.dispatch(action, body)).await;
        }
        self.dispatch(action, body).await
    }

    async fn dispatch(&self, action: &str, body: &[u8]) -> CResult<Value> {
        let (client, user) = crate::throttle::request_keys(body);
        let client = client.or_else(|| Some(self.inner.config.client_id.clone()));
        self.inner
            .throttle
            .request(client.as_deref(), user.as_deref(), self.now())?;
        match action {
            "SignUp" => self.sign_up(parse(body)?).await,
            "ConfirmSignUp" => self.confirm_sign_up(parse(body)?).await,
            "ResendConfirmationCode" => self.resend_confirmation_code(parse(body)?).await,
            "InitiateAuth" => self.initiate_auth(parse(body)?).await,
            "RespondToAuthChallenge" => self.respond_to_auth_challenge(parse(body)?).await,
            "GetTokensFromRefreshToken" => self.get_tokens_from_refresh_token(parse(body)?).await,
            "GetUser" => self.get_user(parse(body)?).await,
            "UpdateUserAttributes" => self.update_user_attributes(parse(body)?).await,
            "VerifyUserAttribute" => self.verify_user_attribute(parse(body)?).await,
            "GetUserAttributeVerificationCode" => {
                self.get_user_attribute_verification_code(parse(body)?)
                    .await
            }
            "DeleteUserAttributes" => self.delete_user_attributes(parse(body)?).await,
            "DeleteUser" => self.delete_user(parse(body)?).await,
            "ChangePassword" => self.change_password(parse(body)?).await,
            "ForgotPassword" => self.forgot_password(parse(body)?).await,
            "ConfirmForgotPassword" => self.confirm_forgot_password(parse(body)?).await,
            "AssociateSoftwareToken" => self.associate_software_token(parse(body)?).await,
            "VerifySoftwareToken" => self.verify_software_token(parse(body)?).await,
            "SetUserMFAPreference" => self.set_user_mfa_preference(parse(body)?).await,
            "GlobalSignOut" => self.global_sign_out(parse(body)?).await,
            "RevokeToken" => self.revoke_token(parse(body)?).await,
            "ConfirmDevice" => self.confirm_device(parse(body)?).await,
            "UpdateDeviceStatus" => self.update_device_status(parse(body)?).await,
            "ListDevices" => self.list_devices(parse(body)?).await,
            "GetDevice" => self.get_device(parse(body)?).await,
            "ForgetDevice" => self.forget_device(parse(body)?).await,
            _ => Err(CognitoError::new(
                ErrorKind::UnknownOperation,
                format!("Unknown operation {action}"),
            )),
        }
    }

    // ---- shared helpers ----------------------------------------------------------------

    fn now(&self) -> i64 {
        self.inner.clock.now()
    }

    fn db(&self) -> &Db {
        &self.inner.db
    }

    /// Deletes expired sessions and codes at most once a minute (called on session creation,
    /// the table that grows with traffic).
    async fn purge_if_due(&self) -> CResult<()> {
        let now = self.now();
        let last = self.inner.last_purge.load(Ordering::Relaxed);
        if now - last >= 60
            && self
                .inner
                .last_purge
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            self.db().purge_expired(now).await?;
        }
        Ok(())
    }

    fn check_client(&self, client_id: &str) -> CResult<()> {
        if crypto::ct_eq(client_id.as_bytes(), self.inner.config.client_id.as_bytes()) {
            Ok(())
        } else {
            Err(CognitoError::new(
                ErrorKind::ResourceNotFound,
                format!("User pool client {client_id} does not exist."),
            ))
        }
    }

    /// Keyed hash of a one-time code, bound to the user and purpose.
    fn code_hash(&self, sub: &str, purpose: &str, code: &str) -> Vec<u8> {
        crypto::keyed_hash(
            &self.inner.secret,
            &[
                b"code",
                sub.as_bytes(),
                purpose.as_bytes(),
                code.trim().as_bytes(),
            ],
        )
    }

    /// Loads a user that must exist (it was found moments ago or is named by a valid token).
    async fn user(&self, sub: &str) -> CResult<UserRow> {
        self.db()
            .user_by_sub(sub)
            .await?
            .ok_or_else(|| CognitoError::new(ErrorKind::UserNotFound, "User does not exist."))
    }

    /// Issues a fresh code for `(user, purpose)` (replacing an earlier one), delivers it and
    /// returns the `CodeDeliveryDetails`.
    async fn send_code(
        &self,
        user: &UserRow,
        purpose: &str,
        d: &Delivery<'_>,
        ttl: i64,
        detail: Option<&str>,
    ) -> CResult<Value> {
        let code = crypto::numeric_code(6)?;
        let hash = self.code_hash(&user.sub, purpose, &code);
        self.db()
            .put_code(&user.sub, purpose, &hash, detail, self.now(), ttl)
            .await?;
        self.deliver(d, &code).await
    }

    /// Checks a code issued by [`Self::send_code`]; Ok carries its detail.
    async fn check_code(&self, sub: &str, purpose: &str, code: &str) -> CResult<Option<String>> {
        let hash = self.code_hash(sub, purpose, code);
        match self
            .db()
            .check_code(sub, purpose, &hash, self.now())
            .await?
        {
            CodeCheck::Ok(detail) => Ok(detail),
            CodeCheck::Mismatch | CodeCheck::Missing => Err(CognitoError::code_mismatch()),
            CodeCheck::Expired => Err(CognitoError::expired_code()),
            CodeCheck::TooManyAttempts => Err(CognitoError::attempt_limit()),
        }
    }

    /// Sends `code` to a destination with the pool's message template and returns Cognito's
    /// `CodeDeliveryDetails`.
    async fn deliver(&self, d: &Delivery<'_>, code: &str) -> CResult<Value> {
        self.inner.throttle.message(d.username, self.now())?;
        let spec = &self.inner.spec;
        let (subject, template) = match (d.channel, d.template) {
            (Channel::Email, Template::Verification) => (
                Some(spec.verification.email_subject.clone()),
                spec.verification.email_message.clone(),
            ),
            (Channel::Sms, Template::Verification) => (None, spec.verification.sms_message.clone()),
            (Channel::Email, Template::Authentication) => (
                Some(DEFAULT_MFA_EMAIL_SUBJECT.to_string()),
                DEFAULT_MFA_MESSAGE.to_string(),
            ),
            (Channel::Sms, Template::Authentication) => (
                None,
                spec.mfa
                    .sms_message
                    .clone()
                    .unwrap_or_else(|| DEFAULT_MFA_MESSAGE.to_string()),
            ),
        };
        let (subject, template) = self
            .custom_message_trigger(
                d.trigger_source,
                d.user,
                d.channel == Channel::Email,
                CODE_PLACEHOLDER,
                None,
                subject,
                template,
            )
            .await?;
        let body = self.render(&template, code, d.username);
        let message = Message {
            id: uuid::Uuid::new_v4().to_string(),
            created_at: self.now(),
            channel: d.channel,
            to: d.to.to_string(),
            subject,
            body,
            code: Some(code.to_string()),
            trigger_source: d.trigger_source.to_string(),
            username: d.username.to_string(),
            user_pool_id: self.inner.config.user_pool_id.clone(),
            from: None,
            reply_to: None,
        }
        .with_pool_sender(spec);
        self.inner.sender.send(message).await.map_err(|e| {
            tracing::warn!(error = %e, "code delivery failed");
            CognitoError::new(
                ErrorKind::CodeDeliveryFailure,
                "Unable to deliver the verification code.",
            )
        })?;
        Ok(delivery_details(d.attribute, d.channel, d.to))
    }

    /// Fills `{####}` (code) and `{username}`; a link-style `{##text##}` becomes a link to
    /// the `confirmUser` endpoint carrying the code.
    fn render(&self, template: &str, code: &str, username: &str) -> String {
        let mut out = template
            .replace(CODE_PLACEHOLDER, code)
            .replace("{username}", username);
        while let Some(start) = out.find("{##") {
            let Some(len) = out[start + 3..].find("##}") else {
                break;
            };
            let text = out[start + 3..start + 3 + len].to_string();
            let link = format!(
                "{text}: {}/confirmUser?client_id={}&user_name={}&confirmation_code={code}",
                self.inner.config.origin,
                self.inner.config.client_id,
                url_encode(username)
            );
            out.replace_range(start..start + 3 + len + 3, &link);
        }
        out
    }
}

/// Cognito's default MFA message texts.
const DEFAULT_MFA_MESSAGE: &str = "Your authentication code is {####}.";
const DEFAULT_MFA_EMAIL_SUBJECT: &str = "Your authentication code";

#[derive(Debug, Clone, Copy)]
enum Template {
    Verification,
    Authentication,
}

/// Where a code goes.
#[derive(Debug, Clone)]
struct Delivery<'a> {
    attribute: &'a str,
    channel: Channel,
    to: &'a str,
    username: &'a str,
    trigger_source: &'a str,
    template: Template,
    /// The user the message is for (what the CustomMessage trigger sees).
    user: &'a UserRow,
}

/// `{"AttributeName", "DeliveryMedium", "Destination"}` with the destination masked.
fn delivery_details(attribute: &str, channel: Channel, to: &str) -> Value {
    let masked = match channel {
        Channel::Email => mask_email(to),
        Channel::Sms => mask_phone(to),
    };
    json!({"AttributeName": attribute, "DeliveryMedium": channel.medium(), "Destination": masked})
}

fn url_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// `{"Name", "Value"}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct AttributeType {
    pub name: String,
    #[serde(default)]
    pub value: String,
}

fn attribute_pairs(a: Option<Vec<AttributeType>>) -> Vec<(String, String)> {
    a.unwrap_or_default()
        .into_iter()
        .map(|a| (a.name, a.value))
        .collect()
}

/// Parses a request body; a missing required member gives Cognito's validation message, any
/// other shape problem a `SerializationException`.
fn parse<T: DeserializeOwned>(body: &[u8]) -> CResult<T> {
    let body = if body.iter().all(u8::is_ascii_whitespace) {
        b"{}".as_slice()
    } else {
        body
    };
    serde_json::from_slice(body).map_err(|e| {
        let msg = e.to_string();
        if let Some(rest) = msg.strip_prefix("missing field `")
            && let Some((field, _)) = rest.split_once('`')
        {
            let mut member = field.to_string();
            if let Some(first) = member.get(..1) {
                member.replace_range(..1, &first.to_lowercase());
            }
            return CognitoError::invalid_parameter(format!(
                "1 validation error detected: Value null at '{member}' failed to satisfy \
                 constraint: Member must not be null"
            ));
        }
        CognitoError::new(
            ErrorKind::Serialization,
            format!("Invalid request body: {e}"),
        )
    })
}

/// Runs CPU-heavy work (argon2, 3072-bit modular exponentiation) off the async workers.
async fn blocking<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> CResult<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| CognitoError::from(InternalError::Crypto(format!("worker failed: {e}"))))
}

/// `{}` for actions without output.
fn empty() -> Value {
    json!({})
}

impl From<crate::srp::SrpError> for InternalError {
    fn from(e: crate::srp::SrpError) -> Self {
        InternalError::Crypto(e.to_string())
    }
}

#[cfg(test)]
mod render_tests {
    use super::url_encode;

    #[test]
    fn url_encoding() {
        assert_eq!(url_encode("a b@c.d"), "a%20b%40c.d");
    }
}
