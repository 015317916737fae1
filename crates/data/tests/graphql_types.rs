//! Custom types, enums (including lists of them) and every AWS scalar, round-tripped and
//! validated on input.

mod gql;

use gql::{Auth, Harness};
use serde_json::json;

#[tokio::test]
async fn nested_custom_types_and_enum_lists() {
    let h = Harness::new("b-enums-customtypes").await;
    let alice = Auth::Token(h.user("alice@example.com").await);
    let create = "mutation ($input: CreateTaskInput!) {\n  createTask(input: $input) {\n    id title priority requiredPriority colors requiredColors status\n    address { city tags location { lat lng } country { code region } kind }\n    requiredAddress { city }\n    pastAddresses { city }\n    meta { estimateHours checklist audit { createdBy reviewedAt } accent }\n  }\n}\n";
    let input = json!({
        "title": "t", "priority": "HIGH", "requiredPriority": "LOW",
        "colors": ["red", "blue"], "requiredColors": ["green"], "status": "TODO",
        "address": {"city": "Lyon", "tags": ["a"], "location": {"lat": 45.75, "lng": 4.85},
                    "country": {"code": "FR", "region": "EMEA"}, "kind": "HOME"},
        "requiredAddress": {"city": "Paris"},
        "pastAddresses": [{"city": "Nice"}, {"city": "Metz"}],
        "meta": {"estimateHours": 1.5, "checklist": ["x"],
                 "audit": {"createdBy": "me", "reviewedAt": "2024-01-01T00:00:00.000Z"}, "accent": "blue"}
    });
    let task = h.ok(&alice, create, json!({"input": input})).await["createTask"].clone();
    assert_eq!(task["colors"], json!(["red", "blue"]));
    assert_eq!(
        task["address"]["location"],
        json!({"lat": 45.75, "lng": 4.85})
    );
    assert_eq!(
        task["address"]["country"],
        json!({"code": "FR", "region": "EMEA"})
    );
    assert_eq!(
        task["pastAddresses"],
        json!([{"city": "Nice"}, {"city": "Metz"}])
    );
    assert_eq!(task["meta"]["audit"]["createdBy"], "me");
    assert_eq!(task["meta"]["accent"], "blue");

    let list = "query ($filter: ModelTaskFilterInput) { listTasks(filter: $filter) { items { id priority } } }";
    let high = h
        .ok(
            &alice,
            list,
            json!({"filter": {"priority": {"eq": "HIGH"}}}),
        )
        .await;
    assert_eq!(high["listTasks"]["items"].as_array().unwrap().len(), 1);
    let v = h
        .errors(
            &alice,
            create,
            json!({"input": {"title": "x", "requiredPriority": "NOPE",
            "requiredColors": [], "requiredAddress": {"city": "c"}}}),
        )
        .await;
    assert!(v["data"].is_null(), "{v}");
}

#[tokio::test]
async fn aws_scalars_round_trip_and_are_validated() {
    let h = Harness::new("b-scalars").await;
    let create = "mutation ($input: CreateScalarsInput!) {\n  createScalars(input: $input) {\n    id anId aString anInteger aFloat aBoolean aDate aTime aDateTime aTimestamp anEmail aPhone aUrl anIpAddress aJson\n  }\n}\n";
    let good = json!({
        "anId": "x", "aString": "s", "anInteger": 3, "aFloat": 1.5, "aBoolean": true,
        "aDate": "2024-02-29", "aTime": "12:30:00.000Z", "aDateTime": "2024-01-01T00:00:00.000+02:00",
        "aTimestamp": 1700000000, "anEmail": "a@example.com", "aPhone": "+1 555 123 4567",
        "aUrl": "https://example.com/x", "anIpAddress": "10.0.0.1/8", "aJson": "{\"a\":[1,2]}"
    });
    let made = h.ok(&Auth::ApiKey, create, json!({"input": good})).await["createScalars"].clone();
    for (k, v) in good.as_object().unwrap() {
        assert_eq!(&made[k], v, "{k}");
    }
    for (field, bad) in [
        ("aDate", json!("2024-02-30")),
        ("aTime", json!("25:00")),
        ("aDateTime", json!("2024-01-01T00:00:00")),
        ("aTimestamp", json!("soon")),
        ("anEmail", json!("nobody")),
        ("aPhone", json!("call me")),
        ("aUrl", json!("example.com")),
        ("anIpAddress", json!("999.1.1.1")),
        ("aJson", json!("{oops")),
    ] {
        let v = h
            .errors(&Auth::ApiKey, create, json!({"input": {field: bad}}))
            .await;
        assert!(v["data"].is_null(), "{field} accepted: {v}");
    }
}

#[tokio::test]
async fn validate_rules_are_enforced_with_appsync_messages() {
    let h = Harness::new("b-scalars").await;
    let create = "mutation ($input: CreateValidatedInput!) { createValidated(input: $input) { id username } }";
    let ok = h
        .ok(
            &Auth::ApiKey,
            create,
            json!({"input": {"username": "u_abc_x", "age": 30, "score": 5.5}}),
        )
        .await;
    assert_eq!(ok["createValidated"]["username"], "u_abc_x");
    for (input, message) in [
        (
            json!({"username": "u_"}),
            "Field username of type Validated must have a minimum length of 3",
        ),
        (
            json!({"username": "x_abc_x"}),
            "Field username of type Validated must start with u_",
        ),
        (
            json!({"username": "u_ABC_x"}),
            "Field username of type Validated must match ^u_[a-z_]+_x$",
        ),
        (
            json!({"username": "u_abc_x", "age": 151}),
            "Field age of type Validated must be less than or equal to 150",
        ),
        (
            json!({"username": "u_abc_x", "stock": 0}),
            "Field stock of type Validated must be greater than 0",
        ),
        (
            json!({"username": "u_abc_x", "debt": 1}),
            "must be negative",
        ),
        (
            json!({"username": "u_abc_x", "delta": -1.6}),
            "Field delta of type Validated must be greater than or equal to -1.5",
        ),
    ] {
        let v = h
            .errors(&Auth::ApiKey, create, json!({"input": input}))
            .await;
        assert_eq!(v["errors"][0]["message"], message, "{v}");
        assert!(v["data"]["createValidated"].is_null());
    }
    let id = ok["createValidated"]["id"].clone();
    let update =
        "mutation ($input: UpdateValidatedInput!) { updateValidated(input: $input) { id } }";
    let v = h
        .errors(
            &Auth::ApiKey,
            update,
            json!({"input": {"id": id, "score": 10}}),
        )
        .await;
    assert_eq!(
        v["errors"][0]["message"],
        "Field score of type Validated must be less than 10"
    );
}
