//! One call of a handler's `request(ctx)` or `response(ctx)` in a fresh QuickJS runtime
//! (nothing survives between calls, as between AppSync evaluations), bounded in time and
//! memory, with `@aws-appsync/utils` and `@aws-appsync/utils/dynamodb` built in and the
//! handler's own modules.

use std::cell::Cell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use rquickjs::loader::{ImportAttributes, Loader, Resolver};
use rquickjs::module::{Declared, WriteOptions};
use rquickjs::{Context, Ctx, Error as JsError, Module, Object, Runtime, Value};
use serde_json::Value as Json;

use crate::natives;

const UTILS: &str = "@aws-appsync/utils";
const DYNAMODB: &str = "@aws-appsync/utils/dynamodb";
const UTILS_SOURCE: &str = include_str!("../js/utils.js");
const DYNAMODB_SOURCE: &str = include_str!("../js/dynamodb.js");

/// Bounds of one handler call.
#[derive(Debug, Clone)]
pub struct Limits {
    pub timeout: Duration,
    pub memory_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            timeout: Duration::from_secs(1),
            memory_bytes: 32 * 1024 * 1024,
        }
    }
}

/// A handler's code: ES modules by name (project-relative paths), and the entry's name.
#[derive(Debug, Clone)]
pub struct Code {
    pub entry: String,
    pub modules: Arc<HashMap<String, String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handler {
    Request,
    Response,
}

impl Handler {
    fn name(self) -> &'static str {
        match self {
            Handler::Request => "request",
            Handler::Response => "response",
        }
    }
}

/// An error a handler raised or appended (`util.error` / `util.appendError`).
#[derive(Debug, Clone, PartialEq)]
pub struct RaisedError {
    pub message: String,
    pub error_type: Option<String>,
    pub data: Json,
    pub error_info: Json,
}

/// How the call ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome {
    /// The handler returned this value (`undefined` is `null`).
    Return(Json),
    /// `util.error(...)`.
    Error(RaisedError),
    /// `util.unauthorized()`.
    Unauthorized,
    /// `runtime.earlyReturn(value, { skipTo })`; `to_end` for `skipTo: 'END'`.
    EarlyReturn { value: Json, to_end: Option<bool> },
    /// An exception, a timeout or exhausted memory: AppSync's `Code` error message
    /// (`file:line:column: TypeError: ...`).
    Failed(String),
}

/// What one call produced.
#[derive(Debug, Clone, PartialEq)]
pub struct Evaluation {
    pub outcome: Outcome,
    /// `ctx.stash` after the call.
    pub stash: Json,
    /// `util.appendError(...)` calls.
    pub appended: Vec<RaisedError>,
    /// `extensions.setSubscriptionFilter(...)`, when called.
    pub subscription_filter: Option<Json>,
    /// `extensions.setSubscriptionInvalidationFilter(...)`, when called.
    pub invalidation_filter: Option<Json>,
}

/// Calls `handler` of `code` with the context `ctx` (JSON; `args` is added as an alias of
/// `arguments`). `auth_type` is what `util.authType()` answers.
pub fn evaluate(
    code: &Code,
    handler: Handler,
    ctx: &Json,
    auth_type: &str,
    limits: &Limits,
) -> Evaluation {
    let stash = ctx.get("stash").cloned().unwrap_or(Json::Null);
    let failed = |message: String| Evaluation {
        outcome: Outcome::Failed(message),
        stash: stash.clone(),
        appended: Vec::new(),
        subscription_filter: None,
        invalidation_filter: None,
    };
    let Ok(rt) = Runtime::new() else {
        return failed("the JavaScript runtime could not start".into());
    };
    rt.set_memory_limit(limits.memory_bytes);
    rt.set_max_stack_size(512 * 1024);
    let deadline = Instant::now() + limits.timeout;
    let interrupted = Rc::new(Cell::new(false));
    {
        let flag = Rc::clone(&interrupted);
        rt.set_interrupt_handler(Some(Box::new(move || {
            let late = Instant::now() >= deadline;
            if late {
                flag.set(true);
            }
            late
        })));
    }
    rt.set_loader(
        HandlerResolver(Arc::clone(&code.modules)),
        HandlerLoader(Arc::clone(&code.modules)),
    );
    let Ok(context) = Context::full(&rt) else {
        return failed("the JavaScript context could not be created".into());
    };
    context.with(|js| {
        let run = || -> Result<Evaluation, JsError> {
            natives::install(&js, auth_type)?;
            js.eval::<(), _>(PRELUDE)?;
            let utils = import(&js, UTILS)?;
            for name in ["util", "runtime", "extensions"] {
                js.globals().set(name, utils.get::<_, Value>(name)?)?;
            }
            let module = import(&js, &code.entry)?;
            let f: Value = module.get(handler.name())?;
            let Some(f) = f.as_function().cloned() else {
                return Err(JsError::new_from_js_message(
                    "undefined",
                    "function",
                    format!(
                        "{} is not a function (the handler must export it)",
                        handler.name()
                    ),
                ));
            };
            let ctx_value = js.json_parse(ctx.to_string())?;
            if let Some(obj) = ctx_value.as_object() {
                obj.set("args", obj.get::<_, Value>("arguments")?)?;
            }
            // The pending exception is taken before anything else runs in the context.
            let outcome = match f.call::<_, Value>((ctx_value.clone(),)) {
                Ok(v) => Outcome::Return(to_json(&js, v)?),
                Err(JsError::Exception) => thrown(&js, &interrupted, limits),
                Err(e) => Outcome::Failed(e.to_string()),
            };
            if matches!(outcome, Outcome::Failed(_)) && interrupted.get() {
                return Ok(Evaluation {
                    outcome,
                    stash: stash.clone(),
                    appended: Vec::new(),
                    subscription_filter: None,
                    invalidation_filter: None,
                });
            }
            let new_stash = ctx_value
                .as_object()
                .map(|o| o.get::<_, Value>("stash"))
                .transpose()?
                .map(|v| to_json(&js, v))
                .transpose()?
                .unwrap_or(Json::Null);
            let state = to_json(&js, js.globals().get::<_, Value>("__stratusState")?)?;
            Ok(Evaluation {
                outcome,
                stash: new_stash,
                appended: state
                    .get("errors")
                    .and_then(Json::as_array)
                    .map(|l| l.iter().map(raised).collect())
                    .unwrap_or_default(),
                subscription_filter: state
                    .get("subscriptionFilter")
                    .cloned()
                    .filter(|v| !v.is_null()),
                invalidation_filter: state
                    .get("invalidationFilter")
                    .cloned()
                    .filter(|v| !v.is_null()),
            })
        };
        match run() {
            Ok(e) => e,
            Err(JsError::Exception) => match thrown(&js, &interrupted, limits) {
                Outcome::Failed(m) => failed(m),
                _ => failed("the handler could not be loaded".into()),
            },
            Err(e) => failed(format!("{}: {e}", code.entry)),
        }
    })
}

fn import<'js>(js: &Ctx<'js>, name: &str) -> Result<Object<'js>, JsError> {
    let promise = Module::import(js, name)?;
    let ns: Value = promise.finish()?;
    ns.into_object()
        .ok_or_else(|| JsError::new_loading_message(name, "not a module namespace"))
}

fn to_json<'js>(js: &Ctx<'js>, v: Value<'js>) -> Result<Json, JsError> {
    if v.is_undefined() || v.is_function() {
        return Ok(Json::Null);
    }
    let Some(text) = js.json_stringify(v)? else {
        return Ok(Json::Null);
    };
    Ok(serde_json::from_str(&text.to_string()?).unwrap_or(Json::Null))
}

fn raised(v: &Json) -> RaisedError {
    RaisedError {
        message: v
            .get("message")
            .and_then(Json::as_str)
            .unwrap_or_default()
            .to_string(),
        error_type: v
            .get("errorType")
            .and_then(Json::as_str)
            .map(str::to_string),
        data: v.get("data").cloned().unwrap_or(Json::Null),
        error_info: v.get("errorInfo").cloned().unwrap_or(Json::Null),
    }
}

/// What the pending exception means: a signal of `util`/`runtime`, or a failure.
fn thrown(js: &Ctx<'_>, interrupted: &Cell<bool>, limits: &Limits) -> Outcome {
    let value = js.catch();
    if interrupted.get() {
        return Outcome::Failed(format!(
            "Execution timed out: the handler ran longer than {} ms",
            limits.timeout.as_millis()
        ));
    }
    if let Some(obj) = value.as_object()
        && let Ok(Some(kind)) = obj.get::<_, Option<String>>("__stratusSignal")
    {
        let json = to_json(js, value.clone()).unwrap_or(Json::Null);
        return match kind.as_str() {
            "error" => Outcome::Error(raised(&json)),
            "unauthorized" => Outcome::Unauthorized,
            _ => Outcome::EarlyReturn {
                value: json.get("value").cloned().unwrap_or(Json::Null),
                to_end: json
                    .get("skipTo")
                    .and_then(Json::as_str)
                    .map(|s| s == "END"),
            },
        };
    }
    Outcome::Failed(describe(&value))
}

/// `file:line:column: Name: message` of a thrown value.
fn describe(value: &Value<'_>) -> String {
    let Some(obj) = value.as_object() else {
        let text = value
            .as_string()
            .and_then(|s| s.to_string().ok())
            .unwrap_or_else(|| format!("{value:?}"));
        return format!("Error: {text}");
    };
    let get = |k: &str| {
        obj.get::<_, Option<String>>(k)
            .ok()
            .flatten()
            .unwrap_or_default()
    };
    let (name, message, stack) = (get("name"), get("message"), get("stack"));
    let name = if name.is_empty() {
        "Error".to_string()
    } else {
        name
    };
    if message.contains("out of memory") || name == "InternalError" && message.contains("memory") {
        return "Execution exceeded the memory limit".into();
    }
    let location = stack.lines().find_map(|line| {
        let inner = line.trim().strip_prefix("at ")?;
        let inner = inner
            .rsplit_once('(')
            .map_or(inner, |(_, l)| l.trim_end_matches(')'));
        let mut parts = inner.rsplitn(3, ':');
        let (col, line, file) = (parts.next()?, parts.next()?, parts.next()?);
        (col.parse::<u32>().is_ok() && line.parse::<u32>().is_ok() && !file.starts_with('@'))
            .then(|| format!("{file}:{line}:{col}"))
    });
    match location {
        Some(at) => format!("{at}: {name}: {message}"),
        None => format!("{name}: {message}"),
    }
}

const PRELUDE: &str = r#"
globalThis.__stratusState = { errors: [] };
globalThis.console = (() => {
  const text = (args) => args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
  return {
    log: (...a) => __stratus.log('info', text(a)),
    info: (...a) => __stratus.log('info', text(a)),
    debug: (...a) => __stratus.log('info', text(a)),
    warn: (...a) => __stratus.log('warn', text(a)),
    error: (...a) => __stratus.log('error', text(a)),
  };
})();
"#;

struct HandlerResolver(Arc<HashMap<String, String>>);

impl Resolver for HandlerResolver {
    fn resolve<'js>(
        &mut self,
        _ctx: &Ctx<'js>,
        base: &str,
        name: &str,
        _attributes: Option<ImportAttributes<'js>>,
    ) -> rquickjs::Result<String> {
        if name == UTILS || name == DYNAMODB || self.0.contains_key(name) {
            return Ok(name.to_string());
        }
        if name.starts_with("./") || name.starts_with("../") {
            // The same candidates, in the same order, as the loader's
            // (`stratus_loader` `appsync_code::candidates`).
            let joined = join(base, name);
            let mut candidates = vec![
                joined.clone(),
                format!("{joined}.js"),
                format!("{joined}.ts"),
                format!("{joined}.mjs"),
                format!("{joined}/index.js"),
                format!("{joined}/index.ts"),
            ];
            if let Some(stem) = joined.strip_suffix(".js") {
                candidates.push(format!("{stem}.ts"));
            }
            for candidate in candidates {
                if self.0.contains_key(&candidate) {
                    return Ok(candidate);
                }
            }
        }
        Err(JsError::new_resolving_message(
            base,
            name,
            format!(
                "Cannot find module '{name}' (a handler may import '@aws-appsync/utils', '@aws-appsync/utils/dynamodb' and its own relative modules)"
            ),
        ))
    }
}

/// `base`'s directory joined with a relative specifier, `.` and `..` resolved.
fn join(base: &str, relative: &str) -> String {
    let mut parts: Vec<&str> = base.split('/').collect();
    parts.pop();
    for p in relative.split('/') {
        match p {
            "." | "" => {}
            ".." => {
                parts.pop();
            }
            p => parts.push(p),
        }
    }
    parts.join("/")
}

struct HandlerLoader(Arc<HashMap<String, String>>);

impl Loader for HandlerLoader {
    fn load<'js>(
        &mut self,
        ctx: &Ctx<'js>,
        name: &str,
        _attributes: Option<ImportAttributes<'js>>,
    ) -> rquickjs::Result<Module<'js, Declared>> {
        match name {
            UTILS => builtin(ctx, UTILS, UTILS_SOURCE),
            DYNAMODB => builtin(ctx, DYNAMODB, DYNAMODB_SOURCE),
            _ => match self.0.get(name) {
                Some(source) => Module::declare(ctx.clone(), name, source.as_str()),
                None => Err(JsError::new_loading_message(name, "no such module")),
            },
        }
    }
}

/// Bytecode of the built-in modules, compiled once per process.
static BYTECODE: OnceLock<Mutex<HashMap<&'static str, &'static [u8]>>> = OnceLock::new();

fn builtin<'js>(
    ctx: &Ctx<'js>,
    name: &'static str,
    source: &'static str,
) -> rquickjs::Result<Module<'js, Declared>> {
    let cache = BYTECODE.get_or_init(|| Mutex::new(HashMap::new()));
    let cached = cache.lock().ok().and_then(|c| c.get(name).copied());
    if let Some(bytes) = cached {
        // SAFETY: `bytes` was produced by `Module::write` of this same QuickJS build in this
        // process and is never freed (QuickJS may keep references into it).
        return unsafe { Module::load(ctx.clone(), bytes) };
    }
    let module = Module::declare(ctx.clone(), name, source)?;
    if let Ok(bytes) = module.write(WriteOptions::default())
        && let Ok(mut c) = cache.lock()
    {
        c.entry(name)
            .or_insert_with(|| Box::leak(bytes.into_boxed_slice()));
    }
    Ok(module)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_specifiers() {
        assert_eq!(join("amplify/data/a.js", "./lib/b"), "amplify/data/lib/b");
        assert_eq!(join("amplify/data/x/a.js", "../b.js"), "amplify/data/b.js");
    }
}
