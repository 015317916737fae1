//! Serves one user pool over plain HTTP for manual / client testing (no TLS, no sandbox):
//!
//! ```text
//! cargo run -p stratus-auth --example serve -- [--port 4567] [--state DIR]
//!     [--props '{"loginWith":{"email":true}}'] [--allow-user-password-auth]
//! ```
//!
//! It prints the `Auth.Cognito` configuration to give `Amplify.configure` (with the identity
//! pool endpoint) and the admin key (`admin`, the `admin-credentials.json` format) for
//! `@aws-sdk/client-cognito-identity-provider`; codes are in `GET /_stratus/outbox`.

use std::sync::Arc;

use stratus_auth::{AuthConfig, AuthService, Outbox, outbox_router, router};
use stratus_spec::auth::AuthSpec;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| "info".into()),
        )
        .init();
    let mut port = 4567u16;
    let mut state: Option<std::path::PathBuf> = None;
    let mut props = serde_json::json!({"loginWith": {"email": true}});
    let mut allow_password = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--port" => port = args.next().ok_or("--port needs a value")?.parse()?,
            "--state" => state = Some(args.next().ok_or("--state needs a value")?.into()),
            "--props" => props = serde_json::from_str(&args.next().ok_or("--props needs JSON")?)?,
            "--allow-user-password-auth" => allow_password = true,
            other => return Err(format!("unknown argument {other}").into()),
        }
    }
    let tmp = tempfile::tempdir()?;
    let dir = state.unwrap_or_else(|| tmp.path().to_path_buf());
    let store = stratus_store::Store::open(&dir).await?;
    let spec = AuthSpec::from_props(&props)?;
    let origin = format!("http://127.0.0.1:{port}");
    let mut config = AuthConfig::new("us-east-1_StratusEx", "stratusexampleclient0000ab", &origin);
    config.allow_user_password_auth = allow_password;
    let outbox = Outbox::new();
    let service = AuthService::open(&store, spec, config.clone(), outbox.clone()).await?;
    let admin = service.admin_credentials().await?;
    let app = router(service).merge(outbox_router(Arc::clone(&outbox)));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    println!(
        "{}",
        serde_json::json!({"Auth": {"Cognito": {
            "userPoolId": config.user_pool_id,
            "userPoolClientId": config.client_id,
            "userPoolEndpoint": format!("{origin}/cognito-idp"),
            "identityPoolId": "us-east-1:00000000-0000-0000-0000-000000000000",
            "identityPoolEndpoint": format!("{origin}/cognito-identity"),
            "allowGuestAccess": true,
        }}, "admin": admin.to_file_json()})
    );
    axum::serve(listener, app).await?;
    Ok(())
}
