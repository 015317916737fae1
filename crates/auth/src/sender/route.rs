//! Routing messages by channel.

use std::sync::Arc;

use super::{Channel, Message, Outbox, SendFuture, Sender};

/// Sends email through `email` and SMS through `sms` when they are set; every message is also
/// kept in (and printed by) the outbox, so the sandbox terminal and `GET /_stratus/outbox`
/// show what went out. A channel without its own sender goes to the outbox only.
#[derive(Debug, Clone)]
pub struct ChannelSender {
    outbox: Arc<Outbox>,
    email: Option<Arc<dyn Sender>>,
    sms: Option<Arc<dyn Sender>>,
}

impl ChannelSender {
    pub fn new(outbox: Arc<Outbox>) -> Self {
        Self {
            outbox,
            email: None,
            sms: None,
        }
    }

    pub fn with_email(mut self, sender: Option<Arc<dyn Sender>>) -> Self {
        self.email = sender;
        self
    }

    pub fn with_sms(mut self, sender: Option<Arc<dyn Sender>>) -> Self {
        self.sms = sender;
        self
    }
}

impl Sender for ChannelSender {
    fn send(&self, message: Message) -> SendFuture<'_> {
        Box::pin(async move {
            let target = match message.channel {
                Channel::Email => self.email.as_ref(),
                Channel::Sms => self.sms.as_ref(),
            };
            if let Some(target) = target {
                target.send(message.clone()).await?;
            }
            self.outbox.send(message).await
        })
    }
}
