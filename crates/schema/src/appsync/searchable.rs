//! `@searchable`: the `search<Models>` query, `Searchable<Model>Connection`, the aggregate result
//! types, and the OpenSearch filter/sort/aggregation inputs.

use super::Transform;
use super::inputs::logical_operator_fields;
use super::scalars::{is_scalar_name, scalar_override};
use crate::SchemaError;
use crate::naming::{graphql_name, plural, to_upper};
use crate::sdl::ast::{
    Definition, Directive, EnumDef, FieldDef, InputObjectDef, InputValueDef, ObjectDef, TypeNode,
    UnionDef, Value,
};

/// The aggregate types the auth plugin gives the searchable models' directives.
pub(super) const AGGREGATE_TYPES: &[&str] = &[
    "SearchableAggregateResult",
    "SearchableAggregateScalarResult",
    "SearchableAggregateBucketResult",
    "SearchableAggregateBucketResultItem",
];

const STRING_CONDITIONS: &[&str] = &[
    "ne",
    "gt",
    "lt",
    "gte",
    "lte",
    "eq",
    "match",
    "matchPhrase",
    "matchPhrasePrefix",
    "multiMatch",
    "exists",
    "wildcard",
    "regexp",
    "range",
];
const NUMBER_CONDITIONS: &[&str] = &["ne", "gt", "lt", "gte", "lte", "eq", "range"];
const BOOLEAN_CONDITIONS: &[&str] = &["eq", "ne"];

/// `SearchableResourceIDs.SearchableFilterInputTypeName`.
fn filter_input_name(name: &str) -> String {
    format!(
        "Searchable{}FilterInput",
        scalar_override(name).unwrap_or(name)
    )
}

fn named(n: impl Into<String>) -> TypeNode {
    TypeNode::named(n)
}

/// The `search<Models>` field name (`@searchable(queries: {search:})`), `None` when disabled.
pub(super) fn search_field_name(def: &ObjectDef, d: &Directive) -> Option<String> {
    match d.arg("queries") {
        Some(Value::Object(fields)) => fields
            .iter()
            .find(|(k, _)| k == "search")
            .and_then(|(_, v)| v.as_str())
            .filter(|s| !s.is_empty())
            .map(str::to_string),
        None | Some(Value::Null) | Some(Value::Boolean(false)) => Some(graphql_name(&format!(
            "search{}",
            plural(&to_upper(&def.name))
        ))),
        Some(_) => None,
    }
}

fn scalar_filter_input(scalar: &str) -> InputObjectDef {
    let conditions = match scalar {
        "String" | "ID" => STRING_CONDITIONS,
        "Int" | "Float" => NUMBER_CONDITIONS,
        _ => BOOLEAN_CONDITIONS,
    };
    InputObjectDef::new(
        filter_input_name(scalar),
        conditions
            .iter()
            .map(|c| {
                let ty = match *c {
                    "range" => TypeNode::list(named(scalar)),
                    "exists" => named("Boolean"),
                    _ => named(scalar),
                };
                InputValueDef::new(*c, ty)
            })
            .collect(),
    )
}

fn enum_values(name: String, values: Vec<String>) -> EnumDef {
    let refs: Vec<&str> = values.iter().map(String::as_str).collect();
    EnumDef::new(name, &refs)
}

impl Transform {
    /// `SearchableModelTransformer.object` for every `@searchable` type.
    pub(super) fn searchable_hooks(&mut self) -> Result<(), SchemaError> {
        let defs: Vec<ObjectDef> = self
            .input
            .objects()
            .filter(|o| !o.extend)
            .cloned()
            .collect();
        for def in defs {
            for d in def.directives.iter().filter(|d| d.name == "searchable") {
                if !def.has_directive("model") {
                    return Err(SchemaError::at(
                        d.pos,
                        "Types annotated with @searchable must also be annotated with @model.",
                    ));
                }
                let Some(field_name) = search_field_name(&def, d) else {
                    continue;
                };
                self.searchable_models.push(def.name.clone());
                self.searchable_connection(&def.name)?;
                self.searchable_aggregate_types()?;
                let directives = if def.has_directive("auth") {
                    Vec::new()
                } else {
                    self.default_service_directives()
                };
                let t = &def.name;
                let field = FieldDef::new(
                    field_name,
                    vec![
                        InputValueDef::new("filter", named(format!("Searchable{t}FilterInput"))),
                        InputValueDef::new(
                            "sort",
                            TypeNode::list(named(format!("Searchable{t}SortInput"))),
                        ),
                        InputValueDef::new("limit", named("Int")),
                        InputValueDef::new("nextToken", named("String")),
                        InputValueDef::new("from", named("Int")),
                        InputValueDef::new(
                            "aggregates",
                            TypeNode::list(named(format!("Searchable{t}AggregationInput"))),
                        ),
                    ],
                    named(format!("Searchable{t}Connection")),
                )
                .with_directives(directives);
                self.out.add_query_fields(vec![field])?;
            }
        }
        Ok(())
    }

    fn blank_with_fields(
        &mut self,
        name: &str,
        fields: Vec<FieldDef>,
    ) -> Result<bool, SchemaError> {
        if self.out.has_type(name) {
            return Ok(false);
        }
        self.out.add(Definition::Object(ObjectDef::blank(name)))?;
        let mut ext = ObjectDef::blank(name);
        ext.extend = true;
        ext.fields = fields;
        self.out.add_object_extension(ext)?;
        Ok(true)
    }

    fn searchable_connection(&mut self, model: &str) -> Result<(), SchemaError> {
        self.blank_with_fields(
            &format!("Searchable{model}Connection"),
            vec![
                FieldDef::new(
                    "items",
                    vec![],
                    TypeNode::non_null(TypeNode::list(named(model))),
                ),
                FieldDef::new("nextToken", vec![], named("String")),
                FieldDef::new("total", vec![], named("Int")),
                FieldDef::new(
                    "aggregateItems",
                    vec![],
                    TypeNode::non_null(TypeNode::list(named("SearchableAggregateResult"))),
                ),
            ],
        )
        .map(|_| ())
    }

    fn searchable_aggregate_types(&mut self) -> Result<(), SchemaError> {
        self.blank_with_fields(
            "SearchableAggregateResult",
            vec![
                FieldDef::new("name", vec![], TypeNode::non_null(named("String"))),
                FieldDef::new("result", vec![], named("SearchableAggregateGenericResult")),
            ],
        )?;
        if self.out.has_type("SearchableAggregateGenericResult") {
            return Ok(());
        }
        self.blank_with_fields(
            "SearchableAggregateScalarResult",
            vec![FieldDef::new(
                "value",
                vec![],
                TypeNode::non_null(named("Float")),
            )],
        )?;
        if !self.out.has_type("SearchableAggregateBucketResult") {
            self.out.add(Definition::Object(ObjectDef::blank(
                "SearchableAggregateBucketResult",
            )))?;
            self.blank_with_fields(
                "SearchableAggregateBucketResultItem",
                vec![
                    FieldDef::new("key", vec![], TypeNode::non_null(named("String"))),
                    FieldDef::new("doc_count", vec![], TypeNode::non_null(named("Int"))),
                ],
            )?;
            let mut ext = ObjectDef::blank("SearchableAggregateBucketResult");
            ext.extend = true;
            ext.fields = vec![FieldDef::new(
                "buckets",
                vec![],
                TypeNode::list(named("SearchableAggregateBucketResultItem")),
            )];
            self.out.add_object_extension(ext)?;
        }
        self.out.add(Definition::Union(UnionDef {
            name: "SearchableAggregateGenericResult".into(),
            description: None,
            directives: Vec::new(),
            types: vec![
                "SearchableAggregateScalarResult".into(),
                "SearchableAggregateBucketResult".into(),
            ],
            extend: false,
            pos: Default::default(),
        }))
    }

    /// `SearchableModelTransformer.transformSchema`.
    pub(super) fn searchable_transform_schema(&mut self) -> Result<(), SchemaError> {
        for model in self.searchable_models.clone() {
            let def = self.output_object(&model)?.clone();
            self.searchable_inputs(&def)?;
        }
        if !self.searchable_models.is_empty()
            && self.sandbox
            && self.default_mode != stratus_spec::data::AuthMode::ApiKey
        {
            for t in AGGREGATE_TYPES {
                let has = self
                    .out
                    .get_object(t)
                    .is_some_and(|o| o.has_directive("aws_api_key"));
                if !has {
                    self.out
                        .extend_type_with_directives(t, &[Directive::new("aws_api_key")])?;
                }
            }
        }
        Ok(())
    }

    /// `generateSearchableInputs`.
    fn searchable_inputs(&mut self, def: &ObjectDef) -> Result<(), SchemaError> {
        for scalar in ["String", "Int", "Float", "Boolean", "ID"] {
            if !self.out.has_type(&filter_input_name(scalar)) {
                self.out
                    .add(Definition::InputObject(scalar_filter_input(scalar)))?;
            }
        }
        let t = &def.name;
        let name = filter_input_name(t);
        let scalar_fields = def
            .fields
            .iter()
            .filter(|f| is_scalar_name(f.ty.base_name()));
        let enum_fields = def
            .fields
            .iter()
            .filter(|f| self.input.is_enum(f.ty.base_name()));
        let mut fields: Vec<InputValueDef> = scalar_fields
            .map(|f| InputValueDef::new(f.name.clone(), named(filter_input_name(f.ty.base_name()))))
            .collect();
        fields.extend(
            enum_fields
                .map(|f| InputValueDef::new(f.name.clone(), named(filter_input_name("String")))),
        );
        fields.extend(logical_operator_fields(&name));
        self.out
            .add_input_if_missing(InputObjectDef::new(name, fields));
        self.out
            .add_enum_if_missing(EnumDef::new("SearchableSortDirection", &["asc", "desc"]));
        let sortable: Vec<String> = def
            .fields
            .iter()
            .filter(|f| is_scalar_name(f.ty.base_name()))
            .map(|f| f.name.clone())
            .collect();
        self.out.add_enum_if_missing(enum_values(
            graphql_name(&format!("Searchable{t}SortableFields")),
            sortable,
        ));
        self.out.add_input_if_missing(InputObjectDef::new(
            graphql_name(&format!("Searchable{t}SortInput")),
            vec![
                InputValueDef::new("field", named(format!("Searchable{t}SortableFields"))),
                InputValueDef::new("direction", named("SearchableSortDirection")),
            ],
        ));
        self.out.add_enum_if_missing(EnumDef::new(
            "SearchableAggregateType",
            &["terms", "avg", "min", "max", "sum", "cardinality"],
        ));
        let aggregatable: Vec<String> = def
            .fields
            .iter()
            .filter(|f| is_scalar_name(f.ty.base_name()) || self.input.is_enum(f.ty.base_name()))
            .map(|f| f.name.clone())
            .collect();
        self.out.add_enum_if_missing(enum_values(
            graphql_name(&format!("Searchable{t}AggregateField")),
            aggregatable,
        ));
        self.out.add_input_if_missing(InputObjectDef::new(
            graphql_name(&format!("Searchable{t}AggregationInput")),
            vec![
                InputValueDef::new("name", TypeNode::non_null(named("String"))),
                InputValueDef::new("type", TypeNode::non_null(named("SearchableAggregateType"))),
                InputValueDef::new(
                    "field",
                    TypeNode::non_null(named(format!("Searchable{t}AggregateField"))),
                ),
            ],
        ));
        Ok(())
    }
}
