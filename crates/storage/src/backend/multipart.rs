//! Multipart uploads of [`FsBackend`]: each upload is a directory holding `upload.json` and one
//! file per part (data + [`PartInfo`] trailer, written atomically like objects). Completing
//! streams the named parts into one temp file next to the final object and commits it; the ETag
//! is the MD5 of the concatenated binary part MD5s followed by `-<number of parts>`.

use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use md5::{Digest, Md5};

use super::format::{TempFile, read_trailer, stream_span};
use super::fs::{Bucket, FsBackend};
use super::{
    BackendError, BackendResult, ByteStream, CompletedPart, MAX_PART_NUMBER, ObjectInfo,
    ObjectMeta, PartInfo, PutOptions, UploadInfo,
};

const UPLOAD_FILE: &str = "upload.json";

/// Upload ids are 32 lowercase hex digits; anything else cannot name an upload (and never
/// reaches the filesystem).
fn valid_upload_id(id: &str) -> bool {
    id.len() == 32
        && id
            .bytes()
            .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
}

fn part_path(dir: &Path, n: u32) -> PathBuf {
    dir.join(format!("part-{n:05}"))
}

/// The upload's directory and description, checked against `key`.
async fn open_upload(
    backend: &FsBackend,
    bucket: &str,
    key: &str,
    upload_id: &str,
) -> BackendResult<(std::sync::Arc<Bucket>, PathBuf, UploadInfo)> {
    let b = backend.bucket(bucket)?;
    if !valid_upload_id(upload_id) {
        return Err(BackendError::NoSuchUpload);
    }
    let dir = b.uploads_dir().join(upload_id);
    let raw = match tokio::fs::read(dir.join(UPLOAD_FILE)).await {
        Ok(raw) => raw,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(BackendError::NoSuchUpload),
        Err(e) => return Err(e.into()),
    };
    let info: UploadInfo = serde_json::from_slice(&raw)
        .map_err(|e| BackendError::Corrupt(format!("{}: {e}", dir.display())))?;
    if info.key != key {
        return Err(BackendError::NoSuchUpload);
    }
    Ok((b, dir, info))
}

pub(super) async fn create(
    backend: &FsBackend,
    bucket: &str,
    key: &str,
    meta: ObjectMeta,
) -> BackendResult<UploadInfo> {
    let b = backend.bucket(bucket)?;
    let upload_id = uuid::Uuid::new_v4().simple().to_string();
    let dir = b.uploads_dir().join(&upload_id);
    tokio::fs::create_dir_all(&dir).await?;
    let info = UploadInfo {
        upload_id,
        key: key.to_string(),
        meta,
        initiated: Utc::now(),
    };
    // Written through a temp file so that a half-written upload.json never exists.
    let mut temp = TempFile::create(&dir).await?;
    let json = serde_json::to_vec(&info).map_err(io::Error::other)?;
    temp.write(&json).await?;
    temp.commit_raw(&dir.join(UPLOAD_FILE)).await?;
    Ok(info)
}

pub(super) async fn upload_part(
    backend: &FsBackend,
    bucket: &str,
    key: &str,
    upload_id: &str,
    part_number: u32,
    body: ByteStream,
) -> BackendResult<PartInfo> {
    if !(1..=MAX_PART_NUMBER).contains(&part_number) {
        return Err(BackendError::InvalidArgument(format!(
            "Part number must be an integer between 1 and {MAX_PART_NUMBER}, inclusive"
        )));
    }
    let (_, dir, _) = open_upload(backend, bucket, key, upload_id).await?;
    let mut temp = TempFile::create(&dir).await?;
    temp.write_stream(body).await?;
    let info = PartInfo {
        part_number,
        etag: temp.etag(),
        size: temp.size,
        last_modified: Utc::now(),
    };
    temp.commit(&info, &part_path(&dir, part_number)).await?;
    Ok(info)
}

async fn read_parts(dir: &Path) -> BackendResult<Vec<PartInfo>> {
    let mut parts = Vec::new();
    let mut entries = tokio::fs::read_dir(dir).await?;
    while let Some(e) = entries.next_entry().await? {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(n) = name
            .strip_prefix("part-")
            .and_then(|n| n.parse::<u32>().ok())
        else {
            continue;
        };
        let path = e.path();
        let mut file = tokio::fs::File::open(&path).await?;
        let (info, len) = read_trailer::<PartInfo>(&mut file, &path).await?;
        if info.part_number != n || info.size != len {
            return Err(BackendError::Corrupt(format!("{}", path.display())));
        }
        parts.push(info);
    }
    parts.sort_by_key(|p| p.part_number);
    Ok(parts)
}

pub(super) async fn list_parts(
    backend: &FsBackend,
    bucket: &str,
    key: &str,
    upload_id: &str,
) -> BackendResult<Vec<PartInfo>> {
    let (_, dir, _) = open_upload(backend, bucket, key, upload_id).await?;
    read_parts(&dir).await
}

fn same_etag(a: &str, b: &str) -> bool {
    a.trim_matches('"') == b.trim_matches('"')
}

pub(super) async fn complete(
    backend: &FsBackend,
    bucket: &str,
    key: &str,
    upload_id: &str,
    wanted: Vec<CompletedPart>,
    options: PutOptions,
) -> BackendResult<ObjectInfo> {
    let (b, dir, upload) = open_upload(backend, bucket, key, upload_id).await?;
    if wanted.is_empty() {
        return Err(BackendError::InvalidArgument(
            "You must specify at least one part".into(),
        ));
    }
    if wanted
        .windows(2)
        .any(|w| w[0].part_number >= w[1].part_number)
    {
        return Err(BackendError::InvalidPartOrder);
    }
    let stored = read_parts(&dir).await?;
    let mut chosen = Vec::with_capacity(wanted.len());
    for w in &wanted {
        let part = stored
            .iter()
            .find(|p| p.part_number == w.part_number && same_etag(&p.etag, &w.etag))
            .ok_or(BackendError::InvalidPart)?;
        chosen.push(part.clone());
    }
    let last = chosen.len() - 1;
    if chosen[..last]
        .iter()
        .any(|p| p.size < backend.options.min_part_size)
    {
        return Err(BackendError::EntityTooSmall);
    }
    let mut md5s = Md5::new();
    for p in &chosen {
        let raw = hex::decode(p.etag.trim_matches('"'))
            .map_err(|e| BackendError::Corrupt(format!("part etag: {e}")))?;
        md5s.update(&raw);
    }
    let etag = format!("\"{}-{}\"", hex::encode(md5s.finalize()), chosen.len());
    let dest = b.object_path(key);
    let obj_dir = dest.parent().unwrap_or(&b.dir).to_path_buf();
    let mut temp = TempFile::create(&obj_dir).await?;
    // The ETag is the MD5 of the part MD5s, not of the bytes.
    temp.skip_md5();
    if options.crc32.is_some() {
        temp.track_crc32();
    }
    for p in &chosen {
        let path = part_path(&dir, p.part_number);
        let file = tokio::fs::File::open(&path).await?;
        let stream = stream_span(file, 0, p.size).await?;
        temp.write_stream(stream).await.map_err(|e| match e {
            BackendError::Body(e) => BackendError::Io(e),
            other => other,
        })?;
    }
    if options.crc32.is_some() && temp.crc32() != options.crc32 {
        return Err(BackendError::BadDigest);
    }
    let info = ObjectInfo {
        key: key.to_string(),
        size: temp.size,
        etag,
        last_modified: Utc::now(),
        meta: upload.meta,
    };
    let info = b.commit(temp, info, options).await?;
    // A concurrent complete of the same upload may have removed it already.
    match tokio::fs::remove_dir_all(&dir).await {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::NotFound => {}
        Err(e) => return Err(e.into()),
    }
    Ok(info)
}

pub(super) async fn abort(
    backend: &FsBackend,
    bucket: &str,
    key: &str,
    upload_id: &str,
) -> BackendResult<()> {
    let (_, dir, _) = open_upload(backend, bucket, key, upload_id).await?;
    tokio::fs::remove_dir_all(&dir).await?;
    Ok(())
}

/// Removes uploads initiated before `cutoff` (and upload directories without a readable
/// `upload.json`, which only a crash during create leaves).
pub(super) async fn purge_older_than(b: &Bucket, cutoff: DateTime<Utc>) -> BackendResult<usize> {
    let root = b.uploads_dir();
    let mut entries = match tokio::fs::read_dir(&root).await {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e.into()),
    };
    let mut removed = 0;
    while let Some(e) = entries.next_entry().await? {
        let dir = e.path();
        let initiated = tokio::fs::read(dir.join(UPLOAD_FILE))
            .await
            .ok()
            .and_then(|raw| serde_json::from_slice::<UploadInfo>(&raw).ok())
            .map(|u| u.initiated);
        let expired = match initiated {
            Some(t) => t < cutoff,
            // No description: keep it only while it may still be being created.
            None => e
                .metadata()
                .await
                .ok()
                .and_then(|m| m.modified().ok())
                .map(DateTime::<Utc>::from)
                .is_none_or(|t| t < cutoff),
        };
        if expired {
            tokio::fs::remove_dir_all(&dir).await?;
            removed += 1;
        }
    }
    Ok(removed)
}
