//! The QuickJS module resolver and loader, and the state they share with the evaluation
//! (source maps per module, the first loading error with its location).

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::{Mutex, OnceLock};

use rquickjs::loader::{ImportAttributes, Loader, Resolver};
use rquickjs::module::{Declared, WriteOptions};
use rquickjs::{Ctx, Error as JsError, Module};
use stratus_spec::{Diagnostic, SourceLocation};

use crate::builtins;
use crate::resolve::{self, BUILTIN_PREFIX, Target};
use crate::sourcemap::PositionMap;
use crate::transpile::{self, CallSite};

/// One user module: its project-relative path and position map.
#[derive(Debug)]
pub struct FileInfo {
    pub rel: String,
    pub map: PositionMap,
    /// Call expressions, to point at the call a builder was invoked from.
    pub calls: Vec<CallSite>,
}

/// Where a call is, plus where the keys of its object-literal argument are.
#[derive(Debug, Clone)]
pub struct CallLocation {
    pub location: SourceLocation,
    pub properties: Vec<(String, SourceLocation)>,
}

/// State shared by the resolver, the loader and the native functions of one load.
#[derive(Debug)]
pub struct Shared {
    pub root: PathBuf,
    pub files: HashMap<String, FileInfo>,
    /// (importer module, specifier) → module name, from the static imports of each file.
    resolved: HashMap<(String, String), String>,
    /// CDK proxy module name → (package, names the importer reads).
    cdk: HashMap<String, (String, BTreeSet<String>)>,
    /// The first error raised while resolving or loading, with its location.
    pub error: Option<Diagnostic>,
}

pub type SharedRef = Rc<RefCell<Shared>>;

impl Shared {
    pub fn new(root: PathBuf) -> SharedRef {
        Rc::new(RefCell::new(Self {
            root,
            files: HashMap::new(),
            resolved: HashMap::new(),
            cdk: HashMap::new(),
            error: None,
        }))
    }

    /// Project-relative path of a module name (user files only).
    pub fn rel(&self, module: &str) -> Option<String> {
        if module.starts_with(BUILTIN_PREFIX) {
            return None;
        }
        Some(
            self.files
                .get(module)
                .map(|f| f.rel.clone())
                .unwrap_or_else(|| resolve::relative_to(&self.root, Path::new(module))),
        )
    }

    /// Map a generated position in `module` to the user's original location. When `callee` is the name of the function this frame called,
    /// point at that call instead (QuickJS attributes a call to a position inside its
    /// arguments, V8 to the callee).
    pub fn locate_call(
        &self,
        module: &str,
        line: u32,
        column: u32,
        callee: Option<&str>,
    ) -> Option<CallLocation> {
        let info = self.files.get(module)?;
        let at = info.map.original(line, column).unwrap_or((line, column));
        let call = callee.and_then(|name| {
            info.calls
                .iter()
                .filter(|c| c.name == name && c.start <= at && at <= c.end)
                .max_by_key(|c| (c.start, std::cmp::Reverse(c.end)))
        });
        let (line, column) = call.map(|c| c.report).unwrap_or(at);
        let at = |(line, column): (u32, u32)| SourceLocation {
            file: info.rel.clone(),
            line,
            column,
        };
        Some(CallLocation {
            location: at((line, column)),
            properties: call
                .map(|c| {
                    c.properties
                        .iter()
                        .map(|(k, pos)| (k.clone(), at(*pos)))
                        .collect()
                })
                .unwrap_or_default(),
        })
    }

    /// The innermost call expression of `module` around a generated position, and that
    /// position mapped to the original source.
    pub fn call_at(&self, module: &str, line: u32, column: u32) -> Option<(&str, &CallSite)> {
        let info = self.files.get(module)?;
        let at = info.map.original(line, column).unwrap_or((line, column));
        let call = info
            .calls
            .iter()
            .filter(|c| c.start <= at && at <= c.end)
            .max_by_key(|c| (c.start, std::cmp::Reverse(c.end)))?;
        Some((info.rel.as_str(), call))
    }

    fn record_error(&mut self, message: String, location: Option<SourceLocation>) {
        if self.error.is_none() {
            self.error = Some(Diagnostic { message, location });
        }
    }
}

/// Resolves import specifiers (see [`resolve::resolve`]).
pub struct StratusResolver(pub SharedRef);

impl Resolver for StratusResolver {
    fn resolve<'js>(
        &mut self,
        _ctx: &Ctx<'js>,
        base: &str,
        name: &str,
        _attributes: Option<ImportAttributes<'js>>,
    ) -> rquickjs::Result<String> {
        let mut shared = self.0.borrow_mut();
        if let Some(module) = shared.resolved.get(&(base.to_string(), name.to_string())) {
            return Ok(module.clone());
        }
        match resolve::resolve(base, name) {
            Ok(target) => {
                let module = target.module_name(base);
                if let Target::Cdk(spec) = &target {
                    shared
                        .cdk
                        .entry(module.clone())
                        .or_insert_with(|| (spec.clone(), BTreeSet::new()));
                }
                Ok(module)
            }
            Err(err) => {
                let location = shared.rel(base).map(|file| SourceLocation {
                    file,
                    line: 1,
                    column: 1,
                });
                shared.record_error(err.to_string(), location);
                Err(JsError::new_resolving_message(base, name, err.to_string()))
            }
        }
    }
}

/// Loads user files (transpiled), embedded modules and generated stand-ins.
pub struct StratusLoader(pub SharedRef);

impl Loader for StratusLoader {
    fn load<'js>(
        &mut self,
        ctx: &Ctx<'js>,
        name: &str,
        _attributes: Option<ImportAttributes<'js>>,
    ) -> rquickjs::Result<Module<'js, Declared>> {
        if let Some(rest) = name.strip_prefix(BUILTIN_PREFIX)
            && let Some(source) = builtins::file(rest)
        {
            return compiled_builtin(ctx, name, source);
        }
        let source = if let Some(rest) = name.strip_prefix(BUILTIN_PREFIX) {
            self.builtin_source(name, rest)?
        } else {
            self.user_source(name)?
        };
        let module = Module::declare(ctx.clone(), name, source)?;
        if !name.starts_with(BUILTIN_PREFIX) {
            let meta = module.meta()?;
            meta.set("url", format!("file://{name}"))?;
            meta.set("filename", name)?;
            if let Some(dir) = Path::new(name).parent() {
                meta.set("dirname", dir.to_string_lossy().into_owned())?;
            }
        }
        Ok(module)
    }
}

/// Bytecode of the embedded modules, compiled once per process: parsing ~180 KB of built-in
/// JavaScript is most of a load's time, and every later load (sandbox reloads) reuses it.
static BYTECODE: OnceLock<Mutex<HashMap<String, &'static [u8]>>> = OnceLock::new();

fn compiled_builtin<'js>(
    ctx: &Ctx<'js>,
    name: &str,
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
        c.entry(name.to_string())
            .or_insert_with(|| Box::leak(bytes.into_boxed_slice()));
    }
    Ok(module)
}

impl StratusLoader {
    fn fail(&self, name: &str, message: String, location: Option<SourceLocation>) -> JsError {
        self.0.borrow_mut().record_error(message.clone(), location);
        JsError::new_loading_message(name, message)
    }

    fn builtin_source(&self, name: &str, rest: &str) -> rquickjs::Result<String> {
        if rest == "missing-data-builder" {
            return Ok(builtins::MISSING_BUILDER.to_string());
        }
        if rest.starts_with("env:") {
            return Ok(builtins::env_module());
        }
        if rest.starts_with("cdk:") {
            let shared = self.0.borrow();
            let (spec, names) = shared.cdk.get(name).cloned().unwrap_or_else(|| {
                (
                    rest["cdk:".len()..]
                        .rsplit_once('@')
                        .map(|(s, _)| s)
                        .unwrap_or("")
                        .to_string(),
                    BTreeSet::new(),
                )
            });
            return Ok(builtins::cdk_module(&spec, &names));
        }
        match builtins::file(rest) {
            Some(src) => Ok(src.to_string()),
            None => Err(self.fail(
                name,
                format!("internal error: no built-in module {rest}"),
                None,
            )),
        }
    }

    fn user_source(&self, name: &str) -> rquickjs::Result<String> {
        let path = PathBuf::from(name);
        let rel = resolve::relative_to(&self.0.borrow().root, &path);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) => return Err(self.fail(name, format!("cannot read {rel}: {err}"), None)),
        };
        if path.extension().is_some_and(|e| e == "json") {
            return match serde_json::from_str::<serde_json::Value>(&text) {
                Ok(_) => Ok(builtins::json_module(&text)),
                Err(err) => {
                    let location = SourceLocation {
                        file: rel,
                        line: u32::try_from(err.line()).unwrap_or(0),
                        column: u32::try_from(err.column()).unwrap_or(0),
                    };
                    Err(self.fail(name, format!("invalid JSON: {err}"), Some(location)))
                }
            };
        }
        let transpiled = match transpile::transpile(&path, &text) {
            Ok(t) => t,
            Err(err) => {
                let location = SourceLocation {
                    file: rel,
                    line: err.line,
                    column: err.column,
                };
                return Err(self.fail(name, err.message, Some(location)));
            }
        };
        let mut shared = self.0.borrow_mut();
        for import in &transpiled.imports {
            match resolve::resolve(name, &import.specifier) {
                Ok(target) => {
                    let module = target.module_name(name);
                    if let Target::Cdk(spec) = &target {
                        let entry = shared
                            .cdk
                            .entry(module.clone())
                            .or_insert_with(|| (spec.clone(), BTreeSet::new()));
                        entry.1.extend(import.names.iter().cloned());
                    }
                    shared
                        .resolved
                        .insert((name.to_string(), import.specifier.clone()), module);
                }
                Err(err) => {
                    let location = SourceLocation {
                        file: rel.clone(),
                        line: import.line,
                        column: import.column,
                    };
                    drop(shared);
                    return Err(self.fail(name, err.to_string(), Some(location)));
                }
            }
        }
        let map = transpiled.map.with_generated(&transpiled.code);
        shared.files.insert(
            name.to_string(),
            FileInfo {
                rel,
                map,
                calls: transpiled.calls,
            },
        );
        Ok(transpiled.code)
    }
}
