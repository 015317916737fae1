//! Each DynamoDB request of a JS resolver on a model's table, run on the SQLite document store
//! through the whole pipeline (request → data source → response).

use std::sync::Arc;

use serde_json::{Map, Value, json};
use stratus_appsync_js::{FieldError, Invocation, JsResolvers};
use stratus_spec::data::{DataSpec, JsHandler, JsModule, JsResolver};
use stratus_store::Store;
use stratus_store::documents::{DocumentStore, SqliteDocumentStore};

const SDL: &str = r#"
type Post @model {
  id: ID!
  title: String @index(name: "byTitle", sortKeyFields: ["rank"])
  rank: Int
  likes: Int
  tags: [String]
}
type Message @model { channel: String! @primaryKey(sortKeyFields: ["sentAt"]) sentAt: String! body: String }
"#;

struct World {
    _dir: tempfile::TempDir,
    docs: Arc<SqliteDocumentStore>,
    spec: DataSpec,
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open(dir.path()).await.unwrap();
    let docs = SqliteDocumentStore::open(&store).await.unwrap();
    let schema = stratus_schema::parse_directive_sdl(SDL).unwrap();
    docs.ensure_schema(&schema).await.unwrap();
    let spec = DataSpec {
        name: "amplifyData".into(),
        directive_sdl: SDL.into(),
        authorization_modes: serde_json::from_value(
            json!({"default": "API_KEY", "additional": []}),
        )
        .unwrap(),
        schema,
        js_functions: vec![],
        lambda_functions: vec![],
        function_schema_access: vec![],
    };
    World {
        _dir: dir,
        docs: Arc::new(docs),
        spec,
    }
}

impl World {
    /// Runs `request`/`response` (JS function bodies) against `data_source` with `args`.
    async fn call(
        &self,
        data_source: &str,
        request: &str,
        response: &str,
        args: Value,
    ) -> Result<Value, FieldError> {
        let source = format!(
            "import {{ util }} from '@aws-appsync/utils';\nimport * as ddb from '@aws-appsync/utils/dynamodb';\nexport function request(ctx) {{ {request} }}\nexport function response(ctx) {{ {response} }}\n"
        );
        let mut spec = self.spec.clone();
        spec.js_functions = vec![JsResolver {
            type_name: "Mutation".into(),
            field_name: "op".into(),
            handlers: vec![JsHandler {
                data_source: data_source.into(),
                entry: "amplify/data/op.js".into(),
                modules: vec![JsModule {
                    path: "amplify/data/op.js".into(),
                    code: source,
                }],
            }],
        }];
        let resolvers = JsResolvers::from_spec(&spec);
        let resolver = resolvers.get("Mutation", "op").unwrap();
        let invocation = Invocation {
            arguments: args.as_object().cloned().unwrap_or_default(),
            ..Invocation::default()
        };
        resolvers
            .run(&resolver, self.docs.as_ref(), invocation)
            .await
            .value
    }

    /// `ctx.result`, raising `ctx.error` as AppSync handlers do.
    async fn ddb(&self, request: &str, args: Value) -> Result<Value, FieldError> {
        self.call(
            "PostTable",
            request,
            "if (ctx.error) { util.error(ctx.error.message, ctx.error.type); } return ctx.result;",
            args,
        )
        .await
    }

    async fn stored(&self, model: &str, key: Value) -> Option<Map<String, Value>> {
        self.docs
            .get(model, key.as_object().unwrap())
            .await
            .unwrap()
    }
}

fn error_type(r: Result<Value, FieldError>) -> String {
    match r {
        Err(FieldError::Raised(e)) => e.error_type.unwrap_or_default(),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn put_get_and_conditions() {
    let w = world().await;
    let put = "return ddb.put({ key: { id: ctx.args.id }, item: { title: ctx.args.title, likes: 0 }, condition: ctx.args.cond });";
    let item = w
        .ddb(put, json!({"id": "p1", "title": "hello"}))
        .await
        .unwrap();
    assert_eq!(item, json!({"title": "hello", "likes": 0, "id": "p1"}));
    // PutItem replaces the whole item: `likes` is gone.
    w.ddb(
        "return ddb.put({ key: { id: 'p1' }, item: { title: 'again' } });",
        json!({}),
    )
    .await
    .unwrap();
    assert_eq!(
        w.stored("Post", json!({"id": "p1"})).await.unwrap(),
        *json!({"id": "p1", "title": "again"}).as_object().unwrap()
    );
    let t = error_type(
        w.ddb(
            put,
            json!({"id": "p1", "title": "x", "cond": {"id": {"attributeExists": false}}}),
        )
        .await,
    );
    assert_eq!(t, "DynamoDB:ConditionalCheckFailedException");
    let got = w
        .ddb(
            "return ddb.get({ key: { id: ctx.args.id } });",
            json!({"id": "p1"}),
        )
        .await
        .unwrap();
    assert_eq!(got["title"], "again");
    assert_eq!(
        w.ddb("return ddb.get({ key: { id: 'nope' } });", json!({}))
            .await
            .unwrap(),
        Value::Null
    );
    let projected = w
        .ddb(
            "return ddb.get({ key: { id: 'p1' }, projection: ['title'] });",
            json!({}),
        )
        .await
        .unwrap();
    assert_eq!(projected, json!({"title": "again"}));
    // A key that is not the table's key schema is DynamoDB's validation error.
    let t = error_type(
        w.ddb(
            "return ddb.get({ key: { id: 'p1', title: 'again' } });",
            json!({}),
        )
        .await,
    );
    assert_eq!(t, "DynamoDB:DynamoDbException");
}

#[tokio::test]
async fn update_increments_creates_and_removes() {
    let w = world().await;
    let inc = "return ddb.update({ key: { id: ctx.args.id }, update: { likes: ddb.operations.increment(1) } });";
    // UpdateItem on a missing item creates it (DynamoDB's upsert); ADD starts from 0.
    assert_eq!(
        w.ddb(inc, json!({"id": "p1"})).await.unwrap(),
        json!({"id": "p1", "likes": 1})
    );
    assert_eq!(w.ddb(inc, json!({"id": "p1"})).await.unwrap()["likes"], 2);
    let r = w
        .ddb(
            "return ddb.update({ key: { id: 'p1' }, update: { title: 'T', tags: ddb.operations.append(['a', 'b']), likes: ddb.operations.decrement(2) } });",
            json!({}),
        )
        .await
        .unwrap();
    assert_eq!(
        r,
        json!({"id": "p1", "likes": 0, "title": "T", "tags": ["a", "b"]})
    );
    let r = w
        .ddb("return ddb.update({ key: { id: 'p1' }, update: { title: ddb.operations.remove(), tags: [ddb.operations.updateListItem('z', 1)] } });", json!({}))
        .await
        .unwrap();
    assert_eq!(r, json!({"id": "p1", "likes": 0, "tags": ["a", "z"]}));
    // A raw expression with a condition that fails, and one that updates a key attribute.
    let t = error_type(
        w.ddb(
            "return { operation: 'UpdateItem', key: util.dynamodb.toMapValues({ id: 'p1' }), update: { expression: 'SET likes = likes + :one', expressionValues: { ':one': { N: 1 } } }, condition: { expression: 'likes > :ten', expressionValues: { ':ten': { N: 10 } } } };",
            json!({}),
        )
        .await,
    );
    assert_eq!(t, "DynamoDB:ConditionalCheckFailedException");
    let t = error_type(
        w.ddb(
            "return ddb.update({ key: { id: 'p1' }, update: { id: 'other' } });",
            json!({}),
        )
        .await,
    );
    assert_eq!(t, "DynamoDB:DynamoDbException");
}

#[tokio::test]
async fn concurrent_increments_all_count() {
    let w = Arc::new(world().await);
    let mut tasks = Vec::new();
    for _ in 0..20 {
        let w = Arc::clone(&w);
        tasks.push(tokio::spawn(async move {
            w.ddb("return ddb.update({ key: { id: 'hot' }, update: { likes: ddb.operations.increment(1) } });", json!({}))
                .await
                .unwrap()
        }));
    }
    for t in tasks {
        t.await.unwrap();
    }
    assert_eq!(
        w.stored("Post", json!({"id": "hot"})).await.unwrap()["likes"],
        20
    );
}

#[tokio::test]
async fn delete_returns_the_old_item() {
    let w = world().await;
    w.ddb(
        "return ddb.put({ key: { id: 'd1' }, item: { title: 'bye' } });",
        json!({}),
    )
    .await
    .unwrap();
    let t = error_type(
        w.ddb(
            "return ddb.remove({ key: { id: 'd1' }, condition: { title: { eq: 'other' } } });",
            json!({}),
        )
        .await,
    );
    assert_eq!(t, "DynamoDB:ConditionalCheckFailedException");
    let old = w
        .ddb("return ddb.remove({ key: { id: 'd1' } });", json!({}))
        .await
        .unwrap();
    assert_eq!(old, json!({"id": "d1", "title": "bye"}));
    assert_eq!(w.stored("Post", json!({"id": "d1"})).await, None);
    assert_eq!(
        w.ddb("return ddb.remove({ key: { id: 'd1' } });", json!({}))
            .await
            .unwrap(),
        Value::Null
    );
}

#[tokio::test]
async fn query_on_the_table_and_an_index_with_filter_limit_and_paging() {
    let w = world().await;
    for (i, title) in ["a", "a", "a", "b", "a"].iter().enumerate() {
        w.ddb(
            "return ddb.put({ key: { id: ctx.args.id }, item: { title: ctx.args.title, rank: ctx.args.rank, likes: ctx.args.rank * 10 } });",
            json!({"id": format!("p{i}"), "title": title, "rank": i}),
        )
        .await
        .unwrap();
    }
    let q = "return ddb.query({ index: 'byTitle', query: { title: { eq: 'a' }, rank: { ge: ctx.args.min } }, limit: ctx.args.limit, nextToken: ctx.args.next, scanIndexForward: ctx.args.forward, filter: ctx.args.filter });";
    let page = w
        .ddb(q, json!({"min": 1, "limit": 2, "forward": false}))
        .await
        .unwrap();
    let ranks: Vec<i64> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["rank"].as_i64().unwrap())
        .collect();
    assert_eq!(ranks, [4, 2]);
    assert_eq!(page["scannedCount"], 2);
    let next = page["nextToken"]
        .as_str()
        .expect("a next token")
        .to_string();
    let page2 = w
        .ddb(
            q,
            json!({"min": 1, "limit": 2, "forward": false, "next": next}),
        )
        .await
        .unwrap();
    let ranks: Vec<i64> = page2["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["rank"].as_i64().unwrap())
        .collect();
    assert_eq!(ranks, [1]);
    // The filter applies after the limit, as in DynamoDB.
    let filtered = w
        .ddb(
            q,
            json!({"min": 0, "limit": 2, "forward": true, "filter": {"likes": {"gt": 5}}}),
        )
        .await
        .unwrap();
    assert_eq!(filtered["items"].as_array().unwrap().len(), 1);
    assert_eq!(filtered["scannedCount"], 2);
    // The table's own key, and a key condition on an attribute that is not a key.
    let one = w
        .ddb(
            "return ddb.query({ query: { id: { eq: 'p3' } } });",
            json!({}),
        )
        .await
        .unwrap();
    assert_eq!(one["items"][0]["title"], "b");
    let t = error_type(
        w.ddb(
            "return ddb.query({ query: { likes: { eq: 1 } } });",
            json!({}),
        )
        .await,
    );
    assert_eq!(t, "DynamoDB:DynamoDbException");
    let t = error_type(
        w.ddb(
            "return ddb.query({ index: 'nope', query: { title: { eq: 'a' } } });",
            json!({}),
        )
        .await,
    );
    assert_eq!(t, "DynamoDB:DynamoDbException");
}

#[tokio::test]
async fn scan_and_composite_keys() {
    let w = world().await;
    for i in 0..3 {
        w.call(
            "MessageTable",
            "return ddb.put({ key: { channel: 'c', sentAt: ctx.args.at }, item: { body: ctx.args.body } });",
            "return ctx.result;",
            json!({"at": format!("2024-0{}", i + 1), "body": format!("m{i}")}),
        )
        .await
        .unwrap();
    }
    let page = w
        .call("MessageTable", "return ddb.query({ query: { channel: { eq: 'c' }, sentAt: { between: ['2024-02', '2024-03'] } } });", "return ctx.result.items.map((m) => m.body);", json!({}))
        .await
        .unwrap();
    assert_eq!(page, json!(["m1", "m2"]));
    let scan = w
        .call(
            "MessageTable",
            "return ddb.scan({ filter: { body: { ne: 'm0' } } });",
            "return ctx.result.items.length;",
            json!({}),
        )
        .await
        .unwrap();
    assert_eq!(scan, json!(2));
}

#[tokio::test]
async fn batch_operations() {
    let w = world().await;
    let put = w
        .ddb("return ddb.batchPut({ tables: { Post: [{ id: 'b1', title: 'x' }, { id: 'b2', title: 'y' }] } });", json!({}))
        .await
        .unwrap();
    assert_eq!(put["data"]["Post"].as_array().unwrap().len(), 2);
    assert_eq!(put["unprocessedItems"], json!({"Post": []}));
    let got = w
        .ddb(
            "return ddb.batchGet({ tables: { Post: { keys: [{ id: 'b2' }, { id: 'zz' }] } } });",
            json!({}),
        )
        .await
        .unwrap();
    assert_eq!(
        got["data"]["Post"],
        json!([{"id": "b2", "title": "y"}, null])
    );
    let deleted = w
        .ddb(
            "return ddb.batchDelete({ tables: { PostTable: [{ id: 'b1' }] } });",
            json!({}),
        )
        .await
        .unwrap();
    assert_eq!(deleted["data"]["PostTable"][0]["id"], "b1");
    assert_eq!(w.stored("Post", json!({"id": "b1"})).await, None);
    let t = error_type(
        w.ddb(
            "return ddb.batchGet({ tables: { Nope: { keys: [{ id: 'x' }] } } });",
            json!({}),
        )
        .await,
    );
    assert_eq!(t, "DynamoDB:ResourceNotFoundException");
}

#[tokio::test]
async fn unsupported_requests_are_field_errors() {
    let w = world().await;
    let r = w
        .ddb(
            "return ddb.transactGet({ items: [{ table: 'Post', key: { id: 'x' } }] });",
            json!({}),
        )
        .await;
    assert!(
        matches!(&r, Err(FieldError::Unsupported(m)) if m.contains("TransactGetItems")),
        "{r:?}"
    );
    let r = w
        .ddb("return { operation: 'Frobnicate' };", json!({}))
        .await;
    assert!(
        matches!(&r, Err(FieldError::MappingTemplate(m)) if m.contains("Frobnicate")),
        "{r:?}"
    );
    let r = w
        .call("ExternalDS", "return {};", "return 1;", json!({}))
        .await;
    assert!(
        matches!(&r, Err(FieldError::Unsupported(m)) if m.contains("ExternalDS")),
        "{r:?}"
    );
    // An unhandled ctx.error is not raised: the response decides (AppSync's JS behaviour).
    let r = w
        .call(
            "PostTable",
            "return ddb.get({ key: { bad: 1 } });",
            "return ctx.error ? ctx.error.type : 'no error';",
            json!({}),
        )
        .await;
    assert_eq!(r, Ok(json!("DynamoDB:DynamoDbException")));
}

#[tokio::test]
async fn none_data_source_and_the_pipeline() {
    let w = world().await;
    let r = w
        .call("NONE_DS", "ctx.stash.n = 1; return { payload: { echo: ctx.args.m, api: ctx.stash.awsAppsyncApiId } };", "return { ...ctx.result, n: ctx.stash.n };", json!({"m": "hi"}))
        .await
        .unwrap();
    assert_eq!(r, json!({"echo": "hi", "api": "", "n": 1}));
    let r = w
        .call(
            "NONE_DS",
            "runtime.earlyReturn('early');",
            "return 'not reached';",
            json!({}),
        )
        .await
        .unwrap();
    assert_eq!(r, json!("early"));
}
