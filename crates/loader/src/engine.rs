//! One evaluation of `amplify/backend.ts` in a fresh QuickJS runtime: limits, globals,
//! module evaluation, collection of the raw JSON, and JS exceptions → diagnostics.

use std::cell::Cell;
use std::path::Path;
use std::rc::Rc;
use std::time::{Duration, Instant};

use rquickjs::{Context, Ctx, Function, Module, Object, Runtime, Value};
use stratus_spec::{Diagnostic, SourceLocation};

use crate::builtins;
use crate::modules::{CallLocation, Shared, SharedRef, StratusLoader, StratusResolver};
use crate::resolve::{self, BUILTIN_PREFIX};

/// Resource limits of one evaluation.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Wall-clock budget for evaluating the definition (a user's infinite loop stops here).
    pub timeout: Duration,
    /// QuickJS heap limit in bytes.
    pub memory_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            timeout: Duration::from_secs(2),
            memory_bytes: 256 * 1024 * 1024,
        }
    }
}

/// What the evaluation produced: the raw JSON of `__stratusCollect()`.
pub struct Evaluation {
    pub raw: serde_json::Value,
}

/// Evaluate `entry` (absolute path) of the project at `root` (absolute path).
pub fn evaluate(root: &Path, entry: &Path, limits: &Limits) -> Result<Evaluation, Diagnostic> {
    let internal = |e: rquickjs::Error| Diagnostic {
        message: format!("internal error: cannot start the JavaScript engine: {e}"),
        location: None,
    };
    let rt = Runtime::new().map_err(internal)?;
    rt.set_memory_limit(limits.memory_bytes);
    rt.set_max_stack_size(1024 * 1024);
    let deadline = Instant::now() + limits.timeout;
    let interrupted = Rc::new(Cell::new(false));
    {
        let flag = Rc::clone(&interrupted);
        rt.set_interrupt_handler(Some(Box::new(move || {
            if Instant::now() >= deadline {
                flag.set(true);
                true
            } else {
                false
            }
        })));
    }
    let shared = Shared::new(root.to_path_buf());
    rt.set_loader(
        StratusResolver(Rc::clone(&shared)),
        StratusLoader(Rc::clone(&shared)),
    );
    let context = Context::full(&rt).map_err(internal)?;

    context.with(|ctx| {
        let fail = |e: rquickjs::Error| {
            exception_diagnostic(&ctx, &shared, &e, interrupted.get(), limits.timeout)
        };
        install_globals(&ctx, &shared, root).map_err(fail)?;
        let mut options = rquickjs::context::EvalOptions::default();
        options.filename = Some(format!("{BUILTIN_PREFIX}prelude.js"));
        ctx.eval_with_options::<(), _>(builtins::PRELUDE, options).map_err(fail)?;
        let entry_name = entry.to_string_lossy().into_owned();
        let promise = Module::import(&ctx, entry_name).map_err(fail)?;
        match promise.finish::<Value>() {
            Ok(_) => {}
            Err(rquickjs::Error::WouldBlock) => {
                return Err(Diagnostic {
                    message: "evaluation never finished: a top-level await is waiting for a promise that never settles"
                        .into(),
                    location: Some(SourceLocation {
                        file: resolve::relative_to(root, entry),
                        line: 1,
                        column: 1,
                    }),
                });
            }
            Err(e) => return Err(fail(e)),
        }
        let collect: Option<Function> = ctx.globals().get("__stratusCollect").map_err(fail)?;
        let Some(collect) = collect else {
            return Err(Diagnostic {
                message: "amplify/backend.ts must call defineBackend({ ... })".into(),
                location: Some(SourceLocation { file: resolve::relative_to(root, entry), line: 1, column: 1 }),
            });
        };
        let json: String = collect.call(()).map_err(fail)?;
        let raw = serde_json::from_str(&json).map_err(|e| Diagnostic {
            message: format!("internal error: invalid JSON from the definition: {e}"),
            location: None,
        })?;
        Ok(Evaluation { raw })
    })
}

fn install_globals<'js>(ctx: &Ctx<'js>, shared: &SharedRef, root: &Path) -> rquickjs::Result<()> {
    let globals = ctx.globals();
    let root_str = root.to_string_lossy().into_owned();
    globals.set("__stratusRoot", root_str.clone())?;

    let locate_shared = Rc::clone(shared);
    globals.set(
        "__stratusLocate",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>, stack: String| -> rquickjs::Result<Value<'js>> {
                let shared = locate_shared.borrow();
                match first_user_call(&shared, &stack) {
                    Some(call) => {
                        let obj = location_object(&ctx, &call.location)?;
                        if !call.properties.is_empty() {
                            let props = Object::new(ctx.clone())?;
                            for (key, loc) in &call.properties {
                                props.set(key.as_str(), location_object(&ctx, loc)?)?;
                            }
                            obj.set("properties", props)?;
                        }
                        Ok(obj.into_value())
                    }
                    None => Ok(Value::new_undefined(ctx)),
                }
            },
        )?,
    )?;

    globals.set(
        "__stratusConsole",
        Function::new(ctx.clone(), |level: String, message: String| {
            match level.as_str() {
                "error" => tracing::error!(target: "stratus::definition", "{message}"),
                "warn" => tracing::warn!(target: "stratus::definition", "{message}"),
                "debug" => tracing::debug!(target: "stratus::definition", "{message}"),
                _ => tracing::info!(target: "stratus::definition", "{message}"),
            }
        })?,
    )?;

    let exists_root = root.to_path_buf();
    globals.set(
        "__stratusFileExists",
        Function::new(ctx.clone(), move |path: String| -> bool {
            project_path(&exists_root, &path).is_some_and(|p| p.exists())
        })?,
    )?;

    let read_root = root.to_path_buf();
    globals.set(
        "__stratusReadFile",
        Function::new(
            ctx.clone(),
            move |ctx: Ctx<'js>, path: String| -> rquickjs::Result<String> {
                let Some(full) = project_path(&read_root, &path) else {
                    return Err(rquickjs::Exception::throw_message(
                        &ctx,
                        &format!("stratus only reads files inside the project: {path}"),
                    ));
                };
                std::fs::read_to_string(&full).map_err(|e| {
                    rquickjs::Exception::throw_message(
                        &ctx,
                        &format!("ENOENT: cannot read {path}: {e}"),
                    )
                })
            },
        )?,
    )?;

    let process = Object::new(ctx.clone())?;
    let env = Object::new(ctx.clone())?;
    for (key, value) in std::env::vars() {
        env.set(key, value)?;
    }
    process.set("env", env)?;
    process.set("platform", std::env::consts::OS)?;
    process.set("argv", Vec::<String>::new())?;
    let versions = Object::new(ctx.clone())?;
    versions.set("node", "20.0.0")?;
    process.set("versions", versions)?;
    process.set("cwd", Function::new(ctx.clone(), move || root_str.clone())?)?;
    globals.set("process", process)?;
    Ok(())
}

/// Resolve a path given by user code (absolute, `file://`, or relative to the project root)
/// to a file inside the project; `None` for anything outside it.
fn project_path(root: &Path, path: &str) -> Option<std::path::PathBuf> {
    let path = path.strip_prefix("file://").unwrap_or(path);
    let full = resolve::normalize(&root.join(path));
    full.starts_with(root).then_some(full)
}

fn location_object<'js>(ctx: &Ctx<'js>, loc: &SourceLocation) -> rquickjs::Result<Object<'js>> {
    let obj = Object::new(ctx.clone())?;
    obj.set("file", loc.file.as_str())?;
    obj.set("line", loc.line)?;
    obj.set("column", loc.column)?;
    Ok(obj)
}

/// One frame of a QuickJS stack trace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'s> {
    /// Function name (`<anonymous>` when unnamed); empty for a parse-error position.
    pub function: &'s str,
    pub module: &'s str,
    pub line: u32,
    pub column: u32,
}

/// The frames of a QuickJS stack trace that have a position (native frames are skipped).
pub fn frames(stack: &str) -> impl Iterator<Item = Frame<'_>> {
    stack.lines().filter_map(|line| {
        let rest = line.trim().strip_prefix("at ")?;
        let (function, inner) = match rest.strip_suffix(')') {
            Some(without) => {
                let open = without.rfind(" (")?;
                (&without[..open], &without[open + 2..])
            }
            None => ("", rest),
        };
        let mut parts = inner.rsplitn(3, ':');
        let column = parts.next()?.parse().ok()?;
        let line = parts.next()?.parse().ok()?;
        let module = parts.next()?;
        Some(Frame {
            function,
            module,
            line,
            column,
        })
    })
}

/// The first frame of `stack` in a user file, mapped to the original TypeScript position. When
/// that frame called one of our functions, the location is the call of that function.
pub fn first_user_frame(shared: &Shared, stack: &str) -> Option<SourceLocation> {
    first_user_call(shared, stack).map(|c| c.location)
}

/// [`first_user_frame`] with the positions of the call's object-literal keys.
fn first_user_call(shared: &Shared, stack: &str) -> Option<CallLocation> {
    let mut callee: Option<&str> = None;
    for frame in frames(stack) {
        if frame.module.starts_with(BUILTIN_PREFIX) {
            callee = Some(frame.function);
            continue;
        }
        if let Some(loc) = shared.locate_call(frame.module, frame.line, frame.column, callee) {
            return Some(loc);
        }
        callee = None;
    }
    None
}

/// Turn a failed evaluation into a diagnostic at the user's file:line:column.
fn exception_diagnostic(
    ctx: &Ctx<'_>,
    shared: &SharedRef,
    error: &rquickjs::Error,
    interrupted: bool,
    timeout: Duration,
) -> Diagnostic {
    let thrown = if error.is_exception() {
        Some(ctx.catch())
    } else {
        None
    };
    if let Some(loading) = shared.borrow_mut().error.take() {
        return loading;
    }
    let shared = shared.borrow();
    let Some(value) = thrown else {
        return Diagnostic {
            message: error.to_string(),
            location: None,
        };
    };
    let Some(obj) = value.as_object() else {
        let text = value
            .clone()
            .try_into_string()
            .ok()
            .and_then(|s| s.to_string().ok())
            .or_else(|| {
                ctx.json_stringify(value.clone())
                    .ok()
                    .flatten()
                    .and_then(|s| s.to_string().ok())
            })
            .unwrap_or_else(|| format!("{:?}", value.type_of()));
        return Diagnostic {
            message: format!("uncaught exception: {text}"),
            location: None,
        };
    };
    let get = |key: &str| obj.get::<_, Option<String>>(key).ok().flatten();
    let stack = get("stack").unwrap_or_default();
    // `new Error(...)`: QuickJS positions the frame inside the arguments; point at the `new`.
    let constructor = obj
        .get::<_, Object>("constructor")
        .ok()
        .and_then(|c| c.get::<_, Option<String>>("name").ok().flatten());
    let location =
        explicit_location(obj).or_else(|| throw_site(&shared, &stack, constructor.as_deref()));
    let name = get("name").unwrap_or_else(|| "Error".into());
    let message = get("message").unwrap_or_default();
    // QuickJS says "not a function" where V8 names the callee ("allow.owner is not a function").
    let mut location = location;
    let mut message = message;
    if name == "TypeError"
        && message == "not a function"
        && !interrupted
        && let Some(first) = frames(&stack).next()
        && let Some((file, call)) = shared.call_at(first.module, first.line, first.column)
    {
        message = format!("{} is not a function", call.callee);
        location = Some(SourceLocation {
            file: file.to_string(),
            line: call.report.0,
            column: call.report.1,
        });
    }
    let message = if interrupted {
        format!(
            "evaluation of the definition did not finish within {} ms (an infinite loop?)",
            timeout.as_millis()
        )
    } else if name == "InternalError" && message.contains("out of memory") {
        "evaluation of the definition ran out of memory".to_string()
    } else {
        let mut text = if name == "Error" || message.starts_with(&name) {
            message
        } else {
            format!("{name}: {message}")
        };
        if let Some(details) = get("details").filter(|d| !text.contains(d.as_str())) {
            text.push_str(&format!("\n{details}"));
        }
        if let Some(resolution) = get("resolution") {
            text.push_str(&format!("\nResolution: {resolution}"));
        }
        text
    };
    Diagnostic { message, location }
}

/// The first user frame of an error's stack; when it is the frame that constructed the error
/// (`new Error(...)` in user code), the location of that `new` expression.
fn throw_site(shared: &Shared, stack: &str, constructor: Option<&str>) -> Option<SourceLocation> {
    let first = frames(stack).next()?;
    if !first.module.starts_with(BUILTIN_PREFIX)
        && let Some(call) = shared.locate_call(first.module, first.line, first.column, constructor)
    {
        return Some(call.location);
    }
    first_user_frame(shared, stack)
}

/// `error.stratusLocation`, set by our builders for validation errors.
fn explicit_location(obj: &Object<'_>) -> Option<SourceLocation> {
    let loc: Object = obj.get("stratusLocation").ok()?;
    Some(SourceLocation {
        file: loc.get("file").ok()?,
        line: loc.get("line").ok()?,
        column: loc.get("column").ok()?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_quickjs_frames() {
        let stack = "Error: x\n    at defineAuth (stratus:backend/auth.js:12:5)\n    at <anonymous> (/p/amplify/auth/resource.ts:3:21)\n    at /p/x.ts:1:2\n    at f (native)\n";
        let parsed: Vec<_> = frames(stack)
            .map(|f| (f.function, f.module, f.line, f.column))
            .collect();
        assert_eq!(
            parsed,
            vec![
                ("defineAuth", "stratus:backend/auth.js", 12, 5),
                ("<anonymous>", "/p/amplify/auth/resource.ts", 3, 21),
                ("", "/p/x.ts", 1, 2)
            ]
        );
    }
}
