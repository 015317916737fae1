//! Every conformance fixture's data API opens: its generated SDL becomes an executable schema,
//! every model gets a table, and every generated model field has a planned resolver.

use serde_json::json;
use stratus_data::DataService;
use stratus_testkit::fixtures::{conformance_fixtures, fixtures_in, workspace_root};

#[tokio::test]
async fn every_fixture_opens_and_answers_introspection() {
    let mut failures = Vec::new();
    let mut opened = 0;
    let sdl_cases = fixtures_in(
        &workspace_root().join("crates/schema/tests/sdl-cases"),
        &["directives.graphql"],
    );
    assert!(sdl_cases.len() >= 10, "sdl cases: {}", sdl_cases.len());
    for fx in conformance_fixtures(&["directives.graphql"])
        .into_iter()
        .chain(sdl_cases)
    {
        let Ok(spec) = fx.data_spec() else {
            continue;
        };
        let dir = tempfile::tempdir().unwrap();
        let store = stratus_store::Store::open(dir.path()).await.unwrap();
        match DataService::open(&store, &spec, None).await {
            Ok(service) => {
                opened += 1;
                let v = service
                    .execute(
                        stratus_data::authz::Caller::ApiKey,
                        "{ __schema { queryType { name } } }",
                        Some(json!({})),
                        None,
                    )
                    .await;
                if v["data"]["__schema"]["queryType"]["name"] != "Query" {
                    failures.push(format!("{}: introspection answered {v}", fx.name));
                }
                for model in &spec.schema.models {
                    let create = format!("create{}", model.name);
                    let list = service
                        .sdl()
                        .contains(&format!(" {create}(input: Create{}Input!", model.name));
                    if !list && model.model.mutations.is_none() {
                        failures.push(format!("{}: no {create} in the SDL", fx.name));
                    }
                }
            }
            Err(e) => failures.push(format!("{}: {e}", fx.name)),
        }
    }
    assert!(opened >= 50, "only {opened} fixtures opened");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
