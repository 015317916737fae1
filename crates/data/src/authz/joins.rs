//! The join models `@manyToMany` creates (`graphql-many-to-many-transformer`): they carry the
//! rules of both sides, and the auth transformer treats them like any other model.

use stratus_spec::data::{DataSchema, Field, Model, ModelDirective, RelationKind, TypeRef};

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

fn upper_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn field(name: String, ty: &str) -> Field {
    Field {
        name,
        ty: TypeRef {
            name: ty.to_string(),
            required: true,
            list: None,
        },
        arguments: vec![],
        default: None,
        relation: None,
        auth: vec![],
        aws_auth: vec![],
        validations: vec![],
    }
}

fn key_type(model: &Model, key: &str) -> String {
    model
        .fields
        .iter()
        .find(|f| f.name == key)
        .map(|f| f.ty.name.clone())
        .unwrap_or_else(|| "ID".to_string())
}

/// Join models of every `@manyToMany(relationName:)` pair, in the order the relations first
/// appear. Fields: `id`, `<a>Id`, `<a><sortKey>`..., `<b>Id`, ..., `<a>`, `<b>`.
pub fn join_models(schema: &DataSchema) -> Vec<Model> {
    let mut relations: Vec<(String, Vec<&Model>)> = Vec::new();
    for model in &schema.models {
        for f in &model.fields {
            let Some(rel) = &f.relation else { continue };
            let (RelationKind::ManyToMany, Some(name)) = (&rel.kind, &rel.relation_name) else {
                continue;
            };
            match relations.iter_mut().find(|(n, _)| n == name) {
                Some((_, sides)) => sides.push(model),
                None => relations.push((name.clone(), vec![model])),
            }
        }
    }
    let mut out = Vec::new();
    for (name, sides) in relations {
        let [a, b] = sides.as_slice() else { continue };
        if schema.models.iter().any(|m| m.name == name) {
            continue;
        }
        let mut fields = vec![field("id".into(), "ID")];
        for side in [a, b] {
            let lower = lower_first(&side.name);
            let pk = side.primary_key.first().map(String::as_str).unwrap_or("id");
            fields.push(field(
                format!("{lower}{}", upper_first(pk)),
                &key_type(side, pk),
            ));
            for sk in side.primary_key.iter().skip(1) {
                fields.push(field(format!("{lower}{sk}"), &key_type(side, sk)));
            }
        }
        fields.push(field(lower_first(&a.name), &a.name));
        fields.push(field(lower_first(&b.name), &b.name));
        out.push(Model {
            name,
            fields,
            model: ModelDirective::default(),
            primary_key: vec!["id".into()],
            indexes: vec![],
            auth: a.auth.iter().chain(b.auth.iter()).cloned().collect(),
            aws_auth: vec![],
            refers_to: None,
        });
    }
    out
}
