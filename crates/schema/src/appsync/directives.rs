//! Spreading service directives (`@aws_api_key`, `@aws_iam`, ...) onto the non-model types a
//! model uses (the model transformer's `propagateDirectivesToNestedTypes`).

use std::collections::HashSet;

use super::Transform;
use crate::SchemaError;
use crate::sdl::ast::{Directive, ObjectDef};

impl Transform {
    /// Non-model object types of `def`'s fields, as output types (`nonModelTypePredicate`).
    pub(super) fn nested_non_model_types(&self, def: &ObjectDef) -> Vec<ObjectDef> {
        def.fields
            .iter()
            .filter_map(|f| self.out.get_object(f.ty.base_name()))
            .filter(|t| !t.has_directive("model"))
            .cloned()
            .collect()
    }

    pub(super) fn propagate_directives_to_nested_types(
        &mut self,
        def: &ObjectDef,
        directives: &[Directive],
    ) -> Result<(), SchemaError> {
        let mut seen = HashSet::new();
        self.propagate_nested(def, &mut seen, directives)
    }

    fn propagate_nested(
        &mut self,
        def: &ObjectDef,
        seen: &mut HashSet<String>,
        directives: &[Directive],
    ) -> Result<(), SchemaError> {
        for nested in self.nested_non_model_types(def) {
            if seen.contains(&nested.name) {
                continue;
            }
            for d in directives {
                let has = self
                    .out
                    .get_object(&nested.name)
                    .is_some_and(|t| t.has_directive(&d.name));
                if !has {
                    self.out
                        .extend_type_with_directives(&nested.name, std::slice::from_ref(d))?;
                }
            }
            seen.insert(nested.name.clone());
            self.propagate_nested(&nested, seen, directives)?;
        }
        Ok(())
    }
}
