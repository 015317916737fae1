//! Custom operations resolved by AppSync JavaScript handlers (`a.handler.custom`), through the
//! router: b-custom-js (NONE and a model's table as data sources, a two-function pipeline,
//! `util.error`, an unsupported named data source), b-subscriptions (a custom subscription
//! whose handler sets `extensions.setSubscriptionFilter`), and a schema of probes for
//! `ctx.identity`/`ctx.info`/`ctx.request`, `util.appendError` and AppSync's error shapes.

mod gql;

use std::time::Duration;

use gql::realtime::{connect, recv};
use gql::{Auth, Harness};
use serde_json::{Value, json};
use stratus_spec::data::{DataSpec, JsHandler, JsModule, JsResolver};
use stratus_testkit::fixtures::{Fixture, conformance_root};

/// The fixture's data spec with its `jsFunctions` (from the oracle's `transform.json`) and
/// the handlers' code read from the fixture, as the loader reads them.
fn spec_with_js(name: &str) -> DataSpec {
    let root = conformance_root().join(name);
    let fx = Fixture::new(root.clone());
    let mut spec = fx.data_spec().unwrap();
    let transform = fx.expected_json("transform.json").unwrap();
    spec.js_functions = transform["jsFunctions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| JsResolver {
            type_name: f["typeName"].as_str().unwrap().into(),
            field_name: f["fieldName"].as_str().unwrap().into(),
            handlers: f["handlers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| {
                    let rel = h["entry"]["relativePath"]
                        .as_str()
                        .unwrap()
                        .trim_start_matches("./");
                    let path = format!("amplify/data/{rel}");
                    let code = std::fs::read_to_string(root.join(&path)).unwrap();
                    JsHandler {
                        data_source: h["dataSource"].as_str().unwrap().into(),
                        entry: path.clone(),
                        modules: vec![JsModule { path, code }],
                    }
                })
                .collect(),
        })
        .collect();
    spec
}

#[tokio::test]
async fn none_and_table_data_sources_pipelines_and_errors() {
    let spec = spec_with_js("b-custom-js");
    let h = Harness::with_spec(
        &spec,
        json!({"loginWith": {"email": true}, "groups": ["Admins", "Importers"]}),
    )
    .await;
    let ann = Auth::Token(h.user("ann@example.com").await);

    // NONE data source: the response reads ctx.args.
    let r = h
        .ok(
            &Auth::ApiKey,
            "query ($m: String!) { echoMessage(message: $m) }",
            json!({"m": "hi"}),
        )
        .await;
    assert_eq!(r["echoMessage"], "hi");

    // The Bookmark table: ddb.update with operations.increment, on the owner's bookmark.
    let created = h
        .ok(&ann, "mutation { createBookmark(input: { url: \"https://a.example\" }) { id clicks owner } }", json!({}))
        .await;
    let id = created["createBookmark"]["id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(created["createBookmark"]["clicks"], 0);
    let click = "mutation ($id: ID!) { countClick(id: $id) { id url clicks owner } }";
    h.ok(&ann, click, json!({"id": id})).await;
    let r = h.ok(&ann, click, json!({"id": id})).await;
    assert_eq!(r["countClick"]["clicks"], 2);
    assert_eq!(r["countClick"]["url"], "https://a.example");
    assert_eq!(r["countClick"]["owner"], created["createBookmark"]["owner"]);
    let got = h
        .ok(
            &ann,
            "query ($id: ID!) { getBookmark(id: $id) { clicks } }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(got["getBookmark"]["clicks"], 2);

    // The field's directives decide before the handler runs: API keys may not call it.
    let e = h.errors(&Auth::ApiKey, click, json!({"id": id})).await;
    assert_eq!(e["errors"][0]["errorType"], "Unauthorized");

    // A two-function pipeline: validateUrls' util.error stops it before putBookmarks.
    let importer = Auth::Token(h.user_in("imp@example.com", &["Importers"]).await);
    let import = "mutation ($urls: [AWSURL!]!) { importBookmarks(urls: $urls) }";
    let (_, body) = h
        .post(
            &importer,
            import,
            json!({"urls": ["https://b.example", "http://c.example"]}),
        )
        .await;
    assert_eq!(body["data"]["importBookmarks"], Value::Null);
    let e = &body["errors"][0];
    assert_eq!(e["errorType"], "ValidationError");
    assert_eq!(e["message"], "not https: http://c.example");
    assert_eq!(e["path"], json!(["importBookmarks"]));
    let r = h
        .ok(
            &importer,
            import,
            json!({"urls": ["https://b.example", "https://d.example"]}),
        )
        .await;
    assert_eq!(r["importBookmarks"], 2);
    let list = h
        .ok(
            &Auth::ApiKey,
            "{ listBookmarks { items { url } } }",
            json!({}),
        )
        .await;
    let mut urls: Vec<&str> = list["listBookmarks"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["url"].as_str().unwrap())
        .collect();
    urls.sort();
    assert_eq!(
        urls,
        [
            "https://a.example",
            "https://b.example",
            "https://d.example"
        ]
    );

    // A data source added with CDK is named in a NotImplemented error, never a silent null.
    let admin = Auth::Token(h.user_in("root@example.com", &["Admins"]).await);
    let e = h
        .errors(
            &admin,
            "query ($id: ID!) { rawBookmark(id: $id) }",
            json!({"id": id}),
        )
        .await;
    assert_eq!(e["errors"][0]["errorType"], "NotImplemented");
    assert!(
        e["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("ExternalTableDS"),
        "{e}"
    );
}

#[tokio::test]
async fn a_subscription_handler_sets_the_filter_of_its_events() {
    let spec = spec_with_js("b-subscriptions");
    let h = Harness::with_spec(&spec, json!({"loginWith": {"email": true}})).await;
    let host = h.serve().await;
    let sub =
        "subscription ($channel: String) { receive(channel: $channel) { channel body sentAt } }";
    let start = |vars: Value| {
        let header = h.realtime_header(&Auth::ApiKey, &host);
        let host = host.clone();
        async move {
            let mut ws = connect(&host, &header).await;
            gql::realtime::start(&mut ws, "s", sub, vars, Some(&header)).await;
            ws
        }
    };
    let mut news = start(json!({"channel": "news"})).await;
    let mut all = start(json!({})).await;
    let publish = "mutation ($c: String!, $b: String!) { publish(channel: $c, body: $b) { channel body sentAt } }";
    let r = h
        .ok(&Auth::ApiKey, publish, json!({"c": "sports", "b": "goal"}))
        .await;
    // publish.js (NONE data source) built the Message with util.time.nowISO8601().
    assert!(
        r["publish"]["sentAt"].as_str().unwrap().ends_with('Z'),
        "{r}"
    );
    let ev = recv(&mut all, Duration::from_secs(5)).await.unwrap();
    assert_eq!(ev["payload"]["data"]["receive"]["body"], "goal");
    h.ok(
        &Auth::ApiKey,
        publish,
        json!({"c": "news", "b": "headline"}),
    )
    .await;
    let ev = recv(&mut news, Duration::from_secs(5)).await.unwrap();
    assert_eq!(
        ev["payload"]["data"]["receive"]["body"], "headline",
        "the sports event was filtered out"
    );
    let ev = recv(&mut all, Duration::from_secs(5)).await.unwrap();
    assert_eq!(ev["payload"]["data"]["receive"]["channel"], "news");
}

const PROBES: &str = r#"
type Note @model @auth(rules: [{allow: public, provider: apiKey}]) { id: ID! text: String }
type Query {
  probe(n: Int, meta: AWSJSON): AWSJSON @aws_api_key @aws_cognito_user_pools
  failing: String @aws_api_key
  warned: String @aws_api_key
  broken: String @aws_api_key
  guarded: String @aws_api_key
}
"#;

fn probes_spec() -> DataSpec {
    let handler = |field: &str, code: &str| JsResolver {
        type_name: "Query".into(),
        field_name: field.into(),
        handlers: vec![JsHandler {
            data_source: "NONE_DS".into(),
            entry: format!("amplify/data/{field}.js"),
            modules: vec![JsModule {
                path: format!("amplify/data/{field}.js"),
                code: format!("import {{ util }} from '@aws-appsync/utils';\n{code}"),
            }],
        }],
    };
    let mut spec = stratus_testkit::spec::data_spec(
        PROBES,
        stratus_spec::data::AuthMode::AmazonCognitoUserPools,
        &[stratus_spec::data::AuthMode::ApiKey],
        false,
    );
    spec.schema = stratus_schema::parse_directive_sdl(PROBES).unwrap();
    spec.js_functions = vec![
        handler(
            "probe",
            "export function request(ctx) { return { payload: { args: ctx.args, identity: ctx.identity, info: ctx.info, header: ctx.request.headers['x-probe'] ?? null, auth: util.authType(), api: ctx.stash.awsAppsyncApiId } }; }\nexport function response(ctx) { return ctx.result; }",
        ),
        handler(
            "failing",
            "export function request() { return {}; }\nexport function response() { util.error('no way', 'Custom', { partial: 1 }, { code: 42 }); }",
        ),
        handler(
            "warned",
            "export function request() { return {}; }\nexport function response() { util.appendError('careful', 'Warning'); return 'still here'; }",
        ),
        handler(
            "broken",
            "export function request(ctx) { return {}; }\nexport function response(ctx) {\n  return ctx.result.nothing.here;\n}",
        ),
        handler(
            "guarded",
            "export function request() { util.unauthorized(); }\nexport function response() {}",
        ),
    ];
    spec
}

#[tokio::test]
async fn context_and_error_shapes() {
    let h = Harness::with_spec(&probes_spec(), json!({"loginWith": {"email": true}})).await;
    let ann = h.user("ann@example.com").await;
    let q = "query ($n: Int, $meta: AWSJSON) { probe(n: $n, meta: $meta) }";
    let r = h
        .ok(
            &Auth::Token(ann.clone()),
            q,
            json!({"n": 3, "meta": "{\"k\":[1]}"}),
        )
        .await;
    let p: Value = serde_json::from_str(r["probe"].as_str().unwrap()).unwrap();
    assert_eq!(
        p["args"],
        json!({"n": 3, "meta": {"k": [1]}}),
        "AWSJSON arguments arrive parsed"
    );
    assert_eq!(p["identity"]["username"], gql::claims(&ann)["username"]);
    assert_eq!(p["identity"]["sub"], gql::claims(&ann)["sub"]);
    assert_eq!(p["auth"], "User Pool Authorization");
    assert_eq!(p["api"], "stratuslocalapi");
    assert_eq!(p["info"]["fieldName"], "probe");
    assert_eq!(p["info"]["parentTypeName"], "Query");
    assert_eq!(p["info"]["variables"]["n"], 3);
    let r = h.ok(&Auth::ApiKey, "{ probe }", json!({})).await;
    let p: Value = serde_json::from_str(r["probe"].as_str().unwrap()).unwrap();
    assert_eq!(
        p["identity"],
        Value::Null,
        "API key callers have no identity"
    );
    assert_eq!(p["auth"], "API Key Authorization");

    // util.error with a type, data and errorInfo.
    let (_, body) = h.post(&Auth::ApiKey, "{ failing }", json!({})).await;
    assert!(body["data"]["failing"].is_null(), "{body}");
    let e = &body["errors"][0];
    assert_eq!(e["errorType"], "Custom");
    assert_eq!(e["message"], "no way");
    assert_eq!(e["data"], json!({"partial": 1}));
    assert_eq!(e["errorInfo"], json!({"code": 42}));
    assert_eq!(e["path"], json!(["failing"]));

    // util.appendError: the value and the error.
    let (_, body) = h.post(&Auth::ApiKey, "{ warned }", json!({})).await;
    assert_eq!(body["data"]["warned"], "still here");
    assert_eq!(body["errors"][0]["errorType"], "Warning");
    assert_eq!(body["errors"][0]["message"], "careful");
    assert_eq!(body["errors"][0]["path"], json!(["warned"]));

    // A JavaScript failure is AppSync's `Code` error naming the file and line (line 4: the
    // probe code starts after its import line).
    let e = h.errors(&Auth::ApiKey, "{ broken }", json!({})).await;
    assert_eq!(e["errors"][0]["errorType"], "Code");
    let m = e["errors"][0]["message"].as_str().unwrap();
    assert!(
        m.starts_with("amplify/data/broken.js:4:10: TypeError") && m.contains("TypeError"),
        "{m}"
    );

    let e = h.errors(&Auth::ApiKey, "{ guarded }", json!({})).await;
    assert_eq!(e["errors"][0]["errorType"], "Unauthorized");
    assert_eq!(
        e["errors"][0]["message"],
        "Not Authorized to access guarded on type Query"
    );
}
