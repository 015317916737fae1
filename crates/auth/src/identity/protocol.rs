//! `POST /cognito-identity`: the identity pool's JSON transport (`X-Amz-Target:
//! AWSCognitoIdentityService.<Action>`), errors shaped as the user pool's.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;

use super::IDENTITY_TARGET_PREFIX;
use crate::error::{CognitoError, ErrorKind};
use crate::protocol::{error_response, json_ok};
use crate::service::AuthService;

/// The action named by an identity-pool `X-Amz-Target`.
pub fn parse_identity_target(value: Option<&str>) -> Result<&str, CognitoError> {
    let target = value.ok_or_else(|| {
        CognitoError::new(ErrorKind::UnknownOperation, "Missing X-Amz-Target header")
    })?;
    target
        .strip_prefix(IDENTITY_TARGET_PREFIX)
        .filter(|a| !a.is_empty())
        .ok_or_else(|| {
            CognitoError::new(
                ErrorKind::UnknownOperation,
                format!("Unknown operation {target}"),
            )
        })
}

pub(crate) async fn identity_action(
    State(service): State<AuthService>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let target = headers.get("x-amz-target").and_then(|v| v.to_str().ok());
    let result = match parse_identity_target(target) {
        Ok(action) => service.handle_identity(action, &body).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(value) => json_ok(&value),
        Err(e) => {
            tracing::debug!(target = target.unwrap_or(""), error = %e, "cognito-identity error");
            error_response(&e)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert_eq!(
            parse_identity_target(Some("AWSCognitoIdentityService.GetId")),
            Ok("GetId")
        );
        assert!(parse_identity_target(Some("AWSCognitoIdentityProviderService.GetId")).is_err());
        assert!(parse_identity_target(None).is_err());
    }
}
