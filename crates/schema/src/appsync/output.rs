//! The transformer's output schema (graphql-transformer-core `TransformerOutput`): an
//! insertion-ordered map of type definitions that the transformer steps add to and rewrite.

use std::collections::HashMap;

use crate::SchemaError;
use crate::sdl::ast::{
    Definition, Directive, Document, EnumDef, FieldDef, InputObjectDef, ObjectDef,
};

/// Directives that survive into the AppSync schema; every other one is stripped.
const KEPT_DIRECTIVES: &[&str] = &[
    "aws_subscribe",
    "aws_auth",
    "aws_api_key",
    "aws_iam",
    "aws_oidc",
    "aws_cognito_user_pools",
    "aws_lambda",
    "deprecated",
];

#[derive(Debug, Default)]
pub(crate) struct Output {
    nodes: Vec<Option<Definition>>,
    index: HashMap<String, usize>,
    pub query: String,
    pub mutation: String,
    pub subscription: String,
}

impl Output {
    /// Seed the output with the input document's type definitions, then merge extensions.
    pub fn from_input(doc: &Document) -> Result<Self, SchemaError> {
        let roots = crate::parse::Roots::of(doc);
        let mut out = Output {
            query: roots.query,
            mutation: roots.mutation,
            subscription: roots.subscription,
            ..Output::default()
        };
        let mut extensions = Vec::new();
        for def in &doc.definitions {
            match def {
                Definition::Schema(_) => {}
                d if d.is_extension() => extensions.push(d),
                Definition::InputObject(i) if i.name == "AMPLIFY" => {}
                d => {
                    if let Some(name) = d.name()
                        && !out.has_type(name)
                    {
                        out.insert(d.clone());
                    }
                }
            }
        }
        for ext in extensions {
            match ext {
                Definition::Object(o) => out.add_object_extension(o.clone())?,
                Definition::InputObject(i) => {
                    let Some(Definition::InputObject(target)) = out.get_type_mut(&i.name) else {
                        return Err(SchemaError::invalid(format!(
                            "Cannot extend nonexistent input '{}'.",
                            i.name
                        )));
                    };
                    target.directives.extend(i.directives.iter().cloned());
                    target.fields.extend(i.fields.iter().cloned());
                }
                Definition::Enum(e) => {
                    let Some(Definition::Enum(target)) = out.get_type_mut(&e.name) else {
                        return Err(SchemaError::invalid(format!(
                            "Cannot extend nonexistent enum '{}'.",
                            e.name
                        )));
                    };
                    target.directives.extend(e.directives.iter().cloned());
                    target.values.extend(e.values.iter().cloned());
                }
                _ => {}
            }
        }
        Ok(out)
    }

    fn insert(&mut self, def: Definition) {
        let name = def.name().unwrap_or_default().to_string();
        self.index.insert(name, self.nodes.len());
        self.nodes.push(Some(def));
    }

    pub fn has_type(&self, name: &str) -> bool {
        self.index.contains_key(name)
    }

    pub fn get_type(&self, name: &str) -> Option<&Definition> {
        self.index
            .get(name)
            .and_then(|i| self.nodes.get(*i))
            .and_then(Option::as_ref)
    }

    fn get_type_mut(&mut self, name: &str) -> Option<&mut Definition> {
        let i = *self.index.get(name)?;
        self.nodes.get_mut(i).and_then(Option::as_mut)
    }

    pub fn get_object(&self, name: &str) -> Option<&ObjectDef> {
        match self.get_type(name)? {
            Definition::Object(o) if !o.is_interface => Some(o),
            _ => None,
        }
    }

    pub fn get_object_mut(&mut self, name: &str) -> Option<&mut ObjectDef> {
        match self.get_type_mut(name)? {
            Definition::Object(o) if !o.is_interface => Some(o),
            _ => None,
        }
    }

    pub fn get_input_mut(&mut self, name: &str) -> Option<&mut InputObjectDef> {
        match self.get_type_mut(name)? {
            Definition::InputObject(i) => Some(i),
            _ => None,
        }
    }

    pub fn is_enum(&self, name: &str) -> bool {
        self.get_type(name).is_some_and(Definition::is_enum)
    }

    /// `addType`/`addInput`/`addObject`/`addEnum`: a new definition; a name clash is an error.
    pub fn add(&mut self, def: Definition) -> Result<(), SchemaError> {
        let name = def.name().unwrap_or_default();
        if self.has_type(name) {
            return Err(SchemaError::invalid(format!(
                "Conflicting type '{name}' found."
            )));
        }
        self.insert(def);
        Ok(())
    }

    /// Add unless a type of that name exists (`if (!ctx.output.getType(n)) addInput(...)`).
    pub fn add_if_missing(&mut self, def: Definition) {
        let name = def.name().unwrap_or_default();
        if !self.has_type(name) {
            self.insert(def);
        }
    }

    pub fn add_input_if_missing(&mut self, input: InputObjectDef) {
        self.add_if_missing(Definition::InputObject(input));
    }

    pub fn add_enum_if_missing(&mut self, e: EnumDef) {
        self.add_if_missing(Definition::Enum(e));
    }

    /// `addObjectExtension`: new directives (by name) and fields appended to an object type.
    pub fn add_object_extension(&mut self, ext: ObjectDef) -> Result<(), SchemaError> {
        let Some(target) = self.get_object_mut(&ext.name) else {
            return Err(SchemaError::invalid(format!(
                "Cannot extend nonexistent type '{}'.",
                ext.name
            )));
        };
        let new_directives: Vec<Directive> = ext
            .directives
            .into_iter()
            .filter(|d| !target.directives.iter().any(|o| o.name == d.name))
            .collect();
        target.directives.extend(new_directives);
        for f in ext.fields {
            if target.has_field(&f.name) {
                return Err(SchemaError::invalid(format!(
                    "Object type extension '{}' cannot redeclare field {}",
                    ext.name, f.name
                )));
            }
            target.fields.push(f);
        }
        for i in ext.interfaces {
            if !target.interfaces.contains(&i) {
                target.interfaces.push(i);
            }
        }
        Ok(())
    }

    /// `extendTypeWithDirectives`.
    pub fn extend_type_with_directives(
        &mut self,
        type_name: &str,
        directives: &[Directive],
    ) -> Result<(), SchemaError> {
        let mut ext = ObjectDef::blank(type_name);
        ext.extend = true;
        for d in directives {
            if !ext.directives.iter().any(|e| e.name == d.name) {
                ext.directives.push(d.clone());
            }
        }
        self.add_object_extension(ext)
    }

    fn add_root_fields(&mut self, root: &str, fields: Vec<FieldDef>) -> Result<(), SchemaError> {
        if !self.has_type(root) {
            self.insert(Definition::Object(ObjectDef::blank(root)));
        }
        let mut ext = ObjectDef::blank(root);
        ext.extend = true;
        ext.fields = fields;
        self.add_object_extension(ext)
    }

    pub fn add_query_fields(&mut self, fields: Vec<FieldDef>) -> Result<(), SchemaError> {
        let root = self.query.clone();
        self.add_root_fields(&root, fields)
    }

    pub fn add_mutation_fields(&mut self, fields: Vec<FieldDef>) -> Result<(), SchemaError> {
        let root = self.mutation.clone();
        self.add_root_fields(&root, fields)
    }

    pub fn add_subscription_fields(&mut self, fields: Vec<FieldDef>) -> Result<(), SchemaError> {
        let root = self.subscription.clone();
        self.add_root_fields(&root, fields)
    }

    /// `addDirectivesToField`: the field gets the directives it lacks and moves to the end of
    /// its type.
    pub fn add_directives_to_field(
        &mut self,
        type_name: &str,
        field_name: &str,
        directives: &[Directive],
    ) {
        let Some(Definition::Object(t)) = self.get_type_mut(type_name) else {
            return;
        };
        let Some(i) = t.fields.iter().position(|f| f.name == field_name) else {
            return;
        };
        let mut field = t.fields.remove(i);
        let new: Vec<Directive> = directives
            .iter()
            .filter(|d| !field.directives.iter().any(|o| o.name == d.name))
            .cloned()
            .collect();
        let mut seen: Vec<String> = Vec::new();
        for d in new {
            if !seen.contains(&d.name) {
                seen.push(d.name.clone());
                field.directives.push(d);
            }
        }
        t.fields.push(field);
    }

    /// `addDirectivesToOperation`: the field's directives, and the same on its return type.
    pub fn add_directives_to_operation(
        &mut self,
        type_name: &str,
        operation: &str,
        directives: &[Directive],
    ) -> Result<(), SchemaError> {
        self.add_directives_to_field(type_name, operation, directives);
        let return_type = self
            .get_object(type_name)
            .and_then(|t| t.field(operation))
            .and_then(|f| match &f.ty {
                crate::sdl::ast::TypeNode::Named(n) => Some(n.clone()),
                _ => None,
            });
        if let Some(rt) = return_type {
            self.extend_type_with_directives(&rt, directives)?;
        }
        Ok(())
    }

    /// Names of enum types, in output order.
    pub fn enum_names(&self) -> Vec<String> {
        self.nodes
            .iter()
            .flatten()
            .filter_map(|d| match d {
                Definition::Enum(e) => Some(e.name.clone()),
                _ => None,
            })
            .collect()
    }

    /// `buildSchema`: drop empty root types, strip directives AppSync does not know.
    pub fn build(mut self) -> Document {
        for root in ["Mutation", "Query", "Subscription"] {
            let empty = self.get_object(root).is_some_and(|o| o.fields.is_empty());
            if empty && let Some(i) = self.index.remove(root) {
                self.nodes[i] = None;
            }
        }
        let definitions = self
            .nodes
            .into_iter()
            .flatten()
            .map(strip_directives)
            .collect();
        Document { definitions }
    }
}

fn keep(ds: &mut Vec<Directive>) {
    ds.retain(|d| KEPT_DIRECTIVES.contains(&d.name.as_str()));
}

fn strip_directives(mut def: Definition) -> Definition {
    match &mut def {
        Definition::Object(o) => {
            keep(&mut o.directives);
            for f in &mut o.fields {
                keep(&mut f.directives);
                for a in &mut f.args {
                    keep(&mut a.directives);
                }
            }
        }
        Definition::InputObject(i) => {
            keep(&mut i.directives);
            for f in &mut i.fields {
                keep(&mut f.directives);
            }
        }
        Definition::Enum(e) => {
            keep(&mut e.directives);
            for v in &mut e.values {
                keep(&mut v.directives);
            }
        }
        Definition::Scalar(s) => keep(&mut s.directives),
        Definition::Union(u) => keep(&mut u.directives),
        Definition::Schema(_) => {}
    }
    def
}
