//! On-disk format shared by objects and multipart parts: the data bytes, then a JSON trailer
//! describing them, then the trailer's length (u32 big-endian) and an 8-byte magic. Data and
//! description live in one file, so a single `rename` publishes both atomically.
//!
//! Files are first written as `.tmp-<uuid>` in the directory of their final name, fsynced, then
//! renamed; a crash leaves only `.tmp-*` files, which [`is_temp_name`] recognises and the
//! backend removes when it opens.

use std::io::{self, SeekFrom};
use std::path::{Path, PathBuf};

use bytes::Bytes;
use futures::StreamExt;
use md5::{Digest, Md5};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tokio::fs::File;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

use super::{BackendError, BackendResult, ByteStream};

const MAGIC: &[u8; 8] = b"STRATUS1";
const TAIL_LEN: u64 = 12;
const TEMP_PREFIX: &str = ".tmp-";
/// Upper bound of a trailer (metadata is limited to a few KiB by S3; keep a margin).
const MAX_TRAILER: u32 = 1 << 20;

pub(crate) fn is_temp_name(name: &str) -> bool {
    name.starts_with(TEMP_PREFIX)
}

/// Bytes handed to the writer and hasher threads at a time.
const BLOCK: usize = 1024 * 1024;

/// The digests of what was written: MD5 (the ETag) unless turned off, CRC-32 when asked.
#[derive(Default)]
struct Hashes {
    md5: Option<Md5>,
    crc32: Option<crate::s3::checksum::Crc32>,
}

impl Hashes {
    fn update(&mut self, data: &[u8]) {
        if let Some(m) = self.md5.as_mut() {
            m.update(data);
        }
        if let Some(c) = self.crc32.as_mut() {
            c.update(data);
        }
    }
}

type Job<T> = tokio::task::JoinHandle<T>;

/// A file being written. Dropped without [`TempFile::commit`], it deletes itself.
///
/// Data is gathered into blocks of [`BLOCK`] bytes; each block is hashed on one blocking
/// thread and written on another while the next block is received, so a single upload uses
/// up to three cores (receive, MD5, write) and at most two blocks of memory.
pub(crate) struct TempFile {
    path: PathBuf,
    /// `None` while a block is being written (the writer thread owns it) or once sealed.
    file: Option<std::fs::File>,
    /// `None` while a block is being hashed.
    hashes: Option<Hashes>,
    /// The block being filled.
    pending: bytes::BytesMut,
    /// The block being hashed and written.
    in_flight: Option<(Job<Hashes>, Job<io::Result<std::fs::File>>)>,
    pub(crate) size: u64,
}

impl TempFile {
    pub(crate) async fn create(dir: &Path) -> io::Result<Self> {
        tokio::fs::create_dir_all(dir).await?;
        let path = dir.join(format!("{TEMP_PREFIX}{}", uuid::Uuid::new_v4().simple()));
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .await?
            .into_std()
            .await;
        Ok(Self {
            path,
            file: Some(file),
            hashes: Some(Hashes {
                md5: Some(Md5::new()),
                crc32: None,
            }),
            pending: bytes::BytesMut::new(),
            in_flight: None,
            size: 0,
        })
    }

    fn hashes(&mut self) -> &mut Hashes {
        self.hashes.get_or_insert_with(Hashes::default)
    }

    /// Also compute the CRC-32 of what is written from now on.
    pub(crate) fn track_crc32(&mut self) {
        self.hashes().crc32 = Some(crate::s3::checksum::Crc32::new());
    }

    /// Skip the MD5 (when the ETag is not the MD5 of the bytes: multipart completion).
    pub(crate) fn skip_md5(&mut self) {
        self.hashes().md5 = None;
    }

    /// The CRC-32 of the bytes written, once [`TempFile::finish`] has run.
    pub(crate) fn crc32(&self) -> Option<u32> {
        debug_assert!(self.pending.is_empty() && self.in_flight.is_none());
        self.hashes.as_ref()?.crc32.as_ref().map(|c| c.finish())
    }

    pub(crate) async fn write(&mut self, chunk: &[u8]) -> io::Result<()> {
        self.size += chunk.len() as u64;
        let mut rest = chunk;
        while !rest.is_empty() {
            if self.pending.is_empty() {
                self.pending.reserve(BLOCK);
            }
            let n = rest.len().min(BLOCK - self.pending.len());
            self.pending.extend_from_slice(&rest[..n]);
            rest = &rest[n..];
            if self.pending.len() == BLOCK {
                self.dispatch().await?;
            }
        }
        Ok(())
    }

    /// Hands the pending block to the hasher and writer threads, after the previous block is
    /// done (so at most two blocks are in memory).
    async fn dispatch(&mut self) -> io::Result<()> {
        self.wait().await?;
        if self.pending.is_empty() {
            return Ok(());
        }
        let block = self.pending.split().freeze();
        let mut file = self.file.take().ok_or_else(closed)?;
        let mut hashes = self.hashes.take().unwrap_or_default();
        let data = block.clone();
        let hash = tokio::task::spawn_blocking(move || {
            hashes.update(&data);
            hashes
        });
        let write = tokio::task::spawn_blocking(move || {
            use std::io::Write;
            file.write_all(&block)?;
            Ok(file)
        });
        self.in_flight = Some((hash, write));
        Ok(())
    }

    /// Waits for the block in flight, if any.
    async fn wait(&mut self) -> io::Result<()> {
        if let Some((hash, write)) = self.in_flight.take() {
            let (hashes, file) = tokio::join!(hash, write);
            self.hashes = Some(hashes.map_err(io::Error::other)?);
            self.file = Some(file.map_err(io::Error::other)??);
        }
        Ok(())
    }

    /// Writes and hashes everything received so far.
    pub(crate) async fn finish(&mut self) -> io::Result<()> {
        self.dispatch().await?;
        self.wait().await
    }

    /// Copies a body stream into the file chunk by chunk. A stream error is
    /// [`BackendError::Body`]; the caller drops `self`, which removes the file.
    pub(crate) async fn write_stream(&mut self, mut body: ByteStream) -> BackendResult<()> {
        while let Some(chunk) = body.next().await {
            let chunk: Bytes = chunk.map_err(BackendError::Body)?;
            self.write(&chunk).await?;
        }
        self.finish().await?;
        Ok(())
    }

    /// The MD5 of the bytes written, as a quoted ETag, once [`TempFile::finish`] has run.
    pub(crate) fn etag(&self) -> String {
        debug_assert!(self.pending.is_empty() && self.in_flight.is_none());
        let md5 = self.hashes.as_ref().and_then(|h| h.md5.clone());
        format!("\"{}\"", hex::encode(md5.unwrap_or_default().finalize()))
    }

    /// Appends the trailer, flushes and fsyncs, and renames the file to `dest`.
    pub(crate) async fn commit<T: Serialize>(mut self, trailer: &T, dest: &Path) -> io::Result<()> {
        self.seal(trailer).await?;
        self.publish(dest).await?;
        sync_parent(dest).await
    }

    /// Flushes and fsyncs what was written (no trailer), and renames the file to `dest`.
    pub(crate) async fn commit_raw(mut self, dest: &Path) -> io::Result<()> {
        self.seal_raw(Vec::new()).await?;
        self.publish(dest).await?;
        sync_parent(dest).await
    }

    /// Appends the trailer, flushes, fsyncs and closes the file (still under its temp name).
    pub(crate) async fn seal<T: Serialize>(&mut self, trailer: &T) -> io::Result<()> {
        let mut tail = serde_json::to_vec(trailer).map_err(io::Error::other)?;
        let len = u32::try_from(tail.len()).map_err(io::Error::other)?;
        tail.extend_from_slice(&len.to_be_bytes());
        tail.extend_from_slice(MAGIC);
        self.seal_raw(tail).await
    }

    /// Writes what is pending, then `tail` (not hashed), fsyncs and closes the file.
    async fn seal_raw(&mut self, tail: Vec<u8>) -> io::Result<()> {
        self.finish().await?;
        let mut file = self.file.take().ok_or_else(closed)?;
        tokio::task::spawn_blocking(move || {
            use std::io::Write;
            file.write_all(&tail)?;
            file.sync_all()
        })
        .await
        .map_err(io::Error::other)?
    }

    /// Renames the sealed file to `dest` (atomically replacing it). The directory is not
    /// fsynced; see [`sync_parent`].
    pub(crate) async fn publish(mut self, dest: &Path) -> io::Result<()> {
        tokio::fs::rename(&self.path, dest).await?;
        self.path = PathBuf::new();
        Ok(())
    }
}

fn closed() -> io::Error {
    io::Error::other("temp file already closed")
}

/// fsyncs the directory holding `path`, making a rename or removal there durable.
pub(crate) async fn sync_parent(path: &Path) -> io::Result<()> {
    match path.parent() {
        Some(dir) => sync_dir(dir).await,
        None => Ok(()),
    }
}

/// fsyncs a directory (its entries), so that a rename or removal in it survives a crash.
pub(crate) async fn sync_dir(dir: &Path) -> io::Result<()> {
    let dir = dir.to_path_buf();
    tokio::task::spawn_blocking(move || std::fs::File::open(&dir)?.sync_all())
        .await
        .map_err(io::Error::other)?
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            self.file = None;
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

/// Reads the trailer of an open file, returning it and the data length. The file position is
/// left unspecified.
pub(crate) async fn read_trailer<T: DeserializeOwned>(
    file: &mut File,
    what: &Path,
) -> BackendResult<(T, u64)> {
    let corrupt = |m: &str| BackendError::Corrupt(format!("{}: {m}", what.display()));
    let total = file.metadata().await?.len();
    if total < TAIL_LEN {
        return Err(corrupt("too short"));
    }
    file.seek(SeekFrom::Start(total - TAIL_LEN)).await?;
    let mut tail = [0u8; TAIL_LEN as usize];
    file.read_exact(&mut tail).await?;
    if &tail[4..] != MAGIC {
        return Err(corrupt("bad magic"));
    }
    let len = u32::from_be_bytes([tail[0], tail[1], tail[2], tail[3]]);
    if len > MAX_TRAILER || u64::from(len) + TAIL_LEN > total {
        return Err(corrupt("bad trailer length"));
    }
    let data_len = total - TAIL_LEN - u64::from(len);
    file.seek(SeekFrom::Start(data_len)).await?;
    let mut json = vec![0u8; len as usize];
    file.read_exact(&mut json).await?;
    let value = serde_json::from_slice(&json).map_err(|e| corrupt(&e.to_string()))?;
    Ok((value, data_len))
}

/// Streams `len` bytes of `file` from `start`, in chunks of at most `CHUNK` bytes.
pub(crate) async fn stream_span(mut file: File, start: u64, len: u64) -> io::Result<ByteStream> {
    const CHUNK: usize = 64 * 1024;
    file.seek(SeekFrom::Start(start)).await?;
    let reader = tokio_util::io::ReaderStream::with_capacity(file.take(len), CHUNK);
    Ok(reader.boxed())
}
