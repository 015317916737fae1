//! FsBackend: atomicity, ETags, ranges, listing, key safety, restart, multipart.

use std::io;
use std::path::Path;
use std::time::Duration;

use bytes::Bytes;
use futures::StreamExt;
use stratus_storage::backend::{
    BackendError, ByteRange, ByteStream, CompletedPart, FsBackend, FsOptions, ListCursor,
    ListRequest, ObjectBackend, ObjectMeta, PutOptions,
};

const B: &str = "media.0123456789.stratus";

fn body(chunks: &[&[u8]]) -> ByteStream {
    let owned: Vec<io::Result<Bytes>> = chunks
        .iter()
        .map(|c| Ok(Bytes::copy_from_slice(c)))
        .collect();
    futures::stream::iter(owned).boxed()
}

fn failing_body() -> ByteStream {
    futures::stream::iter(vec![
        Ok(Bytes::from_static(b"first chunk that will be written")),
        Err(io::Error::new(
            io::ErrorKind::ConnectionReset,
            "client went away",
        )),
    ])
    .boxed()
}

async fn open(root: &Path, min_part: u64) -> FsBackend {
    let b = FsBackend::open(
        root,
        FsOptions {
            min_part_size: min_part,
            upload_ttl: Duration::from_secs(3600),
        },
    )
    .await
    .unwrap();
    b.ensure_bucket(B).await.unwrap();
    b
}

async fn read_all(b: &FsBackend, key: &str, range: Option<ByteRange>) -> Vec<u8> {
    let mut read = b.get(B, key, range).await.unwrap();
    let mut out = Vec::new();
    while let Some(c) = read.body.next().await {
        out.extend_from_slice(&c.unwrap());
    }
    out
}

/// Every regular file under `dir` (relative names), recursively.
fn files(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_dir() {
            out.extend(files(&e.path()));
        } else {
            out.push(e.path().display().to_string());
        }
    }
    out
}

async fn put(b: &FsBackend, key: &str, data: &[u8]) -> String {
    b.put(
        B,
        key,
        body(&[data]),
        ObjectMeta::default(),
        PutOptions::default(),
    )
    .await
    .unwrap()
    .etag
}

#[tokio::test]
async fn failing_body_stream_leaves_nothing_and_keeps_the_old_version() {
    let dir = tempfile::tempdir().unwrap();
    let b = open(dir.path(), 5).await;
    let err = b
        .put(
            B,
            "a.txt",
            failing_body(),
            ObjectMeta::default(),
            PutOptions::default(),
        )
        .await
        .unwrap_err();
    assert!(matches!(err, BackendError::Body(_)), "{err:?}");
    assert!(matches!(
        b.head(B, "a.txt").await,
        Err(BackendError::NoSuchKey)
    ));
    assert!(files(dir.path()).is_empty(), "{:?}", files(dir.path()));

    put(&b, "a.txt", b"version one").await;
    b.put(
        B,
        "a.txt",
        failing_body(),
        ObjectMeta::default(),
        PutOptions::default(),
    )
    .await
    .unwrap_err();
    assert_eq!(read_all(&b, "a.txt", None).await, b"version one");
    assert_eq!(files(dir.path()).len(), 1);
}

#[tokio::test]
async fn temp_files_from_a_crash_are_removed_at_open_and_index_survives() {
    let dir = tempfile::tempdir().unwrap();
    {
        let b = open(dir.path(), 5).await;
        put(&b, "keep/me.txt", b"persisted").await;
    }
    let shard = dir.path().join(B).join("objects").join("ab");
    std::fs::create_dir_all(&shard).unwrap();
    std::fs::write(shard.join(".tmp-crashed"), b"half an object").unwrap();
    let b = open(dir.path(), 5).await;
    assert!(!shard.join(".tmp-crashed").exists());
    let page = b
        .list(
            B,
            ListRequest {
                max_keys: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.objects.len(), 1);
    assert_eq!(page.objects[0].key, "keep/me.txt");
    assert_eq!(read_all(&b, "keep/me.txt", None).await, b"persisted");
}

#[tokio::test]
async fn etags_are_s3_md5s() {
    let dir = tempfile::tempdir().unwrap();
    let b = open(dir.path(), 5).await;
    assert_eq!(
        put(&b, "hw", b"hello world").await,
        "\"5eb63bbbe01eeed093cb22bb8f5acdc3\""
    );
    assert_eq!(
        put(&b, "empty", b"").await,
        "\"d41d8cd98f00b204e9800998ecf8427e\""
    );
    // Chunking does not change the ETag.
    let info = b
        .put(
            B,
            "hw2",
            body(&[b"hello", b" ", b"world"]),
            ObjectMeta::default(),
            PutOptions::default(),
        )
        .await
        .unwrap();
    assert_eq!(info.etag, "\"5eb63bbbe01eeed093cb22bb8f5acdc3\"");
    assert_eq!(info.size, 11);

    let up = b
        .create_multipart(B, "mp", ObjectMeta::default())
        .await
        .unwrap();
    let p1 = b
        .upload_part(B, "mp", &up.upload_id, 1, body(&[b"hello"]))
        .await
        .unwrap();
    let p2 = b
        .upload_part(B, "mp", &up.upload_id, 2, body(&[b"wor", b"ld"]))
        .await
        .unwrap();
    assert_eq!(p1.etag, "\"5d41402abc4b2a76b9719d911017c592\"");
    let info = b
        .complete_multipart(
            B,
            "mp",
            &up.upload_id,
            vec![
                CompletedPart {
                    part_number: 1,
                    etag: p1.etag.clone(),
                },
                CompletedPart {
                    part_number: 2,
                    etag: p2.etag.clone(),
                },
            ],
            PutOptions::default(),
        )
        .await
        .unwrap();
    // md5(md5("hello") ‖ md5("world")) + "-2"
    assert_eq!(info.etag, "\"065947336a2f2a95ba8899f3675c3be6-2\"");
    assert_eq!(info.size, 10);
    assert_eq!(read_all(&b, "mp", None).await, b"helloworld");
    // The upload is gone.
    assert!(matches!(
        b.list_parts(B, "mp", &up.upload_id).await,
        Err(BackendError::NoSuchUpload)
    ));
}

#[tokio::test]
async fn ranged_reads() {
    let dir = tempfile::tempdir().unwrap();
    let b = open(dir.path(), 5).await;
    put(&b, "r", b"0123456789").await;
    assert_eq!(
        read_all(&b, "r", Some(ByteRange::FromTo(2, 4))).await,
        b"234"
    );
    assert_eq!(
        read_all(&b, "r", Some(ByteRange::FromTo(8, 100))).await,
        b"89"
    );
    assert_eq!(read_all(&b, "r", Some(ByteRange::From(7))).await, b"789");
    assert_eq!(read_all(&b, "r", Some(ByteRange::Suffix(3))).await, b"789");
    assert_eq!(
        read_all(&b, "r", Some(ByteRange::Suffix(30))).await,
        b"0123456789"
    );
    let read = b.get(B, "r", Some(ByteRange::FromTo(2, 4))).await.unwrap();
    assert_eq!(read.range, Some((2, 4)));
    assert_eq!(read.info.size, 10);
    for bad in [
        ByteRange::From(10),
        ByteRange::FromTo(5, 2),
        ByteRange::Suffix(0),
    ] {
        assert!(matches!(
            b.get(B, "r", Some(bad)).await,
            Err(BackendError::InvalidRange)
        ));
    }
}

#[tokio::test]
async fn listing_with_delimiter_and_pagination() {
    let dir = tempfile::tempdir().unwrap();
    let b = open(dir.path(), 5).await;
    for k in [
        "public/a.txt",
        "public/b/1.txt",
        "public/b/2.txt",
        "public/c.txt",
        "public/d/x/y.txt",
        "public/e.txt",
        "private/z.txt",
        "publicity.txt",
    ] {
        put(&b, k, k.as_bytes()).await;
    }
    // Page through with max_keys 2 and delimiter "/".
    let mut seen = Vec::new();
    let mut cursor: Option<ListCursor> = None;
    let mut pages = 0;
    loop {
        let page = b
            .list(
                B,
                ListRequest {
                    prefix: "public/".into(),
                    delimiter: Some("/".into()),
                    cursor: cursor.clone(),
                    max_keys: 2,
                },
            )
            .await
            .unwrap();
        pages += 1;
        assert!(page.objects.len() + page.common_prefixes.len() <= 2);
        let mut entries: Vec<String> = page.objects.iter().map(|o| o.key.clone()).collect();
        entries.extend(page.common_prefixes.iter().cloned());
        entries.sort();
        seen.extend(entries);
        match page.next {
            Some(n) => cursor = Some(n),
            None => break,
        }
    }
    assert_eq!(
        seen,
        [
            "public/a.txt",
            "public/b/",
            "public/c.txt",
            "public/d/",
            "public/e.txt"
        ]
    );
    assert_eq!(pages, 3);
    // No delimiter: everything under the prefix, flat, in key order.
    let page = b
        .list(
            B,
            ListRequest {
                prefix: "public".into(),
                max_keys: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let keys: Vec<&str> = page.objects.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "public/a.txt",
            "public/b/1.txt",
            "public/b/2.txt",
            "public/c.txt",
            "public/d/x/y.txt",
            "public/e.txt",
            "publicity.txt"
        ]
    );
    assert!(page.next.is_none());
    // Exactly max_keys entries left: not truncated.
    let page = b
        .list(
            B,
            ListRequest {
                prefix: "public/b/".into(),
                max_keys: 2,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.objects.len(), 2);
    assert!(page.next.is_none());
    // start-after semantics.
    let page = b
        .list(
            B,
            ListRequest {
                prefix: "public/".into(),
                cursor: Some(ListCursor {
                    after: "public/c.txt".into(),
                    skip_prefix: false,
                }),
                max_keys: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert_eq!(page.objects[0].key, "public/d/x/y.txt");
    // max_keys 0: nothing, not truncated.
    let page = b
        .list(
            B,
            ListRequest {
                max_keys: 0,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    assert!(page.objects.is_empty() && page.next.is_none());
}

#[tokio::test]
async fn hostile_keys_stay_inside_the_bucket() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    let b = open(&root, 5).await;
    let long = "é".repeat(500);
    let keys = [
        "../../outside.txt",
        "/etc/passwd",
        "a/../../b",
        "..",
        ".",
        "with space/and\ttab",
        "nul\0byte",
        "back\\slash\\..\\..\\x",
        long.as_str(),
    ];
    for k in keys {
        put(&b, k, k.as_bytes()).await;
    }
    for k in keys {
        assert_eq!(read_all(&b, k, None).await, k.as_bytes(), "key {k:?}");
    }
    // Nothing outside <root>/<bucket>/objects.
    let objects = root.join(B).join("objects");
    let all = files(dir.path());
    assert_eq!(all.len(), keys.len());
    assert!(
        all.iter().all(|f| Path::new(f).starts_with(&objects)),
        "{all:?}"
    );
    let page = b
        .list(
            B,
            ListRequest {
                max_keys: 100,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let mut want: Vec<&str> = keys.to_vec();
    want.sort();
    let got: Vec<&str> = page.objects.iter().map(|o| o.key.as_str()).collect();
    assert_eq!(got, want);
    for bad in ["../x", "a/b", "UPPER", "a..b", "ab", ".abc"] {
        assert!(b.ensure_bucket(bad).await.is_err(), "bucket {bad:?}");
    }
    assert!(matches!(
        b.put(
            B,
            "k",
            body(&[b"x"]),
            ObjectMeta::default(),
            PutOptions::default()
        )
        .await
        .map(|_| ())
        .and(b.head("nope.bucket", "k").await.map(|_| ())),
        Err(BackendError::NoSuchBucket)
    ));
    // Upload ids that are not ours never reach the filesystem.
    assert!(matches!(
        b.list_parts(B, "k", "../../../etc").await,
        Err(BackendError::NoSuchUpload)
    ));
}

#[tokio::test]
async fn multipart_errors_and_cleanup() {
    let dir = tempfile::tempdir().unwrap();
    let b = open(dir.path(), 5).await;
    let up = b
        .create_multipart(B, "m", ObjectMeta::default())
        .await
        .unwrap();
    let id = up.upload_id.clone();
    let p1 = b
        .upload_part(B, "m", &id, 1, body(&[b"abc"]))
        .await
        .unwrap();
    let p2 = b
        .upload_part(B, "m", &id, 2, body(&[b"defgh"]))
        .await
        .unwrap();
    let part = |n, e: &str| CompletedPart {
        part_number: n,
        etag: e.to_string(),
    };
    let complete = |parts| b.complete_multipart(B, "m", &id, parts, PutOptions::default());
    assert!(matches!(
        complete(vec![part(1, &p1.etag), part(2, "\"00\"")]).await,
        Err(BackendError::InvalidPart)
    ));
    assert!(matches!(
        complete(vec![part(2, &p2.etag), part(1, &p1.etag)]).await,
        Err(BackendError::InvalidPartOrder)
    ));
    assert!(matches!(
        complete(vec![part(1, &p1.etag), part(2, &p2.etag)]).await,
        Err(BackendError::EntityTooSmall)
    ));
    // A failing part body stores no part.
    assert!(b.upload_part(B, "m", &id, 3, failing_body()).await.is_err());
    let parts = b.list_parts(B, "m", &id).await.unwrap();
    assert_eq!(
        parts.iter().map(|p| p.part_number).collect::<Vec<_>>(),
        [1, 2]
    );
    // Re-uploading part 1 replaces it.
    let p1 = b
        .upload_part(B, "m", &id, 1, body(&[b"abcde"]))
        .await
        .unwrap();
    // Wrong key for the upload id.
    assert!(matches!(
        b.list_parts(B, "other", &id).await,
        Err(BackendError::NoSuchUpload)
    ));
    let info = complete(vec![part(1, &p1.etag), part(2, &p2.etag)])
        .await
        .unwrap();
    assert_eq!(info.size, 10);
    assert!(info.etag.ends_with("-2\""));
    assert_eq!(read_all(&b, "m", None).await, b"abcdedefgh");
    // Abort removes, then the upload is unknown.
    let up = b
        .create_multipart(B, "n", ObjectMeta::default())
        .await
        .unwrap();
    b.abort_multipart(B, "n", &up.upload_id).await.unwrap();
    assert!(matches!(
        b.abort_multipart(B, "n", &up.upload_id).await,
        Err(BackendError::NoSuchUpload)
    ));
    // Expired uploads are purged.
    let up = b
        .create_multipart(B, "old", ObjectMeta::default())
        .await
        .unwrap();
    b.upload_part(B, "old", &up.upload_id, 1, body(&[b"x"]))
        .await
        .unwrap();
    let b0 = FsBackend::open(
        dir.path(),
        FsOptions {
            min_part_size: 5,
            upload_ttl: Duration::ZERO,
        },
    )
    .await
    .unwrap();
    assert!(matches!(
        b0.list_parts(B, "old", &up.upload_id).await,
        Err(BackendError::NoSuchUpload)
    ));
    assert!(
        !dir.path()
            .join(B)
            .join("uploads")
            .join(&up.upload_id)
            .exists()
    );
}

#[tokio::test]
async fn if_none_match_copy_and_metadata() {
    let dir = tempfile::tempdir().unwrap();
    let b = open(dir.path(), 5).await;
    let mut meta = ObjectMeta {
        content_type: Some("text/plain".into()),
        ..Default::default()
    };
    meta.user.insert("a".into(), "b".into());
    b.put(B, "x", body(&[b"one"]), meta.clone(), PutOptions::default())
        .await
        .unwrap();
    let no_overwrite = PutOptions {
        if_none_match: true,
        ..PutOptions::default()
    };
    assert!(matches!(
        b.put(B, "x", body(&[b"two"]), ObjectMeta::default(), no_overwrite)
            .await,
        Err(BackendError::PreconditionFailed)
    ));
    assert_eq!(read_all(&b, "x", None).await, b"one");
    let copied = b.copy((B, "x"), (B, "y"), None).await.unwrap();
    assert_eq!(copied.meta, meta);
    assert_eq!(copied.etag, b.head(B, "x").await.unwrap().etag);
    let replaced = b
        .copy((B, "x"), (B, "z"), Some(ObjectMeta::default()))
        .await
        .unwrap();
    assert!(replaced.meta.user.is_empty());
    assert!(matches!(
        b.copy((B, "missing"), (B, "w"), None).await,
        Err(BackendError::NoSuchKey)
    ));
    assert!(b.delete(B, "x").await.unwrap());
    assert!(!b.delete(B, "x").await.unwrap());
    assert!(matches!(b.head(B, "x").await, Err(BackendError::NoSuchKey)));
}

#[tokio::test]
async fn janitor_removes_expired_uploads() {
    let dir = tempfile::tempdir().unwrap();
    let b = FsBackend::open(
        dir.path(),
        FsOptions {
            min_part_size: 5,
            upload_ttl: Duration::from_millis(50),
        },
    )
    .await
    .unwrap();
    b.ensure_bucket(B).await.unwrap();
    let up = b
        .create_multipart(B, "j", ObjectMeta::default())
        .await
        .unwrap();
    assert!(b.list_parts(B, "j", &up.upload_id).await.is_ok());
    let janitor = b.spawn_upload_janitor(Duration::from_millis(20));
    tokio::time::sleep(Duration::from_millis(300)).await;
    janitor.abort();
    assert!(matches!(
        b.list_parts(B, "j", &up.upload_id).await,
        Err(BackendError::NoSuchUpload)
    ));
}

/// Concurrent overwrites of one key while readers read it: every read is one whole version
/// (uniform bytes whose MD5 is the ETag the read reported), never a mix or a partial file.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn readers_never_see_partial_or_mixed_versions() {
    use md5::{Digest, Md5};
    let dir = tempfile::tempdir().unwrap();
    let b = open(dir.path(), 5).await;
    put(&b, "race", &vec![0u8; 256 * 1024]).await;
    let mut tasks = Vec::new();
    for w in 1..=4u8 {
        let b = b.clone();
        tasks.push(tokio::spawn(async move {
            for round in 0..5u8 {
                let v = w * 10 + round;
                let chunks: Vec<io::Result<Bytes>> = (0..4)
                    .map(|_| Ok(Bytes::from(vec![v; 64 * 1024])))
                    .collect();
                b.put(
                    B,
                    "race",
                    futures::stream::iter(chunks).boxed(),
                    ObjectMeta::default(),
                    PutOptions::default(),
                )
                .await
                .unwrap();
            }
        }));
    }
    let reader = {
        let b = b.clone();
        tokio::spawn(async move {
            let mut reads = 0;
            for _ in 0..60 {
                let mut read = b.get(B, "race", None).await.unwrap();
                let mut data = Vec::new();
                while let Some(c) = read.body.next().await {
                    data.extend_from_slice(&c.unwrap());
                }
                assert_eq!(data.len(), 256 * 1024);
                assert!(data.iter().all(|x| *x == data[0]), "mixed version");
                assert_eq!(
                    read.info.etag,
                    format!("\"{}\"", hex::encode(Md5::digest(&data)))
                );
                reads += 1;
            }
            reads
        })
    };
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(reader.await.unwrap(), 60);
    // Exactly one object file remains, and no temp files.
    let all = files(dir.path());
    assert_eq!(all.len(), 1, "{all:?}");
}

/// Paginated listings against a naive model, over pseudo-random keys, prefixes, delimiters and
/// page sizes: the pages concatenate to exactly the model's entries, in order, each page within
/// `max_keys`, and only the last one is not truncated.
#[tokio::test]
async fn listing_matches_a_naive_model() {
    let dir = tempfile::tempdir().unwrap();
    let b = open(dir.path(), 5).await;
    let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut rand = move |n: usize| {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((seed >> 33) as usize) % n
    };
    let alphabet = ['a', 'b', '/', '0', 'é', '-'];
    let mut keys = std::collections::BTreeSet::new();
    for _ in 0..120 {
        let len = 1 + rand(6);
        let k: String = (0..len).map(|_| alphabet[rand(alphabet.len())]).collect();
        keys.insert(k);
    }
    for k in &keys {
        put(&b, k, b"x").await;
    }
    for case in 0..60 {
        let prefix: String = (0..rand(3))
            .map(|_| alphabet[rand(alphabet.len())])
            .collect();
        let delimiter = match rand(3) {
            0 => None,
            1 => Some("/".to_string()),
            _ => Some("b/".to_string()),
        };
        let max_keys = 1 + rand(7);
        // The model: entries in key order, objects and rolled-up prefixes, deduplicated.
        let mut want: Vec<String> = Vec::new();
        for k in keys.iter().filter(|k| k.starts_with(&prefix)) {
            let entry = match &delimiter {
                Some(d) => match k[prefix.len()..].find(d.as_str()) {
                    Some(i) => k[..prefix.len() + i + d.len()].to_string(),
                    None => k.clone(),
                },
                None => k.clone(),
            };
            if want.last() != Some(&entry) {
                want.push(entry);
            }
        }
        let mut got = Vec::new();
        let mut cursor = None;
        loop {
            let page = b
                .list(
                    B,
                    ListRequest {
                        prefix: prefix.clone(),
                        delimiter: delimiter.clone(),
                        cursor: cursor.clone(),
                        max_keys,
                    },
                )
                .await
                .unwrap();
            let mut entries: Vec<String> = page.objects.iter().map(|o| o.key.clone()).collect();
            entries.extend(page.common_prefixes.iter().cloned());
            entries.sort();
            assert!(entries.len() <= max_keys);
            if page.next.is_some() {
                assert_eq!(
                    entries.len(),
                    max_keys,
                    "case {case}: a truncated page is full"
                );
            }
            got.extend(entries);
            match page.next {
                Some(n) => cursor = Some(n),
                None => break,
            }
        }
        assert_eq!(
            got, want,
            "case {case}: prefix {prefix:?} delimiter {delimiter:?} max {max_keys}"
        );
    }
}
