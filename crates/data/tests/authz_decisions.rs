//! Decisions per rule kind, as AppSync's generated auth resolvers take them (the VTL under each
//! fixture's `expected/resolvers/`), plus Stratus's stricter cases.

mod common;

use serde_json::{Map, Value, json};
use stratus_data::authz::{
    AuthEnvironment, AuthFilter, Authorizer, Caller, Condition, Denial, IamPrincipal, Op, Request,
};
use stratus_spec::data::{AuthMode, DataSpec};

fn spec(sdl: &str, default: AuthMode, additional: &[AuthMode], sandbox: bool) -> DataSpec {
    let mut spec = stratus_testkit::data_spec(sdl, default, additional, sandbox);
    spec.schema = stratus_schema::parse_directive_sdl(sdl).expect("valid SDL");
    spec
}

/// User pool default, API key, IAM (as Gen 2 with `defineAuth` configures it).
fn authz(sdl: &str) -> Authorizer {
    let s = spec(
        sdl,
        AuthMode::AmazonCognitoUserPools,
        &[AuthMode::ApiKey, AuthMode::AwsIam],
        false,
    );
    Authorizer::new(&s, &AuthEnvironment::gen2(true)).expect("valid rules")
}

fn user(sub: &str, username: &str, groups: &[&str]) -> Caller {
    let mut claims = Map::new();
    claims.insert("sub".into(), json!(sub));
    claims.insert("cognito:username".into(), json!(username));
    claims.insert("email".into(), json!(format!("{username}@example.com")));
    claims.insert("cognito:groups".into(), json!(groups));
    Caller::UserPool {
        sub: sub.into(),
        username: username.into(),
        groups: groups.iter().map(|g| g.to_string()).collect(),
        claims,
    }
}

fn iam(principal: IamPrincipal) -> Caller {
    Caller::Iam {
        principal,
        identity_id: None,
        groups: vec![],
    }
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => panic!("not an object"),
    }
}

fn alice() -> Caller {
    user("a-sub", "alice", &[])
}

fn bob() -> Caller {
    user("b-sub", "bob", &[])
}

const TODO: &str = r#"type Todo @model @auth(rules: [{allow: owner}]) { content: String }"#;

#[test]
fn owner_create_injects_sub_username_and_refuses_foreign_owner() {
    let a = authz(TODO);
    let g = a
        .authorize_create(&alice(), "Todo", &obj(json!({"content": "x"})))
        .unwrap();
    assert_eq!(
        g.owner_values,
        vec![("owner".into(), json!("a-sub::alice"))]
    );
    // Naming oneself (any claim form) is allowed; naming someone else is not.
    for own in ["a-sub::alice", "a-sub", "alice"] {
        let g = a
            .authorize_create(
                &alice(),
                "Todo",
                &obj(json!({"content": "x", "owner": own})),
            )
            .unwrap();
        assert!(g.owner_values.is_empty());
    }
    let err = a
        .authorize_create(&alice(), "Todo", &obj(json!({"owner": "b-sub::bob"})))
        .unwrap_err();
    assert_eq!(
        err.message("Mutation", "createTodo"),
        "Not Authorized to access createTodo on type Mutation"
    );
    assert!(
        a.authorize_create(&Caller::ApiKey, "Todo", &Map::new())
            .is_err()
    );
}

#[test]
fn owner_list_filter_matches_every_claim_form_and_nothing_else() {
    let a = authz(TODO);
    let g = a.authorize_read(&alice(), "Todo", Op::List).unwrap();
    let f = g.filter.expect("owner reads are filtered");
    assert_eq!(
        f.to_filter_json(),
        json!({"or": [
            {"owner": {"eq": "a-sub::alice"}},
            {"owner": {"eq": "a-sub"}},
            {"owner": {"eq": "alice"}},
        ]})
    );
    assert_eq!(
        f.with_client_filter(Some(&json!({"done": {"eq": true}})))["and"][1],
        json!({"done": {"eq": true}})
    );
    assert_eq!(f.with_client_filter(None), f.to_filter_json());
    assert!(f.matches(&obj(json!({"owner": "a-sub::alice"}))));
    assert!(f.matches(&obj(json!({"owner": "alice"}))));
    assert!(!f.matches(&obj(json!({"owner": "b-sub::bob"}))));
    assert!(!f.matches(&obj(json!({}))));
    // A get of someone else's item is Unauthorized (AppSync: filtered GetItem → unauthorized).
    let item = obj(json!({"id": "1", "owner": "b-sub::bob"}));
    let req = Request {
        caller: &alice(),
        model: "Todo",
        operation: Op::Get,
        existing: Some(&item),
        input: None,
        fields: &[],
    };
    assert!(a.decide(&req).is_err());
    assert!(a.check_item(&bob(), "Todo", Op::Get, &item).is_ok());
}

#[test]
fn owner_update_and_delete_follow_the_stored_item() {
    let a = authz(TODO);
    let stored = obj(json!({"id": "1", "owner": "a-sub::alice"}));
    let input = obj(json!({"id": "1", "content": "y"}));
    assert!(
        a.authorize_update(&alice(), "Todo", Some(&stored), &input)
            .is_ok()
    );
    assert!(
        a.authorize_update(&bob(), "Todo", Some(&stored), &input)
            .is_err()
    );
    assert!(a.authorize_update(&alice(), "Todo", None, &input).is_err());
    assert!(a.authorize_delete(&alice(), "Todo", Some(&stored)).is_ok());
    assert!(a.authorize_delete(&bob(), "Todo", Some(&stored)).is_err());
}

#[test]
fn stricter_owner_cannot_reassign_single_owner_field() {
    let a = authz(TODO);
    let stored = obj(json!({"id": "1", "owner": "a-sub::alice"}));
    let give_away = obj(json!({"id": "1", "owner": "b-sub::bob"}));
    let err = a
        .authorize_update(&alice(), "Todo", Some(&stored), &give_away)
        .unwrap_err();
    assert_eq!(
        err,
        Denial {
            fields: vec!["owner".into()]
        }
    );
    assert_eq!(
        err.message("Mutation", "updateTodo"),
        "Unauthorized on [owner]"
    );
    // Rewriting it to another form of oneself is fine.
    let same = obj(json!({"id": "1", "owner": "alice"}));
    assert!(
        a.authorize_update(&alice(), "Todo", Some(&stored), &same)
            .is_ok()
    );
}

#[test]
fn owners_defined_in_list_field_uses_contains_and_allows_sharing() {
    let a = authz(
        r#"type Doc @model @auth(rules: [{allow: owner, ownerField: "editors"}]) { title: String editors: [String] }"#,
    );
    let g = a.authorize_create(&alice(), "Doc", &Map::new()).unwrap();
    assert_eq!(
        g.owner_values,
        vec![("editors".into(), json!(["a-sub::alice"]))]
    );
    let f = a
        .authorize_read(&bob(), "Doc", Op::List)
        .unwrap()
        .filter
        .unwrap();
    assert!(f.any_of.contains(&Condition::Contains {
        field: "editors".into(),
        value: "b-sub::bob".into()
    }));
    let shared = obj(json!({"id": "1", "editors": ["a-sub::alice", "b-sub::bob"]}));
    assert!(f.matches(&shared));
    assert!(!f.matches(&obj(json!({"editors": ["a-sub::alice"]}))));
    // An editor adds another editor: allowed (list owner fields are for sharing).
    let add = obj(json!({"id": "1", "editors": ["a-sub::alice", "b-sub::bob", "c"]}));
    assert!(
        a.authorize_update(&bob(), "Doc", Some(&shared), &add)
            .is_ok()
    );
    assert!(
        a.authorize_update(&user("c", "carol", &[]), "Doc", Some(&shared), &add)
            .is_err()
    );
}

#[test]
fn owner_defined_in_with_identity_claim() {
    let a = authz(
        r#"type Pref @model @auth(rules: [{allow: owner, ownerField: "author", identityClaim: "email"}]) { key: String author: String }"#,
    );
    let g = a.authorize_create(&alice(), "Pref", &Map::new()).unwrap();
    assert_eq!(
        g.owner_values,
        vec![("author".into(), json!("alice@example.com"))]
    );
    let f = a
        .authorize_read(&alice(), "Pref", Op::Get)
        .unwrap()
        .filter
        .unwrap();
    assert_eq!(
        f.any_of,
        vec![Condition::Eq {
            field: "author".into(),
            value: "alice@example.com".into()
        }]
    );
    let no_email = Caller::Oidc { claims: Map::new() };
    assert!(a.authorize_read(&no_email, "Pref", Op::Get).is_err());
}

#[test]
fn static_groups() {
    let a = authz(
        r#"type Report @model @auth(rules: [{allow: groups, groups: ["Admins"]}, {allow: groups, groups: ["Readers"], operations: [read]}]) { body: String }"#,
    );
    let admin = user("x", "xavier", &["Admins"]);
    let reader = user("r", "rita", &["Readers"]);
    assert_eq!(
        a.authorize_read(&admin, "Report", Op::List).unwrap().filter,
        None
    );
    assert!(
        a.authorize_create(&admin, "Report", &obj(json!({"body": "b"})))
            .is_ok()
    );
    assert!(a.authorize_read(&reader, "Report", Op::List).is_ok());
    assert!(a.authorize_create(&reader, "Report", &Map::new()).is_err());
    assert!(
        a.authorize_delete(&reader, "Report", Some(&Map::new()))
            .is_err()
    );
    assert!(a.authorize_read(&alice(), "Report", Op::Get).is_err());
    // Exact group names only (no substring match on a string claim).
    let mut claims = Map::new();
    claims.insert("cognito:groups".into(), json!("NotAdmins"));
    let sneaky = Caller::UserPool {
        sub: "s".into(),
        username: "s".into(),
        groups: vec![],
        claims,
    };
    assert!(a.authorize_read(&sneaky, "Report", Op::Get).is_err());
}

#[test]
fn group_defined_in_and_groups_defined_in() {
    let a = authz(
        r#"type One @model @auth(rules: [{allow: groups, groupsField: "team"}]) { team: String }
type Many @model @auth(rules: [{allow: groups, groupsField: "teams"}]) { teams: [String] }"#,
    );
    let dev = user("d", "dora", &["dev", "ops"]);
    let one = a
        .authorize_read(&dev, "One", Op::List)
        .unwrap()
        .filter
        .unwrap();
    assert_eq!(
        one.any_of,
        vec![Condition::In {
            field: "team".into(),
            values: vec!["dev".into(), "ops".into()]
        }]
    );
    assert!(one.matches(&obj(json!({"team": "ops"}))));
    assert!(!one.matches(&obj(json!({"team": "sales"}))));
    let many = a
        .authorize_read(&dev, "Many", Op::List)
        .unwrap()
        .filter
        .unwrap();
    assert_eq!(many.any_of.len(), 2);
    assert!(many.matches(&obj(json!({"teams": ["sales", "dev"]}))));
    // Create: the new item must name one of the caller's groups.
    assert!(
        a.authorize_create(&dev, "One", &obj(json!({"team": "dev"})))
            .is_ok()
    );
    assert!(
        a.authorize_create(&dev, "One", &obj(json!({"team": "sales"})))
            .is_err()
    );
    assert!(
        a.authorize_update(
            &dev,
            "Many",
            Some(&obj(json!({"teams": ["ops"]}))),
            &obj(json!({"id": "1"}))
        )
        .is_ok()
    );
    assert!(
        a.authorize_delete(&dev, "Many", Some(&obj(json!({"teams": ["x"]}))))
            .is_err()
    );
    // No groups at all: nothing to filter on → refused.
    assert!(a.authorize_read(&alice(), "One", Op::List).is_err());
}

#[test]
fn private_and_public_per_provider() {
    let a = authz(
        r#"type A @model @auth(rules: [{allow: private}]) { x: String }
type B @model @auth(rules: [{allow: private, provider: identityPool}, {allow: public, provider: identityPool, operations: [read]}]) { x: String }
type C @model @auth(rules: [{allow: public}]) { x: String }"#,
    );
    let guest = iam(IamPrincipal::Guest);
    let signed_in = iam(IamPrincipal::Authenticated);
    assert!(
        a.authorize_create(&alice(), "A", &obj(json!({"x": "1"})))
            .is_ok()
    );
    assert!(a.authorize_read(&Caller::ApiKey, "A", Op::Get).is_err());
    assert!(a.authorize_read(&signed_in, "A", Op::Get).is_err());
    assert!(a.authorize_create(&signed_in, "B", &Map::new()).is_ok());
    assert!(a.authorize_read(&guest, "B", Op::List).is_ok());
    assert!(a.authorize_create(&guest, "B", &Map::new()).is_err());
    assert!(a.authorize_read(&alice(), "B", Op::Get).is_err());
    assert!(a.authorize_delete(&Caller::ApiKey, "C", None).is_ok());
    assert!(a.authorize_read(&alice(), "C", Op::Get).is_err());
}

#[test]
fn oidc_private_and_custom_lambda() {
    let s = spec(
        r#"type O @model @auth(rules: [{allow: private, provider: oidc}]) { x: String }
type L @model @auth(rules: [{allow: custom}]) { x: String }"#,
        AuthMode::OpenidConnect,
        &[
            AuthMode::AwsLambda,
            AuthMode::AmazonCognitoUserPools,
            AuthMode::AwsIam,
        ],
        false,
    );
    let a = Authorizer::new(&s, &AuthEnvironment::gen2(true)).unwrap();
    let oidc = Caller::Oidc {
        claims: obj(json!({"sub": "o1"})),
    };
    let lambda = Caller::Lambda {
        resolver_context: Map::new(),
        denied_fields: Vec::new(),
    };
    assert!(a.authorize_read(&oidc, "O", Op::List).is_ok());
    assert!(a.authorize_read(&alice(), "O", Op::List).is_err());
    assert!(
        a.authorize_update(&lambda, "L", None, &obj(json!({"id": "1"})))
            .is_ok()
    );
    assert!(a.authorize_read(&oidc, "L", Op::Get).is_err());
    // API key is not configured here: refused even on a public-looking request.
    assert!(a.authorize_read(&Caller::ApiKey, "L", Op::Get).is_err());
}

#[test]
fn to_operation_lists() {
    let a = authz(
        r#"type Note @model @auth(rules: [{allow: public, provider: apiKey, operations: [read, create]}]) { t: String }"#,
    );
    let k = Caller::ApiKey;
    assert!(
        a.authorize_create(&k, "Note", &obj(json!({"t": "1"})))
            .is_ok()
    );
    for op in [Op::Get, Op::List, Op::Listen, Op::Sync, Op::Search] {
        assert!(a.authorize_read(&k, "Note", op).is_ok(), "{op:?}");
    }
    assert!(
        a.authorize_update(&k, "Note", None, &obj(json!({"id": "1"})))
            .is_err()
    );
    assert!(a.authorize_delete(&k, "Note", None).is_err());
}

const POST: &str = r#"type Post @model @auth(rules: [{allow: owner, ownerField: "owner"}, {allow: private, operations: [read]}])
{
  title: String!
  owner: String @auth(rules: [{allow: owner, operations: [read, delete], ownerField: "owner"}])
  draftNotes: String @auth(rules: [{allow: owner, ownerField: "owner"}])
}"#;

#[test]
fn field_level_rules_hide_reads_and_refuse_writes() {
    let a = authz(POST);
    let item = obj(json!({"id": "1", "title": "t", "owner": "a-sub::alice", "draftNotes": "n"}));
    let fields: Vec<String> = ["id", "title", "owner", "draftNotes"]
        .map(String::from)
        .to_vec();
    assert!(a.hidden_fields(&alice(), "Post", &item, &fields).is_empty());
    assert_eq!(
        a.hidden_fields(&bob(), "Post", &item, &fields),
        vec!["owner", "draftNotes"]
    );
    let req = Request {
        caller: &bob(),
        model: "Post",
        operation: Op::Get,
        existing: Some(&item),
        input: None,
        fields: &fields,
    };
    assert_eq!(
        a.decide(&req).unwrap().hidden_fields,
        vec!["owner", "draftNotes"]
    );
    // The owner field may not be written by its owner (field rule: read, delete), but
    // AppSync still fills it in on create.
    let g = a
        .authorize_create(&alice(), "Post", &obj(json!({"title": "t"})))
        .unwrap();
    assert_eq!(
        g.owner_values,
        vec![("owner".into(), json!("a-sub::alice"))]
    );
    let err = a
        .authorize_create(
            &alice(),
            "Post",
            &obj(json!({"title": "t", "owner": "a-sub::alice"})),
        )
        .unwrap_err();
    assert_eq!(err.fields, vec!["owner"]);
    let upd = a
        .authorize_update(
            &alice(),
            "Post",
            Some(&item),
            &obj(json!({"id": "1", "owner": "x", "draftNotes": null})),
        )
        .unwrap_err();
    assert_eq!(upd.fields, vec!["owner"]);
    assert!(
        a.authorize_update(
            &alice(),
            "Post",
            Some(&item),
            &obj(json!({"id": "1", "draftNotes": null}))
        )
        .is_ok()
    );
    // Private users read, never write.
    assert!(
        a.authorize_update(
            &bob(),
            "Post",
            Some(&item),
            &obj(json!({"id": "1", "title": "x"}))
        )
        .is_err()
    );
}

#[test]
fn schema_level_rules_and_resource_access_from_fixture() {
    let dir = common::fixture_roots()[0].join("b-combine");
    let (mut s, pool) = common::fixture_spec(&dir).unwrap();
    s.function_schema_access
        .push(stratus_spec::data::FunctionSchemaAccess {
            function: "writer".into(),
            actions: vec!["mutate".into()],
        });
    let a = Authorizer::new(&s, &AuthEnvironment::gen2(pool)).unwrap();
    // Poll carries the schema-level rules: authenticated users and read-only API key.
    assert!(
        a.authorize_create(&alice(), "Poll", &obj(json!({"question": "q"})))
            .is_ok()
    );
    assert!(a.authorize_read(&Caller::ApiKey, "Poll", Op::List).is_ok());
    assert!(
        a.authorize_create(&Caller::ApiKey, "Poll", &Map::new())
            .is_err()
    );
    // allow.resource(tallyVotes).to(['query']): queries only.
    let tally = iam(IamPrincipal::Function("tally-votes".into()));
    assert!(a.authorize_read(&tally, "Ballot", Op::List).is_ok());
    assert!(a.authorize_create(&tally, "Ballot", &Map::new()).is_err());
    let writer = iam(IamPrincipal::Function("writer".into()));
    assert!(a.authorize_create(&writer, "Ballot", &Map::new()).is_ok());
    assert!(a.authorize_read(&writer, "Ballot", Op::Get).is_err());
    assert!(
        a.authorize_read(
            &iam(IamPrincipal::Function("other".into())),
            "Poll",
            Op::Get
        )
        .is_err()
    );
    assert!(
        a.authorize_delete(&iam(IamPrincipal::Admin), "Ballot", None)
            .is_ok()
    );
    // The custom query's own rules.
    assert_eq!(
        a.authorize_custom(&Caller::ApiKey, "Query", "tallyVotes"),
        Some(Ok(()))
    );
    assert!(matches!(
        a.authorize_custom(&iam(IamPrincipal::Guest), "Query", "tallyVotes"),
        Some(Err(_))
    ));
}

#[test]
fn sandbox_api_key_reaches_models_without_rules() {
    let sdl = "type Free @model { x: String }";
    let sandbox = Authorizer::new(
        &spec(sdl, AuthMode::ApiKey, &[AuthMode::AwsIam], true),
        &AuthEnvironment::gen2(false),
    )
    .unwrap();
    assert!(
        sandbox
            .authorize_create(&Caller::ApiKey, "Free", &Map::new())
            .is_ok()
    );
    assert_eq!(
        sandbox
            .authorize_read(&Caller::ApiKey, "Free", Op::List)
            .unwrap()
            .filter,
        None
    );
    assert!(
        sandbox
            .authorize_read(&iam(IamPrincipal::Guest), "Free", Op::List)
            .is_err()
    );
    assert!(
        sandbox
            .authorize_read(&iam(IamPrincipal::Admin), "Free", Op::List)
            .is_ok()
    );
    let strict = Authorizer::new(
        &spec(sdl, AuthMode::ApiKey, &[AuthMode::AwsIam], false),
        &AuthEnvironment::gen2(false),
    )
    .unwrap();
    assert!(
        strict
            .authorize_read(&Caller::ApiKey, "Free", Op::List)
            .is_err()
    );
}

#[test]
fn stricter_subscriptions_check_each_event_for_the_subscriber() {
    let a = authz(POST);
    // Any signed-in user may subscribe (private read), but each event is checked per field.
    let g = a
        .authorize_subscription(&bob(), "Post", &Map::new())
        .unwrap();
    assert_eq!(g.filter, None);
    let event =
        obj(json!({"id": "1", "title": "t", "owner": "a-sub::alice", "draftNotes": "secret"}));
    let fields: Vec<String> = ["title", "draftNotes"].map(String::from).to_vec();
    let req = Request {
        caller: &bob(),
        model: "Post",
        operation: Op::Listen,
        existing: Some(&event),
        input: None,
        fields: &fields,
    };
    assert_eq!(a.decide(&req).unwrap().hidden_fields, vec!["draftNotes"]);
    // Owner-only model: the subscriber's filter matches the stored owner value, so another
    // user's events never match; an owner argument naming someone else is refused.
    let t = authz(TODO);
    let f: AuthFilter = t
        .authorize_subscription(&bob(), "Todo", &Map::new())
        .unwrap()
        .filter
        .unwrap();
    assert!(!f.matches(&obj(json!({"owner": "a-sub::alice"}))));
    assert!(f.matches(&obj(json!({"owner": "b-sub::bob"}))));
    assert!(
        t.authorize_subscription(&bob(), "Todo", &obj(json!({"owner": "alice"})))
            .is_err()
    );
    assert!(
        t.authorize_subscription(&bob(), "Todo", &obj(json!({"owner": "bob"})))
            .is_ok()
    );
    let req = Request {
        caller: &bob(),
        model: "Todo",
        operation: Op::Listen,
        existing: Some(&obj(json!({"owner": "a-sub::alice"}))),
        input: None,
        fields: &[],
    };
    assert!(t.decide(&req).is_err());
}

#[test]
fn stricter_related_records_use_the_related_models_rules() {
    // Post (public read) → Comment (owner only): loading comments through the relation is a
    // read of Comment by the same caller, filtered by Comment's rules.
    let a = authz(
        r#"type Blog @model @auth(rules: [{allow: public, operations: [read]}, {allow: owner}]) { name: String comments: [Comment] @hasMany(references: ["blogId"]) }
type Comment @model @auth(rules: [{allow: owner}]) { blogId: ID text: String blog: Blog @belongsTo(references: ["blogId"]) }"#,
    );
    assert!(a.authorize_read(&Caller::ApiKey, "Blog", Op::List).is_ok());
    assert!(
        a.authorize_read(&Caller::ApiKey, "Comment", Op::List)
            .is_err()
    );
    let f = a
        .authorize_read(&bob(), "Comment", Op::List)
        .unwrap()
        .filter
        .unwrap();
    assert!(!f.matches(&obj(json!({"blogId": "b1", "owner": "a-sub::alice"}))));
}

#[test]
fn owner_values_are_presented_as_appsync_shows_them() {
    let a = authz(TODO);
    let mut item = obj(json!({"owner": "a-sub::alice"}));
    a.present_owner_fields("Todo", &mut item);
    assert_eq!(item["owner"], json!("alice"));
}

#[test]
fn invalid_rules_are_errors_not_panics() {
    let s = spec(
        r#"type X @model @auth(rules: [{allow: owner}, {allow: owner, operations: [read]}]) { a: String }"#,
        AuthMode::AmazonCognitoUserPools,
        &[],
        false,
    );
    let err = Authorizer::new(&s, &AuthEnvironment::gen2(true)).unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
}

#[test]
fn owner_field_is_filled_even_when_another_rule_authorizes() {
    // populateOwnerFieldForStaticGroupAuth: a group member's create still records the owner,
    // and an explicit null is kept as written.
    let a = authz(
        r#"type Ticket @model @auth(rules: [{allow: groups, groups: ["Support"]}, {allow: owner}]) { t: String }"#,
    );
    let agent = user("s-9", "sam", &["Support"]);
    let g = a.authorize_create(&agent, "Ticket", &Map::new()).unwrap();
    assert_eq!(g.owner_values, vec![("owner".into(), json!("s-9::sam"))]);
    let g = a
        .authorize_create(&agent, "Ticket", &obj(json!({"owner": null})))
        .unwrap();
    assert!(g.owner_values.is_empty());
    // An API key caller has no identity: nothing to fill in, and no owner rule applies.
    assert!(
        a.authorize_create(&Caller::ApiKey, "Ticket", &Map::new())
            .is_err()
    );
}
