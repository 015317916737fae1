//! `stratus-storage`: the S3-compatible object API of Stratus.
//!
//! * [`backend`]: the [`ObjectBackend`] trait (streaming both ways, multipart) and
//!   [`FsBackend`], the local-filesystem store (atomic writes, S3 ETags, crash cleanup).
//! * [`s3`]: the S3 REST layer (path-style `/<bucket>/<key>`, also virtual-hosted) with S3's XML
//!   and errors, authorised per request by `defineStorage` access rules.
//! * [`Authenticator`]: the seam where SigV4 verification plugs in.
//!
//! See the crate README for mounting.

pub mod backend;

pub use backend::{
    BackendError, ByteRange, ByteStream, FsBackend, FsOptions, ObjectBackend, ObjectInfo,
    ObjectMeta,
};

pub mod auth;
pub mod authz;
pub mod s3;

pub use auth::{Authenticated, Authenticator, ChunkSignatures, PayloadCheck, Principal};
pub use s3::{
    BucketConfig, CreateOperation, S3Error, StorageEvent, StorageNotification, StorageService,
    router,
};
