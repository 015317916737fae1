//! Composite primary keys: get by every key field, lists with a composite sort key condition,
//! the generated resolvers' argument checks.

mod gql;

use gql::{Auth, Harness};
use serde_json::{Value, json};

fn emails_kinds(conn: &Value) -> Vec<(String, i64)> {
    conn["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["email"].as_str().unwrap().to_string(),
                i["kind"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn composite_sort_key_queries() {
    let h = Harness::new("lib-v2-primary-key-with-composite-sort-key").await;
    let create = "mutation ($input: CreateTestInput!) {\n  createTest(input: $input) { email kind other andAnother createdAt }\n}\n";
    let rows = [
        ("a@x.com", 1, "2024-01-01T00:00:00.000Z"),
        ("a@x.com", 1, "2024-06-01T00:00:00.000Z"),
        ("a@x.com", 2, "2024-03-01T00:00:00.000Z"),
        ("a@x.com", 3, "2024-02-01T00:00:00.000Z"),
        ("b@x.com", 1, "2024-01-01T00:00:00.000Z"),
    ];
    for (email, kind, other) in rows {
        h.ok(
            &Auth::ApiKey,
            create,
            json!({"input": {"email": email, "kind": kind, "other": other, "andAnother": "z"}}),
        )
        .await;
    }
    // The same full key again is a duplicate.
    let v = h
        .errors(
            &Auth::ApiKey,
            create,
            json!({"input": {"email": "a@x.com", "kind": 1, "other": "2024-01-01T00:00:00.000Z", "andAnother": "z"}}),
        )
        .await;
    assert_eq!(
        v["errors"][0]["errorType"],
        "DynamoDB:ConditionalCheckFailedException"
    );

    let get = "query ($email: String!, $kind: Int!, $other: AWSDateTime!) {\n  getTest(email: $email, kind: $kind, other: $other) { email kind other }\n}\n";
    let got = h
        .ok(
            &Auth::ApiKey,
            get,
            json!({"email": "a@x.com", "kind": 2, "other": "2024-03-01T00:00:00.000Z"}),
        )
        .await;
    assert_eq!(got["getTest"]["kind"], 2);

    let list = "query ($email: String, $kindOther: ModelTestPrimaryCompositeKeyConditionInput, $sortDirection: ModelSortDirection, $filter: ModelTestFilterInput, $limit: Int, $nextToken: String) {\n  listTests(email: $email, kindOther: $kindOther, sortDirection: $sortDirection, filter: $filter, limit: $limit, nextToken: $nextToken) { items { email kind other } nextToken }\n}\n";
    let all = h.ok(&Auth::ApiKey, list, json!({"email": "a@x.com"})).await;
    assert_eq!(all["listTests"]["items"].as_array().unwrap().len(), 4);
    let eq_kind = h
        .ok(
            &Auth::ApiKey,
            list,
            json!({"email": "a@x.com", "kindOther": {"beginsWith": {"kind": 1}}}),
        )
        .await;
    assert_eq!(
        emails_kinds(&eq_kind["listTests"]),
        [("a@x.com".into(), 1), ("a@x.com".into(), 1)]
    );
    let exact = h
        .ok(
            &Auth::ApiKey,
            list,
            json!({"email": "a@x.com", "kindOther": {"eq": {"kind": 1, "other": "2024-06-01T00:00:00.000Z"}}}),
        )
        .await;
    assert_eq!(exact["listTests"]["items"].as_array().unwrap().len(), 1);
    let desc = h
        .ok(
            &Auth::ApiKey,
            list,
            json!({"email": "a@x.com", "sortDirection": "DESC"}),
        )
        .await;
    let kinds: Vec<i64> = emails_kinds(&desc["listTests"])
        .into_iter()
        .map(|(_, k)| k)
        .collect();
    assert_eq!(kinds, [3, 2, 1, 1]);
    let between = h
        .ok(
            &Auth::ApiKey,
            list,
            json!({"email": "a@x.com", "kindOther": {"between": [{"kind": 2}, {"kind": 3}]}}),
        )
        .await;
    // "2" <= "2#..." and "3#..." > "3": as DynamoDB compares the joined strings.
    assert_eq!(emails_kinds(&between["listTests"]), [("a@x.com".into(), 2)]);

    // The generated resolvers' argument checks.
    let v = h
        .errors(
            &Auth::ApiKey,
            list,
            json!({"kindOther": {"eq": {"kind": 1}}}),
        )
        .await;
    assert_eq!(v["errors"][0]["errorType"], "InvalidArgumentsError");
    assert_eq!(
        v["errors"][0]["message"],
        "When providing argument 'kindOther' you must also provide 'email'."
    );
    let v = h
        .errors(
            &Auth::ApiKey,
            list,
            json!({"email": "a@x.com", "kindOther": {"eq": {"other": "2024-01-01T00:00:00.000Z"}}}),
        )
        .await;
    assert_eq!(
        v["errors"][0]["message"],
        "When providing argument 'kindOther.eq.other' you must also provide 'kindOther.eq.kind'."
    );
    let v = h
        .errors(
            &Auth::ApiKey,
            list,
            json!({"email": "a@x.com", "kindOther": {"eq": {"kind": 1}, "gt": {"kind": 0}}}),
        )
        .await;
    assert_eq!(
        v["errors"][0]["message"],
        "Argument kindOther must specify at most one key condition operation."
    );

    // Update and delete address the item by its full key.
    let update = "mutation ($input: UpdateTestInput!) {\n  updateTest(input: $input) { email kind other yetAnother }\n}\n";
    let u = h
        .ok(&Auth::ApiKey, update, json!({"input": {"email": "b@x.com", "kind": 1, "other": "2024-01-01T00:00:00.000Z", "yetAnother": "y"}}))
        .await;
    assert_eq!(u["updateTest"]["yetAnother"], "y");
    let delete =
        "mutation ($input: DeleteTestInput!) {\n  deleteTest(input: $input) { email kind }\n}\n";
    h.ok(
        &Auth::ApiKey,
        delete,
        json!({"input": {"email": "b@x.com", "kind": 1, "other": "2024-01-01T00:00:00.000Z"}}),
    )
    .await;
    let rest = h.ok(&Auth::ApiKey, list, json!({})).await;
    assert_eq!(rest["listTests"]["items"].as_array().unwrap().len(), 4);
}
