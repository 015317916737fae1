//! `processConversationRoute`: the fixed models a `@conversation` mutation implies.

use serde_json::{Map, Value, json};

use super::sdl::FieldDef;
use super::{CodegenSchema, IntrospectionError};
use crate::naming::{pascal_case, plural};

/// `generateField(name, type, { isRequired, isArray, isArrayNullable, isReadOnly })`.
fn field(
    name: &str,
    ty: Value,
    required: bool,
    array: bool,
    array_nullable: Option<bool>,
    read_only: Option<bool>,
) -> Value {
    let mut f = Map::new();
    f.insert("name".into(), json!(name));
    f.insert("type".into(), ty);
    f.insert("attributes".into(), json!([]));
    f.insert("isArray".into(), json!(array));
    f.insert("isRequired".into(), json!(required));
    if let Some(ro) = read_only {
        f.insert("isReadOnly".into(), json!(ro));
    }
    if array && let Some(nullable) = array_nullable {
        f.insert("isArrayNullable".into(), json!(nullable));
    }
    Value::Object(f)
}

fn scalar(name: &str, ty: &str, required: bool) -> Value {
    field(name, json!(ty), required, false, None, None)
}

fn timestamp(name: &str) -> Value {
    field(name, json!("AWSDateTime"), false, false, None, Some(true))
}

fn with_association(mut f: Value, association: Value) -> Value {
    if let Value::Object(map) = &mut f {
        map.insert("association".into(), association);
    }
    f
}

fn auth_attribute() -> Value {
    json!({
        "type": "auth",
        "properties": { "rules": [{
            "provider": "userPools",
            "ownerField": "owner",
            "allow": "owner",
            "identityClaim": "cognito:username",
            "operations": ["create", "update", "delete", "read"]
        }]}
    })
}

fn primary_key_info() -> Value {
    json!({ "isCustomPrimaryKey": false, "primaryKeyFieldName": "id", "sortKeyFieldNames": [] })
}

fn conversation_model(model: &str, message_model: &str) -> Value {
    let mut fields = Map::new();
    fields.insert("id".into(), scalar("id", "ID", true));
    fields.insert("name".into(), scalar("name", "String", false));
    fields.insert("metadata".into(), scalar("metadata", "AWSJSON", false));
    let messages = field(
        "messages",
        json!({ "model": message_model }),
        false,
        true,
        Some(true),
        None,
    );
    let assoc = json!({ "connectionType": "HAS_MANY", "associatedWith": ["conversationId"] });
    fields.insert("messages".into(), with_association(messages, assoc));
    fields.insert("createdAt".into(), timestamp("createdAt"));
    fields.insert("updatedAt".into(), timestamp("updatedAt"));
    fields.insert("owner".into(), scalar("owner", "String", false));
    json!({
        "name": model,
        "fields": fields,
        "syncable": true,
        "pluralName": plural(model),
        "attributes": [
            { "type": "model", "properties": { "subscriptions": { "level": "off" }, "mutations": { "update": null } } },
            auth_attribute()
        ],
        "primaryKeyInfo": primary_key_info(),
    })
}

fn message_model(conversation: &str, model: &str) -> Value {
    let mut fields = Map::new();
    fields.insert("id".into(), scalar("id", "ID", true));
    fields.insert(
        "conversationId".into(),
        scalar("conversationId", "ID", true),
    );
    let conv = field(
        "conversation",
        json!({ "model": conversation }),
        false,
        false,
        None,
        None,
    );
    let assoc = json!({ "connectionType": "BELONGS_TO", "targetNames": ["conversationId"] });
    fields.insert("conversation".into(), with_association(conv, assoc));
    let role = json!({ "enum": "AmplifyAIConversationParticipantRole" });
    fields.insert("role".into(), field("role", role, false, false, None, None));
    let content = json!({ "nonModel": "AmplifyAIContentBlock" });
    fields.insert(
        "content".into(),
        field("content", content, false, true, None, None),
    );
    fields.insert("aiContext".into(), scalar("aiContext", "AWSJSON", false));
    let tools = json!({ "nonModel": "AmplifyAIToolConfiguration" });
    fields.insert(
        "toolConfiguration".into(),
        field("toolConfiguration", tools, false, true, Some(true), None),
    );
    fields.insert("createdAt".into(), timestamp("createdAt"));
    fields.insert("updatedAt".into(), timestamp("updatedAt"));
    json!({
        "name": model,
        "fields": fields,
        "syncable": true,
        "pluralName": plural(model),
        "attributes": [
            { "type": "model", "properties": { "subscriptions": {} } },
            auth_attribute()
        ],
        "primaryKeyInfo": primary_key_info(),
    })
}

/// The `conversations.<name>` entry for a `@conversation` mutation.
pub(super) fn route(
    schema: &CodegenSchema,
    mutation: &FieldDef,
) -> Result<Value, IntrospectionError> {
    let route = pascal_case(&mutation.name);
    let conversation = format!("Conversation{route}");
    let message = format!("ConversationMessage{route}");
    let mut send = schema.operation_meta(mutation)?;
    send.insert("type".into(), json!({ "model": message }));
    let mut models = Map::new();
    models.insert(
        conversation.clone(),
        conversation_model(&conversation, &message),
    );
    models.insert(message.clone(), message_model(&conversation, &message));
    Ok(json!({
        "name": mutation.name,
        "models": models,
        "nonModels": {},
        "enums": {
            "ConversationParticipantRole": {
                "name": "AmplifyAIConversationParticipantRole",
                "values": ["user", "assistant"]
            }
        },
        "conversation": { "modelName": conversation },
        "message": {
            "modelName": message,
            "send": send,
            "subscribe": {
                "isArray": false,
                "isRequired": false,
                "name": format!("onCreateAssistantResponse{route}"),
                "type": { "nonModel": "AmplifyAIConversationMessageStreamPart" },
                "arguments": {
                    "conversationId": { "name": "conversationId", "isArray": false, "isRequired": true, "type": "ID" }
                }
            }
        }
    }))
}
