//! The code of `a.handler.custom({ entry })` handlers is read into the spec: the entry, its
//! relative modules (TypeScript stripped), and the load errors AWS's deployment would give.

mod common;

use common::Project;

const BACKEND: &str = "import { defineBackend } from '@aws-amplify/backend';\nimport { data } from './data/resource';\ndefineBackend({ data });\n";

fn resource(entry: &str) -> String {
    format!(
        "import {{ a, defineData }} from '@aws-amplify/backend';\nconst schema = a.schema({{\n  echo: a.query().arguments({{ m: a.string() }}).returns(a.string()).authorization((allow) => [allow.publicApiKey()])\n    .handler(a.handler.custom({{ entry: '{entry}' }})),\n}});\nexport const data = defineData({{ schema }});\n"
    )
}

#[test]
fn entry_and_relative_modules_are_read_typescript_stripped() {
    let p = Project::new(&[
        ("amplify/backend.ts", BACKEND),
        ("amplify/data/resource.ts", &resource("./echo.ts")),
        (
            "amplify/data/echo.ts",
            "import { util } from '@aws-appsync/utils';\nimport { shout } from './lib/shout.js';\ntype Ctx = { args: { m: string } };\nexport function request(): object { return {}; }\nexport function response(ctx: Ctx): string { return shout(ctx.args.m) + util.autoId(); }\n",
        ),
        (
            "amplify/data/lib/shout.ts",
            "export const shout = (s: string): string => s.toUpperCase();\n",
        ),
    ]);
    let backend = p.load().expect("loads");
    let data = backend.data.expect("data");
    let handler = &data.js_functions[0].handlers[0];
    assert_eq!(handler.entry, "amplify/data/echo.ts");
    let paths: Vec<&str> = handler.modules.iter().map(|m| m.path.as_str()).collect();
    assert_eq!(paths, ["amplify/data/echo.ts", "amplify/data/lib/shout.ts"]);
    assert!(
        !handler.modules[0].code.contains("type Ctx"),
        "types stripped"
    );
    assert!(handler.modules[0].code.contains("shout(ctx.args.m)"));
    assert!(handler.modules[1].code.contains("toUpperCase"));
}

#[test]
fn a_javascript_entry_is_kept_as_written() {
    let source = "export function request() {\n  return {};\n}\n\nexport function response(ctx) { return ctx.args.m; }\n";
    let p = Project::new(&[
        ("amplify/backend.ts", BACKEND),
        ("amplify/data/resource.ts", &resource("./echo.js")),
        ("amplify/data/echo.js", source),
    ]);
    let backend = p.load().expect("loads");
    let handler = &backend.data.expect("data").js_functions[0].handlers[0];
    assert_eq!(handler.modules.len(), 1);
    assert_eq!(handler.modules[0].code, source);
}

#[test]
fn a_missing_entry_fails_the_load() {
    let p = Project::new(&[
        ("amplify/backend.ts", BACKEND),
        ("amplify/data/resource.ts", &resource("./nope.js")),
    ]);
    let d = p.error();
    assert!(d.message.contains("Query.echo"), "{}", d.message);
    assert!(d.message.contains("amplify/data/nope.js"), "{}", d.message);
}

#[test]
fn unsupported_statements_fail_the_load_at_their_position() {
    let p = Project::new(&[
        ("amplify/backend.ts", BACKEND),
        ("amplify/data/resource.ts", &resource("./echo.js")),
        (
            "amplify/data/echo.js",
            "export function request() { return {}; }\nexport function response(ctx) {\n  let n = 0;\n  while (n < 3) { n += 1; }\n  return n;\n}\n",
        ),
    ]);
    let d = p.error();
    assert!(d.message.contains("while loops"), "{}", d.message);
    let l = d.location.expect("location");
    assert_eq!(
        (l.file.as_str(), l.line, l.column),
        ("amplify/data/echo.js", 4, 3)
    );
}

#[test]
fn a_syntax_error_points_into_the_handler() {
    let p = Project::new(&[
        ("amplify/backend.ts", BACKEND),
        ("amplify/data/resource.ts", &resource("./echo.js")),
        (
            "amplify/data/echo.js",
            "export function request() {\n  return {;\n}\n",
        ),
    ]);
    let d = p.error();
    let l = d.location.expect("location");
    assert_eq!((l.file.as_str(), l.line), ("amplify/data/echo.js", 2));
}

#[test]
fn an_unknown_package_is_a_warning() {
    let p = Project::new(&[
        ("amplify/backend.ts", BACKEND),
        ("amplify/data/resource.ts", &resource("./echo.js")),
        (
            "amplify/data/echo.js",
            "import { v4 } from 'uuid';\nexport function request() { return {}; }\nexport function response() { return v4(); }\n",
        ),
    ]);
    let backend = p.load().expect("loads");
    assert!(
        backend
            .warnings
            .iter()
            .any(|w| w.message.contains("'uuid'")),
        "{:?}",
        backend.warnings
    );
}
