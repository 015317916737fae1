//! [`DataSpec`] builders: from arguments, or from a fixture's oracle run.

use serde_json::Value;
use stratus_spec::data::{AuthMode, AuthorizationModes, DataSchema, DataSpec};

use crate::fixtures::{Fixture, tree_mentions};

/// An AppSync authorization type name (`API_KEY`, `AMAZON_COGNITO_USER_POOLS`, …).
pub fn auth_mode(name: &str) -> Result<AuthMode, String> {
    serde_json::from_value(Value::String(name.to_string()))
        .map_err(|_| format!("unknown authorization type {name:?}"))
}

/// A `DataSpec` named `amplifyData` for `directive_sdl` under these authorization modes, with
/// an empty IR schema and no functions: what the AppSync generator alone needs.
pub fn data_spec(
    directive_sdl: &str,
    default: AuthMode,
    additional: &[AuthMode],
    sandbox_mode: bool,
) -> DataSpec {
    DataSpec {
        name: "amplifyData".into(),
        directive_sdl: directive_sdl.into(),
        authorization_modes: AuthorizationModes {
            default,
            additional: additional.to_vec(),
            sandbox_mode,
            api_key_expires_in_days: None,
            api_key_description: None,
            lambda_authorizer: None,
            oidc: None,
        },
        schema: DataSchema::default(),
        js_functions: vec![],
        lambda_functions: vec![],
        function_schema_access: vec![],
    }
}

/// The authorization configuration of an oracle run, from `expected/data_outputs.json`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpectedAuth {
    /// `default_authorization_type`.
    pub default: AuthMode,
    /// `authorization_types`, in order.
    pub additional: Vec<AuthMode>,
    /// Whether the outputs carry an `api_key` (its value is a placeholder).
    pub api_key: bool,
}

impl Fixture {
    /// The authorization configuration the oracle reported.
    pub fn expected_auth(&self) -> Result<ExpectedAuth, String> {
        let outputs = self.expected_json("data_outputs.json")?;
        let default = outputs
            .get("default_authorization_type")
            .and_then(Value::as_str)
            .ok_or("data_outputs.json: no default_authorization_type")?;
        let additional = match outputs.get("authorization_types") {
            None => Vec::new(),
            Some(list) => list
                .as_array()
                .ok_or("data_outputs.json: authorization_types is not an array")?
                .iter()
                .map(|v| auth_mode(v.as_str().unwrap_or_default()))
                .collect::<Result<_, _>>()?,
        };
        Ok(ExpectedAuth {
            default: auth_mode(default)?,
            additional,
            api_key: outputs.get("api_key").is_some(),
        })
    }

    /// Whether the oracle ran in Gen 2's API-key sandbox mode. SDL runs record it
    /// (`meta.json` `options.sandbox`); for a Gen 2 project it is guessed as "no defineAuth
    /// and no `authorizationModes` anywhere in `amplify/`" (the loader computes it for real).
    pub fn sandbox_mode(&self) -> Result<bool, String> {
        let options = self.oracle_options()?;
        Ok(match options.get("sandbox").and_then(Value::as_bool) {
            Some(sandbox) => sandbox,
            None => {
                !options
                    .get("auth")
                    .and_then(Value::as_bool)
                    .unwrap_or(false)
                    && !tree_mentions(&self.dir.join("amplify"), "authorizationModes")
            }
        })
    }

    /// The generators' input for this fixture: `expected/directives.graphql` (also parsed into
    /// the IR) under the authorization configuration of [`Fixture::expected_auth`] and
    /// [`Fixture::sandbox_mode`].
    pub fn data_spec(&self) -> Result<DataSpec, String> {
        let sdl = self.read_expected("directives.graphql")?;
        let auth = self.expected_auth()?;
        let mut spec = data_spec(&sdl, auth.default, &auth.additional, self.sandbox_mode()?);
        spec.schema = stratus_schema::parse_directive_sdl(&sdl)
            .map_err(|e| format!("parse_directive_sdl: {e}"))?;
        Ok(spec)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::conformance_fixtures;

    #[test]
    fn auth_modes_by_appsync_name() {
        assert_eq!(auth_mode("AWS_LAMBDA"), Ok(AuthMode::AwsLambda));
        assert_eq!(
            auth_mode("AMAZON_COGNITO_USER_POOLS"),
            Ok(AuthMode::AmazonCognitoUserPools)
        );
        assert!(auth_mode("NONE").is_err());
    }

    #[test]
    fn fixture_spec_carries_the_oracle_configuration() {
        let all = conformance_fixtures(&["directives.graphql", "data_outputs.json"]);
        let find = |name: &str| all.iter().find(|f| f.name == name).expect(name);
        let lib = find("lib-model-simple");
        let spec = lib.data_spec().expect("lib-model-simple");
        assert_eq!(spec.authorization_modes.default, AuthMode::ApiKey);
        assert_eq!(spec.authorization_modes.additional, [AuthMode::AwsIam]);
        assert!(spec.authorization_modes.sandbox_mode);
        assert_eq!(spec.schema.models.len(), 1);
        let lambda = find("b-auth-lambda");
        assert_eq!(
            lambda.expected_auth(),
            Ok(ExpectedAuth {
                default: AuthMode::AwsLambda,
                additional: vec![AuthMode::ApiKey, AuthMode::AwsIam],
                api_key: true,
            })
        );
        // no defineAuth, but authorizationModes: not sandbox mode
        assert_eq!(lambda.sandbox_mode(), Ok(false));
        assert_eq!(find("ex-todo-owner").sandbox_mode(), Ok(false));
    }
}
