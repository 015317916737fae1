//! Cognito's password policy check.

use stratus_spec::auth::PasswordPolicy;

use crate::error::{CognitoError, ErrorKind};

/// The characters Cognito counts as symbols (plus a space that is not leading or trailing).
const SYMBOLS: &str = "^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+- ";

/// Cognito's API-level limits on a password field (before the pool policy).
const MAX_LEN: usize = 256;

/// Checks `password` (the field named `field` in the request) against the pool policy with
/// Cognito's error names and messages.
pub fn check(policy: &PasswordPolicy, password: &str, field: &str) -> Result<(), CognitoError> {
    let first_last_ok = password
        .chars()
        .next()
        .zip(password.chars().last())
        .is_some_and(|(a, b)| !a.is_whitespace() && !b.is_whitespace());
    if password.chars().count() > MAX_LEN || !first_last_ok || password.chars().count() < 2 {
        return Err(CognitoError::invalid_parameter(format!(
            "1 validation error detected: Value at '{field}' failed to satisfy constraint: \
             Member must satisfy regular expression pattern: ^[\\S]+.*[\\S]+$"
        )));
    }
    let fail = |what: &str| {
        Err(CognitoError::new(
            ErrorKind::InvalidPassword,
            format!("Password did not conform with policy: {what}"),
        ))
    };
    if password.chars().count() < policy.min_length as usize {
        return fail("Password not long enough");
    }
    if policy.require_lowercase && !password.chars().any(|c| c.is_ascii_lowercase()) {
        return fail("Password must have lowercase characters");
    }
    if policy.require_uppercase && !password.chars().any(|c| c.is_ascii_uppercase()) {
        return fail("Password must have uppercase characters");
    }
    if policy.require_numbers && !password.chars().any(|c| c.is_ascii_digit()) {
        return fail("Password must have numeric characters");
    }
    if policy.require_symbols && !password.chars().any(|c| SYMBOLS.contains(c)) {
        return fail("Password must have symbol characters");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn msg(p: &str) -> Option<(ErrorKind, String)> {
        check(&PasswordPolicy::default(), p, "password")
            .err()
            .map(|e| (e.kind, e.message))
    }

    #[test]
    fn default_policy() {
        assert_eq!(msg("Passw0rd!"), None);
        assert_eq!(msg("Pass w0rd"), None, "inner space is a symbol");
        assert_eq!(
            msg("Pa0!"),
            Some((
                ErrorKind::InvalidPassword,
                "Password did not conform with policy: Password not long enough".into()
            ))
        );
        assert_eq!(
            msg("PASSW0RD!").unwrap().1,
            "Password did not conform with policy: Password must have lowercase characters"
        );
        assert_eq!(
            msg("passw0rd!").unwrap().1,
            "Password did not conform with policy: Password must have uppercase characters"
        );
        assert_eq!(
            msg("Password!").unwrap().1,
            "Password did not conform with policy: Password must have numeric characters"
        );
        assert_eq!(
            msg("Passw0rdd").unwrap().1,
            "Password did not conform with policy: Password must have symbol characters"
        );
        assert_eq!(msg(" Passw0rd!").unwrap().0, ErrorKind::InvalidParameter);
        assert_eq!(msg("Passw0rd! ").unwrap().0, ErrorKind::InvalidParameter);
        assert_eq!(msg("").unwrap().0, ErrorKind::InvalidParameter);
        assert_eq!(
            msg(&format!("Aa1!{}", "x".repeat(300))).unwrap().0,
            ErrorKind::InvalidParameter
        );
    }
}
