//! The auth plugin's resolver-time check: with field-level rules, every required field must
//! stay readable by every role that can read the model.

use super::acm::{Acm, READ_OPERATIONS};
use crate::SchemaError;
use crate::appsync::Transform;

/// `getReadRolesForField`: a user pool (OIDC) private role that reads the field makes the
/// other user pool (OIDC) roles irrelevant.
fn read_roles_for_field(acm: &Acm, read_roles: &[String], field: &str) -> Vec<String> {
    let name = acm.name();
    let mut allowed = read_roles.to_vec();
    for provider in ["userPools", "oidc"] {
        let private = format!("{name}:{provider}:private");
        let has_private = read_roles.contains(&private)
            && ["get", "list", "sync", "search", "listen"]
                .iter()
                .all(|op| acm.is_allowed(&private, field, op));
        if has_private {
            let prefix = format!("{name}:{provider}:");
            allowed.retain(|r| !(r.starts_with(&prefix) && *r != private));
        }
    }
    allowed
}

impl Transform {
    /// Part of `AuthTransformer.generateResolvers`: required fields without field-level read
    /// access for all readers are an error (when subscriptions are on).
    pub(in crate::appsync) fn auth_check_required_fields(&self) -> Result<(), SchemaError> {
        for (model, acm) in &self.auth.model_acms {
            let def = self.output_object(model)?;
            // `new Set(...arrays)` only takes the first array: the `get` readers.
            let mut read_roles: Vec<String> = Vec::new();
            for r in acm.roles_per_operation("get", false) {
                if !read_roles.contains(&r) {
                    read_roles.push(r);
                }
            }
            let mut error_fields = Vec::new();
            for field in def.fields.iter().filter(|f| acm.has_resource(&f.name)) {
                let field_roles = read_roles_for_field(acm, &read_roles, &field.name);
                let allowed = field_roles
                    .iter()
                    .filter(|r| {
                        READ_OPERATIONS
                            .iter()
                            .any(|op| acm.is_allowed(r, &field.name, op))
                    })
                    .count();
                if allowed < field_roles.len() && field.ty.is_non_null() {
                    error_fields.push(format!("\"{}\"", field.name));
                }
            }
            let level = self
                .auth
                .model_configs
                .get(model)
                .map(|c| c.subscription_level())
                .unwrap_or_else(|| "on".to_string());
            if !error_fields.is_empty() && level == "on" {
                return Err(SchemaError::invalid(format!(
                    "When using field-level authorization rules you need to add rules to all of the model's required fields with at least read permissions. Found model \"{model}\" with required fields [{}] missing field-level authorization rules.\n\nFor more information visit https://docs.amplify.aws/cli/graphql/authorization-rules/#field-level-authorization-rules",
                    error_fields.join(",")
                )));
            }
        }
        Ok(())
    }
}
