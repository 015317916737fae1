//! Errors point at the user's file:line:column (through the TypeScript source maps).

mod common;

use common::{AUTH, Project};
use std::time::{Duration, Instant};

const BACKEND_AUTH: &str = "import { defineBackend } from '@aws-amplify/backend';\nimport { auth } from './auth/resource';\ndefineBackend({ auth });\n";

fn loc(d: &stratus_spec::Diagnostic) -> String {
    let l = d.location.as_ref().expect("a location");
    format!("{}:{}:{}", l.file, l.line, l.column)
}

#[test]
fn typescript_syntax_error_points_at_the_ts_source() {
    let p = Project::new(&[
        ("amplify/backend.ts", BACKEND_AUTH),
        (
            "amplify/auth/resource.ts",
            "import { defineAuth } from '@aws-amplify/backend';\ninterface X { a: string }\n\nexport const auth = defineAuth({ loginWith: { email: true } ))\n",
        ),
    ]);
    let d = p.error();
    assert_eq!(
        loc(&d).rsplit_once(':').map(|(f, _)| f.to_string()),
        Some("amplify/auth/resource.ts:4".to_string())
    );
    assert!(!d.message.is_empty());
}

#[test]
fn a_thrown_error_points_at_the_throw_in_the_original_ts() {
    let p = Project::new(&[
        ("amplify/backend.ts", BACKEND_AUTH),
        (
            "amplify/auth/resource.ts",
            "import { defineAuth } from '@aws-amplify/backend';\n\ntype Opts = {\n  name: string;\n};\nconst opts: Opts = { name: 'x' } as Opts;\nfunction check(o: Opts): void {\n  if (o.name === 'x') {\n    throw new Error('boom ' + o.name);\n  }\n}\ncheck(opts);\nexport const auth = defineAuth({ loginWith: { email: true } });\n",
        ),
    ]);
    let d = p.error();
    assert_eq!(d.message, "boom x");
    let l = d.location.expect("location");
    assert_eq!((l.file.as_str(), l.line), ("amplify/auth/resource.ts", 9));
    assert_eq!(l.column, 11, "column of `new Error` on line 9");
}

#[test]
fn define_auth_outside_auth_resource_is_rejected_at_the_call() {
    let p = Project::new(&[(
        "amplify/backend.ts",
        "import { defineBackend, defineAuth } from '@aws-amplify/backend';\n\nconst auth = defineAuth({ loginWith: { email: true } });\ndefineBackend({ auth });\n",
    )]);
    let d = p.error();
    assert_eq!(
        d.message,
        "Amplify Auth must be defined in amplify/auth/resource.ts"
    );
    assert_eq!(loc(&d), "amplify/backend.ts:3:14");
}

#[test]
fn a_second_define_auth_is_a_singleton_error() {
    let p = Project::new(&[
        ("amplify/backend.ts", BACKEND_AUTH),
        (
            "amplify/auth/resource.ts",
            &format!(
                "{AUTH}export const again = defineAuth({{ loginWith: {{ email: true }} }});\n"
            ),
        ),
    ]);
    let d = p.error();
    assert!(
        d.message
            .starts_with("MultipleSingletonResourcesError: Multiple `defineAuth`"),
        "{}",
        d.message
    );
    assert!(d.message.contains("Resolution: Remove all but one"));
    assert_eq!(loc(&d), "amplify/auth/resource.ts:3:22");
}

#[test]
fn an_infinite_loop_is_stopped_by_the_time_budget() {
    let p = Project::new(&[(
        "amplify/backend.ts",
        "import { defineBackend } from '@aws-amplify/backend';\nlet i = 0;\nwhile (true) {\n  i++;\n}\ndefineBackend({});\n",
    )]);
    let limits = stratus_loader::Limits {
        timeout: Duration::from_millis(300),
        ..Default::default()
    };
    let started = Instant::now();
    let err = stratus_loader::load_with(p.path(), &limits).expect_err("must time out");
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
    let d = err.diagnostic().expect("diagnostic");
    assert!(
        d.message.contains("did not finish within 300 ms"),
        "{}",
        d.message
    );
    // QuickJS does not record the exact position of an interrupted loop; the file is right.
    assert_eq!(
        d.location.as_ref().map(|l| l.file.as_str()),
        Some("amplify/backend.ts")
    );
}

#[test]
fn runaway_memory_is_stopped() {
    let p = Project::new(&[(
        "amplify/backend.ts",
        "import { defineBackend } from '@aws-amplify/backend';\nconst all = [];\nfor (;;) { all.push(new Array(100000).fill('x')); }\ndefineBackend({});\n",
    )]);
    let limits = stratus_loader::Limits {
        memory_bytes: 32 * 1024 * 1024,
        ..Default::default()
    };
    let err = stratus_loader::load_with(p.path(), &limits).expect_err("must fail");
    assert!(err.to_string().contains("ran out of memory"), "{err}");
}

#[test]
fn missing_define_backend_is_reported() {
    let p = Project::new(&[("amplify/backend.ts", "export const x = 1;\n")]);
    let d = p.error();
    assert_eq!(
        d.message,
        "amplify/backend.ts must call defineBackend({ ... })"
    );
}

#[test]
fn missing_backend_ts_is_reported() {
    let p = Project::new(&[("amplify/data/resource.ts", "export {};\n")]);
    let d = p.error();
    assert!(
        d.message.starts_with("no amplify/backend.ts found"),
        "{}",
        d.message
    );
}

#[test]
fn a_top_level_await_that_never_settles_is_reported() {
    let p = Project::new(&[(
        "amplify/backend.ts",
        "import { defineBackend } from '@aws-amplify/backend';\nawait new Promise(() => {});\ndefineBackend({});\n",
    )]);
    let d = p.error();
    assert!(d.message.contains("top-level await"), "{}", d.message);
}

#[test]
fn top_level_await_that_settles_works() {
    let p = Project::new(&[(
        "amplify/backend.ts",
        "import { defineBackend } from '@aws-amplify/backend';\nconst v = await Promise.resolve(3);\nif (v !== 3) throw new Error('bad');\ndefineBackend({});\n",
    )]);
    p.load().expect("loads");
}

#[test]
fn storage_path_validation_points_at_define_storage() {
    let p = Project::new(&[
        (
            "amplify/backend.ts",
            "import { defineBackend } from '@aws-amplify/backend';\nimport { storage } from './storage/resource';\ndefineBackend({ storage });\n",
        ),
        (
            "amplify/storage/resource.ts",
            "import { defineStorage } from '@aws-amplify/backend';\n\nexport const storage = defineStorage({\n  name: 'media',\n  access: (allow) => ({\n    'public': [allow.guest.to(['read'])],\n  }),\n});\n",
        ),
    ]);
    let d = p.error();
    assert!(d.message.starts_with("InvalidStorageAccessPathError: Storage access paths must end with \"/*\". Found [public]."), "{}", d.message);
    assert_eq!(loc(&d), "amplify/storage/resource.ts:3:24");
}

#[test]
fn function_validation_errors_point_at_define_function() {
    let p = Project::new(&[
        (
            "amplify/backend.ts",
            "import { defineBackend } from '@aws-amplify/backend';\nimport { fn } from './functions/fn/resource';\ndefineBackend({ fn });\n",
        ),
        (
            "amplify/functions/fn/handler.ts",
            "export const handler = async () => 1;\n",
        ),
        (
            "amplify/functions/fn/resource.ts",
            "import { defineFunction } from '@aws-amplify/backend';\nexport const fn = defineFunction({ timeoutSeconds: 901 });\n",
        ),
    ]);
    let d = p.error();
    assert_eq!(
        d.message,
        "InvalidTimeoutError: Invalid function timeout of 901\nResolution: timeout must be a whole number between 1 and 900 inclusive"
    );
    assert_eq!(loc(&d), "amplify/functions/fn/resource.ts:2:19");
}

#[test]
fn auth_template_placeholders_are_checked() {
    let p = Project::new(&[
        ("amplify/backend.ts", BACKEND_AUTH),
        (
            "amplify/auth/resource.ts",
            "import { defineAuth } from '@aws-amplify/backend';\nexport const auth = defineAuth({\n  loginWith: { email: { verificationEmailBody: () => 'no code here' } },\n});\n",
        ),
    ]);
    let d = p.error();
    assert!(
        d.message
            .contains("'verificationEmailBody' must utilize the 'code' parameter"),
        "{}",
        d.message
    );
    assert_eq!(loc(&d), "amplify/auth/resource.ts:2:21");
}

#[test]
fn columns_are_utf16_after_non_ascii_text() {
    let p = Project::new(&[(
        "amplify/backend.ts",
        "import { defineBackend } from '@aws-amplify/backend';\n\nconst label: string = 'héllo €'; if (label) { throw new Error('after ' + label); }\ndefineBackend({});\n",
    )]);
    let d = p.error();
    assert_eq!(d.message, "after héllo €");
    // `new` on line 3 is at UTF-16 column 53 (byte column 56).
    assert_eq!(loc(&d), "amplify/backend.ts:3:53");
}

#[test]
fn calling_an_undefined_member_names_it_like_node() {
    let p = Project::new(&[(
        "amplify/backend.ts",
        "import { defineBackend } from '@aws-amplify/backend';\nconst helpers: any = {};\nconst x = 'é';\nhelpers.build(x);\ndefineBackend({});\n",
    )]);
    let d = p.error();
    assert_eq!(d.message, "TypeError: helpers.build is not a function");
    assert_eq!(loc(&d), "amplify/backend.ts:4:1");
}
