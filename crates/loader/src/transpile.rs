//! TypeScript → JavaScript with oxc: parse, strip types, print with a source map, and list the
//! static imports that survive type stripping (with their original positions).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use oxc::allocator::Allocator;
use oxc::ast::ast::{
    Argument, CallExpression, Expression, ImportDeclarationSpecifier, ModuleDeclaration,
    NewExpression, ObjectPropertyKind, Program, PropertyKey, StaticMemberExpression,
};
use oxc::ast_visit::{Visit, walk};
use oxc::codegen::{Codegen, CodegenOptions};
use oxc::parser::Parser;
use oxc::semantic::SemanticBuilder;
use oxc::span::{GetSpan, SourceType};
use oxc::transformer::{TransformOptions, Transformer};

use crate::sourcemap::{LineIndex, PositionMap};

/// A user module after type stripping.
#[derive(Debug)]
pub struct Transpiled {
    pub code: String,
    /// Generated position → original position.
    pub map: PositionMap,
    /// Static imports / re-exports, in source order.
    pub imports: Vec<StaticImport>,
    /// Every call / `new` expression with a named callee, in the original source.
    pub calls: Vec<CallSite>,
}

/// A call expression of the original source (all positions 1-based, original).
#[derive(Debug, Clone)]
pub struct CallSite {
    /// The callee's final name: `defineAuth` for `defineAuth(...)`, `model` for `a.model(...)`.
    pub name: String,
    /// Source text of the callee (`allow.owner`), shortened when long.
    pub callee: String,
    pub start: (u32, u32),
    pub end: (u32, u32),
    /// Where a stack trace should point: the callee identifier, the start of `ident.method(...)`,
    /// the property of any other member callee (`a.schema({}).authorization(...)`), or the
    /// `new` keyword.
    pub report: (u32, u32),
    /// Keys of an object literal first argument and where they are (`authorizationModes`).
    pub properties: Vec<(String, (u32, u32))>,
}

/// One `import ... from 'x'` / `export ... from 'x'` that is still present after type stripping.
#[derive(Debug, Clone)]
pub struct StaticImport {
    pub specifier: String,
    /// 1-based position of the specifier string in the original source.
    pub line: u32,
    pub column: u32,
    /// Names this module reads from the import: named imports, `default`, and the members
    /// accessed on a namespace import (`cdk.Duration` → `Duration`).
    pub names: BTreeSet<String>,
}

/// A syntax or transform error, positioned in the original source (1-based).
#[derive(Debug, Clone)]
pub struct TranspileError {
    pub message: String,
    pub line: u32,
    pub column: u32,
}

/// Strip types from `source` (the file at `path`) and return ES module code.
pub fn transpile(path: &Path, source: &str) -> Result<Transpiled, TranspileError> {
    with_stripped(path, source, |program, lines| {
        let imports = collect_imports(program, lines);
        let mut calls = CallCollector {
            lines,
            calls: Vec::new(),
        };
        calls.visit_program(program);
        let calls = calls.calls;
        let printed = print(path, program);
        let map = match printed.map {
            Some(map) => PositionMap::from_tokens(map.get_tokens().map(|t| {
                (
                    t.get_dst_line(),
                    t.get_dst_col(),
                    t.get_src_line(),
                    t.get_src_col(),
                )
            })),
            None => PositionMap::default(),
        };
        Transpiled {
            code: printed.code,
            map,
            imports,
            calls,
        }
    })
}

/// A module with its types stripped, for running under Node.js.
#[derive(Debug)]
pub struct Stripped {
    /// ES module code, ending with an inline source map (`//# sourceMappingURL=data:...`) whose
    /// source is `path`, so that stack traces point at the user's TypeScript.
    pub code: String,
    /// Specifiers of the static imports and re-exports left after type stripping.
    pub imports: Vec<String>,
}

/// Strip types from `source` (the file at `path`) for Node.js: code plus an inline source map.
pub fn strip_types(path: &Path, source: &str) -> Result<Stripped, TranspileError> {
    with_stripped(path, source, |program, lines| {
        let imports = collect_imports(program, lines)
            .into_iter()
            .map(|i| i.specifier)
            .collect();
        let printed = print(path, program);
        let mut code = printed.code;
        if let Some(map) = printed.map {
            if !code.ends_with('\n') {
                code.push('\n');
            }
            code.push_str("//# sourceMappingURL=");
            code.push_str(&map.to_data_url());
            code.push('\n');
        }
        Stripped { code, imports }
    })
}

fn print<'a>(path: &Path, program: &Program<'a>) -> oxc::codegen::CodegenReturn<'a> {
    Codegen::new()
        .with_options(CodegenOptions {
            source_map_path: Some(path.to_path_buf()),
            ..CodegenOptions::default()
        })
        .build(program)
}

/// Parse `source`, strip its types, and hand the transformed program to `f`.
fn with_stripped<R>(
    path: &Path,
    source: &str,
    f: impl FnOnce(&Program<'_>, &LineIndex) -> R,
) -> Result<R, TranspileError> {
    let lines = LineIndex::new(source);
    let source_type = SourceType::from_path(path)
        .unwrap_or_else(|_| SourceType::mjs())
        .with_module(true);
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, source, source_type).parse();
    if let Some(err) = parsed.diagnostics.errors().next() {
        return Err(diagnostic_error(err, &lines, "syntax error"));
    }
    let mut program = parsed.program;

    let semantic = SemanticBuilder::new().with_enum_eval(true).build(&program);
    if let Some(err) = semantic.diagnostics.errors().next() {
        return Err(diagnostic_error(err, &lines, "error"));
    }
    let scoping = semantic.semantic.into_scoping();
    let options = TransformOptions::default();
    let transformed =
        Transformer::new(&allocator, path, &options).build_with_scoping(scoping, &mut program);
    if let Some(err) = transformed.diagnostics.errors().next() {
        return Err(diagnostic_error(err, &lines, "error"));
    }
    Ok(f(&program, &lines))
}

fn diagnostic_error(
    err: &oxc::diagnostics::OxcDiagnostic,
    lines: &LineIndex,
    fallback: &str,
) -> TranspileError {
    let offset = err
        .labels
        .iter()
        .find(|l| l.primary())
        .or_else(|| err.labels.first())
        .map(|l| l.offset())
        .unwrap_or(0);
    let (line, column) = lines.position(offset);
    let mut message = err.message.to_string();
    if message.is_empty() {
        message = fallback.to_string();
    }
    if let Some(help) = &err.help {
        message = format!("{message} ({help})");
    }
    TranspileError {
        message,
        line,
        column,
    }
}

fn collect_imports(program: &Program<'_>, lines: &LineIndex) -> Vec<StaticImport> {
    // Local name of each namespace import → index into `imports`.
    let mut namespaces: BTreeMap<String, usize> = BTreeMap::new();
    let mut imports: Vec<StaticImport> = Vec::new();
    let mut push = |specifier: &str, offset: u32, names: BTreeSet<String>| -> usize {
        let (line, column) = lines.position(offset);
        imports.push(StaticImport {
            specifier: specifier.to_string(),
            line,
            column,
            names,
        });
        imports.len() - 1
    };
    for stmt in &program.body {
        let Some(decl) = stmt.as_module_declaration() else {
            continue;
        };
        match decl {
            ModuleDeclaration::ImportDeclaration(import) => {
                if import.import_kind.is_type() {
                    continue;
                }
                let mut names = BTreeSet::new();
                let mut namespace_locals = Vec::new();
                for spec in import.specifiers.iter().flatten() {
                    match spec {
                        ImportDeclarationSpecifier::ImportSpecifier(s) => {
                            if !s.import_kind.is_type() {
                                names.insert(s.imported.name().to_string());
                            }
                        }
                        ImportDeclarationSpecifier::ImportDefaultSpecifier(_) => {
                            names.insert("default".to_string());
                        }
                        ImportDeclarationSpecifier::ImportNamespaceSpecifier(s) => {
                            namespace_locals.push(s.local.name.to_string());
                        }
                    }
                }
                let idx = push(
                    import.source.value.as_str(),
                    import.source.span.start,
                    names,
                );
                for local in namespace_locals {
                    namespaces.insert(local, idx);
                }
            }
            ModuleDeclaration::ExportFromDeclaration(export) => {
                if export.export_kind.is_type() {
                    continue;
                }
                let names = export
                    .specifiers
                    .iter()
                    .filter(|s| !s.export_kind.is_type())
                    .map(|s| s.local.name().to_string())
                    .collect();
                push(
                    export.source.value.as_str(),
                    export.source.span.start,
                    names,
                );
            }
            ModuleDeclaration::ExportAllDeclaration(export) => {
                if export.export_kind.is_type() {
                    continue;
                }
                push(
                    export.source.value.as_str(),
                    export.source.span.start,
                    BTreeSet::new(),
                );
            }
            _ => {}
        }
    }
    if !namespaces.is_empty() {
        let mut visitor = NamespaceMembers {
            namespaces: &namespaces,
            found: Vec::new(),
        };
        visitor.visit_program(program);
        for (idx, name) in visitor.found {
            if let Some(import) = imports.get_mut(idx) {
                import.names.insert(name);
            }
        }
    }
    imports
}

/// Finds `ns.Member` for every namespace import `ns`.
struct NamespaceMembers<'m> {
    namespaces: &'m BTreeMap<String, usize>,
    found: Vec<(usize, String)>,
}

impl<'a> Visit<'a> for NamespaceMembers<'_> {
    fn visit_static_member_expression(&mut self, it: &StaticMemberExpression<'a>) {
        if let Expression::Identifier(object) = &it.object
            && let Some(idx) = self.namespaces.get(object.name.as_str())
        {
            self.found.push((*idx, it.property.name.to_string()));
        }
        walk::walk_static_member_expression(self, it);
    }
}

/// Collects [`CallSite`]s.
struct CallCollector<'l> {
    lines: &'l LineIndex,
    calls: Vec<CallSite>,
}

impl CallCollector<'_> {
    /// `new_at`: for `new X()`, V8 reports the `new` keyword rather than the callee.
    fn add(
        &mut self,
        callee: &Expression<'_>,
        span: oxc::span::Span,
        new_at: bool,
        first_arg: Option<&Argument<'_>>,
    ) {
        let named = match callee {
            Expression::Identifier(id) => Some((id.name.to_string(), id.span.start)),
            // `a.query()` / `a\n  .query()`: point at the start of the expression.
            Expression::StaticMemberExpression(m)
                if matches!(m.object, Expression::Identifier(_)) =>
            {
                Some((m.property.name.to_string(), span.start))
            }
            Expression::StaticMemberExpression(m) => {
                Some((m.property.name.to_string(), m.property.span.start))
            }
            Expression::ComputedMemberExpression(m) => match &m.expression {
                Expression::StringLiteral(lit) => Some((lit.value.to_string(), lit.span.start)),
                _ => None,
            },
            Expression::PrivateFieldExpression(m) => {
                Some((m.field.name.to_string(), m.field.span.start))
            }
            _ => None,
        };
        if let Some((name, callee_at)) = named {
            let at = if new_at { span.start } else { callee_at };
            let callee_span = callee.span();
            let text = self.lines.text(callee_span.start, callee_span.end);
            let callee = if text.chars().count() > 60 {
                format!("{}...", text.chars().take(57).collect::<String>())
            } else {
                text.to_string()
            };
            self.calls.push(CallSite {
                name,
                callee,
                start: self.lines.position(span.start),
                end: self.lines.position(span.end),
                report: self.lines.position(at),
                properties: first_arg.map(|a| self.object_keys(a)).unwrap_or_default(),
            });
        }
    }
}

impl CallCollector<'_> {
    fn object_keys(&self, arg: &Argument<'_>) -> Vec<(String, (u32, u32))> {
        let Argument::ObjectExpression(obj) = arg else {
            return Vec::new();
        };
        obj.properties
            .iter()
            .filter_map(|p| match p {
                ObjectPropertyKind::ObjectProperty(p) if !p.computed => {
                    let key = match &p.key {
                        PropertyKey::StaticIdentifier(id) => id.name.to_string(),
                        PropertyKey::StringLiteral(lit) => lit.value.to_string(),
                        _ => return None,
                    };
                    Some((key, self.lines.position(p.span.start)))
                }
                _ => None,
            })
            .collect()
    }
}

impl<'a> Visit<'a> for CallCollector<'_> {
    fn visit_call_expression(&mut self, it: &CallExpression<'a>) {
        self.add(&it.callee, it.span, false, it.arguments.first());
        walk::walk_call_expression(self, it);
    }

    fn visit_new_expression(&mut self, it: &NewExpression<'a>) {
        self.add(&it.callee, it.span, true, it.arguments.first());
        walk::walk_new_expression(self, it);
    }
}
