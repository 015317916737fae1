//! `@sql(statement:|reference:)` custom operations. Stratus has no SQL data sources, so (like the
//! transformer without a `customSqlDataSourceStrategies` entry) every such field is an error.

use super::Transform;
use crate::SchemaError;

impl Transform {
    /// `SqlTransformer.field` validation and its resolver-time strategy lookup.
    pub(super) fn sql_check(&self) -> Result<(), SchemaError> {
        for def in self.input.objects() {
            for f in &def.fields {
                if let Some(d) = f.directive("sql") {
                    let at = |msg: String| SchemaError::at(d.pos, msg);
                    if def.name != "Query" && def.name != "Mutation" {
                        return Err(at(format!(
                            "@sql directive can only be used on Query or Mutation types. Check type \"{}\" and field \"{}\".",
                            def.name, f.name
                        )));
                    }
                    if d.arg("statement").is_none() && d.arg("reference").is_none() {
                        return Err(at(format!(
                            "@sql directive must have either a 'statement' or a 'reference' argument. Check type \"{}\" and field \"{}\".",
                            def.name, f.name
                        )));
                    }
                    return Err(at(format!(
                        "Could not find custom SQL strategy for {}.{} (SQL data sources are not supported)",
                        def.name, f.name
                    )));
                }
            }
        }
        Ok(())
    }
}
