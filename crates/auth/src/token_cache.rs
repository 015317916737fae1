//! An in-memory cache of what the token check ([`crate::AuthService::verify_access_token`] /
//! `verify_id_token`) reads from SQLite per request: whether the token's user exists, its user
//! name and `enabled` flag, and whether the token's authentication (`origin_jti`) is still live
//! (its refresh token not revoked).
//!
//! Correctness on this node: every local write that changes one of these (GlobalSignOut,
//! AdminUserGlobalSignOut, RevokeToken, DeleteUser, AdminDeleteUser, AdminDisableUser /
//! AdminEnableUser) calls [`TokenCache::invalidate_user`] or [`TokenCache::invalidate_all`]
//! right after its write, before it answers; a lookup that read the database before such a
//! write cannot store its (stale) answer afterwards, because every invalidation advances an
//! epoch the lookup re-checks under the same lock. All `AuthService`s of one pool on one
//! database in this process (a reload opens a new one while the data service may keep the
//! old) share one cache ([`TokenCache::shared`], keyed by the database file and pool id).
//!
//! Bounds: an entry lives at most [`TTL`], so another process writing to the same database
//! (a future multi-node deployment) is seen within that time; at most [`CAPACITY`] entries.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

/// How long an entry is trusted without reading the database again.
pub const TTL: Duration = Duration::from_secs(2);
/// At most this many (user, authentication) entries.
pub const CAPACITY: usize = 10_000;

/// What the token check needs of the user (`None`: no such user).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CachedUser {
    pub username: String,
    pub enabled: bool,
}

/// The database's answer for one (sub, origin_jti).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub user: Option<CachedUser>,
    /// The authentication exists and is not revoked.
    pub live: bool,
}

#[derive(Debug, Default)]
struct State {
    /// sub → origin_jti → (entry, stored at).
    users: HashMap<String, HashMap<String, (Entry, Instant)>>,
    len: usize,
}

#[derive(Debug, Default)]
pub struct TokenCache {
    state: Mutex<State>,
    /// Advanced by every invalidation (under the lock).
    epoch: AtomicU64,
}

type Registry = Mutex<HashMap<(std::path::PathBuf, String), Weak<TokenCache>>>;

impl TokenCache {
    /// The cache of pool `pool_id` in the database file behind `pool`, shared by every service
    /// of this process that opens the same pool in the same database.
    pub fn shared(pool: &sqlx::SqlitePool, pool_id: &str) -> Arc<TokenCache> {
        static REGISTRY: OnceLock<Registry> = OnceLock::new();
        // The database file names the data the cache mirrors: services of this process on the
        // same file and pool share one cache, whichever connection pool they read through.
        let file = pool.connect_options().get_filename().to_path_buf();
        let key = (
            std::fs::canonicalize(&file).unwrap_or(file),
            pool_id.to_string(),
        );
        let mut registry = REGISTRY
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        registry.retain(|_, cache| cache.strong_count() > 0);
        if let Some(cache) = registry.get(&key).and_then(Weak::upgrade) {
            return cache;
        }
        let cache = Arc::new(TokenCache::default());
        registry.insert(key, Arc::downgrade(&cache));
        cache
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The current epoch: take it before reading the database, give it to [`Self::insert`].
    pub fn epoch(&self) -> u64 {
        self.epoch.load(Ordering::Acquire)
    }

    /// A fresh entry for (sub, origin_jti), if any.
    pub fn get(&self, sub: &str, origin_jti: &str) -> Option<Entry> {
        let state = self.lock();
        let (entry, at) = state.users.get(sub)?.get(origin_jti)?;
        (at.elapsed() < TTL).then(|| entry.clone())
    }

    /// Stores what the database answered, unless an invalidation happened since `epoch`.
    pub fn insert(&self, epoch: u64, sub: &str, origin_jti: &str, entry: Entry) {
        let mut state = self.lock();
        if self.epoch.load(Ordering::Acquire) != epoch {
            return;
        }
        if state.len >= CAPACITY {
            let State { users, len } = &mut *state;
            users.retain(|_, origins| {
                origins.retain(|_, (_, at)| at.elapsed() < TTL);
                !origins.is_empty()
            });
            *len = users.values().map(HashMap::len).sum();
            if *len >= CAPACITY {
                users.clear();
                *len = 0;
            }
        }
        let origins = state.users.entry(sub.to_string()).or_default();
        let added = origins
            .insert(origin_jti.to_string(), (entry, Instant::now()))
            .is_none();
        if added {
            state.len += 1;
        }
    }

    /// Forgets everything about user `sub` (after a write that changed it).
    pub fn invalidate_user(&self, sub: &str) {
        let mut state = self.lock();
        self.epoch.fetch_add(1, Ordering::AcqRel);
        if let Some(origins) = state.users.remove(sub) {
            state.len -= origins.len();
        }
    }

    /// Forgets everything (after a write whose user is not known here, e.g. RevokeToken).
    pub fn invalidate_all(&self) {
        let mut state = self.lock();
        self.epoch.fetch_add(1, Ordering::AcqRel);
        state.users.clear();
        state.len = 0;
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.lock().len
    }
}

/// A token's signed claims.
pub type Claims = Arc<serde_json::Map<String, serde_json::Value>>;

/// Tokens whose RS256 signature already checked out, by SHA-256 of the token: the signed
/// claims, kept until the token's `exp` (the claims, expiry included, are still checked on
/// every use; only the signature check and the decoding are skipped). Tokens that fail are not
/// kept. At most [`CAPACITY`] tokens.
#[derive(Debug, Default)]
pub struct SignatureCache {
    tokens: Mutex<HashMap<[u8; 32], (Claims, i64)>>,
}

impl SignatureCache {
    fn key(token: &str) -> [u8; 32] {
        use sha2::Digest;
        sha2::Sha256::digest(token.as_bytes()).into()
    }

    /// The claims of `token` if its signature was verified before.
    pub fn get(&self, token: &str) -> Option<Claims> {
        let key = Self::key(token);
        let tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        tokens.get(&key).map(|(claims, _)| claims.clone())
    }

    /// Keeps the claims of a token whose signature checked out, until `exp` (seconds).
    pub fn insert(&self, token: &str, claims: Claims, exp: i64, now: i64) {
        let key = Self::key(token);
        let mut tokens = self.tokens.lock().unwrap_or_else(|e| e.into_inner());
        if tokens.len() >= CAPACITY {
            tokens.retain(|_, (_, exp)| *exp > now);
            if tokens.len() >= CAPACITY {
                tokens.clear();
            }
        }
        tokens.insert(key, (claims, exp));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn live(name: &str) -> Entry {
        Entry {
            user: Some(CachedUser {
                username: name.into(),
                enabled: true,
            }),
            live: true,
        }
    }

    #[test]
    fn invalidation_drops_entries_and_refuses_stale_inserts() {
        let cache = TokenCache::default();
        let e = cache.epoch();
        cache.insert(e, "s1", "o1", live("a"));
        cache.insert(e, "s2", "o2", live("b"));
        assert_eq!(cache.get("s1", "o1"), Some(live("a")));
        // A lookup that read the database before the write started at epoch `stale`.
        let stale = cache.epoch();
        cache.invalidate_user("s1");
        assert_eq!(cache.get("s1", "o1"), None);
        assert_eq!(cache.get("s2", "o2"), Some(live("b")));
        cache.insert(stale, "s1", "o1", live("a"));
        assert_eq!(cache.get("s1", "o1"), None, "stale answer stored");
        cache.invalidate_all();
        assert_eq!(cache.get("s2", "o2"), None);
        assert_eq!(cache.len(), 0);
    }

    #[test]
    fn signatures_are_kept_by_token_and_bounded() {
        let cache = SignatureCache::default();
        let claims = Arc::new(serde_json::Map::new());
        cache.insert("a.b.c", claims.clone(), 100, 0);
        assert!(cache.get("a.b.c").is_some());
        assert!(cache.get("a.b.d").is_none());
        // Full: expired tokens go first.
        for i in 0..CAPACITY {
            cache.insert(&format!("t{i}"), claims.clone(), 10, 0);
        }
        cache.insert("late", claims, 100, 50);
        assert!(cache.get("late").is_some());
        assert!(cache.get("t0").is_none());
        assert!(cache.tokens.lock().unwrap().len() <= CAPACITY);
    }

    #[test]
    fn size_is_bounded() {
        let cache = TokenCache::default();
        for i in 0..CAPACITY + 10 {
            cache.insert(cache.epoch(), &format!("s{i}"), "o", live("x"));
        }
        assert!(cache.len() <= CAPACITY, "{}", cache.len());
        assert!(cache.get(&format!("s{}", CAPACITY + 9), "o").is_some());
    }
}
