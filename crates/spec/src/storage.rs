//! `defineStorage` as data: one [`StorageSpec`] per bucket, with the access rules already
//! validated and turned into what AWS derives from them (the `amplify_outputs` `paths` and the
//! IAM-equivalent allow/deny policy of every role), so serving code only evaluates.

mod access;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::backend::SourceLocation;
use crate::error::{SpecError, SpecErrorKind, screaming_snake_case, validate_resource_name};
use crate::props::{self, Obj};

pub use access::{
    ActionStatement, ENTITY_ID_SUBSTITUTION, ENTITY_ID_TOKEN, OutputAccess, OutputPath, RolePolicy,
    StorageAccess, StorageGrant, StoragePathRules, StoragePrincipal, StorageRole,
};

/// One bucket.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct StorageSpec {
    /// `name` (friendly name; `buckets[].name` in the outputs).
    pub name: String,
    /// `isDefault` as written. Which bucket *is* the default across the backend is decided by
    /// [`default_bucket`] (a single bucket is the default even without `isDefault`).
    pub is_default: bool,
    pub versioned: bool,
    pub keep_on_delete: bool,
    pub triggers: StorageTriggers,
    /// `None` when `defineStorage` has no `access` callback: then no role gets any access and the
    /// outputs carry no `paths` for this bucket.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<StorageAccess>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<SourceLocation>,
}

/// `triggers: { onUpload, onDelete }` → function names. `onUpload` fires on every
/// `s3:ObjectCreated:*`, `onDelete` on every `s3:ObjectRemoved:*` of the bucket.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct StorageTriggers {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_upload: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_delete: Option<String>,
}

/// `'read' | 'get' | 'list' | 'write' | 'delete'` after `read` was expanded to `get` + `list`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StorageAction {
    /// `s3:GetObject` (also HEAD).
    Get,
    /// `s3:ListBucket` restricted by the `s3:prefix` condition.
    List,
    /// `s3:PutObject` (also multipart uploads and copies into the path).
    Write,
    /// `s3:DeleteObject`.
    Delete,
}

impl StorageAction {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "get",
            Self::List => "list",
            Self::Write => "write",
            Self::Delete => "delete",
        }
    }

    /// The IAM action AWS grants for it.
    pub fn iam_action(self) -> &'static str {
        match self {
            Self::Get => "s3:GetObject",
            Self::List => "s3:ListBucket",
            Self::Write => "s3:PutObject",
            Self::Delete => "s3:DeleteObject",
        }
    }
}

/// Fixed CORS rule of every Amplify bucket (not configurable through `defineStorage`).
pub const CORS_ALLOWED_METHODS: [&str; 5] = ["GET", "HEAD", "PUT", "POST", "DELETE"];
pub const CORS_EXPOSED_HEADERS: [&str; 4] = [
    "x-amz-server-side-encryption",
    "x-amz-request-id",
    "x-amz-id-2",
    "ETag",
];
pub const CORS_MAX_AGE_SECONDS: u32 = 3000;

impl StorageSpec {
    /// Build from the loader's raw `defineStorage` props (see `raw-props.md`): validates the
    /// name, the access paths (`InvalidStorageAccessPathError`), the per-path principals
    /// (`InvalidStorageAccessDefinitionError`), and computes outputs paths and policies.
    pub fn from_props(raw: &Value) -> Result<Self, SpecError> {
        let location = props::location(raw);
        Self::build(raw).map_err(|e| e.at(location.as_ref()))
    }

    fn build(raw: &Value) -> Result<Self, SpecError> {
        let location = props::location(raw);
        let o = Obj::new(raw, "defineStorage")?;
        let name = o.required_str("name")?.to_string();
        validate_resource_name(&name)?;
        let mut triggers = StorageTriggers::default();
        if let Some(t) = o.obj("triggers", "defineStorage.triggers")? {
            for key in t.map().keys() {
                if key != "onUpload" && key != "onDelete" {
                    return Err(SpecError::props(format!(
                        "defineStorage.triggers.{key} is not a storage trigger (onUpload, onDelete)"
                    )));
                }
            }
            triggers.on_upload = t.function_ref("onUpload")?;
            triggers.on_delete = t.function_ref("onDelete")?;
        }
        let access = match o.get("access") {
            None => None,
            Some(a) => Some(StorageAccess::from_raw(a)?),
        };
        Ok(Self {
            name,
            is_default: o.bool("isDefault")?.unwrap_or(false),
            versioned: o.bool("versioned")?.unwrap_or(false),
            keep_on_delete: o.bool("keepOnDelete")?.unwrap_or(false),
            triggers,
            access,
            location,
        })
    }

    /// The env var a function with access to this bucket gets (`media` → `MEDIA_BUCKET_NAME`).
    pub fn bucket_name_env_var(&self) -> String {
        screaming_snake_case(&format!("{}_BUCKET_NAME", self.name))
    }
}

/// The default bucket of a backend, with Amplify's rules: one bucket is the default whatever its
/// `isDefault`; with several, exactly one must say `isDefault: true`.
pub fn default_bucket(buckets: &[StorageSpec]) -> Result<Option<&StorageSpec>, SpecError> {
    let mut found: Option<&StorageSpec> = None;
    for b in buckets.iter().filter(|b| b.is_default) {
        if found.is_some() {
            return Err(SpecError::new(
                SpecErrorKind::MultipleDefaultStorage,
                "More than one default storage set in the Amplify project.",
            )
            .with_resolution(
                "Remove `isDefault: true` from all `defineStorage` calls except for one in your Amplify project.",
            )
            .at(b.location.as_ref()));
        }
        found = Some(b);
    }
    match (found, buckets) {
        (Some(b), _) => Ok(Some(b)),
        (None, []) => Ok(None),
        (None, [only]) => Ok(Some(only)),
        (None, [first, ..]) => Err(SpecError::new(
            SpecErrorKind::NoDefaultStorage,
            "No default storage set in the Amplify project.",
        )
        .with_resolution(
            "Add `isDefault: true` to one of the `defineStorage` calls in your Amplify project.",
        )
        .at(first.location.as_ref())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn bucket(v: Value) -> StorageSpec {
        StorageSpec::from_props(&v).unwrap()
    }

    #[test]
    fn defaults_and_triggers() {
        let b = bucket(json!({"name": "media", "triggers": {"onUpload": {"$function": "echo"}}}));
        assert!(!b.is_default && !b.versioned && !b.keep_on_delete);
        assert_eq!(b.triggers.on_upload.as_deref(), Some("echo"));
        assert_eq!(b.triggers.on_delete, None);
        assert!(b.access.is_none());
        assert_eq!(b.bucket_name_env_var(), "MEDIA_BUCKET_NAME");
    }

    #[test]
    fn bad_trigger_and_name() {
        let e = StorageSpec::from_props(
            &json!({"name": "m", "triggers": {"onCopy": {"$function": "x"}}}),
        )
        .unwrap_err();
        assert_eq!(e.kind, SpecErrorKind::InvalidProps);
        let e = StorageSpec::from_props(&json!({"name": "2m",
            "$location": {"file": "amplify/storage/resource.ts", "line": 4, "column": 3}}))
        .unwrap_err();
        assert_eq!(e.kind, SpecErrorKind::InvalidResourceName);
        assert_eq!(e.location.map(|l| l.line), Some(4));
    }

    #[test]
    fn default_bucket_rules() {
        let a = bucket(json!({"name": "a"}));
        let b = bucket(json!({"name": "b", "isDefault": true}));
        let c = bucket(json!({"name": "c", "isDefault": true}));
        assert!(default_bucket(&[]).unwrap().is_none());
        assert_eq!(
            default_bucket(std::slice::from_ref(&a))
                .unwrap()
                .map(|b| b.name.as_str()),
            Some("a")
        );
        assert_eq!(
            default_bucket(&[a.clone(), b.clone()])
                .unwrap()
                .map(|b| b.name.as_str()),
            Some("b")
        );
        let e = default_bucket(&[a.clone(), a.clone()]).unwrap_err();
        assert_eq!(e.kind, SpecErrorKind::NoDefaultStorage);
        assert_eq!(e.message, "No default storage set in the Amplify project.");
        let e = default_bucket(&[b, a, c]).unwrap_err();
        assert_eq!(e.kind, SpecErrorKind::MultipleDefaultStorage);
        assert_eq!(
            e.message,
            "More than one default storage set in the Amplify project."
        );
    }
}
