use serde_json::{Value, json};

use super::*;

fn access(v: Value) -> Result<StorageAccess, SpecError> {
    StorageAccess::from_raw(&v)
}

fn rule(principal: &str, actions: &[&str]) -> Value {
    json!({"principal": principal, "actions": actions})
}

fn path_error_message(path_map: Value) -> (SpecErrorKind, String, Option<String>) {
    let e = access(path_map).unwrap_err();
    (e.kind, e.message, e.details)
}

#[test]
fn every_path_error_message() {
    let g = || json!([rule("guest", &["read"])]);
    let ent = || json!([{"principal": "entity", "entity": "identity", "actions": ["read"]}]);
    let cases: Vec<(Value, &str)> = vec![
        (
            json!({"/public/*": g()}),
            "Storage access paths must not start with \"/\". Found [/public/*].",
        ),
        (
            json!({"public/": g()}),
            "Storage access paths must end with \"/*\". Found [public/].",
        ),
        (
            json!({"a//b/*": g()}),
            "Path cannot contain \"//\". Found [a//b/*].",
        ),
        (
            json!({"a/*/b/*": g()}),
            "Wildcards are only allowed as the final part of a path. Found [a/*/b/*].",
        ),
        (
            json!({"a/*": g(), "a/b/*": g(), "a/b/c/*": g()}),
            "For any given path, only one other path can be a prefix of it. Found [a/b/c/*] which has prefixes [a/*, a/b/*].",
        ),
        (
            json!({"a/*": g(), "a/{entity_id}/*": ent()}),
            "A path cannot be a prefix of another path that contains the {entity_id} token.",
        ),
        (
            json!({"a/{entity_id}/{entity_id}/*": ent()}),
            "The {entity_id} token can only appear once in a path. Found [a/{entity_id}/{entity_id}/*]",
        ),
        (
            json!({"a/{entity_id}/b/*": ent()}),
            "The {entity_id} token must be the path part right before the ending wildcard. Found [a/{entity_id}/b/*].",
        ),
        (
            json!({"{entity_id}/*": ent()}),
            "The {entity_id} token must not be the first path part. Found [{entity_id}/*].",
        ),
        (
            json!({"a/x{entity_id}/*": ent()}),
            "A path part that includes the {entity_id} token cannot include any other characters. Found [a/x{entity_id}/*].",
        ),
    ];
    for (input, expected) in cases {
        let (kind, message, _) = path_error_message(input);
        assert_eq!(kind, SpecErrorKind::InvalidStorageAccessPath);
        assert_eq!(message, expected);
    }
    let (_, _, details) = path_error_message(json!({"a/*": g(), "a/{entity_id}/*": ent()}));
    assert_eq!(
        details.as_deref(),
        Some("Found [a/{entity_id}/*] which has prefixes [a/*].")
    );
    // a path that is only a "prefix" of itself is fine; depth two is fine.
    assert!(access(json!({"a/*": g(), "a/b/*": g(), "a/c/*": g()})).is_ok());
}

#[test]
fn duplicate_principal_messages() {
    let cases = [
        (
            json!([rule("guest", &["read"]), rule("guest", &["write"])]),
            "Entity access definition for guest users specified multiple times.",
        ),
        (
            json!([
                rule("authenticated", &["read"]),
                rule("authenticated", &["write"])
            ]),
            "Entity access definition for authenticated users specified multiple times.",
        ),
        (
            json!([{"principal": "groups", "groups": ["A", "B"], "actions": ["read"]},
                {"principal": "groups", "groups": ["B"], "actions": ["write"]}]),
            "Group access definition for B specified multiple times.",
        ),
        (
            json!([{"principal": "entity", "entity": "identity", "actions": ["read"]},
                {"principal": "entity", "entity": "identity", "actions": ["write"]}]),
            "Entity access definition for identity specified multiple times.",
        ),
    ];
    for (rules, expected) in cases {
        let e = access(json!({"a/{entity_id}/*": rules})).unwrap_err();
        assert_eq!(e.kind, SpecErrorKind::InvalidStorageAccessDefinition);
        assert_eq!(e.message, expected);
    }
    // functions may appear several times on a path
    let fnr = json!({"principal": "resource", "resource": {"$function": "f"}, "actions": ["read"]});
    assert!(access(json!({"a/*": [fnr.clone(), fnr]})).is_ok());
}

#[test]
fn bad_principals_and_actions() {
    assert_eq!(
        access(json!({"a/*": [rule("owner", &["read"])]}))
            .unwrap_err()
            .kind,
        SpecErrorKind::InvalidProps
    );
    assert_eq!(
        access(json!({"a/*": [rule("guest", &["copy"])]}))
            .unwrap_err()
            .kind,
        SpecErrorKind::InvalidProps
    );
    assert_eq!(
        access(json!({"a/*": rule("guest", &["read"])}))
            .unwrap_err()
            .kind,
        SpecErrorKind::InvalidProps
    );
    let e = access(json!({"a/*": [rule("guest", &[])]})).unwrap_err();
    assert_eq!(
        (e.kind, e.message.as_str()),
        (
            SpecErrorKind::EmptyPolicy,
            "At least one permission must be specified"
        )
    );
}

fn sample() -> StorageAccess {
    access(json!({
        "public/*": [rule("guest", &["read"]), rule("authenticated", &["read", "write", "delete"])],
        "protected/{entity_id}/*": [rule("authenticated", &["read"]),
            {"principal": "entity", "entity": "identity", "actions": ["read", "write", "delete"]}],
        "private/{entity_id}/*": [{"principal": "entity", "entity": "identity", "actions": ["read", "write", "delete"]}],
        "admin/*": [{"principal": "groups", "groups": ["Admins"], "actions": ["read", "write", "delete"]},
            {"principal": "resource", "resource": {"$function": "echo"}, "actions": ["read"]}]
    }))
    .unwrap()
}

#[test]
fn output_paths_of_the_sample() {
    let a = sample();
    type Entries = Vec<(String, Vec<&'static str>)>;
    let got: Vec<(String, Entries)> = a
        .output_paths
        .iter()
        .map(|p| {
            (
                p.path.clone(),
                p.access
                    .iter()
                    .map(|x| {
                        (
                            x.key.clone(),
                            x.actions.iter().map(|a| a.as_str()).collect(),
                        )
                    })
                    .collect(),
            )
        })
        .collect();
    let all = vec!["get", "list", "write", "delete"];
    let expected = vec![
        (
            "public/*".to_string(),
            vec![
                ("guest".to_string(), vec!["get", "list"]),
                ("authenticated".into(), all.clone()),
            ],
        ),
        (
            "protected/*".into(),
            vec![("authenticated".into(), vec!["get", "list"])],
        ),
        (
            "protected/${cognito-identity.amazonaws.com:sub}/*".into(),
            vec![("entityidentity".into(), all.clone())],
        ),
        (
            "private/${cognito-identity.amazonaws.com:sub}/*".into(),
            vec![("entityidentity".into(), all.clone())],
        ),
        ("admin/*".into(), vec![("groupsAdmins".into(), all)]),
    ];
    assert_eq!(got, expected);
}

#[test]
fn evaluation_of_the_sample() {
    use StorageAction::*;
    let a = sample();
    let guest = StorageRole::Guest;
    let auth = StorageRole::Authenticated;
    let me = Some("us-east-1:me");
    assert!(a.is_allowed(&guest, me, Get, "public/cat.png"));
    assert!(!a.is_allowed(&guest, me, Write, "public/cat.png"));
    assert!(a.is_allowed(&guest, me, List, "public/"));
    assert!(a.is_allowed(&guest, me, List, "public/sub/"));
    assert!(!a.is_allowed(&guest, me, List, ""));
    assert!(!a.is_allowed(&guest, me, Get, "protected/x/a"));
    assert!(a.is_allowed(&auth, me, Get, "protected/someone/a"));
    assert!(!a.is_allowed(&auth, me, Write, "protected/someone/a"));
    assert!(a.is_allowed(&auth, me, Write, "protected/us-east-1:me/a"));
    assert!(a.is_allowed(&auth, me, Delete, "private/us-east-1:me/a"));
    assert!(!a.is_allowed(&auth, me, Get, "private/us-east-1:other/a"));
    assert!(!a.is_allowed(&auth, None, Get, "private/us-east-1:me/a"));
    assert!(!a.is_allowed(&auth, me, Get, "admin/x"));
    let admins = StorageRole::Group("Admins".into());
    assert!(a.is_allowed(&admins, me, Write, "admin/x"));
    // group members run as the group role: no authenticated grants
    assert!(!a.is_allowed(&admins, me, Get, "public/x"));
    let echo = StorageRole::Function("echo".into());
    assert!(a.is_allowed(&echo, None, Get, "admin/report.csv"));
    assert!(!a.is_allowed(&echo, None, Write, "admin/report.csv"));
    assert!(!a.is_allowed(&StorageRole::Function("other".into()), None, Get, "admin/r"));
}

#[test]
fn deny_by_default_on_sub_paths() {
    use StorageAction::*;
    let a = access(json!({
        "public/*": [rule("guest", &["read"]), rule("authenticated", &["read", "write", "delete"])],
        "public/secret/*": [{"principal": "groups", "groups": ["Admins"], "actions": ["read"]}, rule("authenticated", &["get"])]
    }))
    .unwrap();
    let guest = a.policy(&StorageRole::Guest).unwrap();
    let get = guest.statements.iter().find(|s| s.action == Get).unwrap();
    assert_eq!(get.allow, vec!["public/*"]);
    assert_eq!(get.deny, vec!["public/secret/*"]);
    let auth = a.policy(&StorageRole::Authenticated).unwrap();
    let get = auth.statements.iter().find(|s| s.action == Get).unwrap();
    assert_eq!(
        (get.allow.clone(), get.deny.clone()),
        (vec!["public/*".to_string()], vec![])
    );
    let write = auth.statements.iter().find(|s| s.action == Write).unwrap();
    assert_eq!(write.deny, vec!["public/secret/*"]);
    let me = Some("id");
    assert!(!a.is_allowed(&StorageRole::Guest, me, Get, "public/secret/k"));
    assert!(a.is_allowed(&StorageRole::Guest, me, Get, "public/open/k"));
    assert!(!a.is_allowed(&StorageRole::Guest, me, List, "public/secret/"));
    assert!(a.is_allowed(&StorageRole::Authenticated, me, Get, "public/secret/k"));
    assert!(!a.is_allowed(&StorageRole::Authenticated, me, Write, "public/secret/k"));
    assert!(a.is_allowed(
        &StorageRole::Group("Admins".into()),
        me,
        Get,
        "public/secret/k"
    ));
}

#[test]
fn entity_sub_path_is_not_denied() {
    let a = access(json!({
        "media/{entity_id}/*": [rule("guest", &["read"]), {"principal": "entity", "entity": "identity", "actions": ["write"]}]
    }))
    .unwrap();
    let keys: Vec<&str> = a.output_paths.iter().map(|p| p.path.as_str()).collect();
    assert_eq!(
        keys,
        ["media/*", "media/${cognito-identity.amazonaws.com:sub}/*"]
    );
    assert!(
        a.policies
            .iter()
            .all(|p| p.statements.iter().all(|s| s.deny.is_empty()))
    );
}

#[test]
fn function_only_path_is_empty_in_outputs() {
    let a = access(json!({"fn/*": [{"principal": "resource", "resource": {"$function": "echo"}, "actions": ["read", "write"]}]}))
        .unwrap();
    assert_eq!(
        a.output_paths,
        vec![OutputPath {
            path: "fn/*".into(),
            access: vec![]
        }]
    );
    assert_eq!(a.policies.len(), 1);
}

#[test]
fn globbing() {
    assert!(glob_match("public/*", "public/a/b"));
    assert!(glob_match("public/*", "public/"));
    assert!(!glob_match("public/*", "public"));
    assert!(glob_match("a/?/c", "a/b/c"));
    assert!(!glob_match("a/?/c", "a/bb/c"));
    assert!(glob_match("*x*y", "aaxbby"));
    assert!(!glob_match("abc", "abcd"));
    assert!(glob_match("", ""));
}

#[test]
fn serde_round_trip() {
    let a = sample();
    let v = serde_json::to_value(&a).unwrap();
    let back: StorageAccess = serde_json::from_value(v.clone()).unwrap();
    assert_eq!(back, a);
    assert_eq!(v["policies"][0]["role"], json!({"role": "guest"}));
}
