//! What the sandbox adds to each function's environment, as Lambda and Amplify set it: the
//! execution role's credentials (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`,
//! `AWS_SESSION_TOKEN`; the data service takes requests signed with them as the function's),
//! and for a function the schema grants access with `allow.resource(fn)`, the data API's
//! `<NAME>_GRAPHQL_ENDPOINT` and `AMPLIFY_DATA_DEFAULT_NAME` (Amplify's variables for
//! `defineData({ name })`, `amplifyData` by default).

use std::collections::HashMap;
use std::sync::Mutex;

use stratus_data::iam::FunctionCredential;
use stratus_spec::Backend;
use stratus_spec::SecretValue;
use stratus_spec::function::{EnvVar, FunctionSpec};

/// The functions' credentials, made once per function name and kept for the process (so that
/// an unchanged function keeps its warm workers across reloads).
#[derive(Default)]
pub struct FunctionCredentials(Mutex<HashMap<String, FunctionCredential>>);

impl FunctionCredentials {
    /// The credentials of `function`.
    pub fn of(&self, function: &str) -> FunctionCredential {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(function.to_string())
            .or_insert_with(|| FunctionCredential::generate(function))
            .clone()
    }

    /// The credentials of every function of `backend`.
    pub fn all(&self, backend: &Backend) -> Vec<FunctionCredential> {
        backend.functions.iter().map(|f| self.of(&f.name)).collect()
    }
}

/// `amplifyData` → `AMPLIFY_DATA` (Amplify's `toScreamingSnakeCase`).
pub fn screaming_snake(name: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && prev_lower {
                out.push('_');
            }
            out.push(c.to_ascii_uppercase());
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        } else {
            out.push('_');
            prev_lower = false;
        }
    }
    out
}

/// `backend`'s function specs with the sandbox's variables after their own.
pub fn with_sandbox_env(
    backend: &Backend,
    credentials: &FunctionCredentials,
    graphql_url: &str,
) -> Vec<FunctionSpec> {
    let data_access: Vec<&str> = backend
        .data
        .iter()
        .flat_map(|d| &d.function_schema_access)
        .map(|a| a.function.as_str())
        .collect();
    backend
        .functions
        .iter()
        .map(|spec| {
            let mut spec = spec.clone();
            let mut add = |name: &str, value: String| {
                spec.environment.push(EnvVar {
                    name: name.to_string(),
                    value: SecretValue::Plain(value),
                });
            };
            for (name, value) in credentials.of(&spec.name).environment() {
                add(name, value);
            }
            if let Some(data) = backend.data.as_ref()
                && data_access.contains(&spec.name.as_str())
            {
                add(
                    &format!("{}_GRAPHQL_ENDPOINT", screaming_snake(&data.name)),
                    graphql_url.to_string(),
                );
                add("AMPLIFY_DATA_DEFAULT_NAME", data.name.clone());
            }
            spec
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_as_amplify_writes_them() {
        assert_eq!(screaming_snake("amplifyData"), "AMPLIFY_DATA");
        assert_eq!(screaming_snake("myApi2"), "MY_API2");
        assert_eq!(screaming_snake("notes-api"), "NOTES_API");
    }

    #[test]
    fn credentials_are_made_once_per_function() {
        let creds = FunctionCredentials::default();
        let a = creds.of("a");
        assert_eq!(a, creds.of("a"));
        assert_ne!(a.access_key_id, creds.of("b").access_key_id);
        assert!(a.access_key_id.starts_with("ASIA") && a.access_key_id.len() == 20);
        assert_eq!(a.secret_access_key.len(), 40);
    }
}
