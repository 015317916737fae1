//! `@primaryKey` and `@index`: key arguments on get/list queries, index queries, key condition
//! inputs, and the key fields of the mutation inputs.

use super::Transform;
use super::inputs::logical_operator_fields;
use super::scalars::{is_scalar_name, key_condition_input, scalar_override};
use crate::SchemaError;
use crate::naming::{plural, to_camel_case, to_lower, to_upper};
use crate::sdl::ast::{
    Directive, FieldDef, InputObjectDef, InputValueDef, ObjectDef, TypeNode, Value,
};

/// One `@primaryKey` or `@index` (the plugins' `config`).
#[derive(Debug, Clone)]
pub(crate) struct KeyConfig {
    /// The type the directive is on, as in the input document.
    pub object: ObjectDef,
    pub field: FieldDef,
    pub sort_key_fields: Vec<String>,
    pub sort_key: Vec<FieldDef>,
    /// `@index` name (generated when absent); `None` for `@primaryKey`.
    pub name: Option<String>,
    /// `@index` query field; `None` when there is none. Always `None` for `@primaryKey`.
    pub query_field: Option<String>,
    pub is_index: bool,
    pub model_directive: Option<Directive>,
}

fn sort_key_fields(d: &Directive) -> Vec<String> {
    match d.arg("sortKeyFields") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::List(items)) => items
            .iter()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    }
}

/// `generateKeyAndQueryNameForConfig`: `postsByBlogIdAndPublishedAt`.
fn generated_index_name(object: &str, field: &str, sort_keys: &[String]) -> String {
    let parts: Vec<String> = std::iter::once(field.to_string())
        .chain(sort_keys.iter().cloned())
        .map(|p| to_upper(&p))
        .collect();
    format!("{}By{}", to_lower(&plural(object)), parts.join("And"))
}

impl Transform {
    fn key_config(
        &self,
        object: &ObjectDef,
        field: &FieldDef,
        d: &Directive,
        is_index: bool,
    ) -> Result<KeyConfig, SchemaError> {
        let what = if is_index { "@index" } else { "@primaryKey" };
        let err = |msg: String| SchemaError::at(d.pos, msg);
        let fields = sort_key_fields(d);
        if fields.contains(&field.name) {
            return Err(err(format!(
                "{what} field '{}' cannot reference itself.",
                field.name
            )));
        }
        let model_directive = object.directive("model").cloned();
        if model_directive.is_none() {
            return Err(err(format!(
                "The {what} directive may only be added to object definitions annotated with @model."
            )));
        }
        let enums = self.out.enum_names();
        let scalar_or_enum = |t: &TypeNode| {
            is_scalar_name(t.base_name()) || enums.iter().any(|e| e == t.base_name())
        };
        let (name, query_field) = if is_index {
            let name = match d.arg("name") {
                Some(Value::Null) => {
                    return Err(err(
                        "Explicit null value not allowed for name field on @index".into(),
                    ));
                }
                Some(v) => v.as_str().map(str::to_string).unwrap_or_default(),
                None => generated_index_name(&object.name, &field.name, &fields),
            };
            let valid = (3..=255).contains(&name.len())
                && name
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
            if !valid {
                return Err(err("The indexName is invalid. It should be between 3 and 255 characters. Only A–Z, a–z, 0–9, underscore characters, hyphens, and periods allowed.".into()));
            }
            let query_field = match d.arg("queryField") {
                Some(Value::Null) => None,
                Some(v) if v.as_str().is_some_and(|s| !s.is_empty()) => {
                    v.as_str().map(str::to_string)
                }
                _ => Some(generated_index_name(&object.name, &field.name, &fields)),
            };
            (Some(name), query_field)
        } else {
            if !field.ty.is_non_null() {
                return Err(err(format!(
                    "The primary key on type '{}' must reference non-null fields.",
                    object.name
                )));
            }
            (None, None)
        };
        if !scalar_or_enum(&field.ty) || field.ty.is_list() {
            return Err(err(if is_index {
                format!(
                    "Index '{}' on type '{}.{}' cannot be a non-scalar.",
                    name.clone().unwrap_or_default(),
                    object.name,
                    field.name
                )
            } else {
                format!(
                    "The primary key on type '{}.{}' cannot be a non-scalar.",
                    object.name, field.name
                )
            }));
        }
        let mut sort_key = Vec::new();
        for sk in &fields {
            let Some(sort_field) = object.field(sk) else {
                return Err(err(format!(
                    "Can't find field '{sk}' in {}, but it was specified in the {}.",
                    object.name,
                    if is_index { "index" } else { "primary key" }
                )));
            };
            if !scalar_or_enum(&sort_field.ty) || sort_field.ty.is_list() {
                return Err(err(format!(
                    "The sort key of {} on type '{}.{}' cannot be a non-scalar.",
                    what, object.name, sort_field.name
                )));
            }
            if !is_index && !sort_field.ty.is_non_null() {
                return Err(err(format!(
                    "The primary key on type '{}' must reference non-null fields.",
                    object.name
                )));
            }
            sort_key.push(sort_field.clone());
        }
        Ok(KeyConfig {
            object: object.clone(),
            field: field.clone(),
            sort_key_fields: fields,
            sort_key,
            name,
            query_field,
            is_index,
            model_directive,
        })
    }

    pub(super) fn primary_key_hooks(&mut self) -> Result<(), SchemaError> {
        let defs: Vec<ObjectDef> = self.input.objects().cloned().collect();
        for def in &defs {
            let mut seen = false;
            for f in &def.fields {
                for d in f.directives.iter().filter(|d| d.name == "primaryKey") {
                    if seen {
                        return Err(SchemaError::at(
                            d.pos,
                            format!(
                                "You may only supply one primary key on type '{}'.",
                                def.name
                            ),
                        ));
                    }
                    seen = true;
                    let config = self.key_config(def, f, d, false)?;
                    self.primary_keys.push(config);
                }
            }
        }
        Ok(())
    }

    pub(super) fn index_hooks(&mut self) -> Result<(), SchemaError> {
        let defs: Vec<ObjectDef> = self.input.objects().cloned().collect();
        for def in &defs {
            for f in &def.fields {
                for d in f.directives.iter().filter(|d| d.name == "index") {
                    self.index_field(def, f, d)?;
                }
            }
        }
        Ok(())
    }

    /// `IndexTransformer.field`.
    pub(super) fn index_field(
        &mut self,
        object: &ObjectDef,
        field: &FieldDef,
        d: &Directive,
    ) -> Result<(), SchemaError> {
        let config = self.key_config(object, field, d, true)?;
        for peer_field in &object.fields {
            for peer in &peer_field.directives {
                if std::ptr::eq(peer, d) {
                    continue;
                }
                // Only a list with items counts as sort keys here (a plain string does not).
                let has_sort_fields = matches!(
                    peer.arg("sortKeyFields"),
                    Some(Value::List(items)) if !items.is_empty()
                );
                if peer.name == "primaryKey" && !has_sort_fields && peer_field.name == field.name {
                    return Err(SchemaError::at(
                        d.pos,
                        format!(
                            "Invalid @index '{}'. You may not create an index where the partition key is the same as that of the primary key unless the primary key has a sort field. You cannot have a local secondary index without a sort key in the primary key.",
                            config.name.clone().unwrap_or_default()
                        ),
                    ));
                }
                let same_name = peer.arg("name").and_then(Value::as_str) == config.name.as_deref();
                if peer.name == "index" && config.name.is_some() && same_name {
                    return Err(SchemaError::at(
                        d.pos,
                        format!(
                            "You may only supply one @index with the name '{}' on type '{}'.",
                            config.name.clone().unwrap_or_default(),
                            object.name
                        ),
                    ));
                }
            }
        }
        self.indexes.push(config);
        Ok(())
    }

    /// `PrimaryKeyTransformer.transformSchema`.
    pub(super) fn primary_key_transform_schema(&mut self) -> Result<(), SchemaError> {
        for config in self.primary_keys.clone() {
            self.update_get_field(&config);
            self.update_list_field(&config)?;
            self.update_input_objects(&config);
            self.remove_auto_created_primary_key(&config);
            self.add_key_condition_inputs(&config)?;
            self.update_mutation_condition_input(&config);
        }
        Ok(())
    }

    /// `IndexTransformer.transformSchema`.
    pub(super) fn index_transform_schema(&mut self) -> Result<(), SchemaError> {
        for config in self.indexes.clone() {
            self.ensure_index_query_field(&config)?;
            self.add_key_condition_inputs(&config)?;
            self.update_mutation_condition_input(&config);
        }
        Ok(())
    }

    /// `lookupResolverName`: the model's (possibly renamed) get/list query, or `None` when it
    /// is disabled.
    fn lookup_resolver_name(&self, config: &KeyConfig, op: &str) -> Option<String> {
        let section = if matches!(op, "get" | "list" | "sync") {
            "queries"
        } else {
            "mutations"
        };
        let mut name = None;
        if let Some(md) = &config.model_directive {
            for (arg, value) in &md.args {
                let (true, Value::Object(fields)) = (arg == section, value) else {
                    continue;
                };
                for (k, v) in fields {
                    if k == op {
                        match v.as_str() {
                            Some(s) if !s.is_empty() => name = Some(s.to_string()),
                            _ => return None,
                        }
                    }
                }
            }
        }
        Some(name.unwrap_or_else(|| {
            let t = to_upper(&config.object.name);
            if matches!(op, "list" | "sync") {
                format!("{op}{}", plural(&t))
            } else {
                format!("{op}{t}")
            }
        }))
    }

    fn update_get_field(&mut self, config: &KeyConfig) {
        let Some(name) = self.lookup_resolver_name(config, "get") else {
            return;
        };
        let query = self.out.query.clone();
        let Some(q) = self.out.get_object_mut(&query) else {
            return;
        };
        if let Some(f) = q.fields.iter_mut().find(|f| f.name == name) {
            f.args = std::iter::once(&config.field)
                .chain(config.sort_key.iter())
                .map(|k| {
                    InputValueDef::new(
                        k.name.clone(),
                        TypeNode::non_null(TypeNode::named(k.ty.base_name())),
                    )
                })
                .collect();
        }
    }

    fn update_list_field(&mut self, config: &KeyConfig) -> Result<(), SchemaError> {
        let Some(name) = self.lookup_resolver_name(config, "list") else {
            return Ok(());
        };
        let hash = self.hash_field(config);
        let sort = self.sort_field(config)?;
        let query = self.out.query.clone();
        let Some(q) = self.out.get_object_mut(&query) else {
            return Ok(());
        };
        if let Some(f) = q.fields.iter_mut().find(|f| f.name == name) {
            let mut args = vec![hash];
            args.extend(sort);
            args.append(&mut f.args);
            args.push(InputValueDef::new(
                "sortDirection",
                TypeNode::named("ModelSortDirection"),
            ));
            f.args = args;
            self.out.add_enum_if_missing(crate::sdl::ast::EnumDef::new(
                "ModelSortDirection",
                &["ASC", "DESC"],
            ));
        }
        Ok(())
    }

    /// `createHashField`: required for index queries, optional on the list query.
    fn hash_field(&self, config: &KeyConfig) -> InputValueDef {
        let base = TypeNode::named(config.field.ty.base_name());
        let ty = if config.is_index {
            TypeNode::non_null(base)
        } else {
            base
        };
        InputValueDef::new(config.field.name.clone(), ty)
    }

    /// `tryAndCreateSortField`.
    fn sort_field(&self, config: &KeyConfig) -> Result<Option<InputValueDef>, SchemaError> {
        match config.sort_key.as_slice() {
            [] => Ok(None),
            [key] => {
                let base = key.ty.base_name();
                let resolved = if self.out.has_type(base) {
                    "String"
                } else {
                    base
                };
                Ok(Some(InputValueDef::new(
                    key.name.clone(),
                    TypeNode::named(key_condition_input(resolved)),
                )))
            }
            _ => {
                let key_name = to_upper(config.name.as_deref().unwrap_or("Primary"));
                Ok(Some(InputValueDef::new(
                    to_camel_case(&config.sort_key_fields),
                    TypeNode::named(format!(
                        "Model{}{key_name}CompositeKeyConditionInput",
                        config.object.name
                    )),
                )))
            }
        }
    }

    /// `updateInputObjects`: key fields of the create/update/delete inputs.
    fn update_input_objects(&mut self, config: &KeyConfig) {
        let (mut make_create, mut make_update, mut make_delete) = (true, true, true);
        if let Some(md) = &config.model_directive
            && let Some(arg) = md.arg("mutations")
        {
            match arg {
                Value::Null => (make_create, make_update, make_delete) = (false, false, false),
                Value::Object(fields) => {
                    for (op, v) in fields {
                        let on = !matches!(v, Value::Null)
                            && !matches!(v, Value::String(s) if s.is_empty())
                            && !matches!(v, Value::Boolean(false));
                        match op.as_str() {
                            "create" => make_create = on,
                            "update" => make_update = on,
                            "delete" => make_delete = on,
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        let t = &config.object.name;
        let schema_has_id = config.object.has_field("id");
        if !schema_has_id
            && make_create
            && let Some(input) = self
                .out
                .get_input_mut(&format!("Create{}Input", to_upper(t)))
        {
            input.fields.retain(|f| f.name != "id");
        }
        let keys: Vec<&FieldDef> = std::iter::once(&config.field)
            .chain(config.sort_key.iter())
            .collect();
        if make_update
            && let Some(input) = self
                .out
                .get_input_mut(&format!("Update{}Input", to_upper(t)))
        {
            input.fields.retain(|f| schema_has_id || f.name != "id");
            for f in &mut input.fields {
                if keys.iter().any(|k| k.name == f.name) {
                    let named = f.ty.with_base_name(f.ty.base_name());
                    *f = InputValueDef::new(f.name.clone(), TypeNode::non_null(named));
                } else if f.name == "id" {
                    let named = f.ty.with_base_name(f.ty.base_name());
                    *f = InputValueDef::new(f.name.clone(), named.unwrap_non_null().clone());
                }
            }
        }
        if make_delete
            && let Some(input) = self
                .out
                .get_input_mut(&format!("Delete{}Input", to_upper(t)))
        {
            let mut fields: Vec<InputValueDef> = keys
                .iter()
                .map(|k| {
                    InputValueDef::new(
                        k.name.clone(),
                        TypeNode::non_null(TypeNode::named(k.ty.base_name())),
                    )
                })
                .collect();
            let rest: Vec<InputValueDef> = input
                .fields
                .drain(..)
                .filter(|f| {
                    !(keys.iter().any(|k| k.name == f.name)
                        || (f.ty.base_name() == "ID" && f.name == "id"))
                })
                .collect();
            fields.extend(rest);
            input.fields = fields;
        }
    }

    /// `removeAutoCreatedPrimaryKey`.
    fn remove_auto_created_primary_key(&mut self, config: &KeyConfig) {
        if config.object.has_field("id") {
            return;
        }
        if let Some(o) = self.out.get_object_mut(&config.object.name) {
            o.fields.retain(|f| f.name != "id");
        }
    }

    /// `addKeyConditionInputs`.
    fn add_key_condition_inputs(&mut self, config: &KeyConfig) -> Result<(), SchemaError> {
        let t = &config.object.name;
        match config.sort_key.as_slice() {
            [] => Ok(()),
            [key] => {
                let base = key.ty.base_name();
                let resolved = if is_scalar_name(base) {
                    Some(base)
                } else if self.out.has_type(base) {
                    Some("String")
                } else {
                    None
                };
                let input = resolved
                    .and_then(scalar_key_condition_input)
                    .ok_or_else(|| {
                        SchemaError::invalid(format!(
                            "Sort Key Condition could not be constructed for field '{}'",
                            key.name
                        ))
                    })?;
                self.out.add_input_if_missing(input);
                Ok(())
            }
            keys => {
                let key_name = to_upper(config.name.as_deref().unwrap_or("Primary"));
                let composite = format!("Model{t}{key_name}CompositeKeyInput");
                let conditions: Vec<InputValueDef> =
                    ["eq", "le", "lt", "ge", "gt", "between", "beginsWith"]
                        .iter()
                        .map(|c| {
                            let named = TypeNode::named(composite.clone());
                            let ty = if *c == "between" {
                                TypeNode::list(named)
                            } else {
                                named
                            };
                            InputValueDef::new(*c, ty)
                        })
                        .collect();
                self.out.add_input_if_missing(InputObjectDef::new(
                    format!("Model{t}{key_name}CompositeKeyConditionInput"),
                    conditions,
                ));
                let last = keys.len() - 1;
                let fields = keys
                    .iter()
                    .enumerate()
                    .map(|(i, k)| {
                        let base = k.ty.base_name();
                        let name = match scalar_override(base) {
                            Some(o) if i == last => o,
                            _ => base,
                        };
                        InputValueDef::new(k.name.clone(), TypeNode::named(name))
                    })
                    .collect();
                self.out
                    .add_input_if_missing(InputObjectDef::new(composite, fields));
                Ok(())
            }
        }
    }

    /// `updateMutationConditionInput`: key fields cannot be conditions.
    fn update_mutation_condition_input(&mut self, config: &KeyConfig) {
        let name = format!("Model{}ConditionInput", config.object.name);
        let Some(input) = self.out.get_input_mut(&name) else {
            return;
        };
        let mut removed = vec!["id".to_string()];
        if config.name.is_none() {
            removed.push(config.field.name.clone());
            removed.extend(config.sort_key_fields.iter().cloned());
        }
        input.fields.retain(|f| !removed.contains(&f.name));
    }

    /// `ensureQueryField`: the index query.
    fn ensure_index_query_field(&mut self, config: &KeyConfig) -> Result<(), SchemaError> {
        let Some(query_field) = config.query_field.clone() else {
            return Ok(());
        };
        let t = config.object.name.clone();
        let entry = format!("{}:{query_field}", config.name.clone().unwrap_or_default());
        match self.index_queries.iter_mut().find(|(m, _)| *m == t) {
            Some((_, list)) => {
                if !list.contains(&entry) {
                    list.push(entry);
                }
            }
            None => self.index_queries.push((t.clone(), vec![entry])),
        }
        let mut args = vec![self.hash_field(config)];
        args.extend(self.sort_field(config)?);
        args.push(InputValueDef::new(
            "sortDirection",
            TypeNode::named("ModelSortDirection"),
        ));
        let directives = if config.object.has_directive("auth") {
            Vec::new()
        } else {
            self.default_service_directives()
        };
        args.push(InputValueDef::new(
            "filter",
            TypeNode::named(super::scalars::model_filter_input(&t)),
        ));
        args.push(InputValueDef::new("limit", TypeNode::named("Int")));
        args.push(InputValueDef::new("nextToken", TypeNode::named("String")));
        let field = FieldDef::new(
            query_field,
            args,
            TypeNode::named(format!("Model{t}Connection")),
        )
        .with_directives(directives);
        self.out.add_query_fields(vec![field])?;
        self.out.add_enum_if_missing(crate::sdl::ast::EnumDef::new(
            "ModelSortDirection",
            &["ASC", "DESC"],
        ));
        let mut inputs = self.enum_filter_inputs(&config.object);
        inputs.push(self.key_filter_input(&config.object));
        for input in inputs {
            self.out.add_input_if_missing(input);
        }
        self.ensure_connection_type(&t)
    }

    /// The index plugin's `makeModelXFilterInputObject` (from the input type's fields).
    fn key_filter_input(&self, object: &ObjectDef) -> InputObjectDef {
        let name = super::scalars::model_filter_input(&object.name);
        let mut fields: Vec<InputValueDef> = object
            .fields
            .iter()
            .filter_map(|f| {
                let base = f.ty.base_name();
                let is_enum = self.out.is_enum(base);
                if !(is_scalar_name(base) || is_enum) {
                    return None;
                }
                let ty = if is_enum && f.ty.is_list() {
                    super::scalars::filter_list_input(base, false)
                } else {
                    super::scalars::filter_scalar_input(base, false, false)
                };
                Some(InputValueDef::new(f.name.clone(), TypeNode::named(ty)))
            })
            .collect();
        fields.extend(logical_operator_fields(&name));
        InputObjectDef::new(name, fields)
    }
}

/// `makeModelScalarKeyConditionInputObject` for the four key scalars.
pub(super) fn scalar_key_condition_input(scalar: &str) -> Option<InputObjectDef> {
    let name = key_condition_input(scalar);
    let base = scalar_override(scalar).unwrap_or(scalar);
    let conditions: &[&str] = match base {
        "String" | "ID" => &["eq", "le", "lt", "ge", "gt", "between", "beginsWith"],
        "Int" | "Float" => &["eq", "le", "lt", "ge", "gt", "between"],
        _ => return None,
    };
    let fields = conditions
        .iter()
        .map(|c| {
            let ty = if *c == "between" {
                TypeNode::list(TypeNode::named(base))
            } else {
                TypeNode::named(base)
            };
            InputValueDef::new(*c, ty)
        })
        .collect();
    Some(InputObjectDef::new(name, fields))
}
