//! SMS through a webhook: each message is POSTed as JSON to a configured URL (a gateway of
//! the operator's choice relays it).
//!
//! Settings (read by [`SmsWebhookSender::from_env`]): `STRATUS_SMS_WEBHOOK_URL` (http or
//! https); optional `STRATUS_SMS_WEBHOOK_TOKEN`, sent as `Authorization: Bearer <token>`.
//!
//! Body: `{"to", "body", "code", "trigger_source", "username", "user_pool_id", "id",
//! "created_at"}`. Any 2xx answer is a delivery; anything else fails the action with
//! `CodeDeliveryFailureException`.

use std::time::Duration;

use serde_json::json;

use super::{Channel, Message, SendError, SendFuture, Sender};

pub const SMS_WEBHOOK_URL_ENV: &str = "STRATUS_SMS_WEBHOOK_URL";
pub const SMS_WEBHOOK_TOKEN_ENV: &str = "STRATUS_SMS_WEBHOOK_TOKEN";

#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("invalid {SMS_WEBHOOK_URL_ENV} {0:?}: must be an http(s) URL")]
    Url(String),
    #[error("cannot build the HTTP client: {0}")]
    Client(String),
}

/// Posts SMS messages to a URL (email messages are refused).
#[derive(Clone)]
pub struct SmsWebhookSender {
    url: String,
    token: Option<String>,
    client: reqwest::Client,
}

impl std::fmt::Debug for SmsWebhookSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmsWebhookSender")
            .field("url", &self.url)
            .field("token", &self.token.as_ref().map(|_| "<hidden>"))
            .finish()
    }
}

impl SmsWebhookSender {
    pub fn new(url: &str, token: Option<String>) -> Result<Self, WebhookError> {
        let parsed = url
            .parse::<http::Uri>()
            .map_err(|_| WebhookError::Url(url.to_string()))?;
        if !matches!(parsed.scheme_str(), Some("http" | "https")) || parsed.host().is_none() {
            return Err(WebhookError::Url(url.to_string()));
        }
        let client = reqwest::Client::builder()
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| WebhookError::Client(e.to_string()))?;
        Ok(Self {
            url: url.to_string(),
            token: token.filter(|t| !t.is_empty()),
            client,
        })
    }

    /// From `STRATUS_SMS_WEBHOOK_URL` / `STRATUS_SMS_WEBHOOK_TOKEN`; `Ok(None)` without a URL.
    pub fn from_env() -> Result<Option<Self>, WebhookError> {
        Self::from_vars(|k| std::env::var(k).ok())
    }

    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Option<Self>, WebhookError> {
        let Some(url) = var(SMS_WEBHOOK_URL_ENV).filter(|u| !u.trim().is_empty()) else {
            return Ok(None);
        };
        Self::new(url.trim(), var(SMS_WEBHOOK_TOKEN_ENV)).map(Some)
    }
}

impl Sender for SmsWebhookSender {
    fn send(&self, message: Message) -> SendFuture<'_> {
        Box::pin(async move {
            if message.channel != Channel::Sms {
                return Err(SendError("the SMS webhook only sends SMS".into()));
            }
            let body = json!({
                "id": message.id,
                "created_at": message.created_at,
                "to": message.to,
                "body": message.body,
                "code": message.code,
                "trigger_source": message.trigger_source,
                "username": message.username,
                "user_pool_id": message.user_pool_id,
            });
            let mut req = self.client.post(&self.url).json(&body);
            if let Some(t) = &self.token {
                req = req.bearer_auth(t);
            }
            let res = req
                .send()
                .await
                .map_err(|e| SendError(format!("SMS webhook {} failed: {e}", self.url)))?;
            if res.status().is_success() {
                Ok(())
            } else {
                Err(SendError(format!(
                    "SMS webhook {} answered HTTP {}",
                    self.url,
                    res.status()
                )))
            }
        })
    }
}
