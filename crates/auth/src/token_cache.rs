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
//!
//! Reads ([`TokenCache::lookup`]) are single-flight per user: when an entry is missing or
//! expired, one request reads the database and the others of that user wait for its answer
//! instead of all reading at once (under load, every request arriving during the refresh
//! would otherwise add its own two queries to the connection pool, which slows the refresh
//! further); and an entry past [`REFRESH_AFTER`] is refreshed by one request while the others
//! keep using it, so a busy user never sees it expire.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};
use std::time::{Duration, Instant};

/// How long an entry is trusted without reading the database again.
pub const TTL: Duration = Duration::from_secs(2);
/// At most this many (user, authentication) entries.
pub const CAPACITY: usize = 10_000;
/// An entry this old is read again by one request while the others still use it.
pub const REFRESH_AFTER: Duration = Duration::from_millis(1_500);

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
    /// sub → the lock held by the request reading that user's entry from the database.
    reading: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
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
        self.get_aged(sub, origin_jti).map(|(entry, _)| entry)
    }

    /// A fresh entry and whether it is due for a refresh ([`REFRESH_AFTER`]).
    fn get_aged(&self, sub: &str, origin_jti: &str) -> Option<(Entry, bool)> {
        let state = self.lock();
        let (entry, at) = state.users.get(sub)?.get(origin_jti)?;
        let age = at.elapsed();
        (age < TTL).then(|| (entry.clone(), age >= REFRESH_AFTER))
    }

    /// The lock of user `sub`'s database reads (locks no one holds are dropped).
    fn reading_lock(&self, sub: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut reading = self.reading.lock().unwrap_or_else(|e| e.into_inner());
        reading.retain(|_, lock| Arc::strong_count(lock) > 1);
        reading.entry(sub.to_string()).or_default().clone()
    }

    /// The entry for (sub, origin_jti): the cached one while fresh, else what `read` answers
    /// (the database), read by one request of this user at a time; see the module docs.
    pub async fn lookup<E, F, Fut>(&self, sub: &str, origin_jti: &str, read: F) -> Result<Entry, E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Entry, E>>,
    {
        let lock = match self.get_aged(sub, origin_jti) {
            Some((entry, false)) => return Ok(entry),
            Some((entry, true)) => {
                let lock = self.reading_lock(sub);
                // Someone is already refreshing it: this one is still fresh.
                let Ok(guard) = lock.clone().try_lock_owned() else {
                    return Ok(entry);
                };
                return self.read_and_store(sub, origin_jti, read, guard).await;
            }
            None => self.reading_lock(sub),
        };
        let guard = lock.lock_owned().await;
        // The request that held the lock may have stored the answer meanwhile.
        if let Some(entry) = self.get(sub, origin_jti) {
            return Ok(entry);
        }
        self.read_and_store(sub, origin_jti, read, guard).await
    }

    async fn read_and_store<E, F, Fut>(
        &self,
        sub: &str,
        origin_jti: &str,
        read: F,
        _reading: tokio::sync::OwnedMutexGuard<()>,
    ) -> Result<Entry, E>
    where
        F: FnOnce() -> Fut,
        Fut: std::future::Future<Output = Result<Entry, E>>,
    {
        let epoch = self.epoch();
        let entry = read().await?;
        self.insert(epoch, sub, origin_jti, entry.clone());
        Ok(entry)
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

    /// A read that counts its calls, takes `ms`, and answers `name`'s entry.
    async fn read(
        calls: &std::sync::atomic::AtomicUsize,
        ms: u64,
        name: &str,
    ) -> Result<Entry, String> {
        calls.fetch_add(1, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(ms)).await;
        Ok(live(name))
    }

    type Calls = Arc<std::sync::atomic::AtomicUsize>;

    /// `n` lookups of (s1, o1) started together, each reading with `read(calls, ms, name)`.
    fn spawn_lookups(
        cache: &Arc<TokenCache>,
        calls: &Calls,
        n: usize,
        ms: u64,
        name: &'static str,
    ) -> tokio::task::JoinSet<Result<Entry, String>> {
        let mut set = tokio::task::JoinSet::new();
        for _ in 0..n {
            let (cache, calls) = (cache.clone(), calls.clone());
            set.spawn(async move { cache.lookup("s1", "o1", || read(&calls, ms, name)).await });
        }
        set
    }

    #[tokio::test]
    async fn concurrent_misses_read_the_database_once() {
        let cache = Arc::new(TokenCache::default());
        let calls = Calls::default();
        let answers = spawn_lookups(&cache, &calls, 20, 20, "a").join_all().await;
        assert_eq!(answers.len(), 20);
        assert!(answers.iter().all(|a| a == &Ok(live("a"))), "{answers:?}");
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        // Another user is read on its own.
        assert_eq!(
            cache.lookup("s2", "o1", || read(&calls, 0, "b")).await,
            Ok(live("b"))
        );
        assert_eq!(calls.load(Ordering::SeqCst), 2);
        assert!(
            cache.reading.lock().unwrap().len() <= 1,
            "unused locks are dropped"
        );
    }

    #[tokio::test]
    async fn an_entry_due_for_refresh_is_read_by_one_request_while_others_use_it() {
        let cache = Arc::new(TokenCache::default());
        cache.insert(cache.epoch(), "s1", "o1", live("old"));
        {
            let mut state = cache.lock();
            let aged = Instant::now() - REFRESH_AFTER - Duration::from_millis(1);
            state.users.get_mut("s1").unwrap().get_mut("o1").unwrap().1 = aged;
        }
        let calls = Calls::default();
        let refresher = spawn_lookups(&cache, &calls, 1, 100, "new");
        // Let the refresher take the lock and start reading.
        tokio::time::sleep(Duration::from_millis(10)).await;
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        let started = Instant::now();
        let others = spawn_lookups(&cache, &calls, 5, 100, "other")
            .join_all()
            .await;
        let waited = started.elapsed();
        assert!(others.iter().all(|a| a == &Ok(live("old"))), "{others:?}");
        assert!(waited < Duration::from_millis(60), "waited {waited:?}");
        assert_eq!(refresher.join_all().await, vec![Ok(live("new"))]);
        assert_eq!(calls.load(Ordering::SeqCst), 1);
        assert_eq!(cache.get("s1", "o1"), Some(live("new")));
    }

    #[tokio::test]
    async fn an_answer_read_across_an_invalidation_is_not_kept() {
        let cache = TokenCache::default();
        let calls = std::sync::atomic::AtomicUsize::new(0);
        let answer = cache
            .lookup("s1", "o1", || async {
                calls.fetch_add(1, Ordering::SeqCst);
                // A revocation lands while the database is being read.
                cache.invalidate_user("s1");
                Ok::<_, String>(live("before"))
            })
            .await;
        assert_eq!(answer, Ok(live("before")));
        assert_eq!(cache.get("s1", "o1"), None);
        assert_eq!(
            cache.lookup("s1", "o1", || read(&calls, 0, "after")).await,
            Ok(live("after"))
        );
        assert_eq!(calls.load(Ordering::SeqCst), 2);
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
