//! Unit tests of the directive SDL parser.

use stratus_spec::data::{AuthProvider, AuthStrategy, RelationKind};

use super::parse_directive_sdl;
use crate::SchemaError;

#[test]
fn parses_models_keys_relations_and_auth() {
    let schema = parse_directive_sdl(
        r#"
        enum Status { A B }
        type Post @model(timestamps: null, mutations: {delete: null}) @auth(rules: [{allow: owner, operations: [read, update]}, {allow: public, provider: apiKey}]) {
          slug: String! @primaryKey(sortKeyFields: ["createdOn"])
          createdOn: AWSDate!
          status: Status @index(name: "byStatus", queryField: "postsByStatus") @default(value: "A")
          blogId: ID
          blog: Blog @belongsTo(references: ["blogId"])
        }
        type Blog @model { id: ID! posts: [Post] @hasMany(references: "blogId") }
        type Query { echo(msg: String!): String @function(name: "fn") @auth(rules: [{allow: private}]) }
        "#,
    )
    .unwrap();
    assert_eq!(schema.enums[0].values, vec!["A", "B"]);
    let post = &schema.models[0];
    assert_eq!(post.primary_key, vec!["slug", "createdOn"]);
    assert_eq!(post.indexes[0].name.as_deref(), Some("byStatus"));
    assert_eq!(
        post.indexes[0].query_field,
        Some(Some("postsByStatus".into()))
    );
    assert!(matches!(post.model.timestamps, Some(None)));
    let mutations = post.model.mutations.clone().flatten().unwrap();
    assert_eq!(mutations.ops, vec![("delete".to_string(), None)]);
    assert_eq!(post.auth[0].allow, AuthStrategy::Owner);
    assert_eq!(
        post.auth[0].operations,
        Some(vec!["read".to_string(), "update".to_string()])
    );
    assert_eq!(post.auth[1].provider, Some(AuthProvider::ApiKey));
    let status = &post.fields[2];
    assert_eq!(status.default, Some(Some("A".into())));
    let blog_rel = post.fields[4].relation.as_ref().unwrap();
    assert!(matches!(blog_rel.kind, RelationKind::BelongsTo));
    assert_eq!(blog_rel.references, vec!["blogId"]);
    let posts_rel = schema.models[1].fields[1].relation.as_ref().unwrap();
    assert_eq!(posts_rel.references, vec!["blogId"]);
    assert_eq!(schema.queries[0].functions[0].name, "fn");
    assert_eq!(schema.queries[0].auth[0].allow, AuthStrategy::Private);
}

#[test]
fn syntax_errors_carry_line_and_column() {
    let err = parse_directive_sdl("type Todo @model {\n  content: String\n  done Boolean\n}")
        .unwrap_err();
    match err {
        SchemaError::Syntax { line, .. } => assert_eq!(line, 3),
        other => panic!("expected a syntax error, got {other}"),
    }
}

#[test]
fn rejects_unknown_auth_strategy() {
    let err = parse_directive_sdl("type T @model @auth(rules: [{allow: everyone}]) { id: ID! }")
        .unwrap_err()
        .to_string();
    assert!(err.contains("allow: everyone"), "{err}");
    assert!(err.contains("line 1"), "{err}");
}

#[test]
fn rejects_nullable_primary_key() {
    let err = parse_directive_sdl("type T @model { key: String @primaryKey }")
        .unwrap_err()
        .to_string();
    assert!(err.contains("non-null"), "{err}");
}

#[test]
fn keeps_interfaces_unions_and_scalars() {
    let schema = parse_directive_sdl(
        "interface Node { id: ID! }\nextend interface Node { tag: String }\n\
         type A implements Node { id: ID!, tag: String }\nunion U = A\nscalar Money",
    )
    .unwrap();
    assert_eq!(schema.interfaces[0].name, "Node");
    let fields: Vec<&str> = schema.interfaces[0]
        .fields
        .iter()
        .map(|f| f.name.as_str())
        .collect();
    assert_eq!(fields, vec!["id", "tag"]);
    assert_eq!(schema.types[0].implements, vec!["Node"]);
    assert_eq!(schema.unions[0].members, vec!["A"]);
    assert_eq!(schema.scalars, vec!["Money"]);
}
