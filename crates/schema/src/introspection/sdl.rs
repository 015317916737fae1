//! Reading the directive SDL into the shape the codegen visitor sees: one definition per type
//! name (extensions merged in, first occurrence decides the position), directive arguments as
//! ordered JSON (`valueFromASTUntyped`), and field types flattened to `getTypeInfo`.

use async_graphql_parser::Positioned;
use async_graphql_parser::types::{
    BaseType, ConstDirective, FieldDefinition, InputValueDefinition, Type, TypeDefinition,
    TypeKind, TypeSystemDefinition,
};
use async_graphql_value::ConstValue;
use serde_json::{Map, Number, Value};

use super::IntrospectionError;

/// A directive with its arguments in source order.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Directive {
    pub name: String,
    pub args: Map<String, Value>,
}

impl Directive {
    pub(super) fn new(name: &str, args: Map<String, Value>) -> Self {
        Directive {
            name: name.to_owned(),
            args,
        }
    }

    pub(super) fn arg(&self, name: &str) -> Option<&Value> {
        self.args.get(name)
    }

    /// Serialized as the codegen's `{ name, arguments }` object (for `JSON.stringify` dedup).
    pub(super) fn to_json(&self) -> Value {
        let mut obj = Map::new();
        obj.insert("name".into(), Value::String(self.name.clone()));
        obj.insert("arguments".into(), Value::Object(self.args.clone()));
        Value::Object(obj)
    }
}

/// `getTypeInfo`: the named type plus nullability of the item and of the list.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct TypeInfo {
    pub name: String,
    pub nullable: bool,
    pub list: bool,
    pub list_nullable: Option<bool>,
}

impl TypeInfo {
    pub(super) fn named(name: &str, nullable: bool) -> Self {
        TypeInfo {
            name: name.to_owned(),
            nullable,
            list: false,
            list_nullable: None,
        }
    }

    fn from_ast(ty: &Type) -> Self {
        match &ty.base {
            BaseType::Named(name) => TypeInfo::named(name.as_str(), ty.nullable),
            BaseType::List(inner) => TypeInfo {
                list: true,
                list_nullable: Some(ty.nullable),
                ..TypeInfo::from_ast(inner)
            },
        }
    }
}

/// An argument or input field.
#[derive(Debug, Clone)]
pub(super) struct InputValue {
    pub name: String,
    pub ty: TypeInfo,
}

/// A field of an object or interface type.
#[derive(Debug, Clone)]
pub(super) struct FieldDef {
    pub name: String,
    pub ty: TypeInfo,
    pub directives: Vec<Directive>,
    pub parameters: Vec<InputValue>,
}

#[derive(Debug, Clone)]
pub(super) enum Kind {
    Object(Vec<FieldDef>),
    Interface,
    Union,
    Enum(Vec<String>),
    Input(Vec<InputValue>),
    Scalar,
}

#[derive(Debug, Clone)]
pub(super) struct TypeDef {
    pub name: String,
    pub directives: Vec<Directive>,
    pub kind: Kind,
}

/// The merged document plus the root operation type names.
#[derive(Debug, Default)]
pub(super) struct Document {
    pub types: Vec<TypeDef>,
    pub query: Option<String>,
    pub mutation: Option<String>,
    pub subscription: Option<String>,
}

/// `valueFromASTUntyped` into JSON. Integral floats become integers, as `JSON.stringify`
/// prints them without a fraction.
fn const_to_json(value: &ConstValue) -> Value {
    match value {
        ConstValue::Null => Value::Null,
        ConstValue::Number(n) => normalize_number(n),
        ConstValue::String(s) => Value::String(s.clone()),
        ConstValue::Boolean(b) => Value::Bool(*b),
        ConstValue::Binary(bytes) => Value::String(String::from_utf8_lossy(bytes).into_owned()),
        ConstValue::Enum(name) => Value::String(name.to_string()),
        ConstValue::List(items) => Value::Array(items.iter().map(const_to_json).collect()),
        ConstValue::Object(fields) => Value::Object(
            fields
                .iter()
                .map(|(k, v)| (k.to_string(), const_to_json(v)))
                .collect(),
        ),
    }
}

fn normalize_number(n: &Number) -> Value {
    // Exact for integral values with |f| < 2^53.
    if let Some(f) = n.as_f64().filter(|_| n.is_f64())
        && f.fract() == 0.0
        && f.abs() < 9_007_199_254_740_992.0
    {
        return Value::Number(Number::from(f as i64));
    }
    Value::Number(n.clone())
}

fn directive(d: &Positioned<ConstDirective>) -> Directive {
    let name = d.node.name.node.as_str();
    let mut args = Map::new();
    for (arg_name, value) in &d.node.arguments {
        args.insert(arg_name.node.to_string(), const_to_json(&value.node));
    }
    // `getDirectiveArguments` wraps a single `references` value of relation directives.
    if matches!(name, "hasOne" | "belongsTo" | "hasMany")
        && super::js::truthy(args.get("references"))
        && let Some(single) = args.get("references").filter(|r| !r.is_array()).cloned()
    {
        args.insert("references".into(), Value::Array(vec![single]));
    }
    Directive {
        name: name.to_owned(),
        args,
    }
}

fn directives(list: &[Positioned<ConstDirective>]) -> Vec<Directive> {
    list.iter().map(directive).collect()
}

fn input_value(v: &Positioned<InputValueDefinition>) -> InputValue {
    InputValue {
        name: v.node.name.node.to_string(),
        ty: TypeInfo::from_ast(&v.node.ty.node),
    }
}

fn field(f: &Positioned<FieldDefinition>) -> FieldDef {
    FieldDef {
        name: f.node.name.node.to_string(),
        ty: TypeInfo::from_ast(&f.node.ty.node),
        directives: directives(&f.node.directives),
        parameters: f.node.arguments.iter().map(input_value).collect(),
    }
}

fn kind(def: &TypeDefinition) -> Kind {
    match &def.kind {
        TypeKind::Scalar => Kind::Scalar,
        TypeKind::Object(obj) => Kind::Object(obj.fields.iter().map(field).collect()),
        TypeKind::Interface(_) => Kind::Interface,
        TypeKind::Union(_) => Kind::Union,
        TypeKind::Enum(e) => Kind::Enum(
            e.values
                .iter()
                .map(|v| v.node.value.node.to_string())
                .collect(),
        ),
        TypeKind::InputObject(i) => Kind::Input(i.fields.iter().map(input_value).collect()),
    }
}

/// Merge `incoming` (a later definition or extension of the same name) into `existing`:
/// directives and members are appended.
fn merge(existing: &mut TypeDef, incoming: TypeDef) {
    existing.directives.extend(incoming.directives);
    match (&mut existing.kind, incoming.kind) {
        (Kind::Object(fields), Kind::Object(more)) => fields.extend(more),
        (Kind::Enum(values), Kind::Enum(more)) => values.extend(more),
        (Kind::Input(fields), Kind::Input(more)) => fields.extend(more),
        _ => {}
    }
}

/// A member defined twice (in one definition or through an extension) is invalid GraphQL;
/// the transformer rejects it before the codegen ever runs.
fn reject_duplicates(def: &TypeDef) -> Result<(), IntrospectionError> {
    let names: Vec<&str> = match &def.kind {
        Kind::Object(fields) => fields.iter().map(|f| f.name.as_str()).collect(),
        Kind::Input(fields) => fields.iter().map(|f| f.name.as_str()).collect(),
        Kind::Enum(values) => values.iter().map(String::as_str).collect(),
        _ => Vec::new(),
    };
    for (i, name) in names.iter().enumerate() {
        if names[..i].contains(name) {
            let what = if matches!(def.kind, Kind::Enum(_)) {
                "Enum value"
            } else {
                "Field"
            };
            return Err(IntrospectionError::invalid(format!(
                "{what} \"{}.{name}\" can only be defined once.",
                def.name
            )));
        }
    }
    Ok(())
}

pub(super) fn parse(sdl: &str) -> Result<Document, IntrospectionError> {
    let ast = async_graphql_parser::parse_schema(sdl).map_err(|e| {
        let pos = e.positions().next();
        IntrospectionError::Syntax {
            line: pos.map_or(0, |p| p.line),
            column: pos.map_or(0, |p| p.column),
            message: e.to_string(),
        }
    })?;
    let mut doc = Document::default();
    for definition in &ast.definitions {
        match definition {
            TypeSystemDefinition::Schema(schema) => {
                let s = &schema.node;
                if let Some(q) = &s.query {
                    doc.query = Some(q.node.to_string());
                }
                if let Some(m) = &s.mutation {
                    doc.mutation = Some(m.node.to_string());
                }
                if let Some(sub) = &s.subscription {
                    doc.subscription = Some(sub.node.to_string());
                }
            }
            TypeSystemDefinition::Type(def) => {
                let def = &def.node;
                let incoming = TypeDef {
                    name: def.name.node.to_string(),
                    directives: directives(&def.directives),
                    kind: kind(def),
                };
                match doc.types.iter_mut().find(|t| t.name == incoming.name) {
                    Some(existing) => merge(existing, incoming),
                    None => doc.types.push(incoming),
                }
            }
            TypeSystemDefinition::Directive(_) => {}
        }
    }
    for def in &doc.types {
        reject_duplicates(def)?;
    }
    // Operations a `schema { }` definition leaves out default to the conventionally named
    // type, as graphql-tools' schema merge does.
    let object_named = |name: &str| {
        doc.types
            .iter()
            .any(|t| t.name == name && matches!(t.kind, Kind::Object(_)))
            .then(|| name.to_owned())
    };
    let query = doc.query.clone().or_else(|| object_named("Query"));
    let mutation = doc.mutation.clone().or_else(|| object_named("Mutation"));
    let subscription = doc
        .subscription
        .clone()
        .or_else(|| object_named("Subscription"));
    (doc.query, doc.mutation, doc.subscription) = (query, mutation, subscription);
    Ok(doc)
}
