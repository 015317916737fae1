//! Cognito's JSON transport (client-protocol.md, "Common Cognito transport"): `POST` with
//! `X-Amz-Target: AWSCognitoIdentityProviderService.<Action>` and an
//! `application/x-amz-json-1.1` body; errors as HTTP 400/500 with
//! `{"__type": "...Exception", "message": "..."}` and `x-amzn-ErrorType: <name>:`.

use axum::Router;
use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::{CognitoError, ErrorKind};
use crate::service::AuthService;

/// The `X-Amz-Target` prefix of user-pool actions.
pub const TARGET_PREFIX: &str = "AWSCognitoIdentityProviderService.";
/// The content type of requests and responses.
pub const CONTENT_TYPE: &str = "application/x-amz-json-1.1";
/// The path the user-pool endpoint is served at (`custom.stratus.user_pool_endpoint`).
pub const USER_POOL_PATH: &str = "/cognito-idp";

/// The action named by an `X-Amz-Target` header.
pub fn parse_target(value: Option<&str>) -> Result<&str, CognitoError> {
    let target = value.ok_or_else(|| {
        CognitoError::new(ErrorKind::UnknownOperation, "Missing X-Amz-Target header")
    })?;
    target
        .strip_prefix(TARGET_PREFIX)
        .filter(|a| !a.is_empty())
        .ok_or_else(|| {
            CognitoError::new(
                ErrorKind::UnknownOperation,
                format!("Unknown operation {target}"),
            )
        })
}

/// Every route of the user pool, with absolute paths, for the server to `merge`:
/// * `POST /cognito-idp` — the actions;
/// * `GET /<userPoolId>/.well-known/jwks.json` and `.../openid-configuration` — under the
///   issuer `<origin>/<userPoolId>`;
/// * `GET /confirmUser` — the link of link-style verification emails;
/// * `POST /cognito-identity` — the identity pool (`AWSCognitoIdentityService.<Action>`).
///
/// Admin actions (`Admin*`, `ListUsers`, `ListUsersInGroup`, `ListGroups`) on
/// `/cognito-idp` must be SigV4-signed with the admin key.
pub fn router(state: AuthService) -> Router {
    let pool = state.config().user_pool_id.clone();
    Router::new()
        .route(USER_POOL_PATH, post(action))
        // AWS SDKs append `/` to an endpoint's path.
        .route(&format!("{USER_POOL_PATH}/"), post(action))
        .route(&format!("/{pool}/.well-known/jwks.json"), get(jwks))
        .route(
            &format!("/{pool}/.well-known/openid-configuration"),
            get(openid_configuration),
        )
        .route("/confirmUser", get(confirm_user))
        .route(
            crate::identity::IDENTITY_POOL_PATH,
            post(crate::identity::protocol::identity_action),
        )
        .route(
            &format!("{}/", crate::identity::IDENTITY_POOL_PATH),
            post(crate::identity::protocol::identity_action),
        )
        .with_state(state)
}

async fn action(
    State(service): State<AuthService>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let target = headers.get("x-amz-target").and_then(|v| v.to_str().ok());
    let result = match parse_target(target) {
        Ok(action) if crate::service::is_admin_action(action) => {
            let req = stratus_sigv4::SignedRequest {
                method: method.as_str(),
                path: uri.path(),
                query: uri.query(),
                headers: &headers,
                authority: uri.authority().map(|a| a.as_str()),
                body: stratus_sigv4::Body::Bytes(&body),
            };
            service
                .handle_admin(action, &req, &body)
                .await
                .map(|v| (action, v))
        }
        Ok(action) => service.handle(action, &body).await.map(|v| (action, v)),
        Err(e) => Err(e),
    };
    match result {
        Ok((action, value)) => {
            tracing::debug!(action, "cognito-idp ok");
            json_response(StatusCode::OK, &value)
        }
        Err(e) => {
            tracing::debug!(target = target.unwrap_or(""), error = %e, "cognito-idp error");
            error_response(&e)
        }
    }
}

/// A 200 JSON answer with Cognito's content type and a request id.
pub(crate) fn json_ok(value: &Value) -> Response {
    json_response(StatusCode::OK, value)
}

fn json_response(status: StatusCode, value: &Value) -> Response {
    let mut res = (status, value.to_string()).into_response();
    let h = res.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static(CONTENT_TYPE));
    if let Ok(id) = HeaderValue::from_str(&uuid::Uuid::new_v4().to_string()) {
        h.insert("x-amzn-requestid", id);
    }
    res
}

/// The error as Cognito sends it.
pub fn error_response(e: &CognitoError) -> Response {
    let status = StatusCode::from_u16(e.kind.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut res = json_response(status, &json!({"__type": e.name(), "message": e.message}));
    if let Ok(v) = HeaderValue::from_str(&format!("{}:", e.name())) {
        res.headers_mut().insert("x-amzn-errortype", v);
    }
    res
}

async fn jwks(State(service): State<AuthService>) -> Response {
    let mut res = axum::Json(service.jwks()).into_response();
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, max-age=3600"),
    );
    res
}

async fn openid_configuration(State(service): State<AuthService>) -> Response {
    axum::Json(service.openid_configuration()).into_response()
}

#[derive(Debug, Deserialize)]
struct ConfirmUserQuery {
    client_id: String,
    user_name: String,
    confirmation_code: String,
}

async fn confirm_user(
    State(service): State<AuthService>,
    Query(q): Query<ConfirmUserQuery>,
) -> Response {
    match service
        .confirm_user_link(&q.client_id, &q.user_name, &q.confirmation_code)
        .await
    {
        Ok(()) => Html(
            "<!doctype html><title>Confirmed</title><p>Your registration has been confirmed.</p>",
        )
        .into_response(),
        Err(e) => (
            StatusCode::BAD_REQUEST,
            Html(format!(
                "<!doctype html><title>Not confirmed</title><p>{}</p>",
                html_escape(&e.message)
            )),
        )
            .into_response(),
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets() {
        assert_eq!(
            parse_target(Some("AWSCognitoIdentityProviderService.SignUp")),
            Ok("SignUp")
        );
        assert_eq!(
            parse_target(Some("AWSCognitoIdentityService.GetId"))
                .unwrap_err()
                .kind,
            ErrorKind::UnknownOperation
        );
        assert_eq!(
            parse_target(Some("AWSCognitoIdentityProviderService."))
                .unwrap_err()
                .kind,
            ErrorKind::UnknownOperation
        );
        assert!(parse_target(None).is_err());
    }

    #[test]
    fn error_shape() {
        let res = error_response(&CognitoError::bad_credentials());
        assert_eq!(res.status(), StatusCode::BAD_REQUEST);
        assert_eq!(
            res.headers().get("x-amzn-errortype").unwrap(),
            "NotAuthorizedException:"
        );
        assert_eq!(res.headers().get("content-type").unwrap(), CONTENT_TYPE);
        let res = error_response(&CognitoError::internal());
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
