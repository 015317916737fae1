//! ex-todo-owner through `POST /graphql`: owner rules with public API-key reads, as the
//! aws-amplify client drives them.

mod gql;

use axum::http::StatusCode;
use gql::{Auth, Harness};
use serde_json::json;

const SEL: &str = "id\n      content\n      done\n      priority\n      createdAt\n      updatedAt\n      owner\n      __typename";

fn create_doc() -> String {
    format!(
        "mutation ($input: CreateTodoInput!) {{\n  createTodo(input: $input) {{\n      {SEL}\n  }}\n}}\n"
    )
}
fn update_doc() -> String {
    format!(
        "mutation ($input: UpdateTodoInput!) {{\n  updateTodo(input: $input) {{\n      {SEL}\n  }}\n}}\n"
    )
}
fn delete_doc() -> String {
    format!(
        "mutation ($input: DeleteTodoInput!) {{\n  deleteTodo(input: $input) {{\n      {SEL}\n  }}\n}}\n"
    )
}
fn get_doc() -> String {
    format!("query ($id: ID!) {{\n  getTodo(id: $id) {{\n      {SEL}\n  }}\n}}\n")
}
fn list_doc() -> String {
    format!(
        "query ($filter: ModelTodoFilterInput, $limit: Int, $nextToken: String) {{\n  listTodos(filter: $filter, limit: $limit, nextToken: $nextToken) {{\n    items {{\n      {SEL}\n    }}\n    nextToken\n    __typename\n  }}\n}}\n"
    )
}

#[tokio::test]
async fn owner_crudl_with_user_pool_tokens() {
    let h = Harness::new("ex-todo-owner").await;
    let alice = Auth::Token(h.user("alice@example.com").await);

    let created = h
        .ok(
            &alice,
            &create_doc(),
            json!({"input": {"content": "milk", "priority": 2}}),
        )
        .await["createTodo"]
        .clone();
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(id.len(), 36, "a uuid: {created}");
    assert_eq!(created["content"], "milk");
    // `.default()` of `done` is applied.
    assert_eq!(created["done"], false);
    assert_eq!(created["__typename"], "Todo");
    // The owner is `sub::username`, presented as the username.
    let Auth::Token(token) = &alice else {
        unreachable!()
    };
    let username = gql::claims(token)["username"].clone();
    assert!(username.is_string());
    assert_eq!(created["owner"], username);
    let created_at = created["createdAt"].as_str().unwrap();
    assert!(stratus_data::scalars::is_valid_str(
        "AWSDateTime",
        created_at
    ));
    assert_eq!(
        created_at.len(),
        "2024-01-01T00:00:00.000Z".len(),
        "{created_at}"
    );
    assert_eq!(created["createdAt"], created["updatedAt"]);

    let got = h.ok(&alice, &get_doc(), json!({"id": id})).await;
    assert_eq!(got["getTodo"], created);

    let updated = h
        .ok(
            &alice,
            &update_doc(),
            json!({"input": {"id": id, "done": true}}),
        )
        .await["updateTodo"]
        .clone();
    assert_eq!(updated["done"], true);
    assert_eq!(
        updated["content"], "milk",
        "partial update keeps other fields"
    );
    assert_eq!(updated["createdAt"], created["createdAt"]);

    let list = h
        .ok(
            &alice,
            &list_doc(),
            json!({"filter": {"done": {"eq": true}}}),
        )
        .await;
    assert_eq!(list["listTodos"]["items"].as_array().unwrap().len(), 1);
    assert_eq!(list["listTodos"]["nextToken"], serde_json::Value::Null);
    assert_eq!(list["listTodos"]["__typename"], "ModelTodoConnection");

    let deleted = h
        .ok(&alice, &delete_doc(), json!({"input": {"id": id}}))
        .await["deleteTodo"]
        .clone();
    assert_eq!(deleted["id"], id.as_str());
    assert_eq!(deleted["done"], true);
    let got = h.ok(&alice, &get_doc(), json!({"id": id})).await;
    assert!(got["getTodo"].is_null());
}

#[tokio::test]
async fn two_owners_are_isolated() {
    let h = Harness::new("ex-todo-owner").await;
    let alice = Auth::Token(h.user("alice@example.com").await);
    let bob = Auth::Token(h.user("bob@example.com").await);
    let a = h
        .ok(
            &alice,
            &create_doc(),
            json!({"input": {"content": "alice's"}}),
        )
        .await["createTodo"]["id"]
        .clone();
    h.ok(&bob, &create_doc(), json!({"input": {"content": "bob's"}}))
        .await;

    let list = h.ok(&bob, &list_doc(), json!({})).await;
    let items = list["listTodos"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["content"], "bob's");

    // A get of another owner's item is Unauthorized, in AppSync's shape.
    let v = h.errors(&bob, &get_doc(), json!({"id": a})).await;
    assert_eq!(v["data"]["getTodo"], serde_json::Value::Null);
    let e = &v["errors"][0];
    assert_eq!(e["errorType"], "Unauthorized");
    assert_eq!(
        e["message"],
        "Not Authorized to access getTodo on type Query"
    );
    assert_eq!(e["path"], json!(["getTodo"]));
    assert!(e["locations"].is_array());
    assert!(e.get("data").is_some() && e.get("errorInfo").is_some());

    // Bob can neither update nor delete it.
    let v = h
        .errors(
            &bob,
            &update_doc(),
            json!({"input": {"id": a, "content": "x"}}),
        )
        .await;
    assert_eq!(v["errors"][0]["errorType"], "Unauthorized");
    let v = h
        .errors(&bob, &delete_doc(), json!({"input": {"id": a}}))
        .await;
    assert_eq!(v["errors"][0]["errorType"], "Unauthorized");
    let got = h.ok(&alice, &get_doc(), json!({"id": a})).await;
    assert_eq!(got["getTodo"]["content"], "alice's");
}

#[tokio::test]
async fn api_key_reads_but_cannot_write() {
    let h = Harness::new("ex-todo-owner").await;
    let alice = Auth::Token(h.user("alice@example.com").await);
    for i in 0..3 {
        h.ok(
            &alice,
            &create_doc(),
            json!({"input": {"content": format!("t{i}")}}),
        )
        .await;
    }
    let list = h.ok(&Auth::ApiKey, &list_doc(), json!({})).await;
    assert_eq!(list["listTodos"]["items"].as_array().unwrap().len(), 3);

    // createTodo has no @aws_api_key.
    let v = h
        .errors(
            &Auth::ApiKey,
            &create_doc(),
            json!({"input": {"content": "x"}}),
        )
        .await;
    assert_eq!(v["errors"][0]["errorType"], "Unauthorized");
    assert_eq!(
        v["errors"][0]["message"],
        "Not Authorized to access createTodo on type Mutation"
    );
    assert!(v["data"]["createTodo"].is_null());
}

#[tokio::test]
async fn pagination_to_the_end() {
    let h = Harness::new("ex-todo-owner").await;
    let alice = Auth::Token(h.user("alice@example.com").await);
    for i in 0..7 {
        h.ok(
            &alice,
            &create_doc(),
            json!({"input": {"content": format!("t{i}"), "priority": i}}),
        )
        .await;
    }
    let mut seen = Vec::new();
    let mut token = serde_json::Value::Null;
    for _ in 0..10 {
        let page = h
            .ok(&alice, &list_doc(), json!({"limit": 3, "nextToken": token}))
            .await["listTodos"]
            .clone();
        for item in page["items"].as_array().unwrap() {
            seen.push(item["content"].as_str().unwrap().to_string());
        }
        token = page["nextToken"].clone();
        if token.is_null() {
            break;
        }
    }
    seen.sort();
    assert_eq!(seen, (0..7).map(|i| format!("t{i}")).collect::<Vec<_>>());

    // Filters with operators.
    let list = h
        .ok(
            &alice,
            &list_doc(),
            json!({"filter": {"priority": {"between": [2, 4]}, "content": {"beginsWith": "t"}}}),
        )
        .await;
    assert_eq!(list["listTodos"]["items"].as_array().unwrap().len(), 3);
    let list = h
        .ok(
            &alice,
            &list_doc(),
            json!({"filter": {"or": [{"priority": {"eq": 0}}, {"priority": {"ge": 6}}]}}),
        )
        .await;
    assert_eq!(list["listTodos"]["items"].as_array().unwrap().len(), 2);

    // A tampered token is refused.
    let v = h
        .errors(
            &alice,
            &list_doc(),
            json!({"limit": 3, "nextToken": "bogus"}),
        )
        .await;
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("nextToken"),
        "{v}"
    );
}

#[tokio::test]
async fn duplicate_and_condition_failures() {
    let h = Harness::new("ex-todo-owner").await;
    let alice = Auth::Token(h.user("alice@example.com").await);
    h.ok(
        &alice,
        &create_doc(),
        json!({"input": {"id": "fixed", "content": "a"}}),
    )
    .await;
    let v = h
        .errors(
            &alice,
            &create_doc(),
            json!({"input": {"id": "fixed", "content": "b"}}),
        )
        .await;
    assert_eq!(
        v["errors"][0]["errorType"],
        "DynamoDB:ConditionalCheckFailedException"
    );
    assert!(
        v["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("The conditional request failed")
    );

    let cond = "mutation ($input: UpdateTodoInput!, $condition: ModelTodoConditionInput) {\n  updateTodo(input: $input, condition: $condition) { id content }\n}\n";
    let v = h
        .errors(&alice, cond, json!({"input": {"id": "fixed", "content": "c"}, "condition": {"content": {"eq": "zzz"}}}))
        .await;
    assert_eq!(
        v["errors"][0]["errorType"],
        "DynamoDB:ConditionalCheckFailedException"
    );
    let ok = h
        .ok(&alice, cond, json!({"input": {"id": "fixed", "content": "c"}, "condition": {"content": {"eq": "a"}}}))
        .await;
    assert_eq!(ok["updateTodo"]["content"], "c");

    // Update of a missing item.
    let v = h
        .errors(
            &alice,
            &update_doc(),
            json!({"input": {"id": "missing", "content": "x"}}),
        )
        .await;
    assert_eq!(
        v["errors"][0]["errorType"],
        "DynamoDB:ConditionalCheckFailedException"
    );
}

#[tokio::test]
async fn credentials_are_checked_before_execution() {
    let h = Harness::new("ex-todo-owner").await;
    for auth in [
        Auth::None,
        Auth::Key("da2-wrongwrongwrongwrongwrongw".into()),
        Auth::Token("not-a-jwt".into()),
    ] {
        let (status, v) = h.post(&auth, &list_doc(), json!({})).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{auth:?}");
        assert_eq!(v["errors"][0]["errorType"], "UnauthorizedException", "{v}");
    }
    // Malformed bodies are a 400, never a 5xx.
    let (status, _) = h.raw(&Auth::ApiKey, "{not json".into()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Unknown fields are validation errors.
    let (status, v) = h.post(&Auth::ApiKey, "{ nope }", json!({})).await;
    assert_eq!(status, StatusCode::OK);
    assert!(v["errors"][0]["message"].is_string(), "{v}");
}

#[tokio::test]
async fn scalars_are_validated_and_introspection_works() {
    let h = Harness::new("ex-todo-owner").await;
    let alice = Auth::Token(h.user("alice@example.com").await);
    let v = h
        .errors(
            &alice,
            &create_doc(),
            json!({"input": {"content": "x", "priority": "high"}}),
        )
        .await;
    assert!(v["data"].is_null(), "{v}");
    let data = h
        .ok(
            &Auth::ApiKey,
            "{ __schema { queryType { name } subscriptionType { name fields { name } } types { name } } }",
            json!({}),
        )
        .await;
    let subs: Vec<&str> = data["__schema"]["subscriptionType"]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|f| f["name"].as_str())
        .collect();
    assert_eq!(subs, ["onCreateTodo", "onUpdateTodo", "onDeleteTodo"]);
    let names: Vec<&str> = data["__schema"]["types"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    for expected in [
        "Todo",
        "ModelTodoConnection",
        "CreateTodoInput",
        "AWSDateTime",
        "ModelTodoFilterInput",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
}

#[tokio::test]
async fn bearer_tokens_and_subscriptions_over_http() {
    let h = Harness::new("ex-todo-owner").await;
    let Auth::Token(token) = Auth::Token(h.user("alice@example.com").await) else {
        unreachable!()
    };
    let bearer = Auth::Token(format!("Bearer {token}"));
    let list = h.ok(&bearer, &list_doc(), json!({})).await;
    assert_eq!(list["listTodos"]["items"], json!([]));
    // A subscription is served by the realtime endpoint; over HTTP it is an error, not a 5xx.
    let (status, v) = h
        .post(
            &Auth::ApiKey,
            "subscription { onCreateTodo { id } }",
            json!({}),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(v["errors"].is_array(), "{v}");
}
