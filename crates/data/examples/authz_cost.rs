//! Rough cost of authz decisions (owner rules, the hot path of the data API):
//! `cargo run -p stratus-data --release --example authz_cost`.

use std::time::Instant;

use serde_json::{Map, Value, json};
use stratus_data::authz::{AuthEnvironment, Authorizer, Caller, Op};
use stratus_spec::data::{
    AuthMode, AuthorizationModes, DataSchema, DataSpec, Field, Model, TypeRef,
};
use stratus_spec::data::{AuthRule, AuthStrategy, ModelDirective};

fn main() {
    let field = |name: &str| Field {
        name: name.into(),
        ty: TypeRef {
            name: "String".into(),
            required: false,
            list: None,
        },
        arguments: vec![],
        default: None,
        relation: None,
        auth: vec![],
        aws_auth: vec![],
        validations: vec![],
    };
    let owner = AuthRule {
        allow: AuthStrategy::Owner,
        provider: None,
        operations: None,
        owner_field: None,
        identity_claim: None,
        groups: None,
        groups_field: None,
        group_claim: None,
    };
    let spec = DataSpec {
        name: "amplifyData".into(),
        directive_sdl: String::new(),
        authorization_modes: AuthorizationModes {
            default: AuthMode::AmazonCognitoUserPools,
            additional: vec![AuthMode::ApiKey, AuthMode::AwsIam],
            sandbox_mode: false,
            api_key_expires_in_days: None,
            api_key_description: None,
            lambda_authorizer: None,
            oidc: None,
        },
        schema: DataSchema {
            models: vec![Model {
                name: "Todo".into(),
                fields: vec![field("content"), field("done")],
                model: ModelDirective::default(),
                primary_key: vec!["id".into()],
                indexes: vec![],
                auth: vec![owner],
                aws_auth: vec![],
                refers_to: None,
            }],
            ..DataSchema::default()
        },
        js_functions: vec![],
        lambda_functions: vec![],
        function_schema_access: vec![],
    };
    let authz = Authorizer::new(&spec, &AuthEnvironment::gen2(true)).expect("valid rules");
    let mut claims = Map::new();
    claims.insert("sub".into(), json!("a-sub"));
    claims.insert("cognito:username".into(), json!("alice"));
    let caller = Caller::UserPool {
        sub: "a-sub".into(),
        username: "alice".into(),
        groups: vec![],
        claims,
    };
    let input = match json!({"content": "x", "done": false}) {
        Value::Object(m) => m,
        _ => unreachable!(),
    };
    let item = match json!({"id": "1", "content": "x", "owner": "a-sub::alice"}) {
        Value::Object(m) => m,
        _ => unreachable!(),
    };
    let fields: Vec<String> = vec!["id".into(), "content".into(), "owner".into()];
    let n = 200_000;
    let time = |what: &str, f: &dyn Fn() -> bool| {
        let start = Instant::now();
        let mut ok = 0;
        for _ in 0..n {
            ok += usize::from(f());
        }
        let per = start.elapsed().as_nanos() as f64 / n as f64;
        println!("{what:<32} {per:>8.0} ns/decision ({ok} allowed)");
    };
    time("create (owner injection)", &|| {
        authz.authorize_create(&caller, "Todo", &input).is_ok()
    });
    time("list (owner filter)", &|| {
        authz.authorize_read(&caller, "Todo", Op::List).is_ok()
    });
    time("get + item check", &|| {
        authz.check_item(&caller, "Todo", Op::Get, &item).is_ok()
    });
    time("hidden fields", &|| {
        authz
            .hidden_fields(&caller, "Todo", &item, &fields)
            .is_empty()
    });
    time("update", &|| {
        authz
            .authorize_update(&caller, "Todo", Some(&item), &input)
            .is_ok()
    });
}
