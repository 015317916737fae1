//! Module resolution: relative files with TypeScript conventions, built-ins, CDK proxies,
//! `$amplify/env`, Node shims, and unsupported packages.

mod common;

use common::Project;

const DEFINE_EMPTY: &str = "import { defineBackend } from '@aws-amplify/backend';\n";

#[test]
fn relative_imports_resolve_ts_js_mjs_index_and_explicit_extensions() {
    let p = Project::new(&[
        (
            "amplify/backend.ts",
            "import { defineBackend } from '@aws-amplify/backend';\nimport { a } from './lib/a';\nimport { b } from './lib/b.js';\nimport { c } from './lib/c';\nimport { d } from './lib/d';\nimport { e } from './lib/e.ts';\nimport cfg from './lib/config.json';\nif (a + b + c + d + e + cfg.v !== 'abcde!') throw new Error('got ' + a + b + c + d + e + cfg.v);\ndefineBackend({});\n",
        ),
        ("amplify/lib/a.ts", "export const a: string = 'a';\n"),
        // `./b.js` names the TypeScript file b.ts (TS ESM convention).
        ("amplify/lib/b.ts", "export const b = 'b' as string;\n"),
        ("amplify/lib/c.mjs", "export const c = 'c';\n"),
        ("amplify/lib/d/index.ts", "export { d } from './impl.js';\n"),
        ("amplify/lib/d/impl.js", "export const d = 'd';\n"),
        (
            "amplify/lib/e.ts",
            "enum E { X = 'e' }\nexport const e = E.X;\n",
        ),
        ("amplify/lib/config.json", "{ \"v\": \"!\" }"),
    ]);
    p.load().expect("loads");
}

#[test]
fn a_missing_relative_import_names_the_import_and_its_position() {
    let p = Project::new(&[(
        "amplify/backend.ts",
        "import { defineBackend } from '@aws-amplify/backend';\n\nimport { x } from './nope';\ndefineBackend({ x });\n",
    )]);
    let d = p.error();
    assert!(
        d.message.starts_with("cannot find module './nope'"),
        "{}",
        d.message
    );
    let l = d.location.expect("location");
    assert_eq!(
        (l.file.as_str(), l.line, l.column),
        ("amplify/backend.ts", 3, 19)
    );
}

#[test]
fn an_npm_package_import_is_an_error_at_the_import() {
    let p = Project::new(&[
        (
            "amplify/backend.ts",
            "import { defineBackend } from '@aws-amplify/backend';\nimport { v } from './helper';\ndefineBackend({});\nexport { v };\n",
        ),
        (
            "amplify/helper.ts",
            "import _ from 'lodash';\nexport const v = _.identity(1);\n",
        ),
    ]);
    let d = p.error();
    assert!(
        d.message
            .starts_with("cannot import 'lodash': npm packages are not available"),
        "{}",
        d.message
    );
    let l = d.location.expect("location");
    assert_eq!(
        (l.file.as_str(), l.line, l.column),
        ("amplify/helper.ts", 1, 15)
    );
}

#[test]
fn type_only_imports_of_packages_are_erased() {
    let p = Project::new(&[(
        "amplify/backend.ts",
        "import { defineBackend } from '@aws-amplify/backend';\nimport type { Handler } from 'aws-lambda';\nimport { Something } from 'some-types-only-package';\nconst h: Handler | Something | undefined = undefined;\ndefineBackend({});\nexport { h };\n",
    )]);
    p.load()
        .expect("type-only package imports do not reach the engine");
}

#[test]
fn cdk_imports_in_every_form_are_recording_proxies() {
    let p = Project::new(&[(
        "amplify/backend.ts",
        "import { defineBackend } from '@aws-amplify/backend';\nimport * as cdk from 'aws-cdk-lib';\nimport { Stack, Duration } from 'aws-cdk-lib';\nimport s3 from 'aws-cdk-lib/aws-s3';\nimport { Construct } from 'constructs';\nimport { Policy } from 'aws-cdk-lib/aws-iam';\nclass Mine extends Construct { constructor(scope: Construct, id: string) { super(scope, id); } }\nconst backend = defineBackend({});\nconst stack = new Stack(backend.stack, 'x');\nnew s3.Bucket(stack, 'b', { removalPolicy: cdk.RemovalPolicy.DESTROY, timeout: Duration.seconds(3) });\nnew Mine(stack, 'm');\nnew Policy(stack, 'p');\nconst token = `${stack.region}`;\nif (!token.startsWith('${Token[')) throw new Error(token);\n",
    )]);
    let backend = p.load().expect("loads");
    let messages: Vec<&str> = backend
        .warnings
        .iter()
        .map(|w| w.message.as_str())
        .collect();
    assert!(
        messages
            .iter()
            .any(|m| m.contains("new Stack(") && m.contains("'aws-cdk-lib'")),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("new aws-cdk-lib/aws-s3.Bucket(")),
        "{messages:#?}"
    );
    assert!(
        messages
            .iter()
            .any(|m| m.contains("new Policy(") && m.contains("aws-cdk-lib/aws-iam")),
        "{messages:#?}"
    );
}

#[test]
fn env_and_node_modules_are_available() {
    let p = Project::new(&[
        (
            "amplify/backend.ts",
            "import { defineBackend } from '@aws-amplify/backend';\nimport { env } from '$amplify/env/my-fn';\nimport path from 'node:path';\nimport { fileURLToPath } from 'node:url';\nimport { readFileSync } from 'fs';\nconst here = path.dirname(fileURLToPath(import.meta.url));\nconst sdl = readFileSync(path.join(here, 'schema.graphql'), 'utf8');\nif (!sdl.includes('type Todo')) throw new Error('bad read: ' + sdl);\nif (typeof env !== 'object') throw new Error('env');\nif (path.basename('/a/b.ts', '.ts') !== 'b') throw new Error('path');\ndefineBackend({});\n",
        ),
        ("amplify/schema.graphql", "type Todo @model { id: ID! }\n"),
    ]);
    p.load().expect("loads");
}

#[test]
fn unsupported_node_builtins_are_named() {
    let p = Project::new(&[(
        "amplify/backend.ts",
        "import { defineBackend } from '@aws-amplify/backend';\nimport { execSync } from 'node:child_process';\nexecSync('ls');\ndefineBackend({});\n",
    )]);
    let d = p.error();
    assert!(d.message.contains("'node:child_process'"), "{}", d.message);
    assert_eq!(d.location.map(|l| l.line), Some(2));
}

#[test]
fn reading_files_outside_the_project_is_refused() {
    let p = Project::new(&[(
        "amplify/backend.ts",
        "import { defineBackend } from '@aws-amplify/backend';\nimport { readFileSync } from 'fs';\nreadFileSync('/etc/hostname', 'utf8');\ndefineBackend({});\n",
    )]);
    let d = p.error();
    assert!(
        d.message.contains("only reads files inside the project"),
        "{}",
        d.message
    );
    assert_eq!(d.location.map(|l| l.line), Some(3));
}

#[test]
fn the_data_schema_package_is_the_builtin_builder() {
    let p = Project::new(&[
        (
            "amplify/backend.ts",
            &format!(
                "{DEFINE_EMPTY}import {{ data }} from './data/resource';\ndefineBackend({{ data }});\n"
            ),
        ),
        (
            "amplify/data/resource.ts",
            "import { defineData } from '@aws-amplify/backend';\nimport { a } from '@aws-amplify/data-schema';\nconst schema = a.schema({ Todo: a.model({ title: a.string() }) }).authorization((allow) => [allow.publicApiKey()]);\nexport const data = defineData({ schema });\n",
        ),
    ]);
    let raw = p.raw().expect("loads");
    assert!(
        raw["data"]["schema"]["sdl"]
            .as_str()
            .unwrap_or_default()
            .contains("type Todo @model"),
        "{raw}"
    );
}

#[test]
fn importing_a_non_module_file_is_explained() {
    let p = Project::new(&[
        (
            "amplify/backend.ts",
            "import { defineBackend } from '@aws-amplify/backend';\nimport sdl from './schema.graphql';\ndefineBackend({});\nexport { sdl };\n",
        ),
        ("amplify/schema.graphql", "type Todo { id: ID! }\n"),
    ]);
    let d = p.error();
    assert!(
        d.message
            .starts_with("cannot import './schema.graphql': only .ts"),
        "{}",
        d.message
    );
    assert_eq!(d.location.map(|l| l.line), Some(2));
}
