//! Authorization of S3 operations with the bucket's `defineStorage` access rules, evaluated as
//! Amplify's IAM policies decide them ([`StorageAccess::is_allowed`]).
//!
//! Operation → action: GetObject/HeadObject → `get` on the key; PutObject and the multipart
//! operations (create, upload part, complete, abort, list parts) → `write` on the key;
//! CopyObject → `get` on the source and `write` on the destination; DeleteObject and each key of
//! DeleteObjects → `delete`; ListObjectsV2 → `list` with the request's `prefix` (`""` when
//! absent), exactly the `s3:prefix` condition AWS evaluates. Admin may do everything; a bucket
//! without an `access` definition is admin-only.

use stratus_spec::storage::{StorageAccess, StorageAction};

use crate::auth::Principal;

/// May `principal` perform `action` on `target` in a bucket with these rules?
pub fn is_allowed(
    access: Option<&StorageAccess>,
    principal: &Principal,
    action: StorageAction,
    target: &str,
) -> bool {
    match principal {
        Principal::Admin => true,
        Principal::Identity { role, identity_id } => {
            access.is_some_and(|a| a.is_allowed(role, identity_id.as_deref(), action, target))
        }
    }
}
