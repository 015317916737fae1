//! Request throttling: token buckets per app client, per user, and per user for messages
//! (codes sent by email / SMS), answered as Cognito does: `TooManyRequestsException` for the
//! request rates, `LimitExceededException` for too many codes.
//!
//! Buckets live in memory (they are a rate limit, not state worth persisting) and are keyed
//! by the client id and the lower-cased user name (or, for actions authorised by an access
//! token, the token's `sub`). The defaults are far above what an app or the test suites do.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::error::{CognitoError, ErrorKind};

/// A token bucket's shape: `burst` requests at once, refilled at `per_second`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Rate {
    pub per_second: f64,
    pub burst: f64,
}

impl Rate {
    pub const fn new(per_second: f64, burst: f64) -> Self {
        Self { per_second, burst }
    }
}

/// The limits of a pool (`AuthConfig::throttle`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ThrottleConfig {
    /// `false` turns throttling off entirely.
    pub enabled: bool,
    /// Every request naming (or implying) the app client.
    pub per_client: Rate,
    /// Every request about one user.
    pub per_user: Rate,
    /// Codes sent to one user (sign-up, resend, reset, attribute verification, MFA, OTP).
    pub per_user_messages: Rate,
}

impl Default for ThrottleConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            per_client: Rate::new(1000.0, 2000.0),
            per_user: Rate::new(20.0, 100.0),
            per_user_messages: Rate::new(0.5, 30.0),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct Bucket {
    tokens: f64,
    at: i64,
}

/// Buckets beyond this many are pruned (full ones first).
const MAX_BUCKETS: usize = 100_000;

/// One family of buckets with the same rate.
#[derive(Debug)]
pub(crate) struct Limiter {
    rate: Rate,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl Limiter {
    pub fn new(rate: Rate) -> Self {
        Self {
            rate,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Takes one token from `key`'s bucket at `now` (Unix seconds); false when empty.
    pub fn take(&self, key: &str, now: i64) -> bool {
        let Rate { per_second, burst } = self.rate;
        let mut buckets = match self.buckets.lock() {
            Ok(b) => b,
            Err(poisoned) => poisoned.into_inner(),
        };
        if buckets.len() >= MAX_BUCKETS && !buckets.contains_key(key) {
            buckets.retain(|_, b| b.tokens + (now - b.at).max(0) as f64 * per_second < burst);
            if buckets.len() >= MAX_BUCKETS {
                buckets.clear();
            }
        }
        let b = buckets.entry(key.to_string()).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        let elapsed = (now - b.at).max(0) as f64;
        b.tokens = (b.tokens + elapsed * per_second).min(burst);
        b.at = now.max(b.at);
        if b.tokens >= 1.0 {
            b.tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

/// The limiters of one pool.
#[derive(Debug)]
pub(crate) struct Throttle {
    enabled: bool,
    client: Limiter,
    user: Limiter,
    messages: Limiter,
}

impl Throttle {
    pub fn new(c: &ThrottleConfig) -> Self {
        Self {
            enabled: c.enabled,
            client: Limiter::new(c.per_client),
            user: Limiter::new(c.per_user),
            messages: Limiter::new(c.per_user_messages),
        }
    }

    /// A request from `client` about `user` (either may be unknown).
    pub fn request(
        &self,
        client: Option<&str>,
        user: Option<&str>,
        now: i64,
    ) -> Result<(), CognitoError> {
        if !self.enabled {
            return Ok(());
        }
        if let Some(c) = client
            && !self.client.take(c, now)
        {
            return Err(too_many_requests());
        }
        if let Some(u) = user
            && !self.user.take(&u.to_lowercase(), now)
        {
            return Err(too_many_requests());
        }
        Ok(())
    }

    /// A code about to be sent to `user`.
    pub fn message(&self, user: &str, now: i64) -> Result<(), CognitoError> {
        if !self.enabled || self.messages.take(&user.to_lowercase(), now) {
            Ok(())
        } else {
            Err(CognitoError::new(
                ErrorKind::LimitExceeded,
                "Attempt limit exceeded, please try after some time.",
            ))
        }
    }
}

fn too_many_requests() -> CognitoError {
    CognitoError::new(ErrorKind::TooManyRequests, "Too many requests")
}

/// The throttling keys of a request body: its `ClientId` and the user it is about
/// (`Username`, `AuthParameters.USERNAME`, `ChallengeResponses.USERNAME`, or the unverified
/// `sub` of its `AccessToken`).
pub(crate) fn request_keys(body: &[u8]) -> (Option<String>, Option<String>) {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(body) else {
        return (None, None);
    };
    let s = |v: &serde_json::Value| v.as_str().filter(|s| !s.is_empty()).map(str::to_string);
    let client = s(&v["ClientId"]);
    let user = s(&v["Username"])
        .or_else(|| s(&v["AuthParameters"]["USERNAME"]))
        .or_else(|| s(&v["ChallengeResponses"]["USERNAME"]))
        .or_else(|| {
            let token = v["AccessToken"].as_str()?;
            let payload = crate::crypto::b64_decode(token.split('.').nth(1)?)?;
            let claims: serde_json::Value = serde_json::from_slice(&payload).ok()?;
            claims["sub"].as_str().map(|sub| format!("sub:{sub}"))
        });
    (client, user)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bucket_allows_a_burst_then_refills_at_the_rate() {
        let l = Limiter::new(Rate::new(2.0, 5.0));
        for _ in 0..5 {
            assert!(l.take("k", 100));
        }
        assert!(!l.take("k", 100));
        assert!(l.take("other", 100), "buckets are per key");
        // One second refills two tokens.
        assert!(l.take("k", 101));
        assert!(l.take("k", 101));
        assert!(!l.take("k", 101));
        // Never more than the burst.
        for _ in 0..5 {
            assert!(l.take("k", 1000));
        }
        assert!(!l.take("k", 1000));
    }

    #[test]
    fn clock_going_backwards_does_not_mint_tokens() {
        let l = Limiter::new(Rate::new(1.0, 1.0));
        assert!(l.take("k", 100));
        assert!(!l.take("k", 50));
        assert!(!l.take("k", 100));
        assert!(l.take("k", 101));
    }

    #[test]
    fn keys_from_bodies() {
        let (c, u) = request_keys(br#"{"ClientId":"c1","Username":"Alice"}"#);
        assert_eq!((c.as_deref(), u.as_deref()), (Some("c1"), Some("Alice")));
        let (_, u) = request_keys(br#"{"ClientId":"c1","AuthParameters":{"USERNAME":"bob"}}"#);
        assert_eq!(u.as_deref(), Some("bob"));
        // header.{"sub":"s-1"}.sig
        let token = format!("x.{}.y", crate::crypto::b64url(br#"{"sub":"s-1"}"#));
        let body = serde_json::json!({ "AccessToken": token }).to_string();
        let (c, u) = request_keys(body.as_bytes());
        assert_eq!((c, u.as_deref()), (None, Some("sub:s-1")));
        assert_eq!(request_keys(b"not json"), (None, None));
    }

    #[test]
    fn disabled_throttle_never_refuses() {
        let t = Throttle::new(&ThrottleConfig {
            enabled: false,
            per_client: Rate::new(0.0, 0.0),
            per_user: Rate::new(0.0, 0.0),
            per_user_messages: Rate::new(0.0, 0.0),
        });
        assert!(t.request(Some("c"), Some("u"), 1).is_ok());
        assert!(t.message("u", 1).is_ok());
    }
}
