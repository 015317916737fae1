//! Every filter operator against a small table, with DynamoDB's semantics (typed comparisons,
//! `ne`/`notContains` true on missing attributes, `contains` on strings vs lists, `size`,
//! attribute types), evaluated in SQL.

mod common;

use common::*;
use serde_json::{Value, json};
use stratus_store::documents::{DocumentStore, Filter, QueryRequest};

fn items() -> Vec<Value> {
    vec![
        json!({"id": "a", "s": "hello world", "n": 5, "b": true, "l": ["x", "y"], "m": {"k": 1}, "z": null}),
        json!({"id": "b", "s": "help", "n": 10.5, "b": false, "l": [1, 2, 3], "m": {}}),
        json!({"id": "c", "s": "5", "n": -1, "l": []}),
        json!({"id": "d"}),
        json!({"id": "e", "s": "Hello", "n": 5, "b": true, "l": ["hello world"]}),
    ]
}

async fn fixture() -> Fixture {
    let f = open_with(&schema(vec![model(
        "Thing",
        &[("id", "ID!")],
        &["id"],
        &[],
    )]))
    .await;
    for item in items() {
        f.docs.create("Thing", doc(item), None).await.unwrap();
    }
    f
}

/// The ids the filter selects, from SQL; checked against the in-memory evaluation.
async fn ids(f: &Fixture, filter: Value) -> Vec<String> {
    let req = QueryRequest {
        filter: Some(Filter::from_input(&filter).unwrap()),
        ..QueryRequest::default()
    };
    let page = f.docs.query("Thing", &req).await.unwrap();
    assert_eq!(page.scanned_count, 5);
    let mut out: Vec<String> = page
        .items
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect();
    out.sort();
    let filter = Filter::from_input(&filter).unwrap();
    let in_memory: Vec<String> = items()
        .into_iter()
        .map(doc)
        .filter(|d| filter.matches(d))
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(out, in_memory, "SQL and in-memory evaluation differ");
    out
}

macro_rules! check {
    ($f:expr, $filter:tt => [$($id:literal),*]) => {
        assert_eq!(
            ids(&$f, json!($filter)).await,
            Vec::<String>::from([$($id.to_string()),*]),
            "filter {}",
            json!($filter)
        );
    };
}

#[tokio::test]
async fn eq_and_ne_are_typed() {
    let f = fixture().await;
    check!(f, {"s": {"eq": "help"}} => ["b"]);
    check!(f, {"s": {"eq": 5}} => []);
    check!(f, {"n": {"eq": 5}} => ["a", "e"]);
    check!(f, {"n": {"eq": "5"}} => []);
    check!(f, {"n": {"eq": 10.5}} => ["b"]);
    check!(f, {"b": {"eq": true}} => ["a", "e"]);
    check!(f, {"b": {"eq": false}} => ["b"]);
    check!(f, {"l": {"eq": ["x", "y"]}} => ["a"]);
    check!(f, {"z": {"eq": null}} => ["a"]);
    // `ne` holds on a missing attribute and on another type.
    check!(f, {"s": {"ne": "help"}} => ["a", "c", "d", "e"]);
    check!(f, {"n": {"ne": 5}} => ["b", "c", "d"]);
    check!(f, {"b": {"ne": true}} => ["b", "c", "d"]);
}

#[tokio::test]
async fn ordering_comparisons() {
    let f = fixture().await;
    // Strings compare by UTF-8 bytes: "5" < "Hello" < "hello world" < "help".
    check!(f, {"s": {"lt": "help"}} => ["a", "c", "e"]);
    check!(f, {"s": {"le": "help"}} => ["a", "b", "c", "e"]);
    check!(f, {"s": {"gt": "Hello"}} => ["a", "b"]);
    check!(f, {"s": {"ge": "help"}} => ["b"]);
    check!(f, {"n": {"lt": 5}} => ["c"]);
    check!(f, {"n": {"le": 5}} => ["a", "c", "e"]);
    check!(f, {"n": {"gt": 5}} => ["b"]);
    check!(f, {"n": {"ge": 10.5}} => ["b"]);
    // A number never compares with a string.
    check!(f, {"n": {"lt": "zzz"}} => []);
    check!(f, {"s": {"gt": 0}} => []);
    check!(f, {"n": {"between": [0, 6]}} => ["a", "e"]);
    check!(f, {"s": {"between": ["a", "hellp"]}} => ["a"]);
    check!(f, {"n": {"ge": 0, "lt": 6}} => ["a", "e"]);
}

#[tokio::test]
async fn begins_with_and_contains() {
    let f = fixture().await;
    check!(f, {"s": {"beginsWith": "hel"}} => ["a", "b"]);
    check!(f, {"s": {"beginsWith": ""}} => ["a", "b", "c", "e"]);
    check!(f, {"n": {"beginsWith": "5"}} => []);
    // Substring of a string; element of a list (not a substring of an element).
    check!(f, {"s": {"contains": "lo w"}} => ["a"]);
    check!(f, {"s": {"contains": "hello"}} => ["a"]);
    check!(f, {"l": {"contains": "x"}} => ["a"]);
    check!(f, {"l": {"contains": 2}} => ["b"]);
    check!(f, {"l": {"contains": "hello"}} => []);
    check!(f, {"l": {"contains": "hello world"}} => ["e"]);
    // `notContains` holds on a missing attribute.
    check!(f, {"l": {"notContains": "x"}} => ["b", "c", "d", "e"]);
    check!(f, {"s": {"notContains": "hel"}} => ["c", "d", "e"]);
}

#[tokio::test]
async fn attribute_exists_and_type() {
    let f = fixture().await;
    // An attribute stored as null exists.
    check!(f, {"z": {"attributeExists": true}} => ["a"]);
    check!(f, {"z": {"attributeExists": false}} => ["b", "c", "d", "e"]);
    check!(f, {"s": {"attributeExists": false}} => ["d"]);
    check!(f, {"s": {"attributeType": "string"}} => ["a", "b", "c", "e"]);
    check!(f, {"n": {"attributeType": "number"}} => ["a", "b", "c", "e"]);
    check!(f, {"n": {"attributeType": "N"}} => ["a", "b", "c", "e"]);
    check!(f, {"b": {"attributeType": "bool"}} => ["a", "b", "e"]);
    check!(f, {"z": {"attributeType": "_null"}} => ["a"]);
    check!(f, {"l": {"attributeType": "list"}} => ["a", "b", "c", "e"]);
    check!(f, {"m": {"attributeType": "map"}} => ["a", "b"]);
    check!(f, {"s": {"attributeType": "map"}} => []);
    // AppSync stores lists as L, never as sets.
    check!(f, {"l": {"attributeType": "stringSet"}} => []);
}

#[tokio::test]
async fn in_not_in_and_size() {
    let f = fixture().await;
    check!(f, {"s": {"in": ["help", "5"]}} => ["b", "c"]);
    check!(f, {"s": {"in": []}} => []);
    check!(f, {"s": {"notIn": ["help", "5"]}} => ["a", "d", "e"]);
    check!(f, {"n": {"in": [5, 7]}} => ["a", "e"]);
    check!(f, {"s": {"size": {"eq": 4}}} => ["b"]);
    check!(f, {"s": {"size": {"le": 5}}} => ["b", "c", "e"]);
    check!(f, {"l": {"size": {"gt": 1}}} => ["a", "b"]);
    check!(f, {"l": {"size": {"eq": 0}}} => ["c"]);
    check!(f, {"m": {"size": {"eq": 0}}} => ["b"]);
    check!(f, {"l": {"size": {"between": [1, 2]}}} => ["a", "e"]);
    // size of a missing attribute or of a number: every comparison is false.
    check!(f, {"s": {"size": {"ne": 4}}} => ["a", "c", "e"]);
    check!(f, {"n": {"size": {"ge": 0}}} => []);
}

#[tokio::test]
async fn and_or_not() {
    let f = fixture().await;
    check!(f, {"or": [{"n": {"eq": 5}}, {"s": {"eq": "help"}}]} => ["a", "b", "e"]);
    check!(f, {"not": {"n": {"eq": 5}}} => ["b", "c", "d"]);
    check!(f, {"and": [{"n": {"eq": 5}}, {"b": {"eq": true}}, {"s": {"beginsWith": "H"}}]} => ["e"]);
    // Entries of one object are ANDed.
    check!(f, {"n": {"eq": 5}, "s": {"beginsWith": "h"}} => ["a"]);
    check!(f, {"or": [{"and": [{"n": {"gt": 0}}, {"not": {"b": {"eq": true}}}]}, {"s": {"attributeExists": false}}]} => ["b", "d"]);
    check!(f, {"not": {"or": [{"s": {"contains": "l"}}, {"n": {"lt": 0}}]}} => ["d"]);
    check!(f, {"and": []} => ["a", "b", "c", "d", "e"]);
}

#[tokio::test]
async fn invalid_field_names_are_refused() {
    let f = fixture().await;
    let req = QueryRequest {
        filter: Some(Filter::field(
            "x') OR 1=1 --",
            stratus_store::documents::FieldOp::Eq(json!(1)),
        )),
        ..QueryRequest::default()
    };
    assert!(f.docs.query("Thing", &req).await.is_err());
}

/// A tiny deterministic generator (no extra dependency).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) % n as u64) as usize
    }
}

fn random_value(r: &mut Lcg) -> Value {
    let pool = [
        json!("help"),
        json!("hello world"),
        json!("hel"),
        json!("5"),
        json!("Hello"),
        json!(""),
        json!("x"),
        json!(5),
        json!(10.5),
        json!(-1),
        json!(0),
        json!(2),
        json!(true),
        json!(false),
        json!(null),
        json!(["x", "y"]),
    ];
    pool[r.next(pool.len())].clone()
}

fn random_filter(r: &mut Lcg, depth: usize) -> Value {
    let fields = ["s", "n", "b", "l", "m", "z", "missing"];
    if depth > 0 && r.next(3) == 0 {
        let kids: Vec<Value> = (0..=r.next(3))
            .map(|_| random_filter(r, depth - 1))
            .collect();
        return match r.next(3) {
            0 => json!({"and": kids}),
            1 => json!({"or": kids}),
            _ => json!({"not": kids[0].clone()}),
        };
    }
    let field = fields[r.next(fields.len())];
    let ops = [
        "eq",
        "ne",
        "le",
        "lt",
        "ge",
        "gt",
        "contains",
        "notContains",
        "between",
        "beginsWith",
        "attributeExists",
        "attributeType",
        "in",
        "notIn",
        "size",
    ];
    let op = ops[r.next(ops.len())];
    let arg = match op {
        "between" => {
            let (a, b) = (random_value(r), random_value(r));
            json!([a, b])
        }
        "beginsWith" => json!(["", "h", "hel", "He", "5"][r.next(5)]),
        "attributeExists" => json!(r.next(2) == 0),
        "attributeType" => {
            json!(
                [
                    "string",
                    "number",
                    "bool",
                    "_null",
                    "list",
                    "map",
                    "stringSet"
                ][r.next(7)]
            )
        }
        "in" | "notIn" => json!([random_value(r), random_value(r)]),
        "size" => {
            let n = r.next(6);
            match ["eq", "ne", "le", "lt", "ge", "gt", "between"][r.next(7)] {
                "between" => json!({"between": [n, n + r.next(3)]}),
                o => json!({ o: n }),
            }
        }
        _ => random_value(r),
    };
    json!({ field: { op: arg } })
}

#[tokio::test]
async fn sql_and_in_memory_agree_on_random_filters() {
    let f = fixture().await;
    let mut r = Lcg(42);
    let mut non_trivial = 0;
    for _ in 0..400 {
        let filter = random_filter(&mut r, 3);
        // `ids` asserts SQL == in-memory.
        let got = ids(&f, filter).await;
        if !got.is_empty() && got.len() < 5 {
            non_trivial += 1;
        }
    }
    // The generator exercises selective filters, not only all-or-nothing ones.
    assert!(non_trivial > 50, "only {non_trivial} selective filters");
}

#[tokio::test]
async fn has_element_never_matches_substrings() {
    use stratus_store::documents::FieldOp;
    let f = open_with(&schema(vec![model("Doc", &[("id", "ID!")], &["id"], &[])])).await;
    let items = [
        json!({"id": "list", "owners": ["bob", "carol"]}),
        json!({"id": "other-list", "owners": ["bobby"]}),
        json!({"id": "scalar", "owners": "bob"}),
        json!({"id": "longer-scalar", "owners": "bobby"}),
        json!({"id": "none"}),
    ];
    for item in &items {
        f.docs.create("Doc", doc(item.clone()), None).await.unwrap();
    }
    let filter = Filter::field("owners", FieldOp::HasElement(json!("bob")));
    let req = QueryRequest {
        filter: Some(filter.clone()),
        ..QueryRequest::default()
    };
    let mut got: Vec<String> = f
        .docs
        .query("Doc", &req)
        .await
        .unwrap()
        .items
        .iter()
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect();
    got.sort();
    assert_eq!(got, ["list", "scalar"]);
    let in_memory: Vec<&str> = items
        .iter()
        .filter(|i| filter.matches(i.as_object().unwrap()))
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    assert_eq!(in_memory, ["list", "scalar"]);
}
