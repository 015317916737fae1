//! The functions runtime against real Node.js: projects loaded by the real loader, handlers in
//! TypeScript, invoked through `Functions::invoke`.

use std::fs;
use std::path::Path;

use serde_json::json;
use stratus_functions::{BuildError, Functions, InvokeError, RuntimeConfig};

fn write(root: &Path, rel: &str, text: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, text).unwrap();
}

/// A project whose backend.ts defines the functions in `resources` (name → resource.ts body).
fn project(files: &[(&str, &str)], backend_imports: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (rel, text) in files {
        write(dir.path(), rel, text);
    }
    let mut backend = String::from("import { defineBackend } from '@aws-amplify/backend';\n");
    let mut names = Vec::new();
    for (name, from) in backend_imports {
        backend.push_str(&format!("import {{ {name} }} from '{from}';\n"));
        names.push(*name);
    }
    backend.push_str(&format!("defineBackend({{ {} }});\n", names.join(", ")));
    write(dir.path(), "amplify/backend.ts", &backend);
    dir
}

fn runtime(dir: &Path) -> Result<Functions, BuildError> {
    let backend = stratus_loader::load(dir).expect("definition loads");
    let mut config = RuntimeConfig::new(dir, dir.join(".amplify/stratus/test/functions"));
    config.secrets.insert("API_KEY".into(), "s3cr3t".into());
    config
        .extra_env
        .push(("STRATUS_EXTRA".into(), "extra".into()));
    Functions::build(&backend.functions, &config)
}

const SAY_HELLO: &str = r#"
import { defineFunction, secret } from '@aws-amplify/backend';
export const sayHello = defineFunction({
  name: 'say-hello',
  environment: { GREETING: 'Hello', API_KEY: secret('API_KEY') },
  timeoutSeconds: 2,
});
"#;

const HANDLER: &str = r#"
import type { Handler } from 'aws-lambda';
import { env } from '$amplify/env/say-hello';
import { shout } from './lib/shout';
import { count } from './lib/counter.js';

interface Event { name: string; mode?: 'throw' | 'hang' | 'crash' | 'callback' | 'env' }

export const handler: Handler<Event> = async (event, context) => {
  if (event.mode === 'throw') {
    class ValidationError extends Error { name = 'ValidationError'; }
    throw new ValidationError(`bad name ${event.name}`);
  }
  if (event.mode === 'hang') await new Promise((r) => setTimeout(r, 60_000));
  if (event.mode === 'crash') { setTimeout(() => { throw new Error('async boom'); }, 0); await new Promise((r) => setTimeout(r, 1000)); }
  if (event.mode === 'env') {
    return {
      region: process.env.AWS_REGION,
      fn: process.env.AWS_LAMBDA_FUNCTION_NAME,
      apiKey: env.API_KEY,
      extra: process.env.STRATUS_EXTRA,
      ssm: process.env.AMPLIFY_SSM_ENV_CONFIG,
      home: process.env.HOME ?? null,
      arn: context.invokedFunctionArn,
      remaining: context.getRemainingTimeInMillis(),
      requestId: context.awsRequestId,
    };
  }
  console.log('greeting', event.name);
  return { message: shout(`${env.GREETING}, ${event.name}`), calls: count() };
};
"#;

fn hello_project() -> tempfile::TempDir {
    project(
        &[
            ("amplify/functions/say-hello/resource.ts", SAY_HELLO),
            ("amplify/functions/say-hello/handler.ts", HANDLER),
            (
                "amplify/functions/say-hello/lib/shout.ts",
                "export const shout = (s: string): string => s.toUpperCase() + '!';\n",
            ),
            (
                "amplify/functions/say-hello/lib/counter.ts",
                "let n: number = 0;\nexport function count(): number { n += 1; return n; }\n",
            ),
        ],
        &[("sayHello", "./functions/say-hello/resource")],
    )
}

#[tokio::test]
async fn runs_a_typescript_handler_with_env_imports_and_warm_state() {
    let dir = hello_project();
    let functions = runtime(dir.path()).unwrap();
    assert!(functions.contains("say-hello"));
    let out = functions
        .invoke("say-hello", &json!({"name": "Ada"}))
        .await
        .unwrap();
    assert_eq!(out, json!({"message": "HELLO, ADA!", "calls": 1}));
    // The same warm worker: module state survives, as in a Lambda execution environment.
    let out = functions
        .invoke("say-hello", &json!({"name": "Bo"}))
        .await
        .unwrap();
    assert_eq!(out["calls"], 2);
}

#[tokio::test]
async fn gives_the_handler_lambdas_environment_and_context() {
    let dir = hello_project();
    let functions = runtime(dir.path()).unwrap();
    let out = functions
        .invoke("say-hello", &json!({"name": "x", "mode": "env"}))
        .await
        .unwrap();
    assert_eq!(out["region"], "us-east-1");
    assert_eq!(out["fn"], "say-hello");
    assert_eq!(out["apiKey"], "s3cr3t");
    assert_eq!(out["extra"], "extra");
    assert_eq!(out["ssm"], "{}");
    assert_eq!(
        out["home"],
        serde_json::Value::Null,
        "the host's env does not leak in"
    );
    assert_eq!(
        out["arn"],
        "arn:aws:lambda:us-east-1:000000000000:function:say-hello"
    );
    let remaining = out["remaining"].as_u64().unwrap();
    assert!(remaining > 0 && remaining <= 2000, "{remaining}");
    assert_eq!(out["requestId"].as_str().unwrap().len(), 36);
}

#[tokio::test]
async fn reports_handler_errors_as_lambda_does_and_keeps_the_worker() {
    let dir = hello_project();
    let functions = runtime(dir.path()).unwrap();
    let err = functions
        .invoke("say-hello", &json!({"name": "z", "mode": "throw"}))
        .await
        .unwrap_err();
    match &err {
        InvokeError::Handler {
            error_type,
            error_message,
            trace,
        } => {
            assert_eq!(error_type, "ValidationError");
            assert_eq!(error_message, "bad name z");
            // Stack traces point at the user's TypeScript through the inline source map.
            assert!(trace.iter().any(|l| l.contains("handler.ts:")), "{trace:?}");
        }
        other => panic!("unexpected {other:?}"),
    }
    let out = functions
        .invoke("say-hello", &json!({"name": "ok"}))
        .await
        .unwrap();
    assert_eq!(out["calls"], 1, "the worker that threw is reused");
}

#[tokio::test]
async fn enforces_the_timeout_and_replaces_the_worker() {
    let dir = hello_project();
    let functions = runtime(dir.path()).unwrap();
    let started = std::time::Instant::now();
    let err = functions
        .invoke("say-hello", &json!({"name": "h", "mode": "hang"}))
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "Task timed out after 2.00 seconds");
    assert!(started.elapsed() < std::time::Duration::from_secs(10));
    let out = functions
        .invoke("say-hello", &json!({"name": "after"}))
        .await
        .unwrap();
    assert_eq!(out["calls"], 1, "a fresh worker after the timeout");
}

#[tokio::test]
async fn an_uncaught_exception_fails_the_invocation_and_the_next_one_runs() {
    let dir = hello_project();
    let functions = runtime(dir.path()).unwrap();
    let err = functions
        .invoke("say-hello", &json!({"name": "c", "mode": "crash"}))
        .await
        .unwrap_err();
    assert_eq!(err.error_message(), "async boom", "{err:?}");
    let out = functions
        .invoke("say-hello", &json!({"name": "next"}))
        .await
        .unwrap();
    assert_eq!(out["message"], "HELLO, NEXT!");
}

#[tokio::test]
async fn callback_handlers_and_missing_exports() {
    let dir = project(
        &[
            (
                "amplify/cb/resource.ts",
                "import { defineFunction } from '@aws-amplify/backend';\nexport const cb = defineFunction({ name: 'cb' });\n",
            ),
            (
                "amplify/cb/handler.ts",
                "export const handler = (event: any, _ctx: unknown, callback: (e: Error | null, r?: unknown) => void) => {\n  if (event.fail) callback(new Error('nope'));\n  else setTimeout(() => callback(null, { doubled: event.n * 2 }), 5);\n};\n",
            ),
            (
                "amplify/none/resource.ts",
                "import { defineFunction } from '@aws-amplify/backend';\nexport const none = defineFunction({ name: 'none' });\n",
            ),
            (
                "amplify/none/handler.ts",
                "export const notTheHandler = 1;\n",
            ),
        ],
        &[("cb", "./cb/resource"), ("none", "./none/resource")],
    );
    let functions = runtime(dir.path()).unwrap();
    assert_eq!(
        functions.invoke("cb", &json!({"n": 21})).await.unwrap(),
        json!({"doubled": 42})
    );
    let err = functions
        .invoke("cb", &json!({"fail": true}))
        .await
        .unwrap_err();
    assert_eq!(err.to_string(), "Error: nope");
    let err = functions.invoke("none", &json!({})).await.unwrap_err();
    assert_eq!(err.error_type(), "Runtime.HandlerNotFound");
    assert_eq!(
        err.error_message(),
        "index.handler is undefined or not exported"
    );
    let err = functions.invoke("missing", &json!({})).await.unwrap_err();
    assert!(matches!(err, InvokeError::NotFound { .. }));
}

#[tokio::test]
async fn a_syntax_error_is_reported_with_file_and_line() {
    let dir = project(
        &[
            (
                "amplify/bad/resource.ts",
                "import { defineFunction } from '@aws-amplify/backend';\nexport const bad = defineFunction({ name: 'bad' });\n",
            ),
            (
                "amplify/bad/handler.ts",
                "export const handler = async () => {\n  return { ok: true ;\n};\n",
            ),
        ],
        &[("bad", "./bad/resource")],
    );
    let err = runtime(dir.path()).unwrap_err();
    match err {
        BuildError::Syntax { file, line, .. } => {
            assert_eq!(file, "amplify/bad/handler.ts");
            assert_eq!(line, 2);
        }
        other => panic!("unexpected {other}"),
    }
}

#[tokio::test]
async fn a_missing_secret_fails_invocations_with_its_name() {
    let dir = hello_project();
    let backend = stratus_loader::load(dir.path()).unwrap();
    let config = RuntimeConfig::new(dir.path(), dir.path().join(".fns"));
    let functions = Functions::build(&backend.functions, &config).unwrap();
    let err = functions
        .invoke("say-hello", &json!({"name": "a"}))
        .await
        .unwrap_err();
    assert!(
        matches!(&err, InvokeError::MissingSecret { secret, .. } if secret == "API_KEY"),
        "{err:?}"
    );
}

#[tokio::test]
async fn concurrent_invocations_use_separate_workers() {
    let dir = hello_project();
    let functions = runtime(dir.path()).unwrap();
    let calls = (0..4).map(|i| {
        let f = functions.clone();
        async move {
            f.invoke("say-hello", &json!({"name": format!("n{i}")}))
                .await
        }
    });
    let results = futures_join_all(calls).await;
    let mut counts: Vec<u64> = results
        .into_iter()
        .map(|r| r.unwrap()["calls"].as_u64().unwrap())
        .collect();
    counts.sort();
    // Four workers ran at once, each counting its own first call.
    assert_eq!(counts, vec![1, 1, 1, 1]);
}

async fn futures_join_all<F>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output>
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    let handles: Vec<_> = futures.into_iter().map(tokio::spawn).collect();
    let mut out = Vec::new();
    for h in handles {
        out.push(h.await.unwrap());
    }
    out
}

#[tokio::test]
async fn the_fingerprint_follows_code_definitions_and_environment() {
    let dir = hello_project();
    let a = runtime(dir.path()).unwrap();
    let b = runtime(dir.path()).unwrap();
    assert_eq!(a.fingerprint(), b.fingerprint(), "same inputs, same build");
    // A file the handler imports changes: a new build.
    write(
        dir.path(),
        "amplify/functions/say-hello/lib/shout.ts",
        "export const shout = (s: string): string => s.toLowerCase();\n",
    );
    let c = runtime(dir.path()).unwrap();
    assert_ne!(a.fingerprint(), c.fingerprint());
    let out = c
        .invoke("say-hello", &json!({"name": "Ada"}))
        .await
        .unwrap();
    assert_eq!(out["message"], "hello, ada");
    // Only the environment changes: a new fingerprint too (workers must restart).
    let backend = stratus_loader::load(dir.path()).unwrap();
    let mut config = RuntimeConfig::new(
        dir.path(),
        dir.path().join(".amplify/stratus/test/functions"),
    );
    config.secrets.insert("API_KEY".into(), "rotated".into());
    config
        .extra_env
        .push(("STRATUS_EXTRA".into(), "extra".into()));
    let d = Functions::build(&backend.functions, &config).unwrap();
    assert_ne!(c.fingerprint(), d.fingerprint());
}
