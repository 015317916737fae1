//! The object store behind the S3 layer: an [`ObjectBackend`] trait (object-safe, streaming in
//! both directions) and its local-filesystem implementation [`FsBackend`].

mod format;
mod fs;
mod multipart;

use std::collections::BTreeMap;
use std::io;

use bytes::Bytes;
use chrono::{DateTime, Utc};
use futures::future::BoxFuture;
use futures::stream::BoxStream;

pub use fs::{FsBackend, FsOptions};

/// A request or response body: chunks as they come, never the whole object at once.
pub type ByteStream = BoxStream<'static, Result<Bytes, io::Error>>;

/// S3's minimum size of every part but the last (5 MiB).
pub const MIN_PART_SIZE: u64 = 5 * 1024 * 1024;
/// S3's highest part number.
pub const MAX_PART_NUMBER: u32 = 10_000;

/// Content headers and user metadata stored with an object and returned on GET/HEAD.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ObjectMeta {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_control: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_disposition: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_encoding: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_language: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires: Option<String>,
    /// `x-amz-meta-<name>` → value, names lowercased, without the prefix.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub user: BTreeMap<String, String>,
}

/// What is known about a stored object.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ObjectInfo {
    pub key: String,
    pub size: u64,
    /// As S3 sends it, in double quotes: `"<md5 hex>"` or `"<md5 of part md5s>-<N>"`.
    pub etag: String,
    pub last_modified: DateTime<Utc>,
    #[serde(default)]
    pub meta: ObjectMeta,
}

/// A `Range: bytes=...` request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ByteRange {
    /// `bytes=first-last` (inclusive; `last` past the end is clamped).
    FromTo(u64, u64),
    /// `bytes=first-`
    From(u64),
    /// `bytes=-n`: the last `n` bytes.
    Suffix(u64),
}

impl ByteRange {
    /// The inclusive byte span within an object of `size` bytes, or `None` when unsatisfiable
    /// (S3 answers 416 InvalidRange).
    pub fn resolve(self, size: u64) -> Option<(u64, u64)> {
        match self {
            Self::FromTo(first, last) if first <= last && first < size => {
                Some((first, last.min(size - 1)))
            }
            Self::From(first) if first < size => Some((first, size - 1)),
            Self::Suffix(n) if n > 0 && size > 0 => Some((size - n.min(size), size - 1)),
            _ => None,
        }
    }
}

/// An object read: its info, the span served (inclusive, `None` for the whole object) and the
/// bytes.
pub struct ObjectRead {
    pub info: ObjectInfo,
    pub range: Option<(u64, u64)>,
    pub body: ByteStream,
}

/// Where a listing resumes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListCursor {
    /// Only keys strictly after this one are listed.
    pub after: String,
    /// `after` was a common prefix: skip every key under it too.
    pub skip_prefix: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListRequest {
    pub prefix: String,
    pub delimiter: Option<String>,
    pub cursor: Option<ListCursor>,
    /// 0 lists nothing (and is not truncated), like S3.
    pub max_keys: usize,
}

/// One page of a listing, in UTF-8 binary key order (objects and common prefixes interleaved
/// in that order, counted together against `max_keys`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ListPage {
    pub objects: Vec<ObjectInfo>,
    pub common_prefixes: Vec<String>,
    /// `Some` when more entries follow: where the next page resumes.
    pub next: Option<ListCursor>,
}

/// Options of a write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PutOptions {
    /// `If-None-Match: *`: fail with [`BackendError::PreconditionFailed`] if the key exists.
    pub if_none_match: bool,
    /// The CRC-32 the whole object must have (CompleteMultipartUpload with
    /// `x-amz-checksum-crc32`, `x-amz-checksum-type: FULL_OBJECT`); checked while the parts are
    /// assembled, [`BackendError::BadDigest`] otherwise.
    pub crc32: Option<u32>,
}

/// An uploaded part.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct PartInfo {
    pub part_number: u32,
    pub etag: String,
    pub size: u64,
    pub last_modified: DateTime<Utc>,
}

/// A part named in CompleteMultipartUpload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompletedPart {
    pub part_number: u32,
    pub etag: String,
}

/// A multipart upload in progress.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct UploadInfo {
    pub upload_id: String,
    pub key: String,
    pub meta: ObjectMeta,
    pub initiated: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error)]
pub enum BackendError {
    #[error("The specified bucket does not exist.")]
    NoSuchBucket,
    #[error("The specified key does not exist.")]
    NoSuchKey,
    #[error(
        "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed."
    )]
    NoSuchUpload,
    #[error(
        "One or more of the specified parts could not be found. The part may not have been uploaded, or the specified entity tag may not match the part's entity tag."
    )]
    InvalidPart,
    #[error("The list of parts was not in ascending order. Parts must be ordered by part number.")]
    InvalidPartOrder,
    #[error("Your proposed upload is smaller than the minimum allowed size")]
    EntityTooSmall,
    #[error("The requested range is not satisfiable")]
    InvalidRange,
    #[error("At least one of the pre-conditions you specified did not hold")]
    PreconditionFailed,
    #[error("The CRC32 you specified did not match the calculated checksum.")]
    BadDigest,
    #[error("invalid bucket name or key: {0}")]
    InvalidArgument(String),
    /// The request body stream failed (client disconnect, bad framing, checksum mismatch).
    /// Nothing was stored.
    #[error("request body: {0}")]
    Body(io::Error),
    #[error("storage I/O: {0}")]
    Io(#[from] io::Error),
    #[error("corrupt object store entry: {0}")]
    Corrupt(String),
}

pub type BackendResult<T> = Result<T, BackendError>;

/// Object storage as the S3 layer needs it. Object-safe (boxed futures) so the service can hold
/// an `Arc<dyn ObjectBackend>`; an S3-backed implementation can come later.
///
/// Contract: a write that fails (including a failing body stream) leaves no trace, and a reader
/// never sees a partially written object.
pub trait ObjectBackend: Send + Sync + 'static {
    /// Creates the bucket if it does not exist.
    fn ensure_bucket<'a>(&'a self, bucket: &'a str) -> BoxFuture<'a, BackendResult<()>>;

    fn put<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
        body: ByteStream,
        meta: ObjectMeta,
        options: PutOptions,
    ) -> BoxFuture<'a, BackendResult<ObjectInfo>>;

    fn get<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
        range: Option<ByteRange>,
    ) -> BoxFuture<'a, BackendResult<ObjectRead>>;

    fn head<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
    ) -> BoxFuture<'a, BackendResult<ObjectInfo>>;

    /// Deleting a missing key succeeds (S3 semantics). Returns whether something was removed.
    fn delete<'a>(&'a self, bucket: &'a str, key: &'a str) -> BoxFuture<'a, BackendResult<bool>>;

    fn list<'a>(
        &'a self,
        bucket: &'a str,
        request: ListRequest,
    ) -> BoxFuture<'a, BackendResult<ListPage>>;

    /// Copies the bytes of `src` to `dst`; `meta` replaces the metadata (`None` keeps it).
    fn copy<'a>(
        &'a self,
        src: (&'a str, &'a str),
        dst: (&'a str, &'a str),
        meta: Option<ObjectMeta>,
    ) -> BoxFuture<'a, BackendResult<ObjectInfo>>;

    fn create_multipart<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
        meta: ObjectMeta,
    ) -> BoxFuture<'a, BackendResult<UploadInfo>>;

    fn upload_part<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
        upload_id: &'a str,
        part_number: u32,
        body: ByteStream,
    ) -> BoxFuture<'a, BackendResult<PartInfo>>;

    fn complete_multipart<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
        upload_id: &'a str,
        parts: Vec<CompletedPart>,
        options: PutOptions,
    ) -> BoxFuture<'a, BackendResult<ObjectInfo>>;

    fn abort_multipart<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
        upload_id: &'a str,
    ) -> BoxFuture<'a, BackendResult<()>>;

    /// The uploaded parts in part-number order.
    fn list_parts<'a>(
        &'a self,
        bucket: &'a str,
        key: &'a str,
        upload_id: &'a str,
    ) -> BoxFuture<'a, BackendResult<Vec<PartInfo>>>;
}
