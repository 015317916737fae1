//! Custom queries and mutations backed by functions (b-custom-functions, b-subscriptions), with
//! a fake functions runtime that records every event: the payload of the transformer's
//! `Invoke<Fn>LambdaDataSource.req.vtl` (typeName, fieldName, arguments, identity, source,
//! request, prev), pipelines, `Event` invocations, the operation's auth, errors as AppSync
//! reports a failed Lambda, results mapped to the return type, and custom mutations
//! published to the custom subscriptions that name them.

mod gql;

use std::sync::Arc;

use axum::body::Body;
use axum::http::{Request, StatusCode};
use gql::fake_functions::{FakeFunctions, spec_with_functions};
use gql::{Auth, Harness, claims};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use stratus_data::FunctionError;
use tower::ServiceExt;

const FUNCTIONS: &[&str] = &[
    "get-forecast",
    "validate-order",
    "charge-order",
    "send-receipt",
    "audit-log",
    "enrich-order",
    "legacy-lookup",
    "report-generator",
];

/// What the fixture's handlers answer (the test's own logic, not theirs).
fn answer(function: &str, event: &Value) -> Result<Value, FunctionError> {
    let args = &event["arguments"];
    match function {
        "get-forecast" if args["city"] == "Atlantis" => Err(FunctionError::unhandled(
            "CityNotFound",
            "no forecast for Atlantis",
        )),
        "get-forecast" if event["fieldName"] == "forecasts" => Ok(Value::Array(
            args["cities"]
                .as_array()
                .unwrap()
                .iter()
                .map(|c| json!({"city": c, "unit": "FAHRENHEIT"}))
                .collect(),
        )),
        "get-forecast" => Ok(json!({
            "city": args["city"],
            "unit": args["unit"],
            "days": {"date": "2026-01-02", "high": 3.5, "low": -1.25},
            "notInTheSchema": true,
        })),
        "validate-order" => Ok(json!({"valid": true, "sku": args["item"]["sku"]})),
        "charge-order" => Ok(json!({
            "orderId": format!("order-{}", event["prev"]["result"]["sku"].as_str().unwrap_or("none")),
            "total": 19.5,
            "status": "PAID",
        })),
        "enrich-order" => Ok(json!({
            "id": args["orderId"],
            "total": 7.25,
            "status": "SHIPPED",
            "createdAt": "2026-01-01T00:00:00.000Z",
            "updatedAt": "2026-01-01T00:00:00.000Z",
            "__typename": "Order",
        })),
        "legacy-lookup" if event["fieldName"] == "orderCount" => Ok(json!(42)),
        "legacy-lookup" => Ok(json!(["alpha", args["term"]])),
        "audit-log" | "send-receipt" => Ok(json!({"ignored": true})),
        _ => Err(FunctionError::unhandled("Error", "unexpected")),
    }
}

/// b-custom-functions as loaded: `a.handler.function('legacyLookupFn')` names a function of
/// `defineData({ functions: { legacyLookupFn: legacyLookup } })`.
fn custom_functions_spec() -> stratus_spec::data::DataSpec {
    let mut spec = spec_with_functions("b-custom-functions");
    spec.lambda_functions
        .push(("legacyLookupFn".into(), "legacy-lookup".into()));
    spec
}

async fn harness() -> (Harness, Arc<FakeFunctions>) {
    let fake = FakeFunctions::new(FUNCTIONS, answer);
    let spec = custom_functions_spec();
    let h = Harness::with_functions(
        &spec,
        json!({"loginWith": {"email": true}, "groups": ["Admins"]}),
        fake.binding(),
    )
    .await;
    (h, fake)
}

const FORECAST: &str = "query Forecast($city: String!, $days: Int, $unit: TempUnit) {
  getForecast(city: $city, days: $days, unit: $unit) { city unit days { date high low } } }";

#[tokio::test]
async fn a_query_invokes_its_function_with_the_resolver_payload() {
    let (h, fake) = harness().await;
    let token = h.user("ann@example.com").await;
    let data = h
        .ok(
            &Auth::Token(token.clone()),
            FORECAST,
            json!({"city": "Paris", "days": 3, "unit": "CELSIUS"}),
        )
        .await;
    assert_eq!(
        data["getForecast"],
        json!({"city": "Paris", "unit": "CELSIUS",
               "days": {"date": "2026-01-02", "high": 3.5, "low": -1.25}})
    );
    let events = fake.events_of("get-forecast");
    assert_eq!(events.len(), 1);
    let event = &events[0];
    let keys: Vec<&str> = event
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    assert_eq!(
        sorted,
        [
            "arguments",
            "fieldName",
            "identity",
            "prev",
            "request",
            "source",
            "typeName"
        ]
    );
    assert_eq!(event["typeName"], "Query");
    assert_eq!(event["fieldName"], "getForecast");
    assert_eq!(
        event["arguments"],
        json!({"city": "Paris", "days": 3, "unit": "CELSIUS"})
    );
    assert_eq!(event["source"], Value::Null);
    // After the auth step, whose response is `{}`.
    assert_eq!(event["prev"], json!({"result": {}}));
    let token_claims = claims(&token);
    let identity = &event["identity"];
    assert_eq!(identity["sub"], token_claims["sub"]);
    assert_eq!(identity["username"], token_claims["username"]);
    assert_eq!(identity["claims"]["sub"], token_claims["sub"]);
    assert_eq!(identity["claims"]["token_use"], "access");
    assert_eq!(identity["issuer"], token_claims["iss"]);
    assert_eq!(identity["defaultAuthStrategy"], "ALLOW");
    assert_eq!(identity["groups"], Value::Null);
    let headers = &event["request"]["headers"];
    assert_eq!(headers["authorization"], token.as_str());
    assert_eq!(
        headers["x-amz-user-agent"],
        "aws-amplify/6.22.1 api/1 framework/100"
    );
    assert_eq!(event["request"]["domainName"], Value::Null);
}

#[tokio::test]
async fn handler_errors_are_lambda_unhandled_errors_of_the_field() {
    let (h, _) = harness().await;
    let token = h.user("ann@example.com").await;
    let v = h
        .errors(&Auth::Token(token), FORECAST, json!({"city": "Atlantis"}))
        .await;
    assert!(v["data"]["getForecast"].is_null(), "{v}");
    let e = &v["errors"][0];
    assert_eq!(e["errorType"], "Lambda:Unhandled");
    assert_eq!(e["message"], "no forecast for Atlantis");
    assert_eq!(e["path"], json!(["getForecast"]));
    assert_eq!(e["data"], Value::Null);
    assert_eq!(e["errorInfo"], Value::Null);
}

#[tokio::test]
async fn a_pipeline_passes_each_result_on_as_prev_and_answers_the_last() {
    let (h, fake) = harness().await;
    let token = h.user("ann@example.com").await;
    let query = "mutation ($item: PlaceOrderItemInput, $shipTo: ShippingAddressInput!) {
      placeOrder(item: $item, shipTo: $shipTo, speed: EXPRESS, notes: [\"ring\"]) { orderId total status } }";
    let data = h
        .ok(
            &Auth::Token(token),
            query,
            json!({"item": {"sku": "S1", "quantity": 2},
                   "shipTo": {"line1": "1 Main St", "city": "Oslo", "point": {"lat": 1.5, "lng": 2}}}),
        )
        .await;
    assert_eq!(
        data["placeOrder"],
        json!({"orderId": "order-S1", "total": 19.5, "status": "PAID"})
    );
    let validate = fake.events_of("validate-order");
    let charge = fake.events_of("charge-order");
    assert_eq!(validate.len(), 1);
    assert_eq!(charge.len(), 1);
    assert_eq!(validate[0]["prev"], json!({"result": {}}));
    assert_eq!(
        charge[0]["prev"],
        json!({"result": {"valid": true, "sku": "S1"}})
    );
    assert_eq!(charge[0]["fieldName"], "placeOrder");
    assert_eq!(charge[0]["typeName"], "Mutation");
    assert_eq!(charge[0]["arguments"]["speed"], "EXPRESS");
    assert_eq!(charge[0]["arguments"]["notes"], json!(["ring"]));
    assert_eq!(charge[0]["arguments"]["shipTo"]["point"]["lat"], 1.5);
}

#[tokio::test]
async fn an_async_last_step_answers_success_and_still_runs() {
    let (h, fake) = harness().await;
    let token = h.user("ann@example.com").await;
    let data = h
        .ok(
            &Auth::Token(token),
            "mutation { checkout(cartId: \"c1\") { success } }",
            json!({}),
        )
        .await;
    assert_eq!(data["checkout"], json!({"success": true}));
    let receipt = fake.wait_for("send-receipt", 1).await;
    // The Event step gets the previous step's result like any other.
    assert_eq!(receipt[0]["prev"]["result"]["status"], "PAID");
    assert_eq!(receipt[0]["arguments"], json!({"cartId": "c1"}));
}

#[tokio::test]
async fn results_map_to_scalars_lists_models_and_custom_type_lists() {
    let (h, fake) = harness().await;
    let token = Auth::Token(h.user("ann@example.com").await);
    let data = h
        .ok(
            &Auth::ApiKey,
            "query { legacyLookup(term: \"t\") orderCount }",
            json!({}),
        )
        .await;
    assert_eq!(
        data,
        json!({"legacyLookup": ["alpha", "t"], "orderCount": 42})
    );
    // Two fields, two invocations of the same function, told apart by fieldName.
    let fields: Vec<Value> = fake
        .events_of("legacy-lookup")
        .iter()
        .map(|e| e["fieldName"].clone())
        .collect();
    assert_eq!(fields, [json!("legacyLookup"), json!("orderCount")]);
    assert_eq!(fake.events_of("legacy-lookup")[0]["identity"], Value::Null);
    let data = h
        .ok(
            &token,
            "query { getEnrichedOrder(orderId: \"o9\") { id total status createdAt __typename } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["getEnrichedOrder"],
        json!({"id": "o9", "total": 7.25, "status": "SHIPPED",
               "createdAt": "2026-01-01T00:00:00.000Z", "__typename": "Order"})
    );
    let data = h
        .ok(
            &token,
            "query { forecasts(cities: [\"A\", \"B\"]) { city unit } }",
            json!({}),
        )
        .await;
    assert_eq!(
        data["forecasts"],
        json!([{"city": "A", "unit": "FAHRENHEIT"}, {"city": "B", "unit": "FAHRENHEIT"}])
    );
}

#[tokio::test]
async fn the_operations_rules_and_modes_decide_before_any_invocation() {
    let (h, fake) = harness().await;
    let user = Auth::Token(h.user("ann@example.com").await);
    let admin = Auth::Token(h.user_in("root@example.com", &["Admins"]).await);
    // orderStatus: allow.group('Admins').
    let q = "query { orderStatus(orderId: \"o1\") }";
    let v = h.errors(&user, q, json!({})).await;
    assert_eq!(v["errors"][0]["errorType"], "Unauthorized");
    assert_eq!(
        v["errors"][0]["message"],
        "Not Authorized to access orderStatus on type Query"
    );
    assert!(fake.events_of("enrich-order").is_empty());
    let v = h.errors(&admin, q, json!({})).await;
    // The admin gets through to the function, whose Order is not an OrderStatus value.
    assert_eq!(fake.events_of("enrich-order").len(), 1);
    assert_ne!(v["errors"][0]["errorType"], "Unauthorized");
    let admin_identity = &fake.events_of("enrich-order")[0]["identity"];
    assert_eq!(admin_identity["groups"], json!(["Admins"]));
    // getForecast has no @aws_api_key.
    let v = h
        .errors(&Auth::ApiKey, FORECAST, json!({"city": "Paris"}))
        .await;
    assert_eq!(v["errors"][0]["errorType"], "Unauthorized");
    assert!(fake.events_of("get-forecast").is_empty());
}

/// A SigV4-signed `POST /graphql` with identity-pool guest credentials.
async fn as_guest(h: &Harness, query: &str, variables: Value) -> (StatusCode, Value) {
    const HOST: &str = "127.0.0.1:8443";
    let creds = h.guest_credentials().await;
    let body = json!({"query": query, "variables": variables}).to_string();
    let headers = gql::signed_headers(
        &creds,
        HOST,
        "/graphql",
        &[("content-type", "application/json; charset=UTF-8")],
        &body,
    );
    let mut req = Request::post("/graphql");
    for (k, v) in &headers {
        req = req.header(k.as_str(), v.as_str().unwrap());
    }
    let res = h
        .app
        .clone()
        .oneshot(req.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap())
}

#[tokio::test]
async fn identity_pool_guests_get_the_iam_identity_and_parsed_awsjson_arguments() {
    let (h, fake) = harness().await;
    let (status, v) = as_guest(
        &h,
        "mutation ($p: AWSJSON) { logEvent(message: \"hi\", payload: $p) { success } }",
        json!({"p": "{\"level\":\"info\",\"n\":[1,2]}"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert_eq!(v["data"]["logEvent"], json!({"success": true}), "{v}");
    let events = fake.wait_for("audit-log", 1).await;
    let event = &events[0];
    // AppSync hands AWSJSON arguments to resolvers parsed.
    assert_eq!(
        event["arguments"],
        json!({"message": "hi", "payload": {"level": "info", "n": [1, 2]}})
    );
    let identity = &event["identity"];
    assert_eq!(identity["cognitoIdentityAuthType"], "unauthenticated");
    assert!(
        identity["cognitoIdentityId"]
            .as_str()
            .is_some_and(|id| id.starts_with("us-east-1:")),
        "{identity}"
    );
    assert!(
        identity["userArn"]
            .as_str()
            .unwrap()
            .contains(":assumed-role/")
    );
    // A guest may also read the forecast (allow.guest()), not place orders.
    let (_, v) = as_guest(
        &h,
        "query { getForecast(city: \"Rome\") { city } }",
        json!({}),
    )
    .await;
    assert_eq!(v["data"]["getForecast"]["city"], "Rome", "{v}");
    let (_, v) = as_guest(
        &h,
        "mutation { checkout(cartId: \"x\") { success } }",
        json!({}),
    )
    .await;
    assert_eq!(v["errors"][0]["errorType"], "Unauthorized", "{v}");
}

#[tokio::test]
async fn a_function_backed_mutation_fires_the_custom_subscriptions_that_name_it() {
    use gql::realtime::{connect, recv, start};
    use std::time::Duration;
    // b-subscriptions with `publish` resolved by a function instead of its JS handler.
    let mut spec = spec_with_functions("b-subscriptions");
    let publish = spec
        .schema
        .mutations
        .iter_mut()
        .find(|m| m.name == "publish")
        .unwrap();
    publish.functions = vec![stratus_spec::data::FunctionRef {
        name: "FnPublish".into(),
        invocation_type: None,
    }];
    spec.lambda_functions = vec![("FnPublish".into(), "publisher".into())];
    let fake = FakeFunctions::new(&["publisher"], |_, event| {
        let args = &event["arguments"];
        if args["body"] == "boom" {
            return Err(FunctionError::unhandled("Error", "refused"));
        }
        Ok(
            json!({"channel": args["channel"], "body": args["body"], "sentAt": "2026-01-01T00:00:00.000Z"}),
        )
    });
    let h =
        Harness::with_functions(&spec, json!({"loginWith": {"email": true}}), fake.binding()).await;
    let host = h.serve().await;
    let user = Auth::Token(h.user("ann@example.com").await);
    let header = h.realtime_header(&user, &host);
    let sub =
        "subscription ($channel: String) { receive(channel: $channel) { channel body sentAt } }";
    let mut general = connect(&host, &header).await;
    start(
        &mut general,
        "g",
        sub,
        json!({"channel": "general"}),
        Some(&header),
    )
    .await;
    let mut api_key = connect(&host, &h.realtime_header(&Auth::ApiKey, &host)).await;
    start(&mut api_key, "k", sub, json!({}), None).await;
    let publish =
        "mutation ($c: String!, $b: String!) { publish(channel: $c, body: $b) { channel body } }";
    let data = h
        .ok(&user, publish, json!({"c": "random", "b": "first"}))
        .await;
    assert_eq!(
        data["publish"],
        json!({"channel": "random", "body": "first"})
    );
    h.ok(&user, publish, json!({"c": "general", "b": "second"}))
        .await;
    let ev = recv(&mut general, Duration::from_secs(5)).await.unwrap();
    assert_eq!(
        ev["payload"]["data"]["receive"],
        json!({"channel": "general", "body": "second", "sentAt": "2026-01-01T00:00:00.000Z"}),
        "{ev}"
    );
    // The unfiltered API-key subscriber gets both, in order.
    let first = recv(&mut api_key, Duration::from_secs(5)).await.unwrap();
    assert_eq!(
        first["payload"]["data"]["receive"]["body"], "first",
        "{first}"
    );
    let second = recv(&mut api_key, Duration::from_secs(5)).await.unwrap();
    assert_eq!(second["payload"]["data"]["receive"]["body"], "second");
    // A failed invocation publishes nothing.
    let v = h
        .errors(&user, publish, json!({"c": "general", "b": "boom"}))
        .await;
    assert_eq!(v["errors"][0]["errorType"], "Lambda:Unhandled");
    assert_eq!(recv(&mut general, Duration::from_millis(300)).await, None);
}

#[tokio::test]
async fn without_a_functions_runtime_function_fields_say_so() {
    let spec = custom_functions_spec();
    let h = Harness::with_spec(&spec, json!({"loginWith": {"email": true}})).await;
    let v = h
        .errors(
            &Auth::ApiKey,
            "query { legacyLookup(term: \"t\") }",
            json!({}),
        )
        .await;
    assert_eq!(v["errors"][0]["errorType"], "NotImplemented");
}

/// A `POST /graphql` signed with `creds`.
async fn signed_as(h: &Harness, creds: &gql::Creds, query: &str) -> (StatusCode, Value) {
    let body = json!({"query": query, "variables": {}}).to_string();
    let headers = gql::signed_headers(
        creds,
        "127.0.0.1:8443",
        "/graphql",
        &[("content-type", "application/json; charset=UTF-8")],
        &body,
    );
    let mut req = Request::post("/graphql");
    for (k, v) in &headers {
        req = req.header(k.as_str(), v.as_str().unwrap());
    }
    let res = h
        .app
        .clone()
        .oneshot(req.body(Body::from(body)).unwrap())
        .await
        .unwrap();
    let status = res.status();
    let bytes = res.into_body().collect().await.unwrap().to_bytes();
    (status, serde_json::from_slice(&bytes).unwrap())
}

#[tokio::test]
async fn functions_sign_with_their_credentials_and_get_what_allow_resource_grants() {
    use stratus_data::iam::FunctionCredential;
    let fake = FakeFunctions::new(FUNCTIONS, answer);
    let enrich = FunctionCredential::generate("enrich-order");
    let audit = FunctionCredential::generate("audit-log");
    let mut binding = fake.binding();
    binding.credentials = vec![enrich.clone(), audit.clone()];
    let h = Harness::with_functions(
        &custom_functions_spec(),
        json!({"loginWith": {"email": true}}),
        binding,
    )
    .await;
    let creds = |c: &FunctionCredential| gql::Creds {
        akid: c.access_key_id.clone(),
        secret: c.secret_access_key.clone(),
        token: c.session_token.clone(),
    };
    let list = "query { listOrders { items { id } } }";
    let create = "mutation { createOrder(input: {total: 1.5}) { id total } }";
    // allow.resource(enrichOrder).to(['query', 'listen']): reads, no writes.
    let (status, v) = signed_as(&h, &creds(&enrich), list).await;
    assert_eq!(status, StatusCode::OK, "{v}");
    assert!(v["data"]["listOrders"]["items"].is_array(), "{v}");
    let (_, v) = signed_as(&h, &creds(&enrich), create).await;
    assert_eq!(v["errors"][0]["errorType"], "Unauthorized", "{v}");
    // allow.resource(auditLog).to(['mutate']): writes, no reads.
    let (_, v) = signed_as(&h, &creds(&audit), create).await;
    assert_eq!(v["data"]["createOrder"]["total"], 1.5, "{v}");
    let (_, v) = signed_as(&h, &creds(&audit), list).await;
    assert_eq!(v["errors"][0]["errorType"], "Unauthorized", "{v}");
    // The function's identity in a payload: an IAM principal outside the identity pool.
    let (_, v) = signed_as(
        &h,
        &creds(&enrich),
        "query { getEnrichedOrder(orderId: \"o\") { id } }",
    )
    .await;
    assert_eq!(v["data"]["getEnrichedOrder"]["id"], "o", "{v}");
    let identity = &fake.events_of("enrich-order")[0]["identity"];
    assert_eq!(identity["cognitoIdentityPoolId"], Value::Null);
    assert_eq!(identity["cognitoIdentityId"], Value::Null);
    // Credentials the service was not given, or a wrong secret, are refused.
    let stranger = FunctionCredential::generate("enrich-order");
    let (status, _) = signed_as(&h, &creds(&stranger), list).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let mut forged = creds(&enrich);
    forged.secret = stranger.secret_access_key.clone();
    let (status, _) = signed_as(&h, &forged, list).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}
