//! User attributes against the pool schema: which names exist, required and immutable ones,
//! value formats, and how delivery destinations are masked.

use stratus_spec::auth::{AuthSpec, CustomAttributeType, VerifiableAttribute};

use crate::error::CognitoError;

/// Cognito's standard attributes (every pool has them; the definition marks some required or
/// immutable).
pub const STANDARD: &[&str] = &[
    "address",
    "birthdate",
    "email",
    "email_verified",
    "family_name",
    "gender",
    "given_name",
    "locale",
    "middle_name",
    "name",
    "nickname",
    "phone_number",
    "phone_number_verified",
    "picture",
    "preferred_username",
    "profile",
    "updated_at",
    "website",
    "zoneinfo",
];

/// Attributes only Cognito itself writes through the user-facing API.
const SYSTEM_WRITTEN: &[&str] = &["email_verified", "phone_number_verified", "sub"];

const MAX_VALUE_LEN: usize = 2048;

pub fn is_verified_flag(name: &str) -> bool {
    matches!(name, "email_verified" | "phone_number_verified")
}

/// `email_verified` for `email`, `phone_number_verified` for `phone_number`.
pub fn verified_flag_of(name: &str) -> Option<&'static str> {
    match name {
        "email" => Some("email_verified"),
        "phone_number" => Some("phone_number_verified"),
        _ => None,
    }
}

fn schema_error(msg: impl std::fmt::Display) -> CognitoError {
    CognitoError::invalid_parameter(format!("Attributes did not conform to the schema: {msg}"))
}

/// Which of sign-up and update is validating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Write {
    SignUp,
    Update,
}

/// Validates attributes a user writes (SignUp, UpdateUserAttributes). Duplicate names: the last
/// value wins. Returns the cleaned list in the order given.
pub fn validate(
    spec: &AuthSpec,
    attrs: &[(String, String)],
    write: Write,
) -> Result<Vec<(String, String)>, CognitoError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for (name, value) in attrs {
        if SYSTEM_WRITTEN.contains(&name.as_str()) {
            return Err(CognitoError::not_authorized(
                "A client attempted to write unauthorized attribute",
            ));
        }
        if value.chars().count() > MAX_VALUE_LEN {
            return Err(schema_error(format_args!(
                "{name}: String must be no longer than {MAX_VALUE_LEN} characters"
            )));
        }
        if let Some(custom) = name.strip_prefix("custom:") {
            let Some(def) = spec.custom_attributes.iter().find(|c| c.name == custom) else {
                return Err(schema_error(format_args!(
                    "Type for attribute {{{name}}} could not be determined"
                )));
            };
            if write == Write::Update && !def.mutable {
                return Err(schema_error(format_args!(
                    "{name}: Attribute cannot be updated. (changing an immutable attribute)"
                )));
            }
            check_custom(name, def, value)?;
        } else if STANDARD.contains(&name.as_str()) {
            let immutable = spec
                .standard_attributes
                .iter()
                .any(|a| a.name == *name && !a.mutable);
            if write == Write::Update && immutable {
                return Err(schema_error(format_args!(
                    "{name}: Attribute cannot be updated. (changing an immutable attribute)"
                )));
            }
            check_standard(name, value)?;
        } else {
            return Err(schema_error(format_args!(
                "Type for attribute {{{name}}} could not be determined"
            )));
        }
        out.retain(|(n, _)| n != name);
        out.push((name.clone(), value.clone()));
    }
    Ok(out)
}

/// The required attributes missing from `attrs` → error naming the first one.
pub fn check_required(spec: &AuthSpec, attrs: &[(String, String)]) -> Result<(), CognitoError> {
    for required in spec.required_standard_attributes() {
        if !attrs
            .iter()
            .any(|(n, v)| n == required && !v.trim().is_empty())
        {
            return Err(schema_error(format_args!(
                "{required}: The attribute {required} is required"
            )));
        }
    }
    Ok(())
}

/// The lowercased email and phone sign-in keys of a new user: the value of each attribute
/// that is a sign-in identifier (`login_attrs`), `None` for the others.
pub fn login_keys(
    login_attrs: &[VerifiableAttribute],
    attrs: &[(String, String)],
) -> (Option<String>, Option<String>) {
    let key_of = |attr: VerifiableAttribute| {
        login_attrs.contains(&attr).then(|| {
            attrs
                .iter()
                .find(|(n, _)| n == attr.as_str())
                .map(|(_, v)| v.to_lowercase())
        })?
    };
    (
        key_of(VerifiableAttribute::Email),
        key_of(VerifiableAttribute::PhoneNumber),
    )
}

/// Whether removing `name` is allowed (required attributes cannot be deleted).
pub fn check_deletable(spec: &AuthSpec, name: &str) -> Result<(), CognitoError> {
    if SYSTEM_WRITTEN.contains(&name) {
        return Err(CognitoError::not_authorized(
            "A client attempted to write unauthorized attribute",
        ));
    }
    if spec.required_standard_attributes().contains(&name) {
        return Err(schema_error(format_args!(
            "{name}: The attribute {name} is required"
        )));
    }
    let known = STANDARD.contains(&name)
        || name
            .strip_prefix("custom:")
            .is_some_and(|c| spec.custom_attributes.iter().any(|d| d.name == c));
    if !known {
        return Err(schema_error(format_args!(
            "Type for attribute {{{name}}} could not be determined"
        )));
    }
    Ok(())
}

fn check_standard(name: &str, value: &str) -> Result<(), CognitoError> {
    match name {
        "email" if !is_email(value) => Err(CognitoError::invalid_parameter(
            "Invalid email address format.",
        )),
        "phone_number" if !is_phone(value) => Err(CognitoError::invalid_parameter(
            "Invalid phone number format.",
        )),
        "updated_at" if value.parse::<i64>().is_err() => Err(schema_error(format_args!(
            "{name}: Number must be a valid number"
        ))),
        _ => Ok(()),
    }
}

fn check_custom(
    name: &str,
    def: &stratus_spec::auth::CustomAttribute,
    value: &str,
) -> Result<(), CognitoError> {
    match def.data_type {
        CustomAttributeType::String => {
            let len = value.chars().count();
            if let Some(max) = def.max_length
                && len > max as usize
            {
                return Err(schema_error(format_args!(
                    "{name}: String must be no longer than {max} characters"
                )));
            }
            if let Some(min) = def.min_length
                && len < min as usize
            {
                return Err(schema_error(format_args!(
                    "{name}: String must be no shorter than {min} characters"
                )));
            }
        }
        CustomAttributeType::Number => {
            let Ok(n) = value.trim().parse::<f64>() else {
                return Err(schema_error(format_args!(
                    "{name}: Number must be a valid number"
                )));
            };
            if let Some(max) = def.max_value
                && n > max
            {
                return Err(schema_error(format_args!(
                    "{name}: Number must be no greater than {max}"
                )));
            }
            if let Some(min) = def.min_value
                && n < min
            {
                return Err(schema_error(format_args!(
                    "{name}: Number must be no less than {min}"
                )));
            }
        }
        CustomAttributeType::Boolean => {
            if !matches!(value, "true" | "false" | "1" | "0") {
                return Err(schema_error(format_args!(
                    "{name}: Boolean must be true or false"
                )));
            }
        }
        CustomAttributeType::DateTime => {}
    }
    Ok(())
}

pub fn is_email(s: &str) -> bool {
    let Some((local, domain)) = s.rsplit_once('@') else {
        return false;
    };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && s.len() <= 256
        && !s.chars().any(|c| c.is_whitespace() || c.is_control())
        && !domain.contains('@')
}

/// E.164: `+` then 2 to 15 digits (Cognito's accepted form).
pub fn is_phone(s: &str) -> bool {
    s.strip_prefix('+')
        .is_some_and(|d| (2..=15).contains(&d.len()) && d.bytes().all(|c| c.is_ascii_digit()))
}

/// `a***@e***` (Cognito's masked email destination).
pub fn mask_email(email: &str) -> String {
    let (local, domain) = email.rsplit_once('@').unwrap_or((email, ""));
    let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
    format!("{}***@{}***", first(local), first(domain))
}

/// `+*******1234` (Cognito's masked phone destination).
pub fn mask_phone(phone: &str) -> String {
    let digits: Vec<char> = phone.chars().filter(char::is_ascii_digit).collect();
    let keep = digits.len().min(4);
    let tail: String = digits[digits.len() - keep..].iter().collect();
    format!("+{}{}", "*".repeat(digits.len() - keep), tail)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn spec() -> AuthSpec {
        AuthSpec::from_props(&json!({
            "loginWith": {"email": true},
            "userAttributes": {
                "givenName": {"required": true, "mutable": true},
                "custom:tier": {"dataType": "String", "mutable": true, "minLen": 1, "maxLen": 4},
                "custom:score": {"dataType": "Number", "min": 0, "max": 100},
                "custom:since": {"dataType": "DateTime", "mutable": false}
            }
        }))
        .unwrap()
    }

    fn a(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(n, v)| (n.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn sign_up_schema() {
        let s = spec();
        let ok = a(&[
            ("email", "a@b.co"),
            ("given_name", "A"),
            ("custom:tier", "gold"),
        ]);
        assert_eq!(validate(&s, &ok, Write::SignUp).unwrap(), ok);
        check_required(&s, &ok).unwrap();
        let e = check_required(&s, &a(&[("email", "a@b.co")])).unwrap_err();
        assert_eq!(
            e.message,
            "Attributes did not conform to the schema: given_name: The attribute given_name is required"
        );
        let e = validate(&s, &a(&[("custom:nope", "x")]), Write::SignUp).unwrap_err();
        assert_eq!(
            e.message,
            "Attributes did not conform to the schema: Type for attribute {custom:nope} could not be determined"
        );
        assert_eq!(
            validate(&s, &a(&[("email_verified", "true")]), Write::SignUp)
                .unwrap_err()
                .name(),
            "NotAuthorizedException"
        );
        assert!(validate(&s, &a(&[("custom:tier", "platinum")]), Write::SignUp).is_err());
        assert!(validate(&s, &a(&[("custom:score", "101")]), Write::SignUp).is_err());
        assert!(validate(&s, &a(&[("custom:score", "x")]), Write::SignUp).is_err());
        assert!(validate(&s, &a(&[("custom:score", "42")]), Write::SignUp).is_ok());
        assert_eq!(
            validate(&s, &a(&[("email", "nope")]), Write::SignUp)
                .unwrap_err()
                .message,
            "Invalid email address format."
        );
        assert!(validate(&s, &a(&[("phone_number", "0123")]), Write::SignUp).is_err());
        assert!(validate(&s, &a(&[("phone_number", "+15555550100")]), Write::SignUp).is_ok());
    }

    #[test]
    fn immutable_on_update_only() {
        let s = spec();
        let since = a(&[("custom:since", "2024-01-01")]);
        assert!(validate(&s, &since, Write::SignUp).is_ok());
        assert!(validate(&s, &since, Write::Update).is_err());
    }

    #[test]
    fn deletable() {
        let s = spec();
        assert!(check_deletable(&s, "given_name").is_err());
        assert!(check_deletable(&s, "email").is_err());
        assert!(check_deletable(&s, "name").is_ok());
        assert!(check_deletable(&s, "custom:tier").is_ok());
        assert!(check_deletable(&s, "custom:nope").is_err());
        assert!(check_deletable(&s, "sub").is_err());
    }

    #[test]
    fn masks() {
        assert_eq!(mask_email("alice@example.com"), "a***@e***");
        assert_eq!(mask_phone("+15555550123"), "+*******0123");
    }
}
