//! Building a fixture's `DataSpec` the way `stratus-schema`'s conformance tests do.

use std::fs;
use std::path::{Path, PathBuf};

use stratus_spec::data::{AuthMode, AuthorizationModes, DataSpec, FunctionSchemaAccess};

/// Directories holding fixture-shaped cases (`expected/{directives.graphql,...}`).
pub fn fixture_roots() -> Vec<PathBuf> {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    vec![
        manifest.join("../../tests/fixtures/conformance"),
        manifest.join("../schema/tests/sdl-cases"),
    ]
}

fn mode(name: &str) -> Result<AuthMode, String> {
    match name {
        "API_KEY" => Ok(AuthMode::ApiKey),
        "AWS_IAM" => Ok(AuthMode::AwsIam),
        "AMAZON_COGNITO_USER_POOLS" => Ok(AuthMode::AmazonCognitoUserPools),
        "OPENID_CONNECT" => Ok(AuthMode::OpenidConnect),
        "AWS_LAMBDA" => Ok(AuthMode::AwsLambda),
        other => Err(format!("unknown authorization type {other}")),
    }
}

fn tree_mentions(dir: &Path, needle: &str) -> bool {
    let Ok(entries) = fs::read_dir(dir) else {
        return false;
    };
    entries.flatten().any(|e| {
        let p = e.path();
        if p.is_dir() {
            p.file_name().is_some_and(|n| n != "node_modules") && tree_mentions(&p, needle)
        } else {
            fs::read_to_string(&p).is_ok_and(|s| s.contains(needle))
        }
    })
}

fn read_json(path: &Path) -> Result<serde_json::Value, String> {
    let text = fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

/// The fixture's spec (directive SDL parsed, auth modes, `allow.resource` grants) and whether
/// an identity pool exists (`defineAuth`).
pub fn fixture_spec(dir: &Path) -> Result<(DataSpec, bool), String> {
    let expected = dir.join("expected");
    let sdl = fs::read_to_string(expected.join("directives.graphql"))
        .map_err(|e| format!("directives.graphql: {e}"))?;
    let outputs = read_json(&expected.join("data_outputs.json"))?;
    let meta = read_json(&expected.join("meta.json"))?;
    let default = mode(
        outputs["default_authorization_type"]
            .as_str()
            .ok_or("no default_authorization_type")?,
    )?;
    let additional = outputs["authorization_types"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str()).map(mode).collect())
        .transpose()?
        .unwrap_or_default();
    let options = &meta["options"];
    let with_auth = options["auth"].as_bool().unwrap_or(false);
    let sandbox = match options.get("sandbox").and_then(|v| v.as_bool()) {
        Some(s) => s,
        None => !with_auth && !tree_mentions(&dir.join("amplify"), "authorizationModes"),
    };
    let mut function_schema_access = Vec::new();
    if let Ok(transform) = read_json(&expected.join("transform.json")) {
        // One object, or one per part of `a.combine([...])`.
        let parts = match transform {
            serde_json::Value::Array(parts) => parts,
            one => vec![one],
        };
        let grants = parts.iter().flat_map(|p| {
            p["functionSchemaAccess"]
                .as_array()
                .cloned()
                .unwrap_or_default()
        });
        for f in grants {
            let Some(name) = f["resourceProvider"]["$defineFunction"].as_str() else {
                continue;
            };
            function_schema_access.push(FunctionSchemaAccess {
                function: name.to_string(),
                actions: f["actions"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|a| a.as_str().map(String::from))
                    .collect(),
            });
        }
    }
    let schema = stratus_schema::parse_directive_sdl(&sdl).map_err(|e| e.to_string())?;
    let spec = DataSpec {
        name: "amplifyData".into(),
        directive_sdl: sdl,
        authorization_modes: AuthorizationModes {
            default,
            additional,
            sandbox_mode: sandbox,
            api_key_expires_in_days: None,
            api_key_description: None,
            lambda_authorizer: None,
            oidc: None,
        },
        schema,
        js_functions: vec![],
        lambda_functions: vec![],
        function_schema_access,
    };
    Ok((spec, with_auth))
}
