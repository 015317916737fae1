//! Device tracking: NewDeviceMetadata on sign-in, ConfirmDevice, UpdateDeviceStatus,
//! ListDevices, GetDevice, ForgetDevice, and the DEVICE_SRP_AUTH / DEVICE_PASSWORD_VERIFIER
//! challenges a sign-in from a confirmed device goes through (client-protocol §C.2–C.3).

use std::collections::BTreeMap;

use num_bigint::BigUint;
use serde::Deserialize;
use serde_json::{Value, json};

use super::session::{AuthContext, Pending};
use super::signin::param;
use super::{AuthService, blocking, empty};
use crate::crypto;
use crate::db::{DeviceRow, DeviceSecret, UserRow};
use crate::error::{CResult, CognitoError, ErrorKind, InternalError};
use crate::srp;

/// Cognito's `DeviceConfiguration` of the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DeviceTracking {
    /// No device tracking (no `DeviceConfiguration`): no NewDeviceMetadata, device keys sent
    /// by clients are ignored.
    Off,
    /// `DeviceOnlyRememberedOnUserPrompt: true`: every sign-in's device is tracked once the
    /// client confirms it, and remembered (MFA skipped on it) when the user opts in with
    /// UpdateDeviceStatus `remembered` (`rememberDevice()`).
    #[default]
    UserOptIn,
    /// `DeviceOnlyRememberedOnUserPrompt: false`: confirmed devices are remembered at once.
    Always,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ConfirmDeviceRequest {
    access_token: String,
    device_key: String,
    #[serde(default)]
    device_name: Option<String>,
    #[serde(default)]
    device_secret_verifier_config: Option<VerifierConfig>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
struct VerifierConfig {
    #[serde(default)]
    password_verifier: String,
    #[serde(default)]
    salt: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct DeviceRequest {
    access_token: String,
    device_key: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct UpdateDeviceStatusRequest {
    access_token: String,
    device_key: String,
    #[serde(default)]
    device_remembered_status: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "PascalCase")]
pub(crate) struct ListDevicesRequest {
    access_token: String,
    #[serde(default)]
    limit: Option<i64>,
    #[serde(default)]
    pagination_token: Option<String>,
}

/// Cognito's largest ListDevices page.
const MAX_DEVICES_PAGE: i64 = 60;

pub(super) fn no_device() -> CognitoError {
    // The client clears its device keys and retries the sign-in on exactly this message.
    CognitoError::new(ErrorKind::ResourceNotFound, "Device does not exist.")
}

impl AuthService {
    pub(super) fn tracking(&self) -> DeviceTracking {
        self.inner.config.device_tracking
    }

    /// Called when a sign-in is about to issue tokens: the device the tokens are bound to
    /// (a known, confirmed device of the user, whose last authentication is noted) or, for a
    /// sign-in without one, a new device and its `NewDeviceMetadata`.
    pub(super) async fn device_metadata(
        &self,
        user: &UserRow,
        device_key: Option<&str>,
    ) -> CResult<(Option<String>, Option<Value>)> {
        if self.tracking() == DeviceTracking::Off {
            return Ok((None, None));
        }
        if let Some(key) = device_key
            && let Some(d) = self.db().device(&user.sub, key).await?
            && d.confirmed()
        {
            self.db().touch_device(key, self.now()).await?;
            return Ok((Some(key.to_string()), None));
        }
        let region = self
            .inner
            .config
            .user_pool_id
            .split_once('_')
            .map(|(r, _)| r)
            .unwrap_or("us-east-1");
        let device_key = format!("{region}_{}", uuid::Uuid::new_v4());
        let group_key = format!("-{}", hex::encode(crypto::random_bytes::<6>()?));
        self.db()
            .insert_device(&device_key, &user.sub, &group_key, self.now())
            .await?;
        let metadata = json!({"DeviceKey": device_key, "DeviceGroupKey": group_key});
        Ok((Some(device_key), Some(metadata)))
    }

    /// After the first factor: a sign-in that names a device goes through device SRP when the
    /// device is confirmed; an unknown device is refused with the message the client retries
    /// on. `Ok(None)`: no device step.
    pub(super) async fn device_step(
        &self,
        user: &UserRow,
        ctx: &AuthContext,
    ) -> CResult<Option<Value>> {
        if self.tracking() == DeviceTracking::Off {
            return Ok(None);
        }
        let Some(key) = ctx.device_key.as_deref() else {
            return Ok(None);
        };
        match self.db().device(&user.sub, key).await? {
            Some(d) if d.confirmed() => {}
            _ => return Err(no_device()),
        }
        let session = self
            .new_session(&Pending::DeviceSrpAuth { ctx: ctx.clone() })
            .await?;
        Ok(Some(json!({
            "ChallengeName": "DEVICE_SRP_AUTH",
            "Session": session,
            "ChallengeParameters": {"USERNAME": user.username},
        })))
    }

    /// DEVICE_SRP_AUTH answered with `SRP_A`: the device's salt, B and a secret block.
    pub(super) async fn device_srp_auth(
        &self,
        ctx: AuthContext,
        responses: &BTreeMap<String, String>,
    ) -> CResult<Value> {
        let srp_a = param(responses, "SRP_A")?.to_string();
        let key = param(responses, "DEVICE_KEY")?;
        if ctx.device_key.as_deref() != Some(key) {
            return Err(no_device());
        }
        let a = srp::parse_hex(&srp_a)
            .map_err(|_| CognitoError::invalid_parameter("Invalid SRP_A value"))?;
        if &a % srp::n() == BigUint::ZERO {
            return Err(CognitoError::invalid_parameter("Invalid SRP_A value"));
        }
        let user = self.user(&ctx.sub).await?;
        let device = self.confirmed_device(&user.sub, key).await?;
        let (Some(salt_hex), Some(verifier_hex)) = (&device.salt_hex, &device.verifier_hex) else {
            return Err(no_device());
        };
        let verifier = srp::parse_hex(verifier_hex).map_err(InternalError::from)?;
        let salt = srp::parse_hex(salt_hex).map_err(InternalError::from)?;
        let eph = blocking(move || srp::server_ephemeral(&verifier))
            .await?
            .map_err(InternalError::from)?;
        let secret_block = crypto::secret_block()?;
        let session = self
            .new_session(&Pending::DevicePasswordVerifier {
                ctx,
                srp_a,
                srp_b: eph.big_b_hex.clone(),
                b: eph.b_hex,
                secret_block: secret_block.clone(),
            })
            .await?;
        Ok(json!({
            "ChallengeName": "DEVICE_PASSWORD_VERIFIER",
            "Session": session,
            "ChallengeParameters": {
                "SALT": salt.to_str_radix(16),
                "SECRET_BLOCK": secret_block,
                "SRP_B": eph.big_b_hex,
                "USERNAME": user.username,
            },
        }))
    }

    /// DEVICE_PASSWORD_VERIFIER: the device's claim over `deviceGroupKey ‖ deviceKey ‖
    /// secretBlock ‖ timestamp`. A remembered device skips MFA.
    pub(super) async fn device_password_verifier(
        &self,
        pending: Pending,
        responses: &BTreeMap<String, String>,
    ) -> CResult<Value> {
        let Pending::DevicePasswordVerifier {
            ctx,
            srp_a,
            srp_b,
            b,
            secret_block,
        } = pending
        else {
            return Err(CognitoError::invalid_session());
        };
        let given_block = param(responses, "PASSWORD_CLAIM_SECRET_BLOCK")?;
        let signature = param(responses, "PASSWORD_CLAIM_SIGNATURE")?.to_string();
        let timestamp = param(responses, "TIMESTAMP")?.to_string();
        let key = ctx.device_key.clone().ok_or_else(no_device)?;
        if responses.get("DEVICE_KEY").is_some_and(|k| *k != key) {
            return Err(no_device());
        }
        let user = self.user(&ctx.sub).await?;
        let device = self.confirmed_device(&user.sub, &key).await?;
        let verifier_hex = device.verifier_hex.clone().ok_or_else(no_device)?;
        let verifier = srp::parse_hex(&verifier_hex).map_err(InternalError::from)?;
        let block_ok = crypto::ct_eq(given_block.as_bytes(), secret_block.as_bytes());
        let block = crypto::b64_decode(&secret_block)
            .ok_or_else(|| InternalError::Corrupt("secret block".into()))?;
        let group = device.group_key.clone();
        let device_key = key.clone();
        let claim_ok = blocking(move || {
            srp::parse_timestamp(&timestamp).is_some()
                && srp::server_key(&srp_a, &srp_b, &b, &verifier).is_ok_and(|k| {
                    srp::verify_claim(&k, &group, &device_key, &block, &timestamp, &signature)
                })
        })
        .await?;
        if !(block_ok && claim_ok) {
            return Err(CognitoError::not_authorized(
                "Incorrect device credentials.",
            ));
        }
        let mut ctx = ctx;
        ctx.token_source = super::pool_triggers::TokenSource::AuthenticateDevice;
        if device.remembered {
            self.issue_tokens(&user, &ctx).await
        } else {
            self.mfa_step(&user, ctx).await
        }
    }

    /// False when device tracking is on and `key` is not a confirmed device of `sub`.
    pub(super) async fn device_usable(&self, sub: &str, key: &str) -> CResult<bool> {
        if self.tracking() == DeviceTracking::Off {
            return Ok(true);
        }
        Ok(self
            .db()
            .device(sub, key)
            .await?
            .is_some_and(|d| d.confirmed()))
    }

    async fn confirmed_device(&self, sub: &str, key: &str) -> CResult<DeviceRow> {
        match self.db().device(sub, key).await? {
            Some(d) if d.confirmed() => Ok(d),
            _ => Err(no_device()),
        }
    }

    pub(super) async fn confirm_device(&self, r: ConfirmDeviceRequest) -> CResult<Value> {
        let user = self.authenticate(&r.access_token).await?;
        let config = r.device_secret_verifier_config.ok_or_else(|| {
            CognitoError::invalid_parameter("Missing required parameter DeviceSecretVerifierConfig")
        })?;
        let salt = crypto::b64_decode(&config.salt).filter(|b| !b.is_empty());
        let verifier = crypto::b64_decode(&config.password_verifier).filter(|b| !b.is_empty());
        let (Some(salt), Some(verifier)) = (salt, verifier) else {
            return Err(CognitoError::invalid_parameter(
                "DeviceSecretVerifierConfig needs a base64 Salt and PasswordVerifier",
            ));
        };
        let v = BigUint::from_bytes_be(&verifier);
        if &v % srp::n() == BigUint::ZERO {
            return Err(CognitoError::invalid_parameter("Invalid PasswordVerifier"));
        }
        let name = r
            .device_name
            .filter(|n| !n.is_empty())
            .map(|n| n.chars().take(1024).collect::<String>());
        let remembered = self.tracking() == DeviceTracking::Always;
        let salt_hex = srp::pad_hex(&BigUint::from_bytes_be(&salt));
        let verifier_hex = srp::pad_hex(&v);
        let secret = DeviceSecret {
            salt_hex: &salt_hex,
            verifier_hex: &verifier_hex,
            name: name.as_deref(),
            remembered,
        };
        let done = self
            .db()
            .confirm_device(&user.sub, &r.device_key, &secret, self.now())
            .await?;
        if !done {
            return Err(no_device());
        }
        Ok(json!({"UserConfirmationNecessary": self.tracking() == DeviceTracking::UserOptIn}))
    }

    pub(super) async fn update_device_status(
        &self,
        r: UpdateDeviceStatusRequest,
    ) -> CResult<Value> {
        let user = self.authenticate(&r.access_token).await?;
        let remembered = match r.device_remembered_status.as_deref() {
            Some("remembered") => true,
            Some("not_remembered") => false,
            other => {
                return Err(CognitoError::invalid_parameter(format!(
                    "1 validation error detected: Value '{}' at 'deviceRememberedStatus' \
                     failed to satisfy constraint: Member must satisfy enum value set: \
                     [remembered, not_remembered]",
                    other.unwrap_or("null")
                )));
            }
        };
        if !self
            .db()
            .set_device_remembered(&user.sub, &r.device_key, remembered, self.now())
            .await?
        {
            return Err(no_device());
        }
        Ok(empty())
    }

    pub(super) async fn get_device(&self, r: DeviceRequest) -> CResult<Value> {
        let user = self.authenticate(&r.access_token).await?;
        let d = self.confirmed_device(&user.sub, &r.device_key).await?;
        Ok(json!({"Device": device_json(&d)}))
    }

    pub(super) async fn forget_device(&self, r: DeviceRequest) -> CResult<Value> {
        let user = self.authenticate(&r.access_token).await?;
        if !self.db().delete_device(&user.sub, &r.device_key).await? {
            return Err(no_device());
        }
        Ok(empty())
    }

    pub(super) async fn list_devices(&self, r: ListDevicesRequest) -> CResult<Value> {
        let user = self.authenticate(&r.access_token).await?;
        let limit = r.limit.unwrap_or(MAX_DEVICES_PAGE);
        if !(0..=MAX_DEVICES_PAGE).contains(&limit) {
            return Err(CognitoError::invalid_parameter(format!(
                "1 validation error detected: Value '{limit}' at 'limit' failed to satisfy \
                 constraint: Member must have value less than or equal to {MAX_DEVICES_PAGE}"
            )));
        }
        let offset = match r.pagination_token.as_deref().filter(|t| !t.is_empty()) {
            None => 0,
            Some(t) => crypto::b64_decode(t)
                .and_then(|b| String::from_utf8(b).ok())
                .and_then(|s| {
                    s.strip_prefix("devices:")
                        .and_then(|n| n.parse::<i64>().ok())
                })
                .filter(|n| *n >= 0)
                .ok_or_else(|| CognitoError::invalid_parameter("Invalid pagination token"))?,
        };
        let limit = if limit == 0 { MAX_DEVICES_PAGE } else { limit };
        let mut rows = self.db().list_devices(&user.sub, offset, limit + 1).await?;
        let more = rows.len() as i64 > limit;
        rows.truncate(usize::try_from(limit).unwrap_or(0));
        let devices: Vec<Value> = rows.iter().map(device_json).collect();
        let mut out = json!({"Devices": devices});
        if more {
            out["PaginationToken"] = json!(crypto::b64(
                format!("devices:{}", offset + limit).as_bytes()
            ));
        }
        Ok(out)
    }
}

/// Cognito's `DeviceType` (dates in epoch seconds).
fn device_json(d: &DeviceRow) -> Value {
    let mut attributes = vec![json!({"Name": "device_status", "Value": "valid"})];
    if let Some(name) = &d.name {
        attributes.push(json!({"Name": "device_name", "Value": name}));
    }
    attributes.push(json!({
        "Name": "dev:device_remembered_status",
        "Value": if d.remembered { "remembered" } else { "not_remembered" },
    }));
    json!({
        "DeviceKey": d.device_key,
        "DeviceAttributes": attributes,
        "DeviceCreateDate": d.created_at,
        "DeviceLastModifiedDate": d.modified_at,
        "DeviceLastAuthenticatedDate": d.last_auth_at,
    })
}
