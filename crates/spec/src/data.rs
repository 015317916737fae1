//! The data model: what the directive SDL (from `a.schema(...)` or a GraphQL string) says.
//!
//! Produced by `stratus-schema` from directive SDL; read by the transformer (AppSync SDL),
//! introspection, and later the data service. Field and type order is the SDL order.

use serde::{Deserialize, Serialize};

/// A GraphQL type reference: `String`, `String!`, `[String]`, `[String!]!`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TypeRef {
    /// The named type at the bottom (`String`, `Post`, `Status`).
    pub name: String,
    /// The outer value is non-null (`T!` or `[T]!`).
    pub required: bool,
    /// `Some(items_required)` when this is a list.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list: Option<bool>,
}

/// Which authorization providers the API is configured with (AppSync names).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AuthMode {
    ApiKey,
    AwsIam,
    AmazonCognitoUserPools,
    OpenidConnect,
    AwsLambda,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct AuthorizationModes {
    pub default: AuthMode,
    /// Additional modes, in the order AWS reports them in `authorization_types`.
    pub additional: Vec<AuthMode>,
    /// Gen 2 "sandbox mode": no auth resource and no `authorizationModes`; the API key
    /// grants access to models without rules.
    #[serde(default)]
    pub sandbox_mode: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key_expires_in_days: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key_description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lambda_authorizer: Option<LambdaAuthorizer>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oidc: Option<OidcConfig>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct LambdaAuthorizer {
    pub function: String,
    pub ttl_seconds: u32,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct OidcConfig {
    pub provider_name: String,
    pub issuer_url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    pub token_expiry_from_auth_seconds: u64,
    pub token_expiry_from_issue_seconds: u64,
}

/// The parsed data schema. Models and other types keep their SDL order.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct DataSchema {
    pub models: Vec<Model>,
    /// `type X` without `@model` (custom types, operation return types).
    pub types: Vec<ObjectType>,
    pub enums: Vec<EnumType>,
    pub inputs: Vec<InputType>,
    pub queries: Vec<Operation>,
    pub mutations: Vec<Operation>,
    pub subscriptions: Vec<Operation>,
    /// `interface X { ... }` (e.g. the AI kit's `AmplifyAIConversationMessage`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interfaces: Vec<ObjectType>,
    /// `union X = A | B`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unions: Vec<UnionType>,
    /// `scalar X` declarations (AppSync scalars are built in and not listed).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub scalars: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UnionType {
    pub name: String,
    pub members: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct EnumType {
    pub name: String,
    pub values: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct InputType {
    pub name: String,
    pub fields: Vec<Argument>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Argument {
    pub name: String,
    pub ty: TypeRef,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default_value: Option<String>,
}

/// A non-model object type (or an interface), with any native AppSync auth directives it
/// carries.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ObjectType {
    pub name: String,
    pub fields: Vec<Field>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aws_auth: Vec<AwsAuthDirective>,
    /// `implements A & B`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub implements: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Model {
    pub name: String,
    pub fields: Vec<Field>,
    pub model: ModelDirective,
    /// Partition key field then sort key fields. `["id"]` when no `@primaryKey`.
    pub primary_key: Vec<String>,
    pub indexes: Vec<Index>,
    /// `@auth` rules on the type (after schema-level fallback was applied by the builder).
    pub auth: Vec<AuthRule>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aws_auth: Vec<AwsAuthDirective>,
    /// `@refersTo(name:)` (SQL renamed models).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refers_to: Option<String>,
}

/// `@model(queries:, mutations:, subscriptions:, timestamps:)`. `None` = the default name;
/// `Some(None)` = disabled (`null`); `Some(Some(n))` = renamed.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ModelDirective {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub queries: Option<Option<ModelOps>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mutations: Option<Option<ModelOps>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscriptions: Option<Option<SubscriptionOps>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamps: Option<Option<Timestamps>>,
}

/// Per-operation names; `None` inside means that operation is disabled.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ModelOps {
    #[serde(default)]
    pub ops: Vec<(String, Option<String>)>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct SubscriptionOps {
    #[serde(default)]
    pub ops: Vec<(String, Option<Vec<String>>)>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Timestamps {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<Option<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Field {
    pub name: String,
    pub ty: TypeRef,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub arguments: Vec<Argument>,
    /// `@default(value:)`; `Some(None)` for a bare `@default` (DB-generated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relation: Option<Relation>,
    /// Field-level `@auth` rules (empty when none).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub auth: Vec<AuthRule>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aws_auth: Vec<AwsAuthDirective>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub validations: Vec<Validation>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum RelationKind {
    HasOne,
    HasMany,
    BelongsTo,
    ManyToMany,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Relation {
    pub kind: RelationKind,
    /// The related model (the field's named type).
    pub related: String,
    /// `references:` (Gen 2 style).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<String>,
    /// `fields:` (Gen 1 style).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    /// `@manyToMany(relationName:)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub relation_name: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Index {
    /// `@index(name:)`; generated when absent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub partition_key: String,
    pub sort_keys: Vec<String>,
    /// `None` = default query name; `Some(None)` = `queryField: null`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub query_field: Option<Option<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub projection: Option<Projection>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Projection {
    /// `ALL`, `KEYS_ONLY` or `INCLUDE`.
    pub kind: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub non_key_attributes: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Validation {
    pub kind: String,
    pub value: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AuthStrategy {
    Owner,
    Groups,
    Private,
    Public,
    Custom,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum AuthProvider {
    ApiKey,
    Iam,
    IdentityPool,
    UserPools,
    Oidc,
    Function,
}

/// One `@auth` rule as written (defaults are not filled in; see the transformer for that).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuthRule {
    pub allow: AuthStrategy,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<AuthProvider>,
    /// `None` = all operations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub operations: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity_claim: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups_field: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_claim: Option<String>,
}

/// A native AppSync directive: `@aws_api_key`, `@aws_iam`, `@aws_oidc`, `@aws_lambda`,
/// `@aws_cognito_user_pools(cognito_groups: [...])`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AwsAuthDirective {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cognito_groups: Option<Vec<String>>,
}

/// A custom query, mutation or subscription.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Operation {
    pub name: String,
    pub arguments: Vec<Argument>,
    pub returns: TypeRef,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub auth: Vec<AuthRule>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aws_auth: Vec<AwsAuthDirective>,
    /// `@function(name:, invocationType:)` pipeline, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<FunctionRef>,
    /// `@aws_subscribe(mutations: [...])`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub subscribe_to: Vec<String>,
    /// `@sql(statement:)` or `@sql(reference:)`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sql: Option<String>,
    /// Any other directive kept verbatim (e.g. `@http`, `@generation`, `@conversation`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub other_directives: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FunctionRef {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub invocation_type: Option<String>,
}

/// `defineData(...)` as loaded: the directive SDL and everything `schema.transform()` returns
/// beside it, plus the parsed schema.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct DataSpec {
    /// `defineData({ name })`, default `amplifyData`.
    pub name: String,
    /// The directive SDL handed to the transformer (`directives.graphql` in the oracle).
    pub directive_sdl: String,
    pub authorization_modes: AuthorizationModes,
    pub schema: DataSchema,
    /// `a.handler.custom` resolvers (JS pipelines).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub js_functions: Vec<JsResolver>,
    /// `@function(name:)` → the `defineFunction` name it resolves to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lambda_functions: Vec<(String, String)>,
    /// Schema-level `allow.resource(fn).to([...])`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub function_schema_access: Vec<FunctionSchemaAccess>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JsResolver {
    pub type_name: String,
    pub field_name: String,
    pub handlers: Vec<JsHandler>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct JsHandler {
    pub data_source: String,
    /// Path of the handler file relative to the project root.
    pub entry: String,
    /// The handler's code as the loader read it: the entry first (an ES module, TypeScript
    /// types stripped), then the relative modules it imports. Empty when not read.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub modules: Vec<JsModule>,
}

/// One module of a [`JsHandler`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct JsModule {
    /// Path relative to the project root.
    pub path: String,
    pub code: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FunctionSchemaAccess {
    pub function: String,
    pub actions: Vec<String>,
}
