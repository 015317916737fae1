//! `defineFunction` as data, with Amplify's defaults filled in and its validations applied
//! (`@aws-amplify/backend-function` `factory.js`): timeout 3 s (1–900), memory 512 MB
//! (128–10240), ephemeral storage 512 MB (512–10240), Node.js 22, x86_64, minified ESM bundle,
//! resource group `function`.

mod schedule;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::backend::SourceLocation;
use crate::error::{SpecError, SpecErrorKind, validate_resource_name};
use crate::props::{self, Obj, SecretValue, js_number, whole_between};

pub use schedule::FunctionSchedule;

/// The env var Amplify reserves for its SSM parameter resolution.
pub const RESERVED_ENV_VAR: &str = "AMPLIFY_SSM_ENV_CONFIG";
/// What AWS puts in a secret-backed env var at deploy time (the value is fetched at cold start).
pub const SECRET_PLACEHOLDER: &str = "<value will be resolved during runtime>";

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FunctionSpec {
    /// Resolved name (explicit `name`, else the entry file's base name, else the directory of
    /// the calling `resource.ts`; resolved by the loader).
    pub name: String,
    /// Handler source, relative to the project root.
    pub entry: String,
    pub timeout_seconds: u32,
    pub memory_mb: u32,
    pub ephemeral_storage_size_mb: u32,
    pub runtime: NodeRuntime,
    pub architecture: Architecture,
    /// `environment`, in definition order.
    pub environment: Vec<EnvVar>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub schedules: Vec<FunctionSchedule>,
    /// `layers`: module name → layer (kept as written; these modules are not bundled).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<FunctionLayer>,
    /// `bundling.minify` (default true).
    pub minify: bool,
    /// `resourceGroupName` (default `function`).
    pub resource_group_name: String,
    pub logging: FunctionLogging,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub durable: Option<DurableConfig>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<SourceLocation>,
}

/// Lambda Node.js runtimes Amplify allows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum NodeRuntime {
    #[serde(rename = "18")]
    Node18,
    #[serde(rename = "20")]
    Node20,
    #[serde(rename = "22")]
    Node22,
    #[serde(rename = "24")]
    Node24,
}

impl NodeRuntime {
    pub fn major(self) -> u32 {
        match self {
            Self::Node18 => 18,
            Self::Node20 => 20,
            Self::Node22 => 22,
            Self::Node24 => 24,
        }
    }

    /// The Lambda runtime identifier (`nodejs22.x`).
    pub fn lambda_runtime(self) -> String {
        format!("nodejs{}.x", self.major())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Architecture {
    X86_64,
    Arm64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnvVar {
    pub name: String,
    pub value: SecretValue,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionLayer {
    /// The module name the function imports (excluded from the bundle).
    pub module: String,
    /// A full layer ARN or `name:version`, as written.
    pub layer: String,
}

impl FunctionLayer {
    /// The layer ARN; `name:version` is expanded with the given region and account.
    pub fn arn(&self, region: &str, account: &str) -> String {
        if self.layer.starts_with("arn:") {
            self.layer.clone()
        } else {
            let (name, version) = self.layer.split_once(':').unwrap_or((&self.layer, ""));
            format!("arn:aws:lambda:{region}:{account}:layer:{name}:{version}")
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FunctionLogging {
    /// `json` or `text`; `None` = Lambda's default (text).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<String>,
    /// `info`, `debug`, `warn`, `error`, `fatal` or `trace` (JSON format only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<String>,
    /// A `LogRetention` string such as `1 week`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct DurableConfig {
    pub execution_timeout_seconds: u32,
    /// Default 14.
    pub retention_period_days: u32,
}

const LOG_LEVELS: [&str; 6] = ["info", "debug", "warn", "error", "fatal", "trace"];
const LOG_RETENTIONS: [&str; 23] = [
    "1 day",
    "3 days",
    "5 days",
    "1 week",
    "2 weeks",
    "1 month",
    "2 months",
    "3 months",
    "4 months",
    "5 months",
    "6 months",
    "1 year",
    "13 months",
    "18 months",
    "2 years",
    "3 years",
    "5 years",
    "6 years",
    "7 years",
    "8 years",
    "9 years",
    "10 years",
    "infinite",
];

fn bounded(
    o: &Obj<'_>,
    key: &str,
    (min, max, default): (f64, f64, u32),
    kind: SpecErrorKind,
    label: &str,
) -> Result<u32, SpecError> {
    let Some(n) = o.number(key)? else {
        return Ok(default);
    };
    whole_between(n, min, max).ok_or_else(|| {
        SpecError::new(
            kind,
            format!("Invalid function {label} of {}", js_number(n)),
        )
        .with_resolution(format!(
            "{key} must be a whole number between {} and {} inclusive",
            js_number(min),
            js_number(max)
        ))
    })
}

impl FunctionSpec {
    /// Build from the loader's raw `defineFunction` props (see `raw-props.md`), applying
    /// Amplify's defaults and validations in Amplify's order.
    pub fn from_props(raw: &Value) -> Result<Self, SpecError> {
        let location = props::location(raw);
        Self::build(raw, location.clone()).map_err(|e| e.at(location.as_ref()))
    }

    fn build(raw: &Value, location: Option<SourceLocation>) -> Result<Self, SpecError> {
        let o = Obj::new(raw, "defineFunction")?;
        let name = o.required_str("name")?.to_string();
        validate_resource_name(&name)?;
        let entry = o.required_str("entry")?.to_string();
        let timeout_seconds = bounded(
            &o,
            "timeoutSeconds",
            (1.0, 900.0, 3),
            SpecErrorKind::InvalidTimeout,
            "timeout",
        )?;
        let memory_mb = bounded(
            &o,
            "memoryMB",
            (128.0, 10240.0, 512),
            SpecErrorKind::InvalidMemoryMB,
            "memoryMB",
        )?;
        let ephemeral_storage_size_mb = bounded(
            &o,
            "ephemeralStorageSizeMB",
            (512.0, 10240.0, 512),
            SpecErrorKind::InvalidEphemeralStorageSizeMB,
            "ephemeralStorageSizeMB",
        )?;
        let environment = parse_environment(&o)?;
        let runtime = parse_runtime(&o)?;
        let architecture = match o.str("architecture")? {
            None | Some("") | Some("x86_64") => Architecture::X86_64,
            Some("arm64") => Architecture::Arm64,
            Some(other) => {
                return Err(SpecError::new(
                    SpecErrorKind::InvalidArchitecture,
                    format!("Invalid function architecture of {other}"),
                )
                .with_resolution("architecture must be one of the following: arm64, x86_64"));
            }
        };
        let minify = match o.obj("bundling", "defineFunction.bundling")? {
            Some(b) => b.bool("minify")?.unwrap_or(true),
            None => true,
        };
        let durable = parse_durable(&o, runtime)?;
        let layers = parse_layers(&o, &name)?;
        let logging = parse_logging(&o)?;
        let schedules = match o.get("schedule") {
            None => Vec::new(),
            Some(s) => schedule::parse_schedules(s, timeout_seconds)?,
        };
        if environment.iter().any(|e| e.name == RESERVED_ENV_VAR) {
            return Err(SpecError::new(
                SpecErrorKind::FunctionReservedEnvironmentVariable,
                format!("{RESERVED_ENV_VAR} is a reserved environment variable name"),
            )
            .with_resolution("Please use a non-reserved environment variable name."));
        }
        Ok(Self {
            name,
            entry,
            timeout_seconds,
            memory_mb,
            ephemeral_storage_size_mb,
            runtime,
            architecture,
            environment,
            schedules,
            layers,
            minify,
            resource_group_name: o
                .string("resourceGroupName")?
                .unwrap_or_else(|| "function".into()),
            logging,
            durable,
            location,
        })
    }
}

fn parse_environment(o: &Obj<'_>) -> Result<Vec<EnvVar>, SpecError> {
    let Some(env) = o.obj("environment", "defineFunction.environment")? else {
        return Ok(Vec::new());
    };
    let invalid: Vec<&str> = env
        .map()
        .keys()
        .map(String::as_str)
        .filter(|k| {
            let mut c = k.chars();
            !(c.next().is_some_and(|f| f.is_ascii_alphabetic())
                && k.len() >= 2
                && c.all(|x| x.is_ascii_alphanumeric() || x == '_'))
        })
        .collect();
    if !invalid.is_empty() {
        return Err(SpecError::new(
            SpecErrorKind::InvalidEnvironmentKey,
            format!(
                "Invalid function environment key(s): {}",
                invalid.join(", ")
            ),
        )
        .with_resolution(
            "Environment keys must match [a-zA-Z]([a-zA-Z0-9_])+ and be at least 2 characters",
        ));
    }
    env.map()
        .iter()
        .map(|(k, v)| {
            if v.is_null() {
                return Err(SpecError::new(
                    SpecErrorKind::InvalidFunctionConfiguration,
                    format!("The value of environment variable {k} is undefined."),
                )
                .with_resolution(
                    "Ensure that all defineFunction environment variables are defined.",
                ));
            }
            let value = SecretValue::from_raw(v, &format!("defineFunction.environment.{k}"))?;
            Ok(EnvVar {
                name: k.clone(),
                value,
            })
        })
        .collect()
}

fn parse_runtime(o: &Obj<'_>) -> Result<NodeRuntime, SpecError> {
    let given = match o.get("runtime") {
        None => return Ok(NodeRuntime::Node22),
        Some(Value::Number(n)) => n.as_f64().map(js_number).unwrap_or_default(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => {
            return Err(SpecError::props(format!(
                "defineFunction.runtime must be a number, found {}",
                props::kind_of(other)
            )));
        }
    };
    match given.as_str() {
        "0" | "" => Ok(NodeRuntime::Node22),
        "18" => Ok(NodeRuntime::Node18),
        "20" => Ok(NodeRuntime::Node20),
        "22" => Ok(NodeRuntime::Node22),
        "24" => Ok(NodeRuntime::Node24),
        other => Err(SpecError::new(
            SpecErrorKind::InvalidRuntime,
            format!("Invalid function runtime of {other}"),
        )
        .with_resolution("runtime must be one of the following: 18, 20, 22, 24")),
    }
}

fn parse_durable(o: &Obj<'_>, runtime: NodeRuntime) -> Result<Option<DurableConfig>, SpecError> {
    let Some(d) = o.obj("durableConfig", "defineFunction.durableConfig")? else {
        return Ok(None);
    };
    let timeout = d.number("executionTimeoutSeconds")?.unwrap_or(f64::NAN);
    let execution_timeout_seconds = whole_between(timeout, 1.0, 31_622_400.0).ok_or_else(|| {
        SpecError::new(
            SpecErrorKind::InvalidDurableFunctionExecutionTimeout,
            format!("Invalid durable function execution timeout of {}", js_number(timeout)),
        )
        .with_resolution("durableConfig.executionTimeoutSeconds must be a whole number between 1 and 31622400 inclusive")
    })?;
    let retention_period_days = match d.number("retentionPeriodDays")? {
        None => 14,
        Some(n) => whole_between(n, 1.0, 90.0).ok_or_else(|| {
            SpecError::new(
                SpecErrorKind::InvalidDurableFunctionRetentionPeriod,
                format!("Invalid durable function retention period of {}", js_number(n)),
            )
            .with_resolution("durableConfig.retentionPeriodDays must be a whole number between 1 and 90 inclusive")
        })?,
    };
    if runtime.major() < 22 {
        return Err(SpecError::new(
            SpecErrorKind::UnsupportedDurableFunctionRuntime,
            format!(
                "Durable functions require runtime 22 or higher. Current runtime is {}.",
                runtime.major()
            ),
        )
        .with_resolution("Set the function runtime to 22 or higher to use durable functions."));
    }
    Ok(Some(DurableConfig {
        execution_timeout_seconds,
        retention_period_days,
    }))
}

fn is_layer_arn(v: &str) -> bool {
    // arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+ (unanchored)
    let word = |s: &str, extra: &[char]| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || extra.contains(&c))
    };
    v.match_indices("arn:").any(|(i, _)| {
        let p: Vec<&str> = v[i..].splitn(8, ':').collect();
        p.len() == 8
            && word(p[1], &['-'])
            && p[2] == "lambda"
            && word(p[3], &['-'])
            && p[4].len() == 12
            && p[4].chars().all(|c| c.is_ascii_digit())
            && p[5] == "layer"
            && word(p[6], &['-', '_'])
            && p[7].chars().next().is_some_and(|c| c.is_ascii_digit())
    })
}

fn is_name_version(v: &str) -> bool {
    v.split_once(':').is_some_and(|(n, ver)| {
        !n.is_empty()
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
            && !ver.is_empty()
            && ver.chars().all(|c| c.is_ascii_digit())
    })
}

fn parse_layers(o: &Obj<'_>, function_name: &str) -> Result<Vec<FunctionLayer>, SpecError> {
    let Some(l) = o.obj("layers", "defineFunction.layers")? else {
        return Ok(Vec::new());
    };
    let mut out: Vec<FunctionLayer> = Vec::new();
    let mut unique: Vec<String> = Vec::new();
    for (module, v) in l.map() {
        let layer = v.as_str().ok_or_else(|| {
            SpecError::props(format!("defineFunction.layers.{module} must be a string"))
        })?;
        let arn = if is_layer_arn(layer) {
            layer.to_string()
        } else if is_name_version(layer) {
            FunctionLayer {
                module: module.clone(),
                layer: layer.into(),
            }
            .arn("<region>", "<account>")
        } else {
            return Err(SpecError::new(SpecErrorKind::InvalidLayerFormat, format!("Invalid format for layer: {layer}"))
                .with_resolution(format!(
                    "Layer must be either a full ARN (arn:aws:lambda:<region>:<account>:layer:<name>:<version>) or name:version format for function: {function_name}"
                )));
        };
        if !unique.contains(&arn) {
            unique.push(arn);
            out.push(FunctionLayer {
                module: module.clone(),
                layer: layer.to_string(),
            });
        }
    }
    if unique.len() > 5 {
        return Err(SpecError::new(
            SpecErrorKind::MaximumLayersReached,
            "A maximum of 5 unique layers can be attached to a function.",
        )
        .with_resolution("Remove unused layers in your function"));
    }
    Ok(out)
}

fn parse_logging(o: &Obj<'_>) -> Result<FunctionLogging, SpecError> {
    let Some(l) = o.obj("logging", "defineFunction.logging")? else {
        return Ok(FunctionLogging::default());
    };
    let logging = FunctionLogging {
        format: l.string("format")?,
        level: l.string("level")?,
        retention: l.string("retention")?,
    };
    if let Some(level) = logging.level.as_deref().filter(|v| !LOG_LEVELS.contains(v)) {
        return Err(SpecError::new(
            SpecErrorKind::InvalidLogging,
            format!("Invalid Lambda application log level: {level}"),
        ));
    }
    if let Some(format) = logging
        .format
        .as_deref()
        .filter(|f| *f != "json" && *f != "text")
    {
        return Err(SpecError::new(
            SpecErrorKind::InvalidLogging,
            format!("Invalid Lambda logging format: {format} (json, text)"),
        ));
    }
    if let Some(r) = logging
        .retention
        .as_deref()
        .filter(|r| !LOG_RETENTIONS.contains(r))
    {
        return Err(SpecError::new(
            SpecErrorKind::InvalidLogging,
            format!("Invalid log retention: {r}"),
        ));
    }
    Ok(logging)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn f(v: Value) -> Result<FunctionSpec, SpecError> {
        FunctionSpec::from_props(&v)
    }

    #[test]
    fn defaults() {
        let s = f(json!({"name": "fn", "entry": "amplify/functions/fn/handler.ts"})).unwrap();
        assert_eq!(
            (s.timeout_seconds, s.memory_mb, s.ephemeral_storage_size_mb),
            (3, 512, 512)
        );
        assert_eq!(s.runtime, NodeRuntime::Node22);
        assert_eq!(s.runtime.lambda_runtime(), "nodejs22.x");
        assert_eq!(s.architecture, Architecture::X86_64);
        assert!(s.minify && s.schedules.is_empty() && s.environment.is_empty());
        assert_eq!(s.resource_group_name, "function");
        assert!(s.durable.is_none());
    }

    #[test]
    fn everything_set() {
        let s = f(json!({"name": "fn", "entry": "e.ts", "timeoutSeconds": 900, "memoryMB": 10240,
            "ephemeralStorageSizeMB": 10240, "runtime": 20, "architecture": "arm64",
            "environment": {"API_URL": "https://x", "KEY": {"$secret": "MY_KEY"}},
            "layers": {"sharp": "arn:aws:lambda:us-east-1:123456789012:layer:sharp:3", "other": "my-layer:1"},
            "bundling": {"minify": false}, "resourceGroupName": "auth",
            "logging": {"format": "json", "level": "debug", "retention": "1 week"},
            "schedule": "every 1h"}))
        .unwrap();
        assert_eq!(
            (s.timeout_seconds, s.memory_mb, s.runtime.major()),
            (900, 10240, 20)
        );
        assert_eq!(s.architecture, Architecture::Arm64);
        assert_eq!(
            s.environment[1],
            EnvVar {
                name: "KEY".into(),
                value: SecretValue::Secret("MY_KEY".into())
            }
        );
        assert_eq!(
            s.layers[1].arn("us-east-1", "123456789012"),
            "arn:aws:lambda:us-east-1:123456789012:layer:my-layer:1"
        );
        assert!(!s.minify);
        assert_eq!(s.logging.level.as_deref(), Some("debug"));
        assert_eq!(s.schedules[0].expression, "cron(0 */1 * * ? *)");
    }

    #[test]
    fn validation_messages() {
        let cases = [
            (
                json!({"timeoutSeconds": 0}),
                SpecErrorKind::InvalidTimeout,
                "Invalid function timeout of 0",
            ),
            (
                json!({"timeoutSeconds": 1.5}),
                SpecErrorKind::InvalidTimeout,
                "Invalid function timeout of 1.5",
            ),
            (
                json!({"memoryMB": 127}),
                SpecErrorKind::InvalidMemoryMB,
                "Invalid function memoryMB of 127",
            ),
            (
                json!({"ephemeralStorageSizeMB": 511}),
                SpecErrorKind::InvalidEphemeralStorageSizeMB,
                "Invalid function ephemeralStorageSizeMB of 511",
            ),
            (
                json!({"environment": {"A": "x", "1B": "y", "OK": "z", "BAD-KEY": "w"}}),
                SpecErrorKind::InvalidEnvironmentKey,
                "Invalid function environment key(s): A, 1B, BAD-KEY",
            ),
            (
                json!({"environment": {"AMPLIFY_SSM_ENV_CONFIG": "x"}}),
                SpecErrorKind::FunctionReservedEnvironmentVariable,
                "AMPLIFY_SSM_ENV_CONFIG is a reserved environment variable name",
            ),
            (
                json!({"runtime": 16}),
                SpecErrorKind::InvalidRuntime,
                "Invalid function runtime of 16",
            ),
            (
                json!({"architecture": "x86"}),
                SpecErrorKind::InvalidArchitecture,
                "Invalid function architecture of x86",
            ),
            (
                json!({"layers": {"m": "not a layer"}}),
                SpecErrorKind::InvalidLayerFormat,
                "Invalid format for layer: not a layer",
            ),
            (
                json!({"layers": {"a": "l:1", "b": "l:2", "c": "l:3", "d": "l:4", "e": "l:5", "f": "l:6"}}),
                SpecErrorKind::MaximumLayersReached,
                "A maximum of 5 unique layers can be attached to a function.",
            ),
            (
                json!({"runtime": 20, "durableConfig": {"executionTimeoutSeconds": 60}}),
                SpecErrorKind::UnsupportedDurableFunctionRuntime,
                "Durable functions require runtime 22 or higher. Current runtime is 20.",
            ),
            (
                json!({"logging": {"level": "verbose"}}),
                SpecErrorKind::InvalidLogging,
                "Invalid Lambda application log level: verbose",
            ),
            (
                json!({"schedule": "every 1m", "timeoutSeconds": 120}),
                SpecErrorKind::FunctionScheduleInitialization,
                "Function schedule rate must be greater than the function timeout of 120 seconds",
            ),
        ];
        for (extra, kind, message) in cases {
            let mut v = json!({"name": "fn", "entry": "e.ts"});
            for (k, x) in extra.as_object().unwrap() {
                v[k] = x.clone();
            }
            let e = f(v).unwrap_err();
            assert_eq!((e.kind, e.message.as_str()), (kind, message));
        }
        let e = f(json!({"name": "my fn!", "entry": "e.ts"})).unwrap_err();
        assert_eq!(e.kind, SpecErrorKind::InvalidResourceName);
        assert_eq!(
            f(json!({"entry": "e.ts"})).unwrap_err().kind,
            SpecErrorKind::InvalidProps
        );
    }

    #[test]
    fn serde_round_trip() {
        let s = f(json!({"name": "fn", "entry": "e.ts", "environment": {"KEY": {"$secret": "S"}}, "schedule": "every day"})).unwrap();
        let v = serde_json::to_value(&s).unwrap();
        assert_eq!(v["runtime"], json!("22"));
        assert_eq!(v["environment"][0]["value"], json!({"secret": "S"}));
        let back: FunctionSpec = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(serde_json::to_value(&back).unwrap(), v);
    }

    #[test]
    fn duplicate_layers_and_durable_default() {
        let s = f(
            json!({"name": "fn", "entry": "e.ts", "layers": {"a": "l:1", "b": "l:1"},
            "durableConfig": {"executionTimeoutSeconds": 3600}}),
        )
        .unwrap();
        assert_eq!(s.layers.len(), 1);
        assert_eq!(
            s.durable,
            Some(DurableConfig {
                execution_timeout_seconds: 3600,
                retention_period_days: 14
            })
        );
    }
}
