//! The input types of model operations: scalar filter/condition inputs, `Model*FilterInput`,
//! `Model*ConditionInput`, `ModelSubscription*FilterInput`, `Create/Update/Delete*Input`,
//! inputs for non-model types, and `Model*Connection`.

use super::Transform;
use super::config::ModelConfig;
use super::scalars::{filter_list_input, filter_scalar_input, is_scalar_name};
use crate::SchemaError;
use crate::naming::{graphql_name, to_upper};
use crate::sdl::ast::{
    Definition, EnumDef, FieldDef, InputObjectDef, InputValueDef, ObjectDef, TypeNode,
};

const STRING_CONDITIONS: &[&str] = &[
    "ne",
    "eq",
    "le",
    "lt",
    "ge",
    "gt",
    "contains",
    "notContains",
    "between",
    "beginsWith",
];
const INT_CONDITIONS: &[&str] = &["ne", "eq", "le", "lt", "ge", "gt", "between"];
const BOOLEAN_CONDITIONS: &[&str] = &["ne", "eq"];
const SUBSCRIPTION_STRING_CONDITIONS: &[&str] = &[
    "ne",
    "eq",
    "le",
    "lt",
    "ge",
    "gt",
    "contains",
    "notContains",
    "between",
    "beginsWith",
    "in",
    "notIn",
];
const SUBSCRIPTION_INT_CONDITIONS: &[&str] =
    &["ne", "eq", "le", "lt", "ge", "gt", "between", "in", "notIn"];
const ATTRIBUTE_TYPES: &[&str] = &[
    "binary",
    "binarySet",
    "bool",
    "list",
    "map",
    "number",
    "numberSet",
    "string",
    "stringSet",
    "_null",
];

fn nullable(name: impl Into<String>) -> TypeNode {
    TypeNode::named(name)
}

fn list_of(name: impl Into<String>) -> TypeNode {
    TypeNode::list(TypeNode::named(name))
}

/// The `and: [Name]`, `or: [Name]`, `not: Name` fields that close a filter input `Name`.
pub(super) fn logical_operator_fields(name: &str) -> [InputValueDef; 3] {
    [
        InputValueDef::new("and", list_of(name)),
        InputValueDef::new("or", list_of(name)),
        InputValueDef::new("not", nullable(name)),
    ]
}

/// `makeModelScalarFilterInputObject(type, true, isSubscription)`.
fn scalar_filter_input(scalar: &str, subscription: bool) -> InputObjectDef {
    let name = filter_scalar_input(scalar, false, subscription);
    let conditions = match (scalar, subscription) {
        ("String" | "ID", false) => STRING_CONDITIONS,
        ("String" | "ID", true) => SUBSCRIPTION_STRING_CONDITIONS,
        ("Int" | "Float", false) => INT_CONDITIONS,
        ("Int" | "Float", true) => SUBSCRIPTION_INT_CONDITIONS,
        _ => BOOLEAN_CONDITIONS,
    };
    let mut fields: Vec<InputValueDef> = conditions
        .iter()
        .map(|c| {
            let ty = if matches!(*c, "between" | "in" | "notIn") {
                list_of(scalar)
            } else {
                nullable(scalar)
            };
            InputValueDef::new(*c, ty)
        })
        .collect();
    if !subscription {
        fields.push(InputValueDef::new("attributeExists", nullable("Boolean")));
        fields.push(InputValueDef::new(
            "attributeType",
            nullable("ModelAttributeTypes"),
        ));
        if matches!(scalar, "String" | "ID") {
            fields.push(InputValueDef::new("size", nullable("ModelSizeInput")));
        }
    }
    InputObjectDef::new(name, fields)
}

impl Transform {
    /// `addModelConditionInputs`: the scalar filter inputs, `ModelAttributeTypes`,
    /// `ModelSizeInput`.
    pub(super) fn add_model_condition_inputs(&mut self) {
        let scalars = ["String", "Int", "Float", "Boolean", "ID"];
        let mut defs: Vec<Definition> = scalars
            .iter()
            .map(|s| Definition::InputObject(scalar_filter_input(s, false)))
            .collect();
        defs.extend(
            scalars
                .iter()
                .map(|s| Definition::InputObject(scalar_filter_input(s, true))),
        );
        defs.push(Definition::Enum(EnumDef::new(
            "ModelAttributeTypes",
            ATTRIBUTE_TYPES,
        )));
        defs.push(Definition::InputObject(InputObjectDef::new(
            "ModelSizeInput",
            INT_CONDITIONS
                .iter()
                .map(|c| {
                    let ty = if *c == "between" {
                        list_of("Int")
                    } else {
                        nullable("Int")
                    };
                    InputValueDef::new(*c, ty)
                })
                .collect(),
        )));
        for def in defs {
            self.out.add_if_missing(def);
        }
    }

    /// `createEnumModelFilters`: `Model<Enum>Input` / `Model<Enum>ListInput` for enum fields.
    pub(super) fn enum_filter_inputs(&self, def: &ObjectDef) -> Vec<InputObjectDef> {
        def.fields
            .iter()
            .filter(|f| self.out.is_enum(f.ty.base_name()))
            .map(|f| {
                let base = f.ty.base_name();
                let list = f.ty.is_nullable_list();
                let name = if list {
                    filter_list_input(base, false)
                } else {
                    filter_scalar_input(base, false, false)
                };
                let item = |wrap_list: bool| {
                    if wrap_list {
                        list_of(base)
                    } else {
                        nullable(base)
                    }
                };
                let mut fields = vec![
                    InputValueDef::new("eq", item(list)),
                    InputValueDef::new("ne", item(list)),
                ];
                if list {
                    fields.push(InputValueDef::new("contains", item(false)));
                    fields.push(InputValueDef::new("notContains", item(false)));
                }
                InputObjectDef::new(name, fields)
            })
            .collect()
    }

    /// The per-field part of `makeConditionFilterInput`.
    fn condition_fields(&self, def: &ObjectDef) -> Vec<InputValueDef> {
        def.fields
            .iter()
            .filter_map(|f| {
                let base = f.ty.base_name();
                let is_enum = self.out.is_enum(base);
                if !(is_scalar_name(base) || is_enum) {
                    return None;
                }
                let ty = if is_enum && f.ty.is_nullable_list() {
                    filter_list_input(base, false)
                } else {
                    filter_scalar_input(base, false, false)
                };
                Some(InputValueDef::new(f.name.clone(), nullable(ty)))
            })
            .collect()
    }

    /// `Model<T>FilterInput` (`makeListQueryFilterInput`).
    pub(super) fn list_filter_input(&self, name: &str, def: &ObjectDef) -> InputObjectDef {
        let mut fields = self.condition_fields(def);
        fields.extend(logical_operator_fields(name));
        InputObjectDef::new(name, fields)
    }

    /// `Model<T>ConditionInput` (`makeMutationConditionInput`).
    pub(super) fn mutation_condition_input(
        &self,
        name: &str,
        def: &ObjectDef,
        config: &ModelConfig,
    ) -> InputObjectDef {
        let mut input = self.list_filter_input(name, def);
        if let Some(i) = input
            .fields
            .iter()
            .position(|f| f.name == "id" && f.ty.base_name() == "ModelIDInput")
        {
            input.fields.remove(i);
        }
        if !config.timestamps_null() {
            let mut names: Vec<(String, Option<String>)> = vec![
                ("createdAt".to_string(), Some("createdAt".to_string())),
                ("updatedAt".to_string(), Some("updatedAt".to_string())),
            ];
            for (k, v) in config.timestamp_entries() {
                match names.iter_mut().find(|(n, _)| *n == k) {
                    Some(entry) => entry.1 = v,
                    None => names.push((k, v)),
                }
            }
            for ts in names.into_iter().filter_map(|(_, v)| v) {
                if !ts.is_empty() && !input.has_field(&ts) {
                    input
                        .fields
                        .push(InputValueDef::new(ts, nullable("ModelStringInput")));
                }
            }
        }
        input
    }

    /// `ModelSubscription<T>FilterInput` (`makeSubscriptionFilterInput`).
    pub(super) fn subscription_filter_input(&self, name: &str, def: &ObjectDef) -> InputObjectDef {
        let mut fields: Vec<InputValueDef> = def
            .fields
            .iter()
            .filter_map(|f| {
                let base = f.ty.base_name();
                let is_enum = self.out.is_enum(base);
                if !(is_scalar_name(base) || is_enum) {
                    return None;
                }
                let scalar = if is_enum { "String" } else { base };
                Some(InputValueDef::new(
                    f.name.clone(),
                    nullable(filter_scalar_input(scalar, false, true)),
                ))
            })
            .collect();
        fields.push(InputValueDef::new("and", list_of(name)));
        fields.push(InputValueDef::new("or", list_of(name)));
        InputObjectDef::new(name, fields)
    }

    /// `InputObjectDefinitionWrapper.fromObject`.
    pub(super) fn input_from_object(&self, name: &str, def: &ObjectDef) -> InputObjectDef {
        let is_model = def.has_directive("model");
        let fields = def
            .fields
            .iter()
            .map(|f| InputValueDef::new(f.name.clone(), self.input_field_type(f, is_model)))
            .collect();
        InputObjectDef::new(name, fields)
    }

    /// `InputFieldWrapper.fromField`: model `id`/timestamps lose their `!`; non-scalar,
    /// non-enum types become `<Type>Input`.
    fn input_field_type(&self, f: &FieldDef, parent_is_model: bool) -> TypeNode {
        let unwrapped = f.ty.unwrap_non_null();
        let auto = match f.name.as_str() {
            "id" => &["ID"][..],
            "createdAt" | "updatedAt" => &["AWSDateTime", "String"][..],
            _ => &[][..],
        };
        if parent_is_model
            && let TypeNode::Named(n) = unwrapped
            && auto.contains(&n.as_str())
        {
            return unwrapped.clone();
        }
        let base = f.ty.base_name();
        if is_scalar_name(base) || self.input.is_enum(base) {
            f.ty.clone()
        } else {
            f.ty.with_base_name(&graphql_name(&format!("{}Input", to_upper(base))))
        }
    }

    fn without_model_fields(&self, def: &ObjectDef) -> ObjectDef {
        let mut d = def.clone();
        d.fields.retain(|f| !self.is_model(f.ty.base_name()));
        d
    }

    /// `Create<T>Input` (`makeCreateInputField`).
    pub(super) fn create_input(&self, def: &ObjectDef, config: &ModelConfig) -> InputObjectDef {
        let name = graphql_name(&format!("Create{}Input", to_upper(&def.name)));
        let id_field = def.field("id");
        let autogenerate_id = id_field.is_some_and(|f| matches!(f.ty.base_name(), "ID" | "String"));
        let mut input = self.input_from_object(&name, &self.without_model_fields(def));
        if id_field.is_none() {
            input.fields.push(InputValueDef::new("id", nullable("ID")));
        } else if autogenerate_id && let Some(f) = input.fields.iter_mut().find(|f| f.name == "id")
        {
            f.ty = f.ty.unwrap_non_null().clone();
        }
        make_timestamps_nullable(&mut input, config);
        input
    }

    /// `Update<T>Input` (`makeUpdateInputField`).
    pub(super) fn update_input(&self, def: &ObjectDef, config: &ModelConfig) -> InputObjectDef {
        let name = format!("Update{}Input", to_upper(&def.name));
        let mut input = self.input_from_object(&name, &self.without_model_fields(def));
        for f in &mut input.fields {
            f.ty = f.ty.unwrap_non_null().clone();
        }
        if !def.has_field("id") {
            input.fields.push(InputValueDef::new(
                "id",
                TypeNode::non_null(TypeNode::named("ID")),
            ));
        } else if let Some(f) = input.fields.iter_mut().find(|f| f.name == "id") {
            f.ty = TypeNode::non_null(f.ty.clone());
        }
        make_timestamps_nullable(&mut input, config);
        input
    }

    /// `Delete<T>Input` (`makeDeleteInputField`).
    pub(super) fn delete_input(&self, def: &ObjectDef) -> InputObjectDef {
        InputObjectDef::new(
            format!("Delete{}Input", to_upper(&def.name)),
            vec![InputValueDef::new(
                "id",
                TypeNode::non_null(TypeNode::named("ID")),
            )],
        )
    }

    /// `createNonModelInputs`: `<Type>Input` for every non-model object type a model uses,
    /// recursively.
    pub(super) fn create_non_model_inputs(&mut self, def: &ObjectDef) -> Result<(), SchemaError> {
        for f in &def.fields {
            let base = f.ty.base_name();
            if is_scalar_name(base) {
                continue;
            }
            let Some(nested) = self.out.get_object(base).cloned() else {
                continue;
            };
            if self.is_model(&nested.name) {
                continue;
            }
            let name = graphql_name(&format!("{}Input", to_upper(&nested.name)));
            if !self.out.has_type(&name) {
                let input = self.input_from_object(&name, &nested);
                self.out.add(Definition::InputObject(input))?;
                self.create_non_model_inputs(&nested)?;
            }
        }
        Ok(())
    }

    /// `Model<T>Connection` as the model transformer makes it (`makeListQueryModel`).
    pub(super) fn ensure_list_connection(
        &mut self,
        type_name: &str,
    ) -> Result<String, SchemaError> {
        let name = format!("Model{type_name}Connection");
        if self.out.get_object(&name).is_none() {
            let mut conn = ObjectDef::blank(name.clone());
            conn.fields = vec![
                FieldDef::new(
                    "items",
                    vec![],
                    TypeNode::non_null(TypeNode::list(TypeNode::named(type_name))),
                ),
                FieldDef::new("nextToken", vec![], nullable("String")),
            ];
            self.out.add(Definition::Object(conn))?;
        }
        Ok(name)
    }

    /// `Model<T>Connection` as the index and relational transformers make it (blank type,
    /// then an extension with `items` and `nextToken`).
    pub(super) fn ensure_connection_type(&mut self, type_name: &str) -> Result<(), SchemaError> {
        let name = format!("Model{type_name}Connection");
        if self.out.has_type(&name) {
            return Ok(());
        }
        self.out
            .add(Definition::Object(ObjectDef::blank(name.clone())))?;
        let mut ext = ObjectDef::blank(name);
        ext.extend = true;
        ext.fields = vec![
            FieldDef::new(
                "items",
                vec![],
                TypeNode::non_null(TypeNode::list(TypeNode::named(type_name))),
            ),
            FieldDef::new("nextToken", vec![], nullable("String")),
        ];
        self.out.add_object_extension(ext)
    }
}

fn make_timestamps_nullable(input: &mut InputObjectDef, config: &ModelConfig) {
    for ts in config.timestamp_values().into_iter().flatten() {
        if let Some(f) = input.fields.iter_mut().find(|f| f.name == ts)
            && matches!(f.ty.base_name(), "String" | "AWSDateTime")
        {
            f.ty = f.ty.unwrap_non_null().clone();
        }
    }
}
