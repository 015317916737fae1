//! Models the transformers generate beside the declared ones, which the auth transformer
//! treats like any other model: `@manyToMany` join models (carrying the rules of both sides)
//! and the conversation/message models of `@conversation` routes (owner rule).

use stratus_spec::data::{
    AuthProvider, AuthRule, AuthStrategy, DataSchema, Field, Model, ModelDirective, ModelOps,
    RelationKind, TypeRef,
};

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
    typed_field(name, ty, true, None)
}

fn typed_field(name: String, ty: &str, required: bool, list: Option<bool>) -> Field {
    Field {
        name,
        ty: TypeRef {
            name: ty.to_string(),
            required,
            list,
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
        let auth = a.auth.iter().chain(b.auth.iter()).cloned().collect();
        out.push(generated_model(name, fields, auth));
    }
    out
}

fn generated_model(name: String, fields: Vec<Field>, auth: Vec<AuthRule>) -> Model {
    Model {
        name,
        fields,
        model: ModelDirective::default(),
        primary_key: vec!["id".into()],
        indexes: vec![],
        auth,
        aws_auth: vec![],
        refers_to: None,
    }
}

/// The two models of every `@conversation` mutation `x`: `ConversationX` and
/// `ConversationMessageX`, both `{allow: owner, ownerField: "owner"}`.
pub fn conversation_models(schema: &DataSchema) -> Vec<Model> {
    let owner = AuthRule {
        allow: AuthStrategy::Owner,
        provider: Some(AuthProvider::UserPools),
        operations: None,
        owner_field: Some("owner".into()),
        identity_claim: None,
        groups: None,
        groups_field: None,
        group_claim: None,
    };
    let mut out = Vec::new();
    for op in &schema.mutations {
        if !op
            .other_directives
            .iter()
            .any(|d| d.trim_start().starts_with("@conversation"))
        {
            continue;
        }
        let upper = upper_first(&op.name);
        let conversation = format!("Conversation{upper}");
        let message = format!("ConversationMessage{upper}");
        let opt = |n: &str, t: &str| typed_field(n.into(), t, false, None);
        out.push(generated_model(
            conversation.clone(),
            vec![
                field("id".into(), "ID"),
                opt("name", "String"),
                opt("metadata", "AWSJSON"),
                typed_field("messages".into(), &message, false, Some(false)),
            ],
            vec![owner.clone()],
        ));
        let mut message_model = generated_model(
            message,
            vec![
                field("id".into(), "ID"),
                field("conversationId".into(), "ID"),
                opt("conversation", &conversation),
                opt("role", "AmplifyAIConversationParticipantRole"),
                typed_field(
                    "content".into(),
                    "AmplifyAIContentBlock",
                    false,
                    Some(false),
                ),
                opt("aiContext", "AWSJSON"),
                opt("toolConfiguration", "AmplifyAIToolConfiguration"),
                opt("associatedUserMessageId", "ID"),
            ],
            vec![owner.clone()],
        );
        // Messages are never updated through the API.
        message_model.model.mutations = Some(Some(ModelOps {
            ops: vec![("update".into(), None)],
        }));
        out.push(message_model);
    }
    out
}

/// Every generated model: join models, then conversation models.
pub fn generated_models(schema: &DataSchema) -> Vec<Model> {
    let mut out = join_models(schema);
    out.extend(conversation_models(schema));
    out
}
