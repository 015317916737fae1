//! Which authorization providers the API has (`getConfiguredAuthProviders`).

use serde_json::{Value, json};
use stratus_spec::data::{AuthMode, AuthorizationModes};

/// What the deployment around the data API provides, beyond its authorization modes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthEnvironment {
    /// An identity pool exists (`defineAuth` is part of the backend).
    pub identity_pool: bool,
    /// IAM role names granted admin access (`adminRoles`); empty in Gen 2.
    pub admin_roles: Vec<String>,
    /// `enableIamAccess`: IAM principals that are not identity-pool identities (functions with
    /// `allow.resource`, the console) reach every model. Always on in Gen 2.
    pub iam_access: bool,
}

impl AuthEnvironment {
    /// Gen 2 defaults: IAM access on, no admin roles.
    pub fn gen2(identity_pool: bool) -> Self {
        AuthEnvironment {
            identity_pool,
            admin_roles: Vec::new(),
            iam_access: true,
        }
    }
}

/// The transformer's `configuredAuthProviders`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConfiguredProviders {
    pub default: AuthMode,
    pub only_default: bool,
    pub has_admin_roles: bool,
    pub has_identity_pool_id: bool,
    pub has_api_key: bool,
    pub has_user_pools: bool,
    pub has_oidc: bool,
    pub has_lambda: bool,
    pub has_iam: bool,
    pub should_add_default_service_directive: bool,
    pub generic_iam_access: bool,
}

impl ConfiguredProviders {
    pub fn new(modes: &AuthorizationModes, env: &AuthEnvironment) -> Self {
        let all: Vec<AuthMode> = std::iter::once(modes.default)
            .chain(modes.additional.iter().copied())
            .collect();
        let has = |m: AuthMode| all.contains(&m);
        let has_iam = has(AuthMode::AwsIam);
        let has_admin_roles = has_iam && !env.admin_roles.is_empty();
        ConfiguredProviders {
            default: modes.default,
            only_default: modes.additional.is_empty(),
            has_admin_roles,
            has_identity_pool_id: env.identity_pool,
            has_api_key: has(AuthMode::ApiKey),
            has_user_pools: has(AuthMode::AmazonCognitoUserPools),
            has_oidc: has(AuthMode::OpenidConnect),
            has_lambda: has(AuthMode::AwsLambda),
            has_iam,
            should_add_default_service_directive: (has_admin_roles || env.iam_access)
                && modes.default != AuthMode::AwsIam,
            generic_iam_access: env.iam_access,
        }
    }

    /// As the oracle's `auth.json` records it.
    pub fn to_json(&self) -> Value {
        let default = match self.default {
            AuthMode::AmazonCognitoUserPools => "userPools",
            AuthMode::ApiKey => "apiKey",
            AuthMode::AwsIam => "identityPool",
            AuthMode::OpenidConnect => "oidc",
            AuthMode::AwsLambda => "function",
        };
        json!({
            "default": default,
            "genericIamAccessEnabled": self.generic_iam_access,
            "hasAdminRolesEnabled": self.has_admin_roles,
            "hasApiKey": self.has_api_key,
            "hasIAM": self.has_iam,
            "hasIdentityPoolId": self.has_identity_pool_id,
            "hasLambda": self.has_lambda,
            "hasOIDC": self.has_oidc,
            "hasUserPools": self.has_user_pools,
            "onlyDefaultAuthProviderConfigured": self.only_default,
            "shouldAddDefaultServiceDirective": self.should_add_default_service_directive,
        })
    }
}
