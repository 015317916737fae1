//! Delivery of codes. The service hands every message to a [`Sender`]; the sandbox one
//! ([`Outbox`]) prints it through `tracing` and keeps it for `GET /_stratus/outbox`.
//! [`SmtpSender`] sends email over SMTP (lettre), [`SmsWebhookSender`] posts SMS to a URL,
//! and [`ChannelSender`] routes each channel to its sender (and keeps a copy in the outbox).

mod route;
mod smtp;
mod webhook;

pub use route::ChannelSender;
pub use smtp::{SmtpError, SmtpSender};
pub use webhook::{SmsWebhookSender, WebhookError};

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Channel {
    Email,
    Sms,
}

impl Channel {
    /// Cognito `DeliveryMedium`.
    pub fn medium(self) -> &'static str {
        match self {
            Self::Email => "EMAIL",
            Self::Sms => "SMS",
        }
    }
}

/// One outgoing message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Message {
    /// Unique id (uuid).
    pub id: String,
    /// Unix seconds.
    pub created_at: i64,
    pub channel: Channel,
    /// Email address or E.164 phone number.
    pub to: String,
    /// Email subject (email only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subject: Option<String>,
    pub body: String,
    /// The code the body carries (so tests and the sandbox UI need not parse the body).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// Cognito's CustomMessage trigger source for this message, e.g. `CustomMessage_SignUp`.
    pub trigger_source: String,
    /// The user's Cognito user name.
    pub username: String,
    pub user_pool_id: String,
    /// The pool's sender address (`senders.email.fromEmail` / `fromName` of `defineAuth`),
    /// `"Name <address>"`; email senders use it over their own default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reply_to: Option<String>,
}

impl Message {
    /// Email: the From / Reply-To of the pool's `senders.email` (`fromEmail`, `fromName`,
    /// `replyTo`), when `defineAuth` sets them.
    pub fn with_pool_sender(mut self, spec: &stratus_spec::auth::AuthSpec) -> Self {
        if self.channel == Channel::Email
            && let Some(stratus_spec::auth::EmailSender::Ses {
                from_email,
                from_name,
                reply_to,
            }) = &spec.senders.email
        {
            self.from = Some(match from_name {
                Some(name) if !name.is_empty() => format!("{name} <{from_email}>"),
                _ => from_email.clone(),
            });
            self.reply_to = reply_to.clone();
        }
        self
    }
}

#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct SendError(pub String);

pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<(), SendError>> + Send + 'a>>;

/// Delivers messages. Implementations: the sandbox [`Outbox`], [`SmtpSender`],
/// [`SmsWebhookSender`], [`ChannelSender`].
pub trait Sender: Send + Sync + std::fmt::Debug {
    fn send(&self, message: Message) -> SendFuture<'_>;
}

/// Messages kept in memory (newest last), capped.
#[derive(Debug, Default)]
pub struct Outbox {
    messages: Mutex<Vec<Message>>,
}

/// How many messages the outbox keeps.
pub const OUTBOX_CAPACITY: usize = 1000;

impl Outbox {
    pub fn new() -> Arc<Self> {
        Arc::new(Self::default())
    }

    /// A copy of the kept messages, oldest first.
    pub fn messages(&self) -> Vec<Message> {
        self.messages.lock().map(|m| m.clone()).unwrap_or_default()
    }

    /// The newest message sent to `to` (case-insensitive).
    pub fn latest_to(&self, to: &str) -> Option<Message> {
        self.messages()
            .into_iter()
            .rev()
            .find(|m| m.to.eq_ignore_ascii_case(to))
    }

    fn push(&self, m: Message) {
        if let Ok(mut v) = self.messages.lock() {
            if v.len() >= OUTBOX_CAPACITY {
                v.remove(0);
            }
            v.push(m);
        }
    }
}

impl Sender for Outbox {
    fn send(&self, message: Message) -> SendFuture<'_> {
        Box::pin(async move {
            tracing::info!(
                target: "stratus::outbox",
                channel = message.channel.medium(),
                to = %message.to,
                subject = message.subject.as_deref().unwrap_or(""),
                trigger = %message.trigger_source,
                "{}",
                message.body
            );
            self.push(message);
            Ok(())
        })
    }
}

#[derive(Debug, Deserialize)]
struct OutboxQuery {
    /// Only messages to this address / number.
    to: Option<String>,
}

/// `GET /_stratus/outbox[?to=<address>]`: the kept messages as a JSON array, newest last.
/// Sandbox only: mount it only when the outbox is the sender.
pub fn outbox_router(outbox: Arc<Outbox>) -> Router {
    Router::new()
        .route("/_stratus/outbox", get(list))
        .with_state(outbox)
}

async fn list(
    State(outbox): State<Arc<Outbox>>,
    Query(q): Query<OutboxQuery>,
) -> Json<Vec<Message>> {
    let mut all = outbox.messages();
    if let Some(to) = q.to {
        all.retain(|m| m.to.eq_ignore_ascii_case(&to));
    }
    Json(all)
}
