//! The code of `a.handler.custom({ entry })` handlers (AppSync JavaScript resolvers): each
//! entry file and the relative modules it imports are read into the spec
//! (`JsHandler::modules`), TypeScript with its types stripped, so that the data service runs
//! exactly what was loaded and a saved handler reloads the backend like any definition file.
//!
//! As Amplify's deployment does, a missing entry or a syntax error fails the load, and so does
//! a statement or operator the `APPSYNC_JS` runtime documents as unsupported (AppSync refuses
//! such code with "The code contains one or more errors"). An import of a package other than
//! `@aws-appsync/utils` and `@aws-appsync/utils/dynamodb` is a warning: that handler fails
//! when it runs.

use std::collections::BTreeSet;
use std::path::Path;

use oxc::allocator::Allocator;
use oxc::ast::ast::{
    BinaryExpression, BinaryOperator, ContinueStatement, DoWhileStatement, ForStatement,
    LabeledStatement, ThrowStatement, TryStatement, UnaryExpression, UnaryOperator,
    UpdateExpression, WhileStatement,
};
use oxc::ast_visit::{Visit, walk};
use oxc::parser::Parser;
use oxc::span::{GetSpan, SourceType, Span};
use stratus_spec::data::JsModule;
use stratus_spec::{Backend, Diagnostic, SourceLocation};

use crate::resolve;
use crate::sourcemap::LineIndex;
use crate::transpile;

const BUILT_IN: [&str; 2] = ["@aws-appsync/utils", "@aws-appsync/utils/dynamodb"];

/// Reads the code of every custom handler of `backend.data` (files under `root`).
pub fn read_handlers(root: &Path, backend: &mut Backend) -> Result<(), Diagnostic> {
    let Some(data) = backend.data.as_mut() else {
        return Ok(());
    };
    let mut warnings = Vec::new();
    for resolver in &mut data.js_functions {
        for handler in &mut resolver.handlers {
            if handler.entry.is_empty() {
                continue;
            }
            let field = format!("{}.{}", resolver.type_name, resolver.field_name);
            handler.modules = read_modules(root, &handler.entry, &field, &mut warnings)?;
        }
    }
    backend.warnings.extend(warnings);
    Ok(())
}

fn read_modules(
    root: &Path,
    entry: &str,
    field: &str,
    warnings: &mut Vec<Diagnostic>,
) -> Result<Vec<JsModule>, Diagnostic> {
    let mut modules: Vec<JsModule> = Vec::new();
    let mut queue = vec![(entry.to_string(), None::<SourceLocation>)];
    let mut seen = BTreeSet::new();
    while let Some((rel, imported_at)) = queue.pop() {
        if !seen.insert(rel.clone()) {
            continue;
        }
        let path = root.join(&rel);
        let source = std::fs::read_to_string(&path).map_err(|e| Diagnostic {
            message: if imported_at.is_some() {
                format!("cannot read {rel} (imported by the handler of {field}): {e}")
            } else {
                format!("the a.handler.custom entry of {field} cannot be read: {rel}: {e}")
            },
            location: imported_at.clone(),
        })?;
        let at = |line: u32, column: u32| SourceLocation {
            file: rel.clone(),
            line,
            column,
        };
        let transpiled = transpile::transpile(&path, &source).map_err(|e| Diagnostic {
            message: e.message.clone(),
            location: Some(at(e.line, e.column)),
        })?;
        if let Some((what, line, column)) = unsupported_feature(&path, &source) {
            return Err(Diagnostic {
                message: format!(
                    "the APPSYNC_JS runtime does not support {what} (AppSync refuses this handler of {field}: \"The code contains one or more errors\")"
                ),
                location: Some(at(line, column)),
            });
        }
        for import in &transpiled.imports {
            let spec = import.specifier.as_str();
            if BUILT_IN.contains(&spec) {
                continue;
            }
            let location = at(import.line, import.column);
            if spec.starts_with("./") || spec.starts_with("../") {
                let found = candidates(&rel, spec)
                    .into_iter()
                    .find(|c| root.join(c).is_file())
                    .ok_or_else(|| Diagnostic {
                        message: format!(
                            "cannot resolve '{spec}' imported by the handler of {field}"
                        ),
                        location: Some(location.clone()),
                    })?;
                queue.push((found, Some(location)));
            } else {
                warnings.push(Diagnostic {
                    message: format!(
                        "stratus runs AppSync JavaScript handlers that import only @aws-appsync/utils, @aws-appsync/utils/dynamodb and relative modules; '{spec}' is not available, so {field} fails when called"
                    ),
                    location: Some(location),
                });
            }
        }
        let typescript = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("ts" | "mts" | "cts")
        );
        let code = if typescript { transpiled.code } else { source };
        modules.push(JsModule { path: rel, code });
    }
    // The entry first, the rest in path order.
    modules[1..].sort_by(|a, b| a.path.cmp(&b.path));
    Ok(modules)
}

/// The project-relative paths a relative specifier may name, in the order the data service's
/// module resolver tries them.
pub fn candidates(importer: &str, spec: &str) -> Vec<String> {
    let base = Path::new(importer).parent().unwrap_or(Path::new(""));
    let joined = resolve::normalize(&base.join(spec));
    let joined = joined.to_string_lossy().replace('\\', "/");
    let mut out = vec![
        joined.clone(),
        format!("{joined}.js"),
        format!("{joined}.ts"),
        format!("{joined}.mjs"),
        format!("{joined}/index.js"),
        format!("{joined}/index.ts"),
    ];
    if let Some(stem) = joined.strip_suffix(".js") {
        out.push(format!("{stem}.ts"));
    }
    out
}

/// The first statement or operator of `source` that `APPSYNC_JS` does not support, with its
/// position: `try`/`catch`/`finally`, `throw`, `while`, `do-while`, `for(;;)`, `continue`,
/// labels, `++`/`--`, `~` and `in`.
fn unsupported_feature(path: &Path, source: &str) -> Option<(&'static str, u32, u32)> {
    let source_type = SourceType::from_path(path)
        .unwrap_or_else(|_| SourceType::mjs())
        .with_module(true);
    let allocator = Allocator::default();
    let parsed = Parser::new(&allocator, source, source_type).parse();
    let mut finder = Unsupported { found: None };
    finder.visit_program(&parsed.program);
    let (what, span) = finder.found?;
    let (line, column) = LineIndex::new(source).position(span.start);
    Some((what, line, column))
}

struct Unsupported {
    found: Option<(&'static str, Span)>,
}

impl Unsupported {
    fn note(&mut self, what: &'static str, span: Span) {
        if self.found.is_none_or(|(_, s)| span.start < s.start) {
            self.found = Some((what, span));
        }
    }
}

impl<'a> Visit<'a> for Unsupported {
    fn visit_try_statement(&mut self, it: &TryStatement<'a>) {
        self.note("try/catch/finally statements", it.span);
        walk::walk_try_statement(self, it);
    }
    fn visit_throw_statement(&mut self, it: &ThrowStatement<'a>) {
        self.note("throw statements", it.span);
        walk::walk_throw_statement(self, it);
    }
    fn visit_while_statement(&mut self, it: &WhileStatement<'a>) {
        self.note("while loops", it.span);
        walk::walk_while_statement(self, it);
    }
    fn visit_do_while_statement(&mut self, it: &DoWhileStatement<'a>) {
        self.note("do-while loops", it.span);
        walk::walk_do_while_statement(self, it);
    }
    fn visit_for_statement(&mut self, it: &ForStatement<'a>) {
        self.note("for(;;) loops (for-in and for-of are supported)", it.span);
        walk::walk_for_statement(self, it);
    }
    fn visit_continue_statement(&mut self, it: &ContinueStatement<'a>) {
        self.note("continue statements", it.span);
        walk::walk_continue_statement(self, it);
    }
    fn visit_labeled_statement(&mut self, it: &LabeledStatement<'a>) {
        self.note("labeled statements", it.span);
        walk::walk_labeled_statement(self, it);
    }
    fn visit_update_expression(&mut self, it: &UpdateExpression<'a>) {
        self.note("the ++ and -- operators", it.span);
        walk::walk_update_expression(self, it);
    }
    fn visit_unary_expression(&mut self, it: &UnaryExpression<'a>) {
        if it.operator == UnaryOperator::BitwiseNot {
            self.note("the ~ operator", it.span);
        }
        walk::walk_unary_expression(self, it);
    }
    fn visit_binary_expression(&mut self, it: &BinaryExpression<'a>) {
        if it.operator == BinaryOperator::In {
            self.note("the in operator (use Object.hasOwn)", it.span());
        }
        walk::walk_binary_expression(self, it);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn first(source: &str) -> Option<(&'static str, u32, u32)> {
        unsupported_feature(&std::path::PathBuf::from("h.js"), source)
    }

    #[test]
    fn documented_unsupported_features_are_found_with_their_position() {
        assert_eq!(
            first("export function request(ctx) {\n  return {};\n}"),
            None
        );
        assert_eq!(
            first(
                "export function request(ctx) {\n  for (const x of ctx.args.l) { if (x) break; }\n  let i = 0;\n  i++;\n}"
            ),
            Some(("the ++ and -- operators", 4, 3))
        );
        assert_eq!(first("while (x) {}").map(|f| f.0), Some("while loops"));
        assert_eq!(
            first("try { a() } catch (e) {}").map(|f| f.0),
            Some("try/catch/finally statements")
        );
        assert_eq!(
            first("if ('a' in o) {}").map(|f| f.0),
            Some("the in operator (use Object.hasOwn)")
        );
        assert_eq!(
            first("for (let i = 0; i < 3; i += 1) {}").map(|f| f.0),
            Some("for(;;) loops (for-in and for-of are supported)")
        );
        assert_eq!(
            first("const x = ~1; throw x;").map(|f| f.0),
            Some("the ~ operator")
        );
    }

    #[test]
    fn relative_candidates() {
        let c = candidates("amplify/data/h.ts", "./lib/util.js");
        assert_eq!(c[0], "amplify/data/lib/util.js");
        assert!(c.contains(&"amplify/data/lib/util.ts".to_string()));
        assert_eq!(
            candidates("amplify/data/x/h.js", "../u")[1],
            "amplify/data/u.js"
        );
    }
}
