//! Printing a [`Document`] exactly like graphql-js 15 `print`.

use super::ast::{
    Definition, Description, Directive, Document, EnumDef, FieldDef, InputObjectDef, InputValueDef,
    ObjectDef, ScalarDef, SchemaDef, TypeNode, UnionDef, Value,
};

/// The whole document: definitions separated by a blank line, with a final newline.
pub fn print_document(doc: &Document) -> String {
    let defs: Vec<String> = doc.definitions.iter().map(print_definition).collect();
    let mut out = join(&defs, "\n\n");
    out.push('\n');
    out
}

/// One definition, without a trailing newline.
pub fn print_definition(def: &Definition) -> String {
    match def {
        Definition::Object(o) => object(o),
        Definition::InputObject(i) => input_object(i),
        Definition::Enum(e) => enum_def(e),
        Definition::Scalar(s) => scalar(s),
        Definition::Union(u) => union(u),
        Definition::Schema(s) => schema(s),
    }
}

/// graphql-js `join`: drop empty items, then join.
fn join<S: AsRef<str>>(items: &[S], sep: &str) -> String {
    items
        .iter()
        .map(AsRef::as_ref)
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(sep)
}

fn wrap(start: &str, s: &str, end: &str) -> String {
    if s.is_empty() {
        String::new()
    } else {
        format!("{start}{s}{end}")
    }
}

fn indent(s: &str) -> String {
    wrap("  ", &s.replace('\n', "\n  "), "")
}

fn block(items: &[String]) -> String {
    wrap("{\n", &indent(&join(items, "\n")), "\n}")
}

fn with_description(description: &Option<Description>, body: String) -> String {
    match description {
        Some(d) => join(&[description_string(d), body], "\n"),
        None => body,
    }
}

fn description_string(d: &Description) -> String {
    if d.block {
        block_string(&d.value, "")
    } else {
        json_string(&d.value)
    }
}

/// graphql-js `printBlockString`.
fn block_string(value: &str, indentation: &str) -> String {
    let single_line = !value.contains('\n');
    let leading_space = value.starts_with(' ') || value.starts_with('\t');
    let trailing_quote = value.ends_with('"');
    let trailing_slash = value.ends_with('\\');
    let multiple_lines = !single_line || trailing_quote || trailing_slash;
    let mut result = String::new();
    if multiple_lines && !(single_line && leading_space) {
        result.push('\n');
        result.push_str(indentation);
    }
    if indentation.is_empty() {
        result.push_str(value);
    } else {
        result.push_str(&value.replace('\n', &format!("\n{indentation}")));
    }
    if multiple_lines {
        result.push('\n');
    }
    format!("\"\"\"{}\"\"\"", result.replace("\"\"\"", "\\\"\"\""))
}

/// `JSON.stringify` of a string.
fn json_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

pub fn value(v: &Value) -> String {
    match v {
        Value::Null => "null".to_string(),
        Value::Int(s) | Value::Float(s) | Value::Enum(s) => s.clone(),
        Value::String(s) => json_string(s),
        Value::Boolean(b) => b.to_string(),
        Value::List(items) => {
            let parts: Vec<String> = items.iter().map(value).collect();
            format!("[{}]", join(&parts, ", "))
        }
        Value::Object(fields) => {
            let parts: Vec<String> = fields
                .iter()
                .map(|(k, v)| format!("{k}: {}", value(v)))
                .collect();
            format!("{{{}}}", join(&parts, ", "))
        }
    }
}

pub fn type_node(t: &TypeNode) -> String {
    t.to_string()
}

pub fn directive(d: &Directive) -> String {
    let args: Vec<String> = d
        .args
        .iter()
        .map(|(n, v)| format!("{n}: {}", value(v)))
        .collect();
    format!("@{}{}", d.name, wrap("(", &join(&args, ", "), ")"))
}

fn directives(ds: &[Directive]) -> String {
    let parts: Vec<String> = ds.iter().map(directive).collect();
    join(&parts, " ")
}

fn input_value(v: &InputValueDef) -> String {
    let default = v.default_value.as_ref().map(value).unwrap_or_default();
    let body = join(
        &[
            format!("{}: {}", v.name, type_node(&v.ty)),
            wrap("= ", &default, ""),
            directives(&v.directives),
        ],
        " ",
    );
    with_description(&v.description, body)
}

fn field(f: &FieldDef) -> String {
    let args: Vec<String> = f.args.iter().map(input_value).collect();
    let args = if args.iter().any(|a| a.contains('\n')) {
        wrap("(\n", &indent(&join(&args, "\n")), "\n)")
    } else {
        wrap("(", &join(&args, ", "), ")")
    };
    let body = format!(
        "{}{}: {}{}",
        f.name,
        args,
        type_node(&f.ty),
        wrap(" ", &directives(&f.directives), "")
    );
    with_description(&f.description, body)
}

fn object(o: &ObjectDef) -> String {
    let fields: Vec<String> = o.fields.iter().map(field).collect();
    let keyword = match (o.extend, o.is_interface) {
        (false, false) => "type",
        (false, true) => "interface",
        (true, false) => "extend type",
        (true, true) => "extend interface",
    };
    let body = join(
        &[
            keyword.to_string(),
            o.name.clone(),
            wrap("implements ", &join(&o.interfaces, " & "), ""),
            directives(&o.directives),
            block(&fields),
        ],
        " ",
    );
    if o.extend {
        body
    } else {
        with_description(&o.description, body)
    }
}

fn input_object(i: &InputObjectDef) -> String {
    let fields: Vec<String> = i.fields.iter().map(input_value).collect();
    let keyword = if i.extend { "extend input" } else { "input" };
    let body = join(
        &[
            keyword.to_string(),
            i.name.clone(),
            directives(&i.directives),
            block(&fields),
        ],
        " ",
    );
    if i.extend {
        body
    } else {
        with_description(&i.description, body)
    }
}

fn enum_def(e: &EnumDef) -> String {
    let values: Vec<String> = e
        .values
        .iter()
        .map(|v| {
            with_description(
                &v.description,
                join(&[v.name.clone(), directives(&v.directives)], " "),
            )
        })
        .collect();
    let keyword = if e.extend { "extend enum" } else { "enum" };
    let body = join(
        &[
            keyword.to_string(),
            e.name.clone(),
            directives(&e.directives),
            block(&values),
        ],
        " ",
    );
    if e.extend {
        body
    } else {
        with_description(&e.description, body)
    }
}

fn scalar(s: &ScalarDef) -> String {
    let keyword = if s.extend { "extend scalar" } else { "scalar" };
    let body = join(
        &[
            keyword.to_string(),
            s.name.clone(),
            directives(&s.directives),
        ],
        " ",
    );
    if s.extend {
        body
    } else {
        with_description(&s.description, body)
    }
}

fn union(u: &UnionDef) -> String {
    let keyword = if u.extend { "extend union" } else { "union" };
    let types = if u.types.is_empty() {
        String::new()
    } else {
        format!("= {}", join(&u.types, " | "))
    };
    let body = join(
        &[
            keyword.to_string(),
            u.name.clone(),
            directives(&u.directives),
            types,
        ],
        " ",
    );
    if u.extend {
        body
    } else {
        with_description(&u.description, body)
    }
}

fn schema(s: &SchemaDef) -> String {
    let mut ops = Vec::new();
    if let Some(q) = &s.query {
        ops.push(format!("query: {q}"));
    }
    if let Some(m) = &s.mutation {
        ops.push(format!("mutation: {m}"));
    }
    if let Some(sub) = &s.subscription {
        ops.push(format!("subscription: {sub}"));
    }
    join(&["schema".to_string(), block(&ops)], " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sdl::read::read_document;

    #[test]
    fn prints_like_graphql_js() {
        let doc = read_document(
            "type Todo @aws_iam @aws_api_key {\n  id: ID!\n  tags: [String!]!\n  \
             posts(filter: ModelPostFilterInput, limit: Int = 10): ModelPostConnection @aws_cognito_user_pools(cognito_groups: [\"Admins\"])\n}\n\
             enum Status { A B }\n input In { a: Int = 5 }\n scalar X\n type Empty",
        )
        .unwrap();
        assert_eq!(
            print_document(&doc),
            "type Todo @aws_iam @aws_api_key {\n  id: ID!\n  tags: [String!]!\n  \
             posts(filter: ModelPostFilterInput, limit: Int = 10): ModelPostConnection @aws_cognito_user_pools(cognito_groups: [\"Admins\"])\n}\n\n\
             enum Status {\n  A\n  B\n}\n\ninput In {\n  a: Int = 5\n}\n\nscalar X\n\ntype Empty\n"
        );
    }

    #[test]
    fn escapes_strings_like_json_stringify() {
        assert_eq!(value(&Value::string("a\"b\n")), "\"a\\\"b\\n\"");
        assert_eq!(block_string("hello", ""), "\"\"\"hello\"\"\"");
        assert_eq!(block_string("a\nb", ""), "\"\"\"\na\nb\n\"\"\"");
    }
}
