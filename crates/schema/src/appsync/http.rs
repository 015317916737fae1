//! `@http(url:, method:, headers:)`: the field's arguments become `params`/`query`/`body`
//! inputs (the plugin rewrites the field during its field hook).

use super::Transform;
use super::scalars::is_scalar_name;
use crate::SchemaError;
use crate::naming::{graphql_name, to_upper};
use crate::sdl::ast::{
    Definition, Directive, FieldDef, InputObjectDef, InputValueDef, ObjectDef, TypeNode, Value,
};

/// The URL's path (`url.split(SPLIT_URL_REGEX).slice(-2, -1)[0] ?? '/'`).
fn url_path(url: &str) -> String {
    let rest = url
        .strip_prefix("https://")
        .or_else(|| url.strip_prefix("http://"))
        .unwrap_or(url);
    match rest.find('/') {
        Some(i) => rest[i..].to_string(),
        None => "/".to_string(),
    }
}

/// `:name` path parameters (`/:\w+/g`).
fn path_params(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut chars = path.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != ':' {
            continue;
        }
        let rest = &path[i + 1..];
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        if len > 0 {
            out.push(rest[..len].to_string());
            for _ in 0..len {
                chars.next();
            }
        }
    }
    out
}

fn input_with(name: String, args: &[InputValueDef], make_non_null: bool) -> InputObjectDef {
    let fields = args
        .iter()
        .map(|a| {
            let mut a = a.clone();
            if make_non_null {
                a.ty = a.ty.unwrap_non_null().clone();
            }
            a
        })
        .collect();
    InputObjectDef::new(name, fields)
}

impl Transform {
    /// `HttpTransformer.field` for every `@http` field (definitions and root extensions).
    pub(super) fn http_hooks(&mut self) -> Result<(), SchemaError> {
        let mut found: Vec<(ObjectDef, FieldDef, Directive)> = Vec::new();
        for def in self.input.objects() {
            for f in &def.fields {
                for d in f.directives.iter().filter(|d| d.name == "http") {
                    found.push((def.clone(), f.clone(), d.clone()));
                }
            }
        }
        for (parent, field, d) in found {
            self.http_field(&parent, &field, &d)?;
        }
        Ok(())
    }

    fn http_field(
        &mut self,
        parent: &ObjectDef,
        field: &FieldDef,
        d: &Directive,
    ) -> Result<(), SchemaError> {
        let url = d.arg("url").and_then(Value::as_str).unwrap_or_default();
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            return Err(SchemaError::at(
                d.pos,
                "@http directive requires a url parameter that begins with http:// or https://.",
            ));
        }
        let method = d
            .arg("method")
            .and_then(Value::as_str)
            .unwrap_or("GET")
            .to_string();
        let supports_body = matches!(method.as_str(), "POST" | "PUT" | "PATCH");
        let (t, f) = (&parent.name, &field.name);
        let mut query_and_body = field.args.clone();
        let mut new_args = Vec::new();
        let params = path_params(&url_path(url));
        if !params.is_empty() {
            query_and_body
                .retain(|a| is_scalar_name(a.ty.base_name()) && !params.contains(&a.name));
            let input = InputObjectDef::new(
                graphql_name(&format!("{}{}ParamsInput", to_upper(t), to_upper(f))),
                params
                    .iter()
                    .map(|p| {
                        InputValueDef::new(p.clone(), TypeNode::non_null(TypeNode::named("String")))
                    })
                    .collect(),
            );
            new_args.push(InputValueDef::new(
                "params",
                TypeNode::non_null(TypeNode::named(input.name.clone())),
            ));
            self.out.add(Definition::InputObject(input))?;
        }
        if !query_and_body.is_empty() {
            let query = input_with(
                graphql_name(&format!("{}{}QueryInput", to_upper(t), to_upper(f))),
                &query_and_body,
                method != "GET",
            );
            let non_null = query.fields.iter().any(|a| a.ty.is_non_null());
            let arg_type = |name: &str| {
                let named = TypeNode::named(name);
                if non_null {
                    TypeNode::non_null(named)
                } else {
                    named
                }
            };
            new_args.push(InputValueDef::new("query", arg_type(&query.name)));
            self.out.add(Definition::InputObject(query))?;
            if supports_body {
                let body = input_with(
                    graphql_name(&format!("{}{}BodyInput", to_upper(t), to_upper(f))),
                    &query_and_body,
                    true,
                );
                new_args.push(InputValueDef::new("body", arg_type(&body.name)));
                self.out.add(Definition::InputObject(body))?;
            }
        }
        if !new_args.is_empty() {
            let mut updated = field.clone();
            updated.args = new_args;
            if let Some(p) = self.out.get_object_mut(t) {
                p.fields.retain(|x| x.name != field.name);
                p.fields.push(updated);
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{path_params, url_path};

    #[test]
    fn url_paths_and_params() {
        assert_eq!(
            url_path("https://api.example.com/posts/:id/c/:cid"),
            "/posts/:id/c/:cid"
        );
        assert_eq!(url_path("https://api.example.com"), "/");
        assert_eq!(path_params("/posts/:id/c/:cid"), vec!["id", "cid"]);
        assert!(path_params("/posts").is_empty());
    }
}
