//! Unit tests over focused schemas. Every `testdata/<case>.json` was produced by the real
//! codegen from `testdata/<case>.graphql` (`@aws-amplify/graphql-generator` 0.5.4,
//! `generateModelsSync({ schema, target: 'introspection' })`); `kitchensink` is the captured
//! output of a Gen 2 project using nearly every builder feature.

use super::{IntrospectionError, generate_from_sdl};

/// Compare as serialized text, so key order counts too.
fn assert_matches_oracle(case: &str, sdl: &str, expected: &str) {
    let expected: serde_json::Value = match serde_json::from_str(expected) {
        Ok(v) => v,
        Err(e) => panic!("{case}: bad expected JSON: {e}"),
    };
    let actual = match generate_from_sdl(sdl) {
        Ok(v) => v,
        Err(e) => panic!("{case}: generation failed: {e}"),
    };
    let (expected_text, actual_text) = (
        serde_json::to_string_pretty(&expected).unwrap_or_default(),
        serde_json::to_string_pretty(&actual).unwrap_or_default(),
    );
    if expected_text != actual_text {
        let line = expected_text
            .lines()
            .zip(actual_text.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        let context = |text: &str| {
            text.lines()
                .skip(line.saturating_sub(8))
                .take(16)
                .collect::<Vec<_>>()
                .join("\n")
        };
        panic!(
            "{case}: output differs from the oracle at line {}\n--- expected\n{}\n--- actual\n{}",
            line + 1,
            context(&expected_text),
            context(&actual_text)
        );
    }
}

macro_rules! oracle_cases {
    ($($case:ident),* $(,)?) => {$(
        #[test]
        fn $case() {
            assert_matches_oracle(
                stringify!($case),
                include_str!(concat!("testdata/", stringify!($case), ".graphql")),
                include_str!(concat!("testdata/", stringify!($case), ".json")),
            );
        }
    )*};
}

oracle_cases!(
    kitchensink,
    argument_values,
    auth_rules,
    composite_keys_many_to_many,
    conversations,
    custom_pk_implicit_fks,
    enums_nested_lists,
    extensions_descriptions,
    gen1_explicit_fields,
    index_and_pk_targets,
    indexes,
    many_to_many_auth,
    model_attributes,
    operations,
    references_non_model,
    roots_unions_interfaces,
    self_relations,
    skipped_types_inputs,
    unconnected_model_field,
    v1_keys,
);

fn error_of(sdl: &str) -> String {
    match generate_from_sdl(sdl) {
        Ok(v) => panic!("expected an error, got {v}"),
        Err(e) => e.to_string(),
    }
}

/// Schemas the real codegen rejects; the messages are the codegen's.
#[test]
fn rejects_what_the_codegen_rejects() {
    let cases = [
        (
            "type P @model { name: String @primaryKey }",
            "The primary key on type 'P' must reference non-null fields.",
        ),
        (
            "type T @model { id: ID! x: Blob }",
            "Unknown type Blob found during model introspection schema generation",
        ),
        (
            "type A @model { id: ID! b: B @hasMany } type B @model { id: ID! }",
            "A field with hasMany must be a list type",
        ),
        (
            "type A @model { id: ID! b: B @belongsTo } type B @model { id: ID! }",
            "A 'belongsTo' field should match to a corresponding 'hasMany' or 'hasOne' field",
        ),
        (
            "type A @model { id: ID! bs: [B] @hasMany(references: [\"aId\"]) } type B @model { aId: ID }",
            "Error processing @hasMany directive on A.bs. @belongsTo directive with references [\"aId\"] was not found in connected model B",
        ),
        (
            "type U @model { id: ID! ps: [P] @hasMany(indexName: \"byX\", fields: [\"id\"]) } type P @model { id: ID! }",
            "Error processing @hasMany directive on U.ps, @index directive with name byX was not found in connected model P",
        ),
        (
            "type A @model { id: ID! bs: [B] @manyToMany(relationName: \"AB\") } type B @model { id: ID! }",
            "Error for relation: 'AB', there should be two matching manyToMany directives and found: 1",
        ),
        (
            "type A @model { id: ID! x: Int x: String }",
            "Field \"A.x\" can only be defined once.",
        ),
        (
            "type Q { a: Int } extend type Q { a: Int }",
            "Field \"Q.a\" can only be defined once.",
        ),
    ];
    for (sdl, message) in cases {
        let error = error_of(sdl);
        assert!(
            error.contains(message),
            "for {sdl}\n  expected message containing: {message}\n  got: {error}"
        );
    }
}

#[test]
fn syntax_errors_carry_a_position() {
    match generate_from_sdl("type A @model {\n  id: ID!\n  oops\n}") {
        Err(IntrospectionError::Syntax { line, .. }) => assert_eq!(line, 4),
        other => panic!("expected a syntax error, got {other:?}"),
    }
}

#[test]
fn empty_schema_has_the_three_required_sections() {
    let doc = generate_from_sdl("type Query { ping: String }").unwrap_or_default();
    let keys: Vec<&String> = doc
        .as_object()
        .map(|o| o.keys().collect())
        .unwrap_or_default();
    assert_eq!(keys, ["version", "models", "enums", "nonModels", "queries"]);
}
