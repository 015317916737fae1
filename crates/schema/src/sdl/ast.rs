//! A small, owned GraphQL SDL syntax tree shaped like graphql-js's AST.
//!
//! The transformer emulation mutates these nodes the way the Amplify transformer mutates
//! graphql-js nodes (wrapping/unwrapping types, appending directives, ...), and the printer
//! renders them the way graphql-js `print` does.

use std::fmt;

/// A source position (1-based line and column) of a node in the input SDL.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pos {
    pub line: usize,
    pub column: usize,
}

impl fmt::Display for Pos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

/// A literal value (directive argument, default value).
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Int(String),
    Float(String),
    String(String),
    Boolean(bool),
    Enum(String),
    List(Vec<Value>),
    Object(Vec<(String, Value)>),
}

impl Value {
    pub fn string(s: impl Into<String>) -> Self {
        Value::String(s.into())
    }

    pub fn string_list<I, S>(items: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        Value::List(items.into_iter().map(|s| Value::String(s.into())).collect())
    }

    /// graphql-js `valueFromASTUntyped` into a JSON value (enum values become strings).
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::Value as J;
        match self {
            Value::Null => J::Null,
            Value::Int(s) | Value::Float(s) => s
                .parse::<i64>()
                .map(J::from)
                .ok()
                .or_else(|| s.parse::<f64>().ok().map(J::from))
                .unwrap_or(J::Null),
            Value::String(s) | Value::Enum(s) => J::String(s.clone()),
            Value::Boolean(b) => J::Bool(*b),
            Value::List(items) => J::Array(items.iter().map(Value::to_json).collect()),
            Value::Object(fields) => J::Object(
                fields
                    .iter()
                    .map(|(k, v)| (k.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }

    /// graphql-transformer-common `makeValueNode` from a JSON value.
    pub fn from_json(value: &serde_json::Value) -> Self {
        use serde_json::Value as J;
        match value {
            J::Null => Value::Null,
            J::Bool(b) => Value::Boolean(*b),
            J::Number(n) => {
                if n.is_i64() || n.is_u64() {
                    Value::Int(n.to_string())
                } else {
                    Value::Float(n.to_string())
                }
            }
            J::String(s) => Value::String(s.clone()),
            J::Array(items) => Value::List(items.iter().map(Value::from_json).collect()),
            J::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }

    /// The string payload of a `String` or `Enum` value.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) | Value::Enum(s) => Some(s),
            _ => None,
        }
    }
}

/// A type reference, shaped like graphql-js (`NonNull` wraps, `List` wraps).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeNode {
    Named(String),
    List(Box<TypeNode>),
    NonNull(Box<TypeNode>),
}

impl TypeNode {
    pub fn named(name: impl Into<String>) -> Self {
        TypeNode::Named(name.into())
    }

    pub fn non_null(inner: TypeNode) -> Self {
        match inner {
            TypeNode::NonNull(_) => inner,
            other => TypeNode::NonNull(Box::new(other)),
        }
    }

    pub fn list(inner: TypeNode) -> Self {
        TypeNode::List(Box::new(inner))
    }

    /// The named type at the bottom.
    pub fn base_name(&self) -> &str {
        match self {
            TypeNode::Named(n) => n,
            TypeNode::List(t) | TypeNode::NonNull(t) => t.base_name(),
        }
    }

    pub fn is_non_null(&self) -> bool {
        matches!(self, TypeNode::NonNull(_))
    }

    /// graphql-transformer-common `isListType`: a list anywhere under non-null wrappers.
    pub fn is_list(&self) -> bool {
        match self {
            TypeNode::NonNull(t) => t.is_list(),
            TypeNode::List(_) => true,
            TypeNode::Named(_) => false,
        }
    }

    /// `GenericFieldWrapper.isList()` of graphql-transformer-core, which only sees a list that
    /// is not wrapped in non-null (`[T]`, `[T!]`, but not `[T]!`).
    pub fn is_nullable_list(&self) -> bool {
        matches!(self, TypeNode::List(_))
    }

    /// Strip one outer non-null (graphql-transformer-common `unwrapNonNull` strips all; there
    /// can only be one).
    pub fn unwrap_non_null(&self) -> &TypeNode {
        match self {
            TypeNode::NonNull(t) => t.unwrap_non_null(),
            other => other,
        }
    }

    /// `withNamedNodeNamed`: the same wrappers around a different named type.
    pub fn with_base_name(&self, name: &str) -> TypeNode {
        match self {
            TypeNode::Named(_) => TypeNode::Named(name.to_string()),
            TypeNode::List(t) => TypeNode::List(Box::new(t.with_base_name(name))),
            TypeNode::NonNull(t) => TypeNode::NonNull(Box::new(t.with_base_name(name))),
        }
    }
}

impl fmt::Display for TypeNode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TypeNode::Named(n) => f.write_str(n),
            TypeNode::List(t) => write!(f, "[{t}]"),
            TypeNode::NonNull(t) => write!(f, "{t}!"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Directive {
    pub name: String,
    pub args: Vec<(String, Value)>,
    pub pos: Pos,
}

impl Directive {
    pub fn new(name: impl Into<String>) -> Self {
        Directive {
            name: name.into(),
            args: Vec::new(),
            pos: Pos::default(),
        }
    }

    pub fn with_arg(mut self, name: impl Into<String>, value: Value) -> Self {
        self.args.push((name.into(), value));
        self
    }

    pub fn arg(&self, name: &str) -> Option<&Value> {
        self.args.iter().find(|(n, _)| n == name).map(|(_, v)| v)
    }

    /// graphql-js `valueFromASTUntyped` of every argument, as an ordered JSON object.
    pub fn args_json(&self) -> serde_json::Map<String, serde_json::Value> {
        self.args
            .iter()
            .map(|(n, v)| (n.clone(), v.to_json()))
            .collect()
    }
}

/// An argument or input field definition.
#[derive(Debug, Clone, PartialEq)]
pub struct InputValueDef {
    pub name: String,
    pub description: Option<Description>,
    pub ty: TypeNode,
    pub default_value: Option<Value>,
    pub directives: Vec<Directive>,
    pub pos: Pos,
}

impl InputValueDef {
    /// graphql-transformer-common `makeInputValueDefinition`.
    pub fn new(name: impl Into<String>, ty: TypeNode) -> Self {
        InputValueDef {
            name: name.into(),
            description: None,
            ty,
            default_value: None,
            directives: Vec::new(),
            pos: Pos::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Description {
    pub value: String,
    pub block: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FieldDef {
    pub name: String,
    pub description: Option<Description>,
    pub args: Vec<InputValueDef>,
    pub ty: TypeNode,
    pub directives: Vec<Directive>,
    pub pos: Pos,
}

impl FieldDef {
    /// graphql-transformer-common `makeField`.
    pub fn new(name: impl Into<String>, args: Vec<InputValueDef>, ty: TypeNode) -> Self {
        FieldDef {
            name: name.into(),
            description: None,
            args,
            ty,
            directives: Vec::new(),
            pos: Pos::default(),
        }
    }

    pub fn with_directives(mut self, directives: Vec<Directive>) -> Self {
        self.directives = directives;
        self
    }

    pub fn directive(&self, name: &str) -> Option<&Directive> {
        self.directives.iter().find(|d| d.name == name)
    }

    pub fn has_directive(&self, name: &str) -> bool {
        self.directive(name).is_some()
    }
}

/// Object type or interface (`is_interface`), definition or extension (`extend`).
#[derive(Debug, Clone, PartialEq)]
pub struct ObjectDef {
    pub name: String,
    pub description: Option<Description>,
    pub interfaces: Vec<String>,
    pub directives: Vec<Directive>,
    pub fields: Vec<FieldDef>,
    pub is_interface: bool,
    pub extend: bool,
    pub pos: Pos,
}

impl ObjectDef {
    /// graphql-transformer-common `blankObject`.
    pub fn blank(name: impl Into<String>) -> Self {
        ObjectDef {
            name: name.into(),
            description: None,
            interfaces: Vec::new(),
            directives: Vec::new(),
            fields: Vec::new(),
            is_interface: false,
            extend: false,
            pos: Pos::default(),
        }
    }

    pub fn field(&self, name: &str) -> Option<&FieldDef> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn has_field(&self, name: &str) -> bool {
        self.field(name).is_some()
    }

    pub fn directive(&self, name: &str) -> Option<&Directive> {
        self.directives.iter().find(|d| d.name == name)
    }

    pub fn has_directive(&self, name: &str) -> bool {
        self.directive(name).is_some()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct InputObjectDef {
    pub name: String,
    pub description: Option<Description>,
    pub directives: Vec<Directive>,
    pub fields: Vec<InputValueDef>,
    pub extend: bool,
    pub pos: Pos,
}

impl InputObjectDef {
    /// graphql-transformer-common `makeInputObjectDefinition`.
    pub fn new(name: impl Into<String>, fields: Vec<InputValueDef>) -> Self {
        InputObjectDef {
            name: name.into(),
            description: None,
            directives: Vec::new(),
            fields,
            extend: false,
            pos: Pos::default(),
        }
    }

    pub fn field(&self, name: &str) -> Option<&InputValueDef> {
        self.fields.iter().find(|f| f.name == name)
    }

    pub fn has_field(&self, name: &str) -> bool {
        self.field(name).is_some()
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumValueDef {
    pub name: String,
    pub description: Option<Description>,
    pub directives: Vec<Directive>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EnumDef {
    pub name: String,
    pub description: Option<Description>,
    pub directives: Vec<Directive>,
    pub values: Vec<EnumValueDef>,
    pub extend: bool,
    pub pos: Pos,
}

impl EnumDef {
    /// `EnumWrapper.create(name, values)`.
    pub fn new(name: impl Into<String>, values: &[&str]) -> Self {
        EnumDef {
            name: name.into(),
            description: None,
            directives: Vec::new(),
            values: values
                .iter()
                .map(|v| EnumValueDef {
                    name: (*v).to_string(),
                    description: None,
                    directives: Vec::new(),
                })
                .collect(),
            extend: false,
            pos: Pos::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScalarDef {
    pub name: String,
    pub description: Option<Description>,
    pub directives: Vec<Directive>,
    pub extend: bool,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub struct UnionDef {
    pub name: String,
    pub description: Option<Description>,
    pub directives: Vec<Directive>,
    pub types: Vec<String>,
    pub extend: bool,
    pub pos: Pos,
}

/// `schema { query: Q ... }`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SchemaDef {
    pub query: Option<String>,
    pub mutation: Option<String>,
    pub subscription: Option<String>,
    pub pos: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Definition {
    Object(ObjectDef),
    InputObject(InputObjectDef),
    Enum(EnumDef),
    Scalar(ScalarDef),
    Union(UnionDef),
    Schema(SchemaDef),
}

impl Definition {
    pub fn name(&self) -> Option<&str> {
        match self {
            Definition::Object(d) => Some(&d.name),
            Definition::InputObject(d) => Some(&d.name),
            Definition::Enum(d) => Some(&d.name),
            Definition::Scalar(d) => Some(&d.name),
            Definition::Union(d) => Some(&d.name),
            Definition::Schema(_) => None,
        }
    }

    pub fn is_extension(&self) -> bool {
        match self {
            Definition::Object(d) => d.extend,
            Definition::InputObject(d) => d.extend,
            Definition::Enum(d) => d.extend,
            Definition::Scalar(d) => d.extend,
            Definition::Union(d) => d.extend,
            Definition::Schema(_) => false,
        }
    }

    pub fn as_object(&self) -> Option<&ObjectDef> {
        match self {
            Definition::Object(d) if !d.is_interface => Some(d),
            _ => None,
        }
    }

    pub fn as_input(&self) -> Option<&InputObjectDef> {
        match self {
            Definition::InputObject(d) => Some(d),
            _ => None,
        }
    }

    pub fn is_enum(&self) -> bool {
        matches!(self, Definition::Enum(_))
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Document {
    pub definitions: Vec<Definition>,
}

impl Document {
    /// The first object type definition (not extension) with this name.
    pub fn object(&self, name: &str) -> Option<&ObjectDef> {
        self.definitions.iter().find_map(|d| match d {
            Definition::Object(o) if !o.is_interface && !o.extend && o.name == name => Some(o),
            _ => None,
        })
    }

    pub fn objects(&self) -> impl Iterator<Item = &ObjectDef> {
        self.definitions.iter().filter_map(|d| match d {
            Definition::Object(o) if !o.is_interface => Some(o),
            _ => None,
        })
    }

    pub fn is_enum(&self, name: &str) -> bool {
        self.definitions
            .iter()
            .any(|d| matches!(d, Definition::Enum(e) if e.name == name))
    }
}
