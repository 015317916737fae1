//! `@conversation` (Gen 2 `a.conversation`): per conversation route a `Conversation<Name>` and
//! a `ConversationMessage<Name>` model, the assistant response mutations and the streaming
//! subscription.

use super::Transform;
use crate::SchemaError;
use crate::naming::to_upper;
use crate::sdl::ast::{
    Definition, Directive, FieldDef, InputObjectDef, InputValueDef, ObjectDef, TypeNode, Value,
};

const MESSAGE_INTERFACE: &str = "AmplifyAIConversationMessage";
const STREAM_PART: &str = "AmplifyAIConversationMessageStreamPart";
const REFERENCE_FIELD: &str = "conversationId";

/// One `@conversation` route with the types it generates.
#[derive(Debug, Clone)]
pub(crate) struct ConversationConfig {
    conversation: ObjectDef,
    message: ObjectDef,
    assistant_input: InputObjectDef,
    assistant_field: FieldDef,
    streaming_input: InputObjectDef,
    streaming_field: FieldDef,
    subscription_field: FieldDef,
}

fn named(n: &str) -> TypeNode {
    TypeNode::named(n)
}

fn required(n: &str) -> TypeNode {
    TypeNode::non_null(TypeNode::named(n))
}

fn owner_auth() -> Directive {
    Directive::new("auth").with_arg(
        "rules",
        Value::List(vec![Value::Object(vec![
            ("allow".into(), Value::Enum("owner".into())),
            ("ownerField".into(), Value::string("owner")),
        ])]),
    )
}

fn user_pools() -> Directive {
    Directive::new("aws_cognito_user_pools")
}

fn config_for(field: &FieldDef) -> ConversationConfig {
    let upper = to_upper(&field.name);
    let conversation_name = format!("Conversation{upper}");
    let message_name = format!("ConversationMessage{upper}");

    let mut conversation = ObjectDef::blank(conversation_name.clone());
    conversation.fields = vec![
        FieldDef::new("id", vec![], required("ID")),
        FieldDef::new("name", vec![], named("String")),
        FieldDef::new("metadata", vec![], named("AWSJSON")),
        FieldDef::new("messages", vec![], TypeNode::list(named(&message_name))).with_directives(
            vec![Directive::new("hasMany").with_arg("references", Value::string(REFERENCE_FIELD))],
        ),
    ];
    conversation.directives = vec![
        owner_auth(),
        Directive::new("model").with_arg(
            "subscriptions",
            Value::Object(vec![("level".into(), Value::Enum("off".into()))]),
        ),
    ];

    let mut message = ObjectDef::blank(message_name.clone());
    message.interfaces = vec![field.ty.base_name().to_string()];
    message.fields = vec![
        FieldDef::new("id", vec![], required("ID")),
        FieldDef::new(REFERENCE_FIELD, vec![], required("ID")),
        FieldDef::new("conversation", vec![], named(&conversation_name)).with_directives(vec![
            Directive::new("belongsTo").with_arg("references", Value::string(REFERENCE_FIELD)),
        ]),
        FieldDef::new(
            "role",
            vec![],
            named("AmplifyAIConversationParticipantRole"),
        ),
        FieldDef::new(
            "content",
            vec![],
            TypeNode::list(named("AmplifyAIContentBlock")),
        ),
        FieldDef::new("aiContext", vec![], named("AWSJSON")),
        FieldDef::new(
            "toolConfiguration",
            vec![],
            named("AmplifyAIToolConfiguration"),
        ),
        FieldDef::new("associatedUserMessageId", vec![], named("ID")),
    ];
    message.directives = vec![
        Directive::new("model")
            .with_arg(
                "subscriptions",
                Value::Object(vec![
                    ("onUpdate".into(), Value::Null),
                    ("onDelete".into(), Value::Null),
                ]),
            )
            .with_arg(
                "mutations",
                Value::Object(vec![("update".into(), Value::Null)]),
            ),
        owner_auth(),
    ];

    let content_input = || TypeNode::list(named("AmplifyAIContentBlockInput"));
    let assistant_input = InputObjectDef::new(
        format!("Create{message_name}AssistantInput"),
        vec![
            InputValueDef::new(REFERENCE_FIELD, named("ID")),
            InputValueDef::new("content", content_input()),
            InputValueDef::new("associatedUserMessageId", named("ID")),
        ],
    );
    let assistant_field = FieldDef::new(
        format!("createAssistantResponse{upper}"),
        vec![InputValueDef::new("input", required(&assistant_input.name))],
        named(&message_name),
    )
    .with_directives(vec![user_pools()]);
    let streaming_input = InputObjectDef::new(
        format!("Create{message_name}AssistantStreamingInput"),
        vec![
            InputValueDef::new(REFERENCE_FIELD, required("ID")),
            InputValueDef::new("associatedUserMessageId", required("ID")),
            InputValueDef::new("contentBlockIndex", named("Int")),
            InputValueDef::new("contentBlockText", named("String")),
            InputValueDef::new("contentBlockDeltaIndex", named("Int")),
            InputValueDef::new("contentBlockToolUse", named("AWSJSON")),
            InputValueDef::new("contentBlockDoneAtIndex", named("Int")),
            InputValueDef::new("stopReason", named("String")),
            InputValueDef::new("accumulatedTurnContent", content_input()),
            InputValueDef::new(
                "errors",
                TypeNode::list(named("AmplifyAIConversationTurnErrorInput")),
            ),
            InputValueDef::new("p", named("String")),
        ],
    );
    let streaming_name = format!("createAssistantResponseStream{upper}");
    let streaming_field = FieldDef::new(
        streaming_name.clone(),
        vec![InputValueDef::new("input", required(&streaming_input.name))],
        named(STREAM_PART),
    )
    .with_directives(vec![user_pools()]);
    let subscription_field = FieldDef::new(
        format!("onCreateAssistantResponse{upper}"),
        vec![InputValueDef::new(REFERENCE_FIELD, named("ID"))],
        named(STREAM_PART),
    )
    .with_directives(vec![
        Directive::new("aws_subscribe").with_arg("mutations", Value::string_list([streaming_name])),
        user_pools(),
    ]);

    ConversationConfig {
        conversation,
        message,
        assistant_input,
        assistant_field,
        streaming_input,
        streaming_field,
        subscription_field,
    }
}

/// `ConversationFieldHandler.validate` (tools, inference configuration, handler).
fn validate(d: &Directive) -> Result<(), SchemaError> {
    let err = |msg: String| SchemaError::at(d.pos, msg);
    if d.arg("handler").is_some() && d.arg("functionName").is_some() {
        return Err(err(
            "'functionName' and 'handler' are mutually exclusive".into()
        ));
    }
    if let Some(Value::Object(inference)) = d.arg("inferenceConfiguration") {
        let number = |name: &str| {
            inference
                .iter()
                .find(|(n, _)| n == name)
                .and_then(|(_, v)| match v {
                    Value::Int(s) | Value::Float(s) => s.parse::<f64>().ok(),
                    _ => None,
                })
        };
        if let Some(m) = number("maxTokens")
            && m < 1.0
        {
            return Err(err(format!(
                "@conversation directive maxTokens valid range: Minimum value of 1. Provided: {m}"
            )));
        }
        for key in ["temperature", "topP"] {
            if let Some(v) = number(key)
                && !(0.0..=1.0).contains(&v)
            {
                return Err(err(format!(
                    "@conversation directive {key} valid range: Minimum value of 0. Maximum value of 1. Provided: {v}"
                )));
            }
        }
    }
    if let Some(Value::List(tools)) = d.arg("tools") {
        let mut invalid = Vec::new();
        for tool in tools {
            let Value::Object(fields) = tool else {
                continue;
            };
            let get = |k: &str| fields.iter().find(|(n, _)| n == k).map(|(_, v)| v);
            let name = get("name").and_then(Value::as_str).unwrap_or_default();
            let valid_name = !name.is_empty()
                && name.len() <= 64
                && name.starts_with(|c: char| c.is_ascii_alphabetic())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !valid_name {
                return Err(err(format!(
                    "Tool name must be between 1 and 64 characters, start with a letter, and contain only letters, numbers, and underscores. Found: {name}"
                )));
            }
            let model_tool = get("modelName").is_some() && get("modelOperation").is_some();
            if !model_tool && get("queryName").is_none() {
                invalid.push(name.to_string());
            }
        }
        if !invalid.is_empty() {
            return Err(err(format!(
                "Tool definitions must contain a modelName and modelOperation, or queryName. Invalid tools: {}",
                invalid.join(", ")
            )));
        }
    }
    Ok(())
}

impl Transform {
    /// `ConversationTransformer.field`.
    pub(super) fn conversation_hooks(&mut self) -> Result<(), SchemaError> {
        let mut configs = Vec::new();
        for def in self.input.objects() {
            for f in &def.fields {
                for d in f.directives.iter().filter(|d| d.name == "conversation") {
                    if def.name != "Mutation" {
                        return Err(SchemaError::at(
                            d.pos,
                            "@conversation directive must be used on Mutation field.",
                        ));
                    }
                    if !matches!(&f.ty, TypeNode::Named(n) if n == MESSAGE_INTERFACE) {
                        return Err(SchemaError::at(
                            d.pos,
                            "@conversation return type must be AmplifyAIConversationMessage",
                        ));
                    }
                    validate(d)?;
                    configs.push(config_for(f));
                }
            }
        }
        self.conversations = configs;
        Ok(())
    }

    /// `ConversationPrepareHandler.prepare`.
    pub(super) fn conversation_prepare(&mut self) -> Result<(), SchemaError> {
        self.out.add(Definition::InputObject(InputObjectDef::new(
            "AmplifyAIConversationTurnErrorInput",
            vec![
                InputValueDef::new("errorType", required("String")),
                InputValueDef::new("message", required("String")),
            ],
        )))?;
        for c in self.conversations.clone() {
            self.out
                .add(Definition::InputObject(c.assistant_input.clone()))?;
            self.out
                .add(Definition::InputObject(c.streaming_input.clone()))?;
            self.out
                .add_mutation_fields(vec![c.assistant_field.clone(), c.streaming_field.clone()])?;
            self.out
                .add_subscription_fields(vec![c.subscription_field.clone()])?;
            self.out.add(Definition::Object(c.conversation.clone()))?;
            self.out.add(Definition::Object(c.message.clone()))?;
            for model in [&c.conversation, &c.message] {
                if let Some(d) = model.directive("model") {
                    self.model_object(&model.name, d)?;
                }
            }
            if let Some(f) = c.message.field("conversation")
                && let Some(d) = f.directive("belongsTo")
            {
                self.belongs_to_field(&c.message, f, d)?;
            }
            if let Some(f) = c.conversation.field("messages")
                && let Some(d) = f.directive("hasMany")
            {
                self.has_many_field(&c.conversation, f, d)?;
            }
            for model in [&c.conversation, &c.message] {
                if let Some(d) = model.directive("auth") {
                    self.auth_object(model, d)?;
                }
            }
        }
        Ok(())
    }
}
