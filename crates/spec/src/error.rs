//! Errors in a user's `defineAuth` / `defineStorage` / `defineFunction` definition.
//!
//! The kinds and messages are the ones the real Amplify packages raise (read from
//! `@aws-amplify/backend-auth`, `auth-construct`, `backend-storage`, `backend-function` and the
//! CDK constructs they drive), so a user sees the same text as with `ampx sandbox`.

use serde::Serialize;

use crate::backend::{Diagnostic, SourceLocation};

/// Which rule of the definition was broken. [`SpecErrorKind::code`] is the Amplify error name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum SpecErrorKind {
    /// The raw props JSON does not have the expected shape (a loader/contract problem or a
    /// value of the wrong type that TypeScript would have rejected).
    InvalidProps,
    /// Valid for AWS, but not something a local sandbox can provide (e.g. `referenceAuth`).
    Unsupported,
    InvalidResourceName,
    // --- auth ---
    InvalidPasswordlessConfig,
    /// An error thrown by the auth construct or by CDK while building the user pool.
    AuthConstructInitialization,
    // --- storage ---
    InvalidStorageAccessPath,
    InvalidStorageAccessDefinition,
    MultipleDefaultStorage,
    NoDefaultStorage,
    /// A role would get a policy without any permission (an access rule with no actions).
    EmptyPolicy,
    // --- functions ---
    InvalidTimeout,
    InvalidMemoryMB,
    InvalidEphemeralStorageSizeMB,
    InvalidEnvironmentKey,
    FunctionReservedEnvironmentVariable,
    InvalidFunctionConfiguration,
    InvalidRuntime,
    InvalidArchitecture,
    InvalidLayerFormat,
    MaximumLayersReached,
    FunctionScheduleInitialization,
    InvalidDurableFunctionExecutionTimeout,
    InvalidDurableFunctionRetentionPeriod,
    UnsupportedDurableFunctionRuntime,
    InvalidLogging,
}

impl SpecErrorKind {
    /// The error name Amplify uses (`InvalidStorageAccessPathError`, ...).
    pub fn code(self) -> &'static str {
        match self {
            Self::InvalidProps => "InvalidPropsError",
            Self::Unsupported => "UnsupportedError",
            Self::InvalidResourceName => "InvalidResourceNameError",
            Self::InvalidPasswordlessConfig => "InvalidPasswordlessConfigError",
            Self::AuthConstructInitialization => "AmplifyAuthConstructInitializationError",
            Self::InvalidStorageAccessPath => "InvalidStorageAccessPathError",
            Self::InvalidStorageAccessDefinition => "InvalidStorageAccessDefinitionError",
            Self::MultipleDefaultStorage => "MultipleDefaultStorageError",
            Self::NoDefaultStorage => "NoDefaultStorageError",
            Self::EmptyPolicy => "EmptyPolicyFault",
            Self::InvalidTimeout => "InvalidTimeoutError",
            Self::InvalidMemoryMB => "InvalidMemoryMBError",
            Self::InvalidEphemeralStorageSizeMB => "InvalidEphemeralStorageSizeMBError",
            Self::InvalidEnvironmentKey => "InvalidEnvironmentKeyError",
            Self::FunctionReservedEnvironmentVariable => "FunctionReservedEnvironmentVariableError",
            Self::InvalidFunctionConfiguration => "InvalidFunctionConfigurationError",
            Self::InvalidRuntime => "InvalidRuntimeError",
            Self::InvalidArchitecture => "InvalidArchitectureError",
            Self::InvalidLayerFormat => "InvalidLayerFormatError",
            Self::MaximumLayersReached => "MaximumLayersReachedError",
            Self::FunctionScheduleInitialization => "FunctionScheduleInitializationError",
            Self::InvalidDurableFunctionExecutionTimeout => {
                "InvalidDurableFunctionExecutionTimeoutError"
            }
            Self::InvalidDurableFunctionRetentionPeriod => {
                "InvalidDurableFunctionRetentionPeriodError"
            }
            Self::UnsupportedDurableFunctionRuntime => "UnsupportedDurableFunctionRuntimeError",
            Self::InvalidLogging => "InvalidLoggingError",
        }
    }
}

impl std::fmt::Display for SpecErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.code())
    }
}

/// A broken rule in a resource definition, with Amplify's message and (when known) where the
/// `defineX(...)` call is in the user's code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
pub struct SpecError {
    pub kind: SpecErrorKind,
    /// The message exactly as Amplify words it.
    pub message: String,
    /// Amplify's `details` (some errors keep the offending value here).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub details: Option<String>,
    /// How to fix it (Amplify's `resolution`), when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolution: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<SourceLocation>,
}

impl SpecError {
    pub fn new(kind: SpecErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            details: None,
            resolution: None,
            location: None,
        }
    }

    pub(crate) fn props(message: impl Into<String>) -> Self {
        Self::new(SpecErrorKind::InvalidProps, message)
    }

    pub fn with_details(mut self, details: impl Into<String>) -> Self {
        self.details = Some(details.into());
        self
    }

    pub fn with_resolution(mut self, resolution: impl Into<String>) -> Self {
        self.resolution = Some(resolution.into());
        self
    }

    /// Attach a location unless one is already set.
    pub fn at(mut self, location: Option<&SourceLocation>) -> Self {
        if self.location.is_none() {
            self.location = location.cloned();
        }
        self
    }

    /// The error as a user-facing diagnostic (`[Code] message` + details + resolution).
    pub fn to_diagnostic(&self) -> Diagnostic {
        let mut message = format!("[{}] {}", self.kind.code(), self.message);
        if let Some(d) = &self.details {
            message.push('\n');
            message.push_str(d);
        }
        if let Some(r) = &self.resolution {
            message.push_str("\nResolution: ");
            message.push_str(r);
        }
        Diagnostic {
            message,
            location: self.location.clone(),
        }
    }
}

impl std::fmt::Display for SpecError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.to_diagnostic())
    }
}

/// `^[a-zA-Z][a-zA-Z0-9-_ ]*$`, Amplify's rule for resource names (storage, functions, auth).
pub fn validate_resource_name(name: &str) -> Result<(), SpecError> {
    let mut chars = name.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    let rest_ok = chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | ' '));
    if first_ok && rest_ok {
        Ok(())
    } else {
        Err(SpecError::new(
            SpecErrorKind::InvalidResourceName,
            format!("Resource name contains invalid characters, found {name}"),
        )
        .with_resolution(
            "Update name to use only alphanumeric characters, dashes, underscores and spaces. \
             The name should also start with an alphabetic character",
        ))
    }
}

/// lodash `snakeCase(..).toUpperCase()` for ASCII names, as Amplify derives env var names
/// (`amplifyAuth_USERPOOL_ID` → `AMPLIFY_AUTH_USERPOOL_ID`, `media_BUCKET_NAME` →
/// `MEDIA_BUCKET_NAME`).
pub fn screaming_snake_case(input: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    for chunk in input
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|c| !c.is_empty())
    {
        let chars: Vec<char> = chunk.chars().collect();
        let mut word = String::new();
        for (i, &c) in chars.iter().enumerate() {
            if i > 0 {
                let prev = chars[i - 1];
                let next = chars.get(i + 1).copied();
                let boundary = (prev.is_ascii_lowercase() && c.is_ascii_uppercase())
                    || (prev.is_ascii_digit() != c.is_ascii_digit())
                    || (prev.is_ascii_uppercase()
                        && c.is_ascii_uppercase()
                        && next.is_some_and(|n| n.is_ascii_lowercase()));
                if boundary && !word.is_empty() {
                    words.push(std::mem::take(&mut word));
                }
            }
            word.push(c.to_ascii_uppercase());
        }
        if !word.is_empty() {
            words.push(word);
        }
    }
    words.join("_")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resource_names() {
        assert!(validate_resource_name("media").is_ok());
        assert!(validate_resource_name("my-bucket_2 x").is_ok());
        let e = validate_resource_name("1bucket").unwrap_err();
        assert_eq!(e.kind, SpecErrorKind::InvalidResourceName);
        assert_eq!(
            e.message,
            "Resource name contains invalid characters, found 1bucket"
        );
        assert!(validate_resource_name("").is_err());
        assert!(validate_resource_name("a.b").is_err());
    }

    #[test]
    fn screaming_snake() {
        assert_eq!(
            screaming_snake_case("amplifyAuth_USERPOOL_ID"),
            "AMPLIFY_AUTH_USERPOOL_ID"
        );
        assert_eq!(
            screaming_snake_case("media_BUCKET_NAME"),
            "MEDIA_BUCKET_NAME"
        );
        assert_eq!(
            screaming_snake_case("myFiles-2_BUCKET_NAME"),
            "MY_FILES_2_BUCKET_NAME"
        );
        assert_eq!(screaming_snake_case("HTMLParser"), "HTML_PARSER");
        assert_eq!(screaming_snake_case("notes files"), "NOTES_FILES");
    }

    #[test]
    fn diagnostic_text() {
        let e = SpecError::new(
            SpecErrorKind::InvalidTimeout,
            "Invalid function timeout of 0",
        )
        .with_resolution("fix it")
        .at(Some(&SourceLocation {
            file: "amplify/f/resource.ts".into(),
            line: 2,
            column: 5,
        }));
        assert_eq!(
            e.to_string(),
            "amplify/f/resource.ts:2:5: [InvalidTimeoutError] Invalid function timeout of 0\nResolution: fix it"
        );
    }
}
