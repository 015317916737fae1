//! The `@aws-appsync/utils` library and the handler engine, evaluated in QuickJS: `util`,
//! `runtime.earlyReturn`, `extensions`, the DynamoDB builders, errors and limits.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use serde_json::{Value, json};
use stratus_appsync_js::engine::{self, Code, Handler, Limits, Outcome};

fn code(source: &str) -> Code {
    let mut modules = HashMap::new();
    modules.insert("amplify/data/h.js".to_string(), source.to_string());
    Code {
        entry: "amplify/data/h.js".into(),
        modules: Arc::new(modules),
    }
}

fn run_with(source: &str, ctx: Value, limits: &Limits) -> engine::Evaluation {
    engine::evaluate(
        &code(source),
        Handler::Request,
        &ctx,
        "API Key Authorization",
        limits,
    )
}

fn run(source: &str, ctx: Value) -> engine::Evaluation {
    run_with(source, ctx, &Limits::default())
}

/// The value `request(ctx)` returns.
fn value(source: &str, ctx: Value) -> Value {
    match run(source, ctx).outcome {
        Outcome::Return(v) => v,
        other => panic!("{other:?}"),
    }
}

fn expr(e: &str) -> Value {
    value(
        &format!(
            "import {{ util }} from '@aws-appsync/utils';\nexport function request(ctx) {{ return {e}; }}\nexport function response() {{}}"
        ),
        json!({"arguments": {}}),
    )
}

#[test]
fn ctx_args_stash_and_globals() {
    let ev = run(
        "export function request(ctx) { ctx.stash.seen = ctx.args.x + ctx.arguments.x; return { id: ctx.identity.sub, t: util.authType() }; }\nexport function response() {}",
        json!({"arguments": {"x": 2}, "identity": {"sub": "u1"}, "stash": {"a": 1}}),
    );
    assert_eq!(
        ev.outcome,
        Outcome::Return(json!({"id": "u1", "t": "API Key Authorization"}))
    );
    assert_eq!(ev.stash, json!({"a": 1, "seen": 4}));
}

#[test]
fn ids_and_encodings() {
    let id = expr("util.autoId()");
    assert_eq!(id.as_str().map(str::len), Some(36));
    assert_eq!(expr("util.autoUlid().length"), json!(26));
    assert_eq!(expr("util.autoKsuid().length"), json!(27));
    assert_eq!(
        expr("util.base64Decode(util.base64Encode('héllo'))"),
        json!("héllo")
    );
    assert_eq!(expr("util.urlEncode('a b&c')"), json!("a+b%26c"));
    assert_eq!(expr("util.urlDecode('a+b%26c')"), json!("a b&c"));
    assert_eq!(expr("util.matches('a*b', 'aaab')"), json!(true));
    assert_eq!(expr("util.escapeJavaScript(\"it's\")"), json!("it\\'s"));
    assert_eq!(expr("util.str.normalize('e\\u0301', 'nfc')"), json!("é"));
    assert_eq!(
        expr("[util.math.roundNum(2.5), util.math.minVal(3, 1), util.math.maxVal(3, 1)]"),
        json!([3, 1, 3])
    );
    assert_eq!(
        expr("[util.isNullOrEmpty(''), util.defaultIfNull(null, 4), util.typeOf([1])]"),
        json!([true, 4, "List"])
    );
}

#[test]
fn time() {
    assert_eq!(
        expr("util.time.epochMilliSecondsToISO8601(1517943695749)"),
        json!("2018-02-06T19:01:35.749Z")
    );
    assert_eq!(
        expr("util.time.parseISO8601ToEpochMilliSeconds('2018-02-06T19:01:35.749Z')"),
        json!(1517943695749i64)
    );
    assert_eq!(
        expr(
            "util.time.epochMilliSecondsToFormatted(1517943695749, 'yyyy-MM-dd HH:mm:ssZ', 'Asia/Tokyo')"
        ),
        json!("2018-02-07 04:01:35+0900")
    );
    assert_eq!(
        expr(
            "util.time.parseFormattedToEpochMilliSeconds('2018-02-07 04:01', 'yyyy-MM-dd HH:mm', 'Asia/Tokyo')"
        ),
        json!(1517943660000i64)
    );
    assert_eq!(
        expr("util.time.epochMilliSecondsToSeconds(1517943695749)"),
        json!(1517943695)
    );
    let now = expr(
        "[util.time.nowEpochMilliSeconds(), util.time.nowEpochSeconds(), util.time.nowISO8601()]",
    );
    let ms = now[0].as_i64().unwrap();
    assert_eq!(now[1].as_i64().unwrap(), ms / 1000);
    assert!(now[2].as_str().unwrap().ends_with('Z'));
}

#[test]
fn dynamodb_conversions() {
    assert_eq!(
        expr("util.dynamodb.toMapValues({ id: 'a', n: 1, ok: true, l: [1, 'x'], m: { k: null } })"),
        json!({"id": {"S": "a"}, "n": {"N": 1}, "ok": {"BOOL": true},
               "l": {"L": [{"N": 1}, {"S": "x"}]}, "m": {"M": {"k": {"NULL": null}}}})
    );
    assert_eq!(
        expr("util.dynamodb.toStringSet(['a'])"),
        json!({"SS": ["a"]})
    );
    assert_eq!(expr("util.dynamodb.toString(null)"), Value::Null);
    assert_eq!(
        expr("util.dynamodb.toS3Object('k', 'b', 'r')"),
        json!({"S": "{\"s3\":{\"key\":\"k\",\"bucket\":\"b\",\"region\":\"r\"}}"})
    );
}

#[test]
fn transform_filters() {
    assert_eq!(
        expr(
            "JSON.parse(util.transform.toDynamoDBFilterExpression({ title: { contains: 'Hello World' } }))"
        ),
        json!({"expression": "contains(#title, :title_contains)", "expressionNames": {"#title": "title"},
               "expressionValues": {":title_contains": {"S": "Hello World"}}})
    );
    let f = expr(
        "util.transform.toSubscriptionFilter({ severity: { ge: 7 }, or: [{ group: { eq: 'a' } }, { group: { eq: 'b' } }], secret: { eq: 1 } }, ['secret'])",
    );
    assert_eq!(
        f,
        json!({"filterGroup": [
            {"filters": [{"fieldName": "severity", "operator": "ge", "value": 7}, {"fieldName": "group", "operator": "eq", "value": "a"}]},
            {"filters": [{"fieldName": "severity", "operator": "ge", "value": 7}, {"fieldName": "group", "operator": "eq", "value": "b"}]},
        ]})
    );
}

#[test]
fn util_error_appenderror_and_unauthorized() {
    let ev = run(
        "export function request(ctx) { util.appendError('first', 'Warn'); util.error('boom', 'MyError', { a: 1 }, { info: true }); return 1; }\nexport function response() {}",
        json!({"arguments": {}}),
    );
    let Outcome::Error(e) = ev.outcome else {
        panic!("{:?}", ev.outcome)
    };
    assert_eq!(
        (e.message.as_str(), e.error_type.as_deref()),
        ("boom", Some("MyError"))
    );
    assert_eq!(
        (e.data, e.error_info),
        (json!({"a": 1}), json!({"info": true}))
    );
    assert_eq!(ev.appended.len(), 1);
    assert_eq!(ev.appended[0].message, "first");
    // AppSync ignores util.error with a message or type that is not a string.
    assert_eq!(
        run("export function request() { util.error(25); util.error('x', 25); return 'went on'; }\nexport function response() {}", json!({})).outcome,
        Outcome::Return(json!("went on"))
    );
    assert_eq!(
        run(
            "export function request() { util.unauthorized(); }\nexport function response() {}",
            json!({})
        )
        .outcome,
        Outcome::Unauthorized
    );
}

#[test]
fn early_return_and_extensions() {
    let ev = run(
        "import { runtime, extensions, util } from '@aws-appsync/utils';\nexport function request(ctx) { extensions.setSubscriptionFilter(util.transform.toSubscriptionFilter({ a: { eq: 1 } })); runtime.earlyReturn({ done: true }, { skipTo: 'END' }); }\nexport function response() {}",
        json!({}),
    );
    assert_eq!(
        ev.outcome,
        Outcome::EarlyReturn {
            value: json!({"done": true}),
            to_end: Some(true)
        }
    );
    assert_eq!(
        ev.subscription_filter,
        Some(
            json!({"filterGroup": [{"filters": [{"fieldName": "a", "operator": "eq", "value": 1}]}]})
        )
    );
}

#[test]
fn runtime_errors_name_the_file_and_line() {
    let ev = run(
        "export function request(ctx) {\n  return ctx.args.missing.deeper;\n}\nexport function response() {}",
        json!({"arguments": {}}),
    );
    let Outcome::Failed(m) = ev.outcome else {
        panic!("{:?}", ev.outcome)
    };
    assert!(m.starts_with("amplify/data/h.js:2:"), "{m}");
    assert!(m.contains("TypeError"), "{m}");
    let ev = run(
        "import { x } from 'lodash';\nexport function request() { return x; }",
        json!({}),
    );
    assert!(
        matches!(&ev.outcome, Outcome::Failed(m) if m.contains("lodash")),
        "{:?}",
        ev.outcome
    );
    let ev = run("export function response() { return 1; }", json!({}));
    assert!(
        matches!(&ev.outcome, Outcome::Failed(m) if m.contains("request is not a function")),
        "{:?}",
        ev.outcome
    );
}

#[test]
fn time_and_memory_are_bounded() {
    let limits = Limits {
        timeout: Duration::from_millis(200),
        memory_bytes: 8 * 1024 * 1024,
    };
    let started = std::time::Instant::now();
    let ev = run_with(
        "export function request() { for (;;) {} }",
        json!({}),
        &limits,
    );
    assert!(
        matches!(&ev.outcome, Outcome::Failed(m) if m.contains("timed out")),
        "{:?}",
        ev.outcome
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    let ev = run_with(
        "export function request() { const a = []; for (const i of Array(1e8).keys()) { a.push('x'.repeat(100) + i); } return a.length; }",
        json!({}),
        &limits,
    );
    assert!(
        matches!(&ev.outcome, Outcome::Failed(_)),
        "{:?}",
        ev.outcome
    );
}

#[test]
fn dynamodb_builders() {
    let r = value(
        "import * as ddb from '@aws-appsync/utils/dynamodb';\nexport function request(ctx) { return [\n ddb.get({ key: { id: 'a' } }),\n ddb.update({ key: { id: 'a' }, update: { clicks: ddb.operations.increment(1), title: 'x', gone: ddb.operations.remove() }, condition: { id: { attributeExists: true } } }),\n ddb.query({ query: { pk: { eq: 'p' }, sk: { beginsWith: 'a' } }, index: 'byPk', limit: 5, scanIndexForward: false }),\n]; }\nexport function response() {}",
        json!({}),
    );
    assert_eq!(
        r[0],
        json!({"operation": "GetItem", "key": {"id": {"S": "a"}}})
    );
    assert_eq!(r[1]["operation"], "UpdateItem");
    assert_eq!(
        r[1]["update"],
        json!({"expression": "SET #expName1 = :expValue1 ADD #expName0 :expValue0 REMOVE #expName2",
               "expressionNames": {"#expName0": "clicks", "#expName1": "title", "#expName2": "gone"},
               "expressionValues": {":expValue0": {"N": 1}, ":expValue1": {"S": "x"}}})
    );
    assert_eq!(r[1]["condition"]["expression"], "attribute_exists(#id)");
    assert_eq!(
        r[2]["query"]["expression"],
        "#pk = :pk0 AND begins_with(#sk, :sk1)"
    );
    assert_eq!(
        (
            r[2]["index"].clone(),
            r[2]["limit"].clone(),
            r[2]["scanIndexForward"].clone()
        ),
        (json!("byPk"), json!(5), json!(false))
    );
}

#[test]
fn relative_modules() {
    let mut modules = HashMap::new();
    modules.insert(
        "amplify/data/h.js".to_string(),
        "import { twice } from './lib/math';\nexport function request(ctx) { return twice(ctx.args.n); }".to_string(),
    );
    modules.insert(
        "amplify/data/lib/math.js".to_string(),
        "export const twice = (n) => n * 2;".to_string(),
    );
    let code = Code {
        entry: "amplify/data/h.js".into(),
        modules: Arc::new(modules),
    };
    let ev = engine::evaluate(
        &code,
        Handler::Request,
        &json!({"arguments": {"n": 21}}),
        "x",
        &Limits::default(),
    );
    assert_eq!(ev.outcome, Outcome::Return(json!(42)));
}
