//! Directive SDL text → [`Document`] via `async-graphql-parser`.

use async_graphql_parser::types::{
    BaseType, ConstDirective, FieldDefinition, InputValueDefinition, Type, TypeDefinition,
    TypeKind, TypeSystemDefinition,
};
use async_graphql_parser::{Pos as ParserPos, Positioned};
use async_graphql_value::ConstValue;

use super::ast::{
    Definition, Description, Directive, Document, EnumDef, EnumValueDef, FieldDef, InputObjectDef,
    InputValueDef, ObjectDef, Pos, ScalarDef, SchemaDef, TypeNode, UnionDef, Value,
};
use crate::SchemaError;

/// Parse SDL text into a [`Document`], reporting syntax errors with line and column.
pub fn read_document(sdl: &str) -> Result<Document, SchemaError> {
    let src = Source::new(sdl);
    let doc = async_graphql_parser::parse_schema(sdl).map_err(|err| {
        let pos = err.positions().next().map(pos).unwrap_or_default();
        SchemaError::Syntax {
            line: pos.line,
            column: pos.column,
            message: first_line(&err.to_string()),
        }
    })?;
    let mut definitions = Vec::with_capacity(doc.definitions.len());
    for def in doc.definitions {
        match def {
            TypeSystemDefinition::Type(t) => definitions.push(type_definition(&src, t)),
            TypeSystemDefinition::Schema(s) => {
                let p = pos(s.pos);
                let s = s.node;
                definitions.push(Definition::Schema(SchemaDef {
                    query: s.query.map(|n| n.node.to_string()),
                    mutation: s.mutation.map(|n| n.node.to_string()),
                    subscription: s.subscription.map(|n| n.node.to_string()),
                    pos: p,
                }));
            }
            // Directive definitions are not part of the data model; the transformer ignores them.
            TypeSystemDefinition::Directive(_) => {}
        }
    }
    Ok(Document { definitions })
}

fn first_line(message: &str) -> String {
    message.lines().next().unwrap_or(message).trim().to_string()
}

fn pos(p: ParserPos) -> Pos {
    Pos {
        line: p.line,
        column: p.column,
    }
}

/// The input text, to tell block string descriptions (`"""..."""`) from plain ones.
struct Source<'a> {
    text: &'a str,
    line_starts: Vec<usize>,
}

impl<'a> Source<'a> {
    fn new(text: &'a str) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Source { text, line_starts }
    }

    fn starts_block_string(&self, p: ParserPos) -> bool {
        let Some(start) = p.line.checked_sub(1).and_then(|l| self.line_starts.get(l)) else {
            return false;
        };
        let line = &self.text[*start..];
        line.char_indices()
            .nth(p.column.saturating_sub(1))
            .is_some_and(|(i, _)| line[i..].starts_with("\"\"\""))
    }
}

fn description(src: &Source, d: Option<Positioned<String>>) -> Option<Description> {
    d.map(|d| Description {
        block: src.starts_block_string(d.pos),
        value: d.node,
    })
}

fn type_definition(src: &Source, def: Positioned<TypeDefinition>) -> Definition {
    let p = pos(def.pos);
    let def = def.node;
    let name = def.name.node.to_string();
    let directives = directives(def.directives);
    let description = description(src, def.description);
    match def.kind {
        TypeKind::Scalar => Definition::Scalar(ScalarDef {
            name,
            description,
            directives,
            extend: def.extend,
            pos: p,
        }),
        TypeKind::Object(o) => Definition::Object(ObjectDef {
            name,
            description,
            interfaces: o
                .implements
                .into_iter()
                .map(|n| n.node.to_string())
                .collect(),
            directives,
            fields: o.fields.into_iter().map(|f| field(src, f)).collect(),
            is_interface: false,
            extend: def.extend,
            pos: p,
        }),
        TypeKind::Interface(i) => Definition::Object(ObjectDef {
            name,
            description,
            interfaces: i
                .implements
                .into_iter()
                .map(|n| n.node.to_string())
                .collect(),
            directives,
            fields: i.fields.into_iter().map(|f| field(src, f)).collect(),
            is_interface: true,
            extend: def.extend,
            pos: p,
        }),
        TypeKind::Union(u) => Definition::Union(UnionDef {
            name,
            description,
            directives,
            types: u.members.into_iter().map(|n| n.node.to_string()).collect(),
            extend: def.extend,
            pos: p,
        }),
        TypeKind::Enum(e) => Definition::Enum(EnumDef {
            name,
            description,
            directives,
            values: e
                .values
                .into_iter()
                .map(|v| EnumValueDef {
                    name: v.node.value.node.to_string(),
                    description: self::description(src, v.node.description),
                    directives: self::directives(v.node.directives),
                })
                .collect(),
            extend: def.extend,
            pos: p,
        }),
        TypeKind::InputObject(i) => Definition::InputObject(InputObjectDef {
            name,
            description,
            directives,
            fields: i.fields.into_iter().map(|v| input_value(src, v)).collect(),
            extend: def.extend,
            pos: p,
        }),
    }
}

fn field(src: &Source, f: Positioned<FieldDefinition>) -> FieldDef {
    let p = pos(f.pos);
    let f = f.node;
    FieldDef {
        name: f.name.node.to_string(),
        description: description(src, f.description),
        args: f
            .arguments
            .into_iter()
            .map(|v| input_value(src, v))
            .collect(),
        ty: type_node(&f.ty.node),
        directives: directives(f.directives),
        pos: p,
    }
}

fn input_value(src: &Source, v: Positioned<InputValueDefinition>) -> InputValueDef {
    let p = pos(v.pos);
    let v = v.node;
    InputValueDef {
        name: v.name.node.to_string(),
        description: description(src, v.description),
        ty: type_node(&v.ty.node),
        default_value: v.default_value.map(|d| value(d.node)),
        directives: directives(v.directives),
        pos: p,
    }
}

fn type_node(t: &Type) -> TypeNode {
    let inner = match &t.base {
        BaseType::Named(n) => TypeNode::Named(n.to_string()),
        BaseType::List(item) => TypeNode::List(Box::new(type_node(item))),
    };
    if t.nullable {
        inner
    } else {
        TypeNode::NonNull(Box::new(inner))
    }
}

fn directives(ds: Vec<Positioned<ConstDirective>>) -> Vec<Directive> {
    ds.into_iter()
        .map(|d| {
            let p = pos(d.pos);
            let d = d.node;
            Directive {
                name: d.name.node.to_string(),
                args: d
                    .arguments
                    .into_iter()
                    .map(|(n, v)| (n.node.to_string(), value(v.node)))
                    .collect(),
                pos: p,
            }
        })
        .collect()
}

fn value(v: ConstValue) -> Value {
    match v {
        ConstValue::Null => Value::Null,
        ConstValue::Number(n) => {
            if n.is_f64() {
                Value::Float(n.to_string())
            } else {
                Value::Int(n.to_string())
            }
        }
        ConstValue::String(s) => Value::String(s),
        ConstValue::Boolean(b) => Value::Boolean(b),
        ConstValue::Binary(b) => Value::String(String::from_utf8_lossy(&b).into_owned()),
        ConstValue::Enum(n) => Value::Enum(n.to_string()),
        ConstValue::List(items) => Value::List(items.into_iter().map(value).collect()),
        ConstValue::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (k.to_string(), value(v)))
                .collect(),
        ),
    }
}
