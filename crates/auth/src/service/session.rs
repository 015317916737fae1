//! Sign-in sessions: what the server remembers between challenges. The client holds only an
//! opaque random token; the state lives in `auth_sessions` under the token's hash and is
//! taken (deleted) when the client answers, so every session is single use.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::custom_auth::CustomState;
use super::pool_triggers::TokenSource;

use super::{AuthService, SESSION_TTL};
use crate::crypto;
use crate::error::{CResult, CognitoError};

/// What happened before the pending challenge (carried into the tokens).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct AuthContext {
    pub sub: String,
    /// When the password (or first factor) was verified.
    pub auth_time: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_key: Option<String>,
    /// The first factor was a one-time code (USER_AUTH EMAIL_OTP / SMS_OTP): no MFA follows.
    #[serde(default)]
    pub passwordless: bool,
    /// How the sign-in ends (PreTokenGeneration's trigger source).
    #[serde(default, skip_serializing_if = "TokenSource::is_default")]
    pub token_source: TokenSource,
}

/// The second factors, by Cognito challenge name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum MfaKind {
    #[serde(rename = "SMS_MFA")]
    Sms,
    #[serde(rename = "SOFTWARE_TOKEN_MFA")]
    Totp,
    #[serde(rename = "EMAIL_OTP")]
    Email,
}

impl MfaKind {
    pub fn challenge_name(self) -> &'static str {
        match self {
            Self::Sms => "SMS_MFA",
            Self::Totp => "SOFTWARE_TOKEN_MFA",
            Self::Email => "EMAIL_OTP",
        }
    }

    pub fn from_name(s: &str) -> Option<Self> {
        match s {
            "SMS_MFA" | "SMS" => Some(Self::Sms),
            "SOFTWARE_TOKEN_MFA" | "TOTP" => Some(Self::Totp),
            "EMAIL_OTP" | "EMAIL" => Some(Self::Email),
            _ => None,
        }
    }

    /// The `ChallengeResponses` key carrying the code.
    pub fn code_key(self) -> &'static str {
        match self {
            Self::Sms => "SMS_MFA_CODE",
            Self::Totp => "SOFTWARE_TOKEN_MFA_CODE",
            Self::Email => "EMAIL_OTP_CODE",
        }
    }
}

/// The pending step of a sign-in.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "step")]
pub(crate) enum Pending {
    /// SRP: waiting for the password claim. `sub` is `None` for an unknown user (the
    /// challenge was a stand-in; the answer always fails).
    PasswordVerifier {
        sub: Option<String>,
        user_id_for_srp: String,
        srp_a: String,
        srp_b: String,
        b: String,
        secret_block: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        device_key: Option<String>,
        /// Set when this SRP step is part of a CUSTOM_AUTH sign-in (`CHALLENGE_NAME: SRP_A`).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        custom: Option<Box<CustomState>>,
    },
    /// CUSTOM_AUTH: waiting for the answer to a challenge made by CreateAuthChallenge.
    CustomChallenge {
        state: Box<CustomState>,
        /// `privateChallengeParameters`, for VerifyAuthChallengeResponse.
        private: BTreeMap<String, String>,
        /// `challengeMetadata`, recorded in the session entry of this challenge.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        metadata: Option<String>,
    },
    /// Waiting for a second-factor code. `code_hash` for SMS / email codes (TOTP has none).
    Mfa {
        kind: MfaKind,
        ctx: AuthContext,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code_hash: Option<Vec<u8>>,
        attempts: u32,
        /// Set when this EMAIL_OTP confirms an address given in MFA_SETUP.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        setup_email: Option<String>,
    },
    SelectMfaType {
        ctx: AuthContext,
        options: Vec<MfaKind>,
    },
    MfaSetup {
        ctx: AuthContext,
        options: Vec<MfaKind>,
        /// TOTP was associated and verified through this session.
        totp_verified: bool,
    },
    NewPasswordRequired {
        ctx: AuthContext,
    },
    /// First factor done from a confirmed device: waiting for the device's `SRP_A`.
    DeviceSrpAuth {
        ctx: AuthContext,
    },
    /// Waiting for the device's password claim.
    DevicePasswordVerifier {
        ctx: AuthContext,
        srp_a: String,
        srp_b: String,
        b: String,
        secret_block: String,
    },
    /// ConfirmSignUp done: USER_AUTH with this session signs the user in (autoSignIn).
    SignUpConfirmed {
        sub: String,
    },
    /// USER_AUTH: the user picks a first factor (`sub` is `None` for an unknown user).
    SelectChallenge {
        login: String,
        options: Vec<String>,
    },
    /// USER_AUTH: a one-time code sent as the first factor (EMAIL_OTP / SMS_OTP).
    FirstFactorOtp {
        sms: bool,
        /// `None` for an unknown user (the answer always fails).
        sub: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code_hash: Option<Vec<u8>>,
        attempts: u32,
    },
}

impl Pending {
    pub fn challenge_name(&self) -> &'static str {
        match self {
            Self::PasswordVerifier { .. } => "PASSWORD_VERIFIER",
            Self::CustomChallenge { .. } => "CUSTOM_CHALLENGE",
            Self::Mfa { kind, .. } => kind.challenge_name(),
            Self::SelectMfaType { .. } => "SELECT_MFA_TYPE",
            Self::MfaSetup { .. } => "MFA_SETUP",
            Self::NewPasswordRequired { .. } => "NEW_PASSWORD_REQUIRED",
            Self::DeviceSrpAuth { .. } => "DEVICE_SRP_AUTH",
            Self::DevicePasswordVerifier { .. } => "DEVICE_PASSWORD_VERIFIER",
            Self::SelectChallenge { .. } => "SELECT_CHALLENGE",
            // Not a challenge: only InitiateAuth USER_AUTH takes it.
            Self::SignUpConfirmed { .. } => "SIGN_UP_CONFIRMED",
            Self::FirstFactorOtp { sms: false, .. } => "EMAIL_OTP",
            Self::FirstFactorOtp { sms: true, .. } => "SMS_OTP",
        }
    }
}

/// Wrong second-factor codes allowed within one session.
pub(crate) const MAX_MFA_ATTEMPTS: u32 = 3;

impl AuthService {
    /// Stores a new session for `pending`; returns the token the client gets.
    pub(crate) async fn new_session(&self, pending: &Pending) -> CResult<String> {
        self.purge_if_due().await?;
        let token = crypto::opaque_token()?;
        self.store_session(&token, pending, self.now() + SESSION_TTL)
            .await?;
        Ok(token)
    }

    async fn store_session(&self, token: &str, pending: &Pending, expires_at: i64) -> CResult<()> {
        let state = serde_json::to_string(pending).map_err(crate::error::InternalError::from)?;
        self.db()
            .put_session(&crypto::token_hash(token), &state, self.now(), expires_at)
            .await?;
        Ok(())
    }

    /// Takes a session (it is gone afterwards).
    pub(crate) async fn take_session(&self, token: Option<&str>) -> CResult<(Pending, i64)> {
        let token = token
            .filter(|t| !t.is_empty())
            .ok_or_else(|| CognitoError::invalid_parameter("Missing required parameter Session"))?;
        let (state, expires_at) = self
            .db()
            .take_session(&crypto::token_hash(token), self.now())
            .await?
            .ok_or_else(CognitoError::invalid_session)?;
        let pending: Pending =
            serde_json::from_str(&state).map_err(crate::error::InternalError::from)?;
        Ok((pending, expires_at))
    }

    /// Puts a taken session back under the same token and expiry (an answer that may be
    /// retried, e.g. a mistyped MFA code).
    pub(crate) async fn restore_session(
        &self,
        token: &str,
        pending: &Pending,
        expires_at: i64,
    ) -> CResult<()> {
        self.store_session(token, pending, expires_at).await
    }
}
