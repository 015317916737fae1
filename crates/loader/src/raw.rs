//! The raw JSON collected from the definition (`/work/notes/raw-props.md`) → [`Backend`].

use serde_json::Value;
use stratus_spec::data::{DataSpec, FunctionSchemaAccess, JsHandler, JsResolver};
use stratus_spec::{Backend, Diagnostic, SourceLocation};

use crate::{authmodes, specs};

/// Build the typed backend from the collected raw JSON.
pub fn to_backend(raw: &Value) -> Result<Backend, Diagnostic> {
    let mut warnings: Vec<Diagnostic> = raw
        .get("warnings")
        .and_then(Value::as_array)
        .map(|w| w.iter().filter_map(warning).collect())
        .unwrap_or_default();

    let auth_raw = raw.get("auth").filter(|v| !v.is_null());
    let auth = auth_raw.map(specs::auth).transpose()?;

    let storage = raw
        .get("storage")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(specs::storage)
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?
        .unwrap_or_default();

    let functions = raw
        .get("functions")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .map(specs::function)
                .collect::<Result<Vec<_>, _>>()
        })
        .transpose()?
        .unwrap_or_default();

    let data = raw
        .get("data")
        .filter(|v| !v.is_null())
        .map(|d| data_spec(d, auth_raw.is_some(), &mut warnings))
        .transpose()?;

    let custom_outputs = raw.get("customOutputs").filter(|v| !v.is_null()).cloned();

    Ok(Backend {
        auth,
        data,
        storage,
        functions,
        custom_outputs,
        warnings,
    })
}

fn warning(value: &Value) -> Option<Diagnostic> {
    Some(Diagnostic {
        message: value.get("message")?.as_str()?.to_string(),
        location: value.get("location").and_then(location),
    })
}

/// A `{file, line, column}` object.
pub fn location(value: &Value) -> Option<SourceLocation> {
    Some(SourceLocation {
        file: value.get("file")?.as_str()?.to_string(),
        line: u32::try_from(value.get("line")?.as_u64()?).ok()?,
        column: u32::try_from(value.get("column")?.as_u64()?).ok()?,
    })
}

fn function_name(value: &Value) -> Option<String> {
    value
        .get("$function")
        .or_else(|| value.get("$functionName"))
        .and_then(Value::as_str)
        .map(str::to_string)
}

fn data_spec(
    raw: &Value,
    has_auth: bool,
    warnings: &mut Vec<Diagnostic>,
) -> Result<DataSpec, Diagnostic> {
    let at = raw.get("$location").and_then(location);
    let err = |message: String| Diagnostic {
        message,
        location: at.clone(),
    };
    let name = raw
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or("amplifyData")
        .to_string();
    let schema = raw
        .get("schema")
        .ok_or_else(|| err("defineData: the schema is missing".into()))?;
    let directive_sdl = schema
        .get("sdl")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();

    let modes_at = raw
        .get("$propertyLocations")
        .and_then(|p| p.get("authorizationModes"))
        .and_then(location)
        .or_else(|| at.clone());
    let authorization_modes =
        authmodes::compute(raw.get("authorizationModes"), has_auth).map_err(|e| Diagnostic {
            message: e.0,
            location: modes_at,
        })?;

    let parsed = stratus_schema::parse_directive_sdl(&directive_sdl)
        .map_err(|e| err(format!("invalid data schema: {e}")))?;

    let js_functions = schema
        .get("jsFunctions")
        .and_then(Value::as_array)
        .map(|fns| {
            fns.iter()
                .map(|f| JsResolver {
                    type_name: str_field(f, "typeName"),
                    field_name: str_field(f, "fieldName"),
                    handlers: f
                        .get("handlers")
                        .and_then(Value::as_array)
                        .map(|hs| {
                            hs.iter()
                                .map(|h| JsHandler {
                                    data_source: str_field(h, "dataSource"),
                                    entry: str_field(h, "entry"),
                                    modules: Vec::new(),
                                })
                                .collect()
                        })
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();

    // backend-data: { ...defineData({ functions }), ...schema lambdaFunctions }.
    let mut lambda_functions: Vec<(String, String)> = Vec::new();
    let mut add_lambda = |key: &str, value: &Value| {
        if let Some(function) = function_name(value) {
            match lambda_functions.iter_mut().find(|(k, _)| k == key) {
                Some(existing) => existing.1 = function,
                None => lambda_functions.push((key.to_string(), function)),
            }
        }
    };
    for source in [raw.get("functions"), schema.get("lambdaFunctions")] {
        if let Some(map) = source.and_then(Value::as_object) {
            for (key, value) in map {
                add_lambda(key, value);
            }
        }
    }

    let function_schema_access = schema
        .get("functionSchemaAccess")
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|a| {
                    Some(FunctionSchemaAccess {
                        function: function_name(a.get("function")?)?,
                        actions: a
                            .get("actions")
                            .and_then(Value::as_array)
                            .map(|acts| {
                                acts.iter()
                                    .filter_map(|x| x.as_str().map(str::to_string))
                                    .collect()
                            })
                            .unwrap_or_default(),
                    })
                })
                .collect()
        })
        .unwrap_or_default();

    if schema
        .get("customSqlDataSourceStrategies")
        .and_then(Value::as_array)
        .is_some_and(|s| !s.is_empty())
    {
        warnings.push(Diagnostic {
            message: "SQL data sources (a.handler.inlineSql / sqlReference) are not supported by stratus yet".into(),
            location: at.clone(),
        });
    }

    Ok(DataSpec {
        name,
        directive_sdl,
        authorization_modes,
        schema: parsed,
        js_functions,
        lambda_functions,
        function_schema_access,
    })
}

fn str_field(value: &Value, key: &str) -> String {
    value
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}
