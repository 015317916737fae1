//! The executable schema: the generated AppSync SDL turned into an async-graphql dynamic
//! schema whose fields all resolve through [`super::resolve`].

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use async_graphql::dynamic::{
    Enum, Field, FieldFuture, InputObject, InputValue, Interface, InterfaceField, Object, Schema,
    Subscription, TypeRef, Union,
};
use async_graphql::parser::types::{
    BaseType, ConstDirective, FieldDefinition, InputValueDefinition, ServiceDocument, Type,
    TypeKind, TypeSystemDefinition,
};

use super::engine::Engine;
use super::plan::{RootField, base_name};
use super::resolve;
use crate::scalars;

/// The `@aws_*` directives of the root fields (and of the root types), by `(type, field)`.
#[derive(Debug, Clone, Default)]
pub struct FieldModes {
    pub fields: HashMap<(String, String), Vec<ModeDirective>>,
}

/// One `@aws_*` authorization directive: its name (`aws_api_key`, `aws_cognito_user_pools`,
/// ...) and, for `@aws_cognito_user_pools(cognito_groups: [...])`, the groups a user pool
/// caller must be in one of.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModeDirective {
    pub name: String,
    pub cognito_groups: Option<Vec<String>>,
}

/// The most nested levels a query may select (AppSync's generated documents need ~6).
pub const MAX_DEPTH: usize = 32;
/// The most fields one query may resolve (a cost bound).
pub const MAX_COMPLEXITY: usize = 10_000;

/// The parsed SDL: its root fields and the `@aws_*` directives on them.
pub fn read_sdl(doc: &ServiceDocument) -> (Vec<RootField>, FieldModes) {
    let mut roots = Vec::new();
    let mut modes = FieldModes::default();
    for def in &doc.definitions {
        let TypeSystemDefinition::Type(t) = def else {
            continue;
        };
        let name = t.node.name.node.as_str();
        if !matches!(name, "Query" | "Mutation" | "Subscription") {
            continue;
        }
        let TypeKind::Object(obj) = &t.node.kind else {
            continue;
        };
        let type_modes = aws_modes(&t.node.directives);
        for f in &obj.fields {
            roots.push(RootField::from_definition(name, &f.node));
            let mut m = aws_modes(&f.node.directives);
            if m.is_empty() {
                m = type_modes.clone();
            }
            modes
                .fields
                .insert((name.to_string(), f.node.name.node.to_string()), m);
        }
    }
    (roots, modes)
}

fn aws_modes(directives: &[async_graphql::Positioned<ConstDirective>]) -> Vec<ModeDirective> {
    directives
        .iter()
        .filter(|d| {
            let n = d.node.name.node.as_str();
            n.starts_with("aws_") && n != "aws_subscribe"
        })
        .map(|d| ModeDirective {
            name: d.node.name.node.to_string(),
            cognito_groups: d
                .node
                .get_argument("cognito_groups")
                .and_then(|v| match &v.node {
                    async_graphql::Value::List(items) => Some(
                        items
                            .iter()
                            .filter_map(|i| match i {
                                async_graphql::Value::String(s) => Some(s.clone()),
                                _ => None,
                            })
                            .collect(),
                    ),
                    async_graphql::Value::String(s) => Some(vec![s.clone()]),
                    _ => None,
                }),
        })
        .collect()
}

pub fn type_ref(ty: &Type) -> TypeRef {
    let inner = match &ty.base {
        BaseType::Named(n) => TypeRef::Named(n.to_string().into()),
        BaseType::List(inner) => TypeRef::List(Box::new(type_ref(inner))),
    };
    if ty.nullable {
        inner
    } else {
        TypeRef::NonNull(Box::new(inner))
    }
}

/// Errors building the executable schema.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("the generated AppSync SDL does not parse: {0}")]
    Parse(String),
    #[error("the generated AppSync SDL cannot be served: {0}")]
    Schema(String),
}

/// Builds the dynamic schema of `doc` with resolvers bound to `engine`.
pub fn build_schema(doc: &ServiceDocument, engine: Arc<Engine>) -> Result<Schema, BuildError> {
    let mut objects: HashSet<String> = HashSet::new();
    let mut defined: HashSet<String> = ["String", "Int", "Float", "Boolean", "ID"]
        .into_iter()
        .chain(scalars::AWS_SCALARS)
        .map(String::from)
        .collect();
    let mut interfaces: HashMap<&str, HashMap<&str, &Type>> = HashMap::new();
    let mut has_mutation = false;
    let mut has_subscription = false;
    for def in &doc.definitions {
        if let TypeSystemDefinition::Type(t) = def {
            defined.insert(t.node.name.node.to_string());
            if let TypeKind::Interface(iface) = &t.node.kind {
                interfaces.insert(
                    t.node.name.node.as_str(),
                    iface
                        .fields
                        .iter()
                        .map(|f| (f.node.name.node.as_str(), &f.node.ty.node))
                        .collect(),
                );
            }
            match &t.node.kind {
                TypeKind::Object(_) | TypeKind::Interface(_) | TypeKind::Union(_) => {
                    objects.insert(t.node.name.node.to_string());
                }
                _ => {}
            }
            if t.node.name.node == "Mutation" {
                has_mutation = true;
            }
            if t.node.name.node == "Subscription" && matches!(t.node.kind, TypeKind::Object(_)) {
                has_subscription = true;
            }
        }
    }
    let mut builder = Schema::build(
        "Query",
        has_mutation.then_some("Mutation"),
        has_subscription.then_some("Subscription"),
    )
    .data(engine)
    .limit_depth(MAX_DEPTH)
    .limit_complexity(MAX_COMPLEXITY);
    for name in scalars::AWS_SCALARS {
        builder = builder.register(scalars::scalar(name));
    }
    for def in &doc.definitions {
        let TypeSystemDefinition::Type(t) = def else {
            continue;
        };
        let name = t.node.name.node.to_string();
        match &t.node.kind {
            TypeKind::Scalar => {
                if !scalars::AWS_SCALARS.contains(&name.as_str()) {
                    builder = builder.register(scalars::scalar(&name));
                }
            }
            TypeKind::Object(obj) => {
                if name == "Subscription" {
                    let mut sub = Subscription::new("Subscription");
                    for f in &obj.fields {
                        sub = sub.field(super::subscribe::field(&f.node));
                    }
                    builder = builder.register(sub);
                    continue;
                }
                let mut object = Object::new(name.as_str());
                for i in &obj.implements {
                    object = object.implement(i.node.as_str());
                }
                for f in &obj.fields {
                    // async-graphql 7.2.1 checks interface field types the wrong way
                    // round (an object's `T!` for an interface's `T` is refused), so an
                    // implementing field takes the interface's type.
                    let declared = obj.implements.iter().find_map(|i| {
                        interfaces
                            .get(i.node.as_str())
                            .and_then(|fields| fields.get(f.node.name.node.as_str()))
                    });
                    let ty = declared.copied().unwrap_or(&f.node.ty.node);
                    object = object.field(field(&name, &f.node, ty, &objects, &defined));
                }
                builder = builder.register(object);
            }
            TypeKind::Enum(e) => {
                let mut en = Enum::new(name.as_str());
                for v in &e.values {
                    en = en.item(v.node.value.node.as_str());
                }
                builder = builder.register(en);
            }
            TypeKind::InputObject(input) => {
                let mut io = InputObject::new(name.as_str());
                // The transformer sometimes names input types it never defines (e.g. a
                // subscription filter of a composite key field); such fields are left out.
                for f in input
                    .fields
                    .iter()
                    .filter(|f| defined.contains(base_name(&f.node.ty.node)))
                {
                    let mut iv =
                        InputValue::new(f.node.name.node.as_str(), type_ref(&f.node.ty.node));
                    if let Some(d) = &f.node.default_value {
                        iv = iv.default_value(d.node.clone());
                    }
                    io = io.field(iv);
                }
                builder = builder.register(io);
            }
            TypeKind::Union(u) => {
                let mut un = Union::new(name.as_str());
                for m in &u.members {
                    un = un.possible_type(m.node.as_str());
                }
                builder = builder.register(un);
            }
            TypeKind::Interface(iface) => {
                let mut it = Interface::new(name.as_str());
                for f in &iface.fields {
                    let mut field =
                        InterfaceField::new(f.node.name.node.as_str(), type_ref(&f.node.ty.node));
                    for arg in &f.node.arguments {
                        field = field.argument(input_value(&arg.node));
                    }
                    it = it.field(field);
                }
                for i in &iface.implements {
                    it = it.implement(i.node.as_str());
                }
                builder = builder.register(it);
            }
        }
    }
    builder
        .finish()
        .map_err(|e| BuildError::Schema(e.to_string()))
}

fn field(
    type_name: &str,
    def: &FieldDefinition,
    ty: &Type,
    objects: &HashSet<String>,
    defined: &HashSet<String>,
) -> Field {
    let name = def.name.node.to_string();
    let returns = base_name(&def.ty.node).to_string();
    let kind = if objects.contains(&returns) {
        resolve::OutKind::Object
    } else if returns == "AWSJSON" {
        resolve::OutKind::Json
    } else {
        resolve::OutKind::Value
    };
    let parent = type_name.to_string();
    let field_name = name.clone();
    let mut f = Field::new(name, type_ref(ty), move |ctx| {
        let parent = parent.clone();
        let field_name = field_name.clone();
        FieldFuture::new(async move { resolve::field(ctx, &parent, &field_name, kind).await })
    });
    for arg in &def.arguments {
        if defined.contains(base_name(&arg.node.ty.node)) {
            f = f.argument(input_value(&arg.node));
        }
    }
    f
}

/// An argument or input field definition.
pub fn input_value(def: &InputValueDefinition) -> InputValue {
    let mut iv = InputValue::new(def.name.node.as_str(), type_ref(&def.ty.node));
    if let Some(d) = &def.default_value {
        iv = iv.default_value(d.node.clone());
    }
    iv
}
