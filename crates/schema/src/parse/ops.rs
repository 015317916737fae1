//! Custom queries, mutations and subscriptions (fields of the root types).

use stratus_spec::data::{FunctionRef, Operation};

use super::auth::{self, AWS_AUTH_DIRECTIVES};
use super::fields::{self, optional_string, string_list};
use crate::SchemaError;
use crate::sdl::ast::ObjectDef;
use crate::sdl::print;

pub(crate) fn operations(o: &ObjectDef) -> Result<Vec<Operation>, SchemaError> {
    let mut out = Vec::with_capacity(o.fields.len());
    for f in &o.fields {
        let mut op = Operation {
            name: f.name.clone(),
            arguments: f.args.iter().map(fields::argument).collect(),
            returns: fields::type_ref(&f.ty),
            auth: Vec::new(),
            aws_auth: auth::aws_auth_directives(&f.directives)?,
            functions: Vec::new(),
            subscribe_to: Vec::new(),
            sql: None,
            other_directives: Vec::new(),
        };
        for d in &f.directives {
            match d.name.as_str() {
                "auth" => op.auth.extend(auth::rules(d)?),
                "function" => op.functions.push(FunctionRef {
                    name: optional_string(d, "name")?.ok_or_else(|| {
                        SchemaError::at(d.pos, format!("@function on '{}' needs a name", f.name))
                    })?,
                    invocation_type: optional_string(d, "invocationType")?,
                }),
                "aws_subscribe" => op.subscribe_to.extend(string_list(d, "mutations")?),
                "sql" => {
                    op.sql = optional_string(d, "statement")?.or(optional_string(d, "reference")?);
                }
                name if AWS_AUTH_DIRECTIVES.contains(&name) => {}
                _ => op.other_directives.push(print::directive(d)),
            }
        }
        out.push(op);
    }
    Ok(out)
}
