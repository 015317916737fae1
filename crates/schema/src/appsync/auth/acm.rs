//! The auth plugin's access control matrix: role × resource (field) × operation.

use crate::SchemaError;

pub(crate) const MODEL_OPERATIONS: &[&str] = &[
    "create", "update", "delete", "get", "list", "search", "listen", "sync",
];
pub(crate) const READ_OPERATIONS: &[&str] = &["get", "list", "search", "listen", "sync"];

#[derive(Debug, Clone)]
pub(crate) struct Acm {
    name: String,
    operations: Vec<String>,
    resources: Vec<String>,
    roles: Vec<String>,
    matrix: Vec<Vec<Vec<bool>>>,
}

impl Acm {
    pub fn new(name: impl Into<String>, operations: &[&str], resources: Vec<String>) -> Self {
        Acm {
            name: name.into(),
            operations: operations.iter().map(|s| s.to_string()).collect(),
            resources,
            roles: Vec::new(),
            matrix: Vec::new(),
        }
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn roles(&self) -> &[String] {
        &self.roles
    }

    fn operation_list(&self, operations: &[String]) -> Vec<bool> {
        self.operations
            .iter()
            .map(|op| operations.contains(op))
            .collect()
    }

    fn check(&self, resource: Option<&str>, operations: &[String]) -> Result<(), SchemaError> {
        if let Some(r) = resource
            && !self.resources.iter().any(|x| x == r)
        {
            return Err(SchemaError::invalid(format!(
                "Resource: {r} is not configured in the ACM"
            )));
        }
        for op in operations {
            if !self.operations.contains(op) {
                return Err(SchemaError::invalid(format!(
                    "Operation: {op} does not exist in the ACM."
                )));
            }
        }
        Ok(())
    }

    /// `setRole`.
    pub fn set_role(
        &mut self,
        role: &str,
        resource: Option<&str>,
        operations: &[String],
        allow_overwrite: bool,
    ) -> Result<(), SchemaError> {
        self.check(resource, operations)?;
        let ops = self.operation_list(operations);
        let none = vec![false; self.operations.len()];
        match self.roles.iter().position(|r| r == role) {
            None => {
                let vector = self
                    .resources
                    .iter()
                    .map(|r| match resource {
                        Some(res) if res != r => none.clone(),
                        _ => ops.clone(),
                    })
                    .collect();
                self.roles.push(role.to_string());
                self.matrix.push(vector);
            }
            Some(i) if resource.is_some() || allow_overwrite => match resource {
                Some(res) => {
                    if let Some(ri) = self.resources.iter().position(|r| r == res) {
                        self.matrix[i][ri] = ops;
                    }
                }
                None => self.matrix[i] = vec![ops; self.resources.len()],
            },
            Some(_) => {
                return Err(SchemaError::invalid(format!(
                    "@auth {role} already exists for {}",
                    self.name
                )));
            }
        }
        Ok(())
    }

    pub fn has_resource(&self, resource: &str) -> bool {
        self.resources.iter().any(|r| r == resource)
    }

    /// `isAllowed(role, resource, operation)`.
    pub fn is_allowed(&self, role: &str, resource: &str, operation: &str) -> bool {
        let (Some(x), Some(y), Some(z)) = (
            self.roles.iter().position(|r| r == role),
            self.resources.iter().position(|r| r == resource),
            self.operations.iter().position(|o| o == operation),
        ) else {
            return false;
        };
        self.matrix[x][y][z]
    }

    /// `resetAccessForResource`.
    pub fn reset_access_for_resource(&mut self, resource: &str) {
        if let Some(ri) = self.resources.iter().position(|r| r == resource) {
            let n = self.operations.len();
            for row in &mut self.matrix {
                row[ri] = vec![false; n];
            }
        }
    }

    /// `getRolesPerOperation(operation, fullAccess)`.
    pub fn roles_per_operation(&self, operation: &str, full_access: bool) -> Vec<String> {
        let Some(oi) = self.operations.iter().position(|o| o == operation) else {
            return Vec::new();
        };
        self.roles
            .iter()
            .enumerate()
            .filter(|(x, _)| {
                let row = &self.matrix[*x];
                if full_access {
                    row.iter().all(|r| r[oi])
                } else {
                    row.iter().any(|r| r[oi])
                }
            })
            .map(|(_, role)| role.clone())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ops(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn field_rules_narrow_access() {
        let mut acm = Acm::new("Post", MODEL_OPERATIONS, vec!["id".into(), "secret".into()]);
        acm.set_role(
            "Post:apiKey:public",
            None,
            &ops(&["get", "list", "delete"]),
            false,
        )
        .unwrap();
        acm.reset_access_for_resource("secret");
        acm.set_role(
            "Post:userPools:private",
            Some("secret"),
            &ops(&["get"]),
            false,
        )
        .unwrap();
        assert_eq!(acm.roles_per_operation("get", false).len(), 2);
        assert!(acm.roles_per_operation("delete", true).is_empty());
        assert_eq!(
            acm.roles_per_operation("delete", false),
            vec!["Post:apiKey:public"]
        );
        assert!(
            acm.set_role("Post:apiKey:public", None, &ops(&["get"]), false)
                .is_err()
        );
    }
}
