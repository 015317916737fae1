//! [`FsBackend`]: objects on the local filesystem.
//!
//! Layout under the root directory:
//! ```text
//! <root>/<bucket>/objects/<h[0..2]>/<h>     h = sha256(key) hex; data + JSON trailer (format.rs)
//! <root>/<bucket>/uploads/<upload id>/upload.json
//! <root>/<bucket>/uploads/<upload id>/part-<nnnnn>   data + JSON trailer (PartInfo)
//! ```
//! Keys never become path components (only their hash does), so no key, whatever its bytes
//! (`..`, `/`, NUL, 1 KiB of UTF-8), can name a file outside the bucket. The key itself is kept in
//! the trailer. An in-memory ordered index (key → [`ObjectInfo`]), rebuilt from the trailers at
//! open, serves listings; GET and HEAD read the trailer of the file they open, so a reader always
//! sees one consistent version. Commits (rename + index update) are serialised per bucket.

use std::collections::{BTreeMap, HashMap};
use std::io;
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use chrono::Utc;
use futures::FutureExt;
use futures::future::BoxFuture;
use sha2::{Digest, Sha256};

use super::format::{TempFile, is_temp_name, read_trailer, stream_span};
use super::{
    BackendError, BackendResult, ByteRange, ByteStream, CompletedPart, ListCursor, ListPage,
    ListRequest, MIN_PART_SIZE, ObjectBackend, ObjectInfo, ObjectMeta, ObjectRead, PartInfo,
    PutOptions, UploadInfo,
};

/// Tunables of [`FsBackend`].
#[derive(Debug, Clone)]
pub struct FsOptions {
    /// Minimum size of every part but the last (S3: 5 MiB).
    pub min_part_size: u64,
    /// Multipart uploads older than this are removed by [`FsBackend::purge_expired_uploads`]
    /// (at open and by the janitor).
    pub upload_ttl: Duration,
}

impl Default for FsOptions {
    fn default() -> Self {
        Self {
            min_part_size: MIN_PART_SIZE,
            upload_ttl: Duration::from_secs(24 * 3600),
        }
    }
}

pub(super) struct Bucket {
    pub(super) dir: PathBuf,
    index: RwLock<BTreeMap<String, ObjectInfo>>,
    /// Held while a file is renamed into `objects/` or removed, and the index updated.
    commit: tokio::sync::Mutex<()>,
}

/// Local-filesystem [`ObjectBackend`]. Cheap to clone.
#[derive(Clone)]
pub struct FsBackend {
    root: PathBuf,
    pub(super) options: FsOptions,
    buckets: Arc<RwLock<HashMap<String, Arc<Bucket>>>>,
}

/// `^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$` without `..` (the client's own check).
pub fn valid_bucket_name(name: &str) -> bool {
    let b = name.as_bytes();
    (3..=63).contains(&b.len())
        && b.iter()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'.' || *c == b'-')
        && b[0] != b'.'
        && b[0] != b'-'
        && b[b.len() - 1] != b'.'
        && b[b.len() - 1] != b'-'
        && !name.contains("..")
}

/// The least string greater than every string starting with `s` (its last character incremented,
/// with carry), or `None` if there is none.
fn successor(s: &str) -> Option<String> {
    let mut chars: Vec<char> = s.chars().collect();
    while let Some(c) = chars.pop() {
        let next = match c as u32 {
            0xD7FF => Some('\u{E000}'),
            n => char::from_u32(n + 1),
        };
        if let Some(n) = next {
            chars.push(n);
            return Some(chars.into_iter().collect());
        }
    }
    None
}

fn key_file_name(key: &str) -> String {
    hex::encode(Sha256::digest(key.as_bytes()))
}

fn lock_poisoned() -> BackendError {
    BackendError::Io(io::Error::other("index lock poisoned"))
}

impl Bucket {
    pub(super) fn object_path(&self, key: &str) -> PathBuf {
        let h = key_file_name(key);
        self.dir.join("objects").join(&h[..2]).join(h)
    }

    pub(super) fn uploads_dir(&self) -> PathBuf {
        self.dir.join("uploads")
    }

    /// Renames a finished temp file over the key's file and records it, unless `if_none_match`
    /// and the key exists.
    pub(super) async fn commit(
        &self,
        temp: TempFile,
        info: ObjectInfo,
        options: PutOptions,
    ) -> BackendResult<ObjectInfo> {
        let dest = self.object_path(&info.key);
        let mut temp = temp;
        // The slow part (flush + fsync) happens outside the bucket's commit lock.
        temp.seal(&info).await?;
        {
            let _guard = self.commit.lock().await;
            if options.if_none_match && self.contains(&info.key)? {
                return Err(BackendError::PreconditionFailed);
            }
            temp.publish(&dest).await?;
            self.index
                .write()
                .map_err(|_| lock_poisoned())?
                .insert(info.key.clone(), info.clone());
        }
        super::format::sync_parent(&dest).await?;
        Ok(info)
    }

    fn contains(&self, key: &str) -> BackendResult<bool> {
        Ok(self
            .index
            .read()
            .map_err(|_| lock_poisoned())?
            .contains_key(key))
    }

    async fn load(dir: PathBuf) -> BackendResult<Self> {
        let mut index = BTreeMap::new();
        let objects = dir.join("objects");
        tokio::fs::create_dir_all(&objects).await?;
        let mut shards = tokio::fs::read_dir(&objects).await?;
        while let Some(shard) = shards.next_entry().await? {
            if !shard.file_type().await?.is_dir() {
                continue;
            }
            let mut files = tokio::fs::read_dir(shard.path()).await?;
            while let Some(f) = files.next_entry().await? {
                let path = f.path();
                let name = f.file_name().to_string_lossy().into_owned();
                if is_temp_name(&name) {
                    tokio::fs::remove_file(&path).await?;
                    continue;
                }
                let mut file = tokio::fs::File::open(&path).await?;
                match read_trailer::<ObjectInfo>(&mut file, &path).await {
                    Ok((info, len)) if len == info.size && key_file_name(&info.key) == name => {
                        index.insert(info.key.clone(), info);
                    }
                    Ok(_) | Err(BackendError::Corrupt(_)) => {
                        tracing::warn!(path = %path.display(), "ignoring a corrupt object file");
                    }
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(Self {
            dir,
            index: RwLock::new(index),
            commit: tokio::sync::Mutex::new(()),
        })
    }
}

impl FsBackend {
    /// Opens (creating it if needed) a store under `root`: loads every bucket's index, removes
    /// temp files left by a crash and multipart uploads older than the TTL.
    pub async fn open(root: impl Into<PathBuf>, options: FsOptions) -> BackendResult<Self> {
        let root = root.into();
        tokio::fs::create_dir_all(&root).await?;
        let mut buckets = HashMap::new();
        let mut entries = tokio::fs::read_dir(&root).await?;
        while let Some(e) = entries.next_entry().await? {
            let name = e.file_name().to_string_lossy().into_owned();
            if e.file_type().await?.is_dir() && valid_bucket_name(&name) {
                let bucket = Bucket::load(e.path()).await?;
                buckets.insert(name, Arc::new(bucket));
            }
        }
        let backend = Self {
            root,
            options,
            buckets: Arc::new(RwLock::new(buckets)),
        };
        backend.purge_expired_uploads().await?;
        Ok(backend)
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    pub(super) fn bucket(&self, name: &str) -> BackendResult<Arc<Bucket>> {
        self.buckets
            .read()
            .map_err(|_| lock_poisoned())?
            .get(name)
            .cloned()
            .ok_or(BackendError::NoSuchBucket)
    }

    /// Removes multipart uploads initiated more than `upload_ttl` ago, in every bucket. Returns
    /// how many were removed.
    pub async fn purge_expired_uploads(&self) -> BackendResult<usize> {
        let buckets: Vec<Arc<Bucket>> = self
            .buckets
            .read()
            .map_err(|_| lock_poisoned())?
            .values()
            .cloned()
            .collect();
        let ttl =
            chrono::Duration::from_std(self.options.upload_ttl).unwrap_or(chrono::Duration::MAX);
        let cutoff = Utc::now() - ttl;
        let mut removed = 0;
        for b in buckets {
            removed += super::multipart::purge_older_than(&b, cutoff).await?;
        }
        Ok(removed)
    }

    /// Runs [`Self::purge_expired_uploads`] every `every` on the current tokio runtime.
    pub fn spawn_upload_janitor(&self, every: Duration) -> tokio::task::JoinHandle<()> {
        let this = self.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(every);
            loop {
                tick.tick().await;
                if let Err(e) = this.purge_expired_uploads().await {
                    tracing::warn!(error = %e, "multipart janitor failed");
                }
            }
        })
    }

    async fn open_object(
        &self,
        bucket: &str,
        key: &str,
    ) -> BackendResult<(tokio::fs::File, ObjectInfo)> {
        let b = self.bucket(bucket)?;
        let path = b.object_path(key);
        let mut file = match tokio::fs::File::open(&path).await {
            Ok(f) => f,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(BackendError::NoSuchKey),
            Err(e) => return Err(e.into()),
        };
        let (info, len) = read_trailer::<ObjectInfo>(&mut file, &path).await?;
        if info.key != key || len != info.size {
            return Err(BackendError::Corrupt(format!(
                "{}: trailer does not match",
                path.display()
            )));
        }
        Ok((file, info))
    }

    async fn put_impl(
        &self,
        bucket: &str,
        key: &str,
        body: ByteStream,
        meta: ObjectMeta,
        options: PutOptions,
    ) -> BackendResult<ObjectInfo> {
        let b = self.bucket(bucket)?;
        let dest = b.object_path(key);
        let dir = dest.parent().unwrap_or(&b.dir).to_path_buf();
        let mut temp = TempFile::create(&dir).await?;
        temp.write_stream(body).await?;
        let info = ObjectInfo {
            key: key.to_string(),
            size: temp.size,
            etag: temp.etag(),
            last_modified: Utc::now(),
            meta,
        };
        b.commit(temp, info, options).await
    }

    fn list_impl(&self, bucket: &str, req: ListRequest) -> BackendResult<ListPage> {
        let b = self.bucket(bucket)?;
        let index = b.index.read().map_err(|_| lock_poisoned())?;
        let prefix = req.prefix.as_str();
        let mut start = match &req.cursor {
            Some(c) if c.after.as_str() >= prefix => {
                match c.skip_prefix.then(|| successor(&c.after)) {
                    Some(Some(next)) => Bound::Included(next),
                    _ => Bound::Excluded(c.after.clone()),
                }
            }
            _ => Bound::Included(prefix.to_string()),
        };
        let mut page = ListPage::default();
        let mut count = 0usize;
        let mut last: Option<ListCursor> = None;
        let delimiter = req.delimiter.as_deref().filter(|d| !d.is_empty());
        // Each rolled-up common prefix is skipped with one range seek (to its successor string)
        // instead of walking the keys under it.
        loop {
            let mut seek: Option<String> = None;
            for (key, info) in index.range((start.clone(), Bound::Unbounded)) {
                if !key.starts_with(prefix) {
                    break;
                }
                if let Some(c) = &req.cursor
                    && c.skip_prefix
                    && key.starts_with(c.after.as_str())
                {
                    continue;
                }
                let common = delimiter.and_then(|d| {
                    key[prefix.len()..]
                        .find(d)
                        .map(|i| &key[..prefix.len() + i + d.len()])
                });
                if let (Some(cp), Some(l)) = (common, &last)
                    && l.skip_prefix
                    && l.after == cp
                {
                    continue;
                }
                if count == req.max_keys {
                    page.next = if count == 0 { None } else { last };
                    return Ok(page);
                }
                count += 1;
                match common {
                    Some(cp) => {
                        page.common_prefixes.push(cp.to_string());
                        last = Some(ListCursor {
                            after: cp.to_string(),
                            skip_prefix: true,
                        });
                        if let Some(next) = successor(cp) {
                            seek = Some(next);
                            break;
                        }
                    }
                    None => {
                        page.objects.push(info.clone());
                        last = Some(ListCursor {
                            after: key.clone(),
                            skip_prefix: false,
                        });
                    }
                }
            }
            match seek {
                Some(next) => start = Bound::Included(next),
                None => return Ok(page),
            }
        }
    }

    async fn delete_impl(&self, bucket: &str, key: &str) -> BackendResult<bool> {
        let b = self.bucket(bucket)?;
        let path = b.object_path(key);
        let guard = b.commit.lock().await;
        let removed = match tokio::fs::remove_file(&path).await {
            Ok(()) => true,
            Err(e) if e.kind() == io::ErrorKind::NotFound => false,
            Err(e) => return Err(e.into()),
        };
        b.index.write().map_err(|_| lock_poisoned())?.remove(key);
        drop(guard);
        if removed {
            super::format::sync_parent(&path).await?;
        }
        Ok(removed)
    }

    async fn copy_impl(
        &self,
        (sb, sk): (&str, &str),
        (db, dk): (&str, &str),
        meta: Option<ObjectMeta>,
    ) -> BackendResult<ObjectInfo> {
        let (file, info) = self.open_object(sb, sk).await?;
        let body = stream_span(file, 0, info.size).await?;
        let meta = meta.unwrap_or(info.meta);
        // The source is our own file: a read error is an I/O error, not a client body error.
        self.put_impl(db, dk, body, meta, PutOptions::default())
            .await
            .map_err(|e| match e {
                BackendError::Body(e) => BackendError::Io(e),
                other => other,
            })
    }
}

impl ObjectBackend for FsBackend {
    fn ensure_bucket<'a>(&'a self, bucket: &'a str) -> BoxFuture<'a, BackendResult<()>> {
        async move {
            if !valid_bucket_name(bucket) {
                return Err(BackendError::InvalidArgument(format!(
                    "bucket name {bucket:?}"
                )));
            }
            if self.bucket(bucket).is_ok() {
                return Ok(());
            }
            let loaded = Arc::new(Bucket::load(self.root.join(bucket)).await?);
            self.buckets
                .write()
                .map_err(|_| lock_poisoned())?
                .entry(bucket.to_string())
                .or_insert(loaded);
            Ok(())
        }
        .boxed()
    }

    fn put<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
        body: ByteStream,
        meta: ObjectMeta,
        options: PutOptions,
    ) -> BoxFuture<'a, BackendResult<ObjectInfo>> {
        self.put_impl(bucket, key, body, meta, options).boxed()
    }

    fn get<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
        range: Option<ByteRange>,
    ) -> BoxFuture<'a, BackendResult<ObjectRead>> {
        async move {
            let (file, info) = self.open_object(bucket, key).await?;
            let span = match range {
                None => None,
                Some(r) => Some(r.resolve(info.size).ok_or(BackendError::InvalidRange)?),
            };
            let (start, len) = match span {
                Some((first, last)) => (first, last - first + 1),
                None => (0, info.size),
            };
            let body = stream_span(file, start, len).await?;
            Ok(ObjectRead {
                info,
                range: span,
                body,
            })
        }
        .boxed()
    }

    fn head<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
    ) -> BoxFuture<'a, BackendResult<ObjectInfo>> {
        async move { Ok(self.open_object(bucket, key).await?.1) }.boxed()
    }

    fn delete<'a>(&'a self, bucket: &'a str, key: &'a str) -> BoxFuture<'a, BackendResult<bool>> {
        self.delete_impl(bucket, key).boxed()
    }

    fn list<'a>(
        &'a self,
        bucket: &'a str,
        request: ListRequest,
    ) -> BoxFuture<'a, BackendResult<ListPage>> {
        async move { self.list_impl(bucket, request) }.boxed()
    }

    fn copy<'a>(
        &'a self,
        src: (&'a str, &'a str),
        dst: (&'a str, &'a str),
        meta: Option<ObjectMeta>,
    ) -> BoxFuture<'a, BackendResult<ObjectInfo>> {
        self.copy_impl(src, dst, meta).boxed()
    }

    fn create_multipart<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
        meta: ObjectMeta,
    ) -> BoxFuture<'a, BackendResult<UploadInfo>> {
        super::multipart::create(self, bucket, key, meta).boxed()
    }

    fn upload_part<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
        upload_id: &'a str,
        part_number: u32,
        body: ByteStream,
    ) -> BoxFuture<'a, BackendResult<PartInfo>> {
        super::multipart::upload_part(self, bucket, key, upload_id, part_number, body).boxed()
    }

    fn complete_multipart<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
        upload_id: &'a str,
        parts: Vec<CompletedPart>,
        options: PutOptions,
    ) -> BoxFuture<'a, BackendResult<ObjectInfo>> {
        super::multipart::complete(self, bucket, key, upload_id, parts, options).boxed()
    }

    fn abort_multipart<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
        upload_id: &'a str,
    ) -> BoxFuture<'a, BackendResult<()>> {
        super::multipart::abort(self, bucket, key, upload_id).boxed()
    }

    fn list_parts<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
        upload_id: &'a str,
    ) -> BoxFuture<'a, BackendResult<Vec<PartInfo>>> {
        super::multipart::list_parts(self, bucket, key, upload_id).boxed()
    }
}
