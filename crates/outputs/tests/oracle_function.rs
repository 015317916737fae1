//! `FunctionSpec::from_props` against the real `@aws-amplify/backend-function` defaults,
//! validations and schedule translation (tests/data/regen.mjs).

mod common;

use serde_json::{Map, Value, json};
use stratus_spec::SpecErrorKind;
use stratus_spec::function::{Architecture, FunctionSpec};

use common::*;
use stratus_testkit::assert_json_eq;

fn kind(error: &str) -> SpecErrorKind {
    match error {
        "InvalidTimeoutError" => SpecErrorKind::InvalidTimeout,
        "InvalidMemoryMBError" => SpecErrorKind::InvalidMemoryMB,
        "InvalidEphemeralStorageSizeMBError" => SpecErrorKind::InvalidEphemeralStorageSizeMB,
        "InvalidEnvironmentKeyError" => SpecErrorKind::InvalidEnvironmentKey,
        "FunctionReservedEnvironmentVariableError" => {
            SpecErrorKind::FunctionReservedEnvironmentVariable
        }
        "InvalidRuntimeError" => SpecErrorKind::InvalidRuntime,
        "InvalidArchitectureError" => SpecErrorKind::InvalidArchitecture,
        "InvalidLayerFormatError" => SpecErrorKind::InvalidLayerFormat,
        "MaximumLayersReachedError" => SpecErrorKind::MaximumLayersReached,
        "InvalidResourceNameError" => SpecErrorKind::InvalidResourceName,
        "UnsupportedDurableFunctionRuntimeError" => {
            SpecErrorKind::UnsupportedDurableFunctionRuntime
        }
        // schedule errors are thrown as plain Errors and wrapped in
        // FunctionScheduleInitializationError; the log level one is a plain Error too
        "Error" => SpecErrorKind::FunctionScheduleInitialization,
        other => panic!("unexpected error kind {other}"),
    }
}

#[test]
fn every_function_case_matches_the_real_packages() {
    let expected = data_file("function_expected.json");
    let all = cases("function_cases.json", "props");
    assert!(all.len() >= 30);
    for (name, props) in all {
        let exp = &expected[&name];
        let result = FunctionSpec::from_props(&props);
        if let Some(error) = exp.get("error").and_then(Value::as_str) {
            let e = result
                .err()
                .unwrap_or_else(|| panic!("{name}: expected {error}"));
            let message = exp["message"].as_str().unwrap_or_default();
            if message.starts_with("Invalid Lambda application log level") {
                assert_eq!(e.kind, SpecErrorKind::InvalidLogging, "{name}");
            } else {
                assert_eq!(e.kind, kind(error), "{name}");
            }
            assert_eq!(e.message, message, "{name}");
            continue;
        }
        let f = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        let layers: Map<String, Value> = f
            .layers
            .iter()
            .map(|l| (l.module.clone(), json!(l.arn("us-east-1", "123456789012"))))
            .collect();
        let schedules: Vec<Value> = f
            .schedules
            .iter()
            .map(|s| {
                let mut o = json!({"expression": s.expression, "timezone": s.timezone});
                if let Some(d) = &s.description {
                    o["description"] = json!(d);
                }
                o
            })
            .collect();
        let ours = json!({
            "name": f.name, "timeoutSeconds": f.timeout_seconds, "memoryMB": f.memory_mb,
            "ephemeralStorageSizeMB": f.ephemeral_storage_size_mb, "runtime": f.runtime.major(),
            "architecture": match f.architecture { Architecture::X86_64 => "x86_64", Architecture::Arm64 => "arm64" },
            "resourceGroupName": f.resource_group_name, "minify": f.minify, "layers": layers, "schedules": schedules,
            "durableConfig": f.durable.map(|d| json!({"executionTimeoutSeconds": d.execution_timeout_seconds,
                "retentionPeriodDays": d.retention_period_days})),
        });
        assert_json_eq(exp, &ours, &name);
    }
}
