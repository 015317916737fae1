//! The object `defineBackend` returns, the raw props of each define*, and CDK warnings.

mod common;

use common::{AUTH, Project};
use pretty_assertions::assert_eq;
use serde_json::json;

#[test]
fn cdk_customisations_are_warned_once_per_path_with_their_location() {
    let p = Project::new(&[
        (
            "amplify/backend.ts",
            "import { defineBackend } from '@aws-amplify/backend';\nimport { Stack } from 'aws-cdk-lib';\nimport { auth } from './auth/resource';\n\nconst backend = defineBackend({ auth });\nconst { cfnUserPool } = backend.auth.resources.cfnResources;\ncfnUserPool.policies = { passwordPolicy: { minimumLength: 6 } };\ncfnUserPool.policies = { passwordPolicy: { minimumLength: 7 } };\nbackend.auth.resources.cfnResources.cfnUserPool.addPropertyOverride('X', 1);\nconst custom = backend.createStack('extra');\nnew Stack(custom, 'nested');\n",
        ),
        ("amplify/auth/resource.ts", AUTH),
    ]);
    let backend = p.load().expect("loads");
    let w: Vec<(String, u32)> = backend
        .warnings
        .iter()
        .map(|w| {
            (
                w.message.clone(),
                w.location.as_ref().map(|l| l.line).unwrap_or(0),
            )
        })
        .collect();
    let assign = "ignored: backend.auth.resources.cfnResources.cfnUserPool.policies = \u{2026} - CDK customisations have no effect in stratus";
    assert_eq!(w.iter().filter(|(m, _)| m == assign).count(), 1, "{w:#?}");
    assert!(
        w.iter().any(|(m, line)| m == assign && *line == 7),
        "{w:#?}"
    );
    assert!(
        w.iter().any(|(m, line)| m.starts_with(
            "ignored: backend.auth.resources.cfnResources.cfnUserPool.addPropertyOverride(\u{2026})"
        ) && *line == 9),
        "{w:#?}"
    );
    assert!(
        w.iter().any(
            |(m, line)| m.starts_with("ignored: backend.createStack(\"extra\")") && *line == 10
        ),
        "{w:#?}"
    );
    assert!(
        w.iter().any(|(m, line)| m
            .starts_with("ignored: new Stack(\u{2026}) (from 'aws-cdk-lib')")
            && *line == 11),
        "{w:#?}"
    );
    for warning in &backend.warnings {
        assert_eq!(
            warning.location.as_ref().map(|l| l.file.as_str()),
            Some("amplify/backend.ts")
        );
    }
}

#[test]
fn create_stack_twice_with_one_name_is_an_error() {
    let p = Project::new(&[(
        "amplify/backend.ts",
        "import { defineBackend } from '@aws-amplify/backend';\nconst backend = defineBackend({});\nbackend.createStack('a');\nbackend.createStack('a');\n",
    )]);
    let d = p.error();
    assert_eq!(d.message, "Custom stack named a has already been created");
    assert_eq!(d.location.map(|l| l.line), Some(4));
}

#[test]
fn add_output_deep_merges_and_rejects_duplicate_keys() {
    let p = Project::new(&[(
        "amplify/backend.ts",
        "import { defineBackend } from '@aws-amplify/backend';\nconst backend = defineBackend({});\nbackend.addOutput({ custom: { a: 1, list: [1] } });\nbackend.addOutput({ custom: { b: { c: 'x' }, list: [2] }, geo: { aws_region: 'eu-west-1' } });\n",
    )]);
    let backend = p.load().expect("loads");
    assert_eq!(
        backend.custom_outputs,
        Some(
            json!({"custom": {"a": 1, "list": [1, 2], "b": {"c": "x"}}, "version": "1.4", "geo": {"aws_region": "eu-west-1"}})
        )
    );

    let dup = Project::new(&[(
        "amplify/backend.ts",
        "import { defineBackend } from '@aws-amplify/backend';\nconst backend = defineBackend({});\nbackend.addOutput({ custom: { a: 1 } });\nbackend.addOutput({ custom: { a: 2 } });\n",
    )]);
    let d = dup.error();
    assert!(
        d.message
            .starts_with("OutputEntryAlreadyExistsError: Output entry with key a already exists"),
        "{}",
        d.message
    );
    assert_eq!(d.location.map(|l| l.line), Some(4));
}

#[test]
fn define_function_defaults_names_entries_and_schedules() {
    let p = Project::new(&[
        (
            "amplify/backend.ts",
            "import { defineBackend, secret } from '@aws-amplify/backend';\nimport { byDir } from './functions/by-dir/resource';\nimport { byEntry } from './functions/other/resource';\nconst backend = defineBackend({ byDir, byEntry });\nbackend.byDir.addEnvironment('ADDED', secret('KEY'));\n",
        ),
        (
            "amplify/functions/by-dir/handler.ts",
            "export const handler = async () => 1;\n",
        ),
        (
            "amplify/functions/by-dir/resource.ts",
            "import { defineFunction, secret } from '@aws-amplify/backend';\nexport const byDir = defineFunction({\n  environment: { PLAIN: 'v', SECRET: secret('API_KEY') },\n  schedule: ['every 5m', '0 9 ? * 2', { rate: 'every day', timezone: 'Europe/Paris' }],\n});\n",
        ),
        (
            "amplify/functions/other/src/main.ts",
            "export const handler = async () => 2;\n",
        ),
        (
            "amplify/functions/other/resource.ts",
            "import { defineFunction } from '@aws-amplify/backend';\nexport const byEntry = defineFunction({ entry: './src/main.ts', timeoutSeconds: 30, runtime: 20 });\n",
        ),
    ]);
    let raw = p.raw().expect("loads");
    let functions = raw["functions"].as_array().expect("functions");
    let by_dir = &functions[0];
    assert_eq!(by_dir["name"], "by-dir");
    assert_eq!(by_dir["entry"], "amplify/functions/by-dir/handler.ts");
    assert_eq!(
        by_dir["environment"],
        json!({"PLAIN": "v", "SECRET": {"$secret": "API_KEY"}, "ADDED": {"$secret": "KEY"}})
    );
    assert_eq!(
        by_dir["schedules"],
        json!([
            {"expression": "cron(*/5 * * * ? *)", "timezone": "UTC"},
            {"expression": "cron(0 9 ? * 2 *)", "timezone": "UTC"},
            {"expression": "cron(0 0 * * ? *)", "timezone": "Europe/Paris"}
        ])
    );
    assert_eq!(by_dir["schedule"][0], "every 5m");
    assert_eq!(
        by_dir["$location"],
        json!({"file": "amplify/functions/by-dir/resource.ts", "line": 2, "column": 22})
    );
    let by_entry = &functions[1];
    assert_eq!(by_entry["name"], "main");
    assert_eq!(by_entry["entry"], "amplify/functions/other/src/main.ts");
    assert_eq!(
        (
            by_entry["timeoutSeconds"].as_u64(),
            by_entry["runtime"].as_u64()
        ),
        (Some(30), Some(20))
    );

    let backend = p.load().expect("spec conversion");
    assert_eq!(backend.functions.len(), 2);
}

#[test]
fn a_schedule_faster_than_the_timeout_is_rejected() {
    let p = Project::new(&[
        (
            "amplify/backend.ts",
            "import { defineBackend } from '@aws-amplify/backend';\nimport { f } from './functions/f/resource';\ndefineBackend({ f });\n",
        ),
        (
            "amplify/functions/f/handler.ts",
            "export const handler = async () => 1;\n",
        ),
        (
            "amplify/functions/f/resource.ts",
            "import { defineFunction } from '@aws-amplify/backend';\nexport const f = defineFunction({ timeoutSeconds: 120, schedule: 'every 1m' });\n",
        ),
    ]);
    let d = p.error();
    assert_eq!(
        d.message,
        "Function schedule rate must be greater than the function timeout of 120 seconds"
    );
    assert_eq!(d.location.map(|l| l.line), Some(2));
}

#[test]
fn a_missing_handler_file_is_reported_at_define_function() {
    let p = Project::new(&[
        (
            "amplify/backend.ts",
            "import { defineBackend } from '@aws-amplify/backend';\nimport { f } from './functions/f/resource';\ndefineBackend({ f });\n",
        ),
        (
            "amplify/functions/f/resource.ts",
            "import { defineFunction } from '@aws-amplify/backend';\nexport const f = defineFunction({});\n",
        ),
    ]);
    let d = p.error();
    assert_eq!(
        d.message,
        "Cannot find entry file at amplify/functions/f/handler.ts"
    );
    assert_eq!(
        d.location.map(|l| (l.file, l.line)),
        Some(("amplify/functions/f/resource.ts".to_string(), 2))
    );
}

#[test]
fn storage_access_and_triggers_become_data_and_referenced_functions_are_included() {
    let p = Project::new(&[
        (
            "amplify/backend.ts",
            "import { defineBackend } from '@aws-amplify/backend';\nimport { auth } from './auth/resource';\nimport { storage } from './storage/resource';\ndefineBackend({ auth, storage });\n",
        ),
        ("amplify/auth/resource.ts", AUTH),
        (
            "amplify/functions/thumb/handler.ts",
            "export const handler = async () => 1;\n",
        ),
        (
            "amplify/functions/thumb/resource.ts",
            "import { defineFunction } from '@aws-amplify/backend';\nexport const thumb = defineFunction();\n",
        ),
        (
            "amplify/storage/resource.ts",
            "import { defineStorage } from '@aws-amplify/backend';\nimport { thumb } from '../functions/thumb/resource';\nexport const storage = defineStorage({\n  name: 'media',\n  triggers: { onUpload: thumb },\n  access: (allow) => ({\n    'public/*': [allow.guest.to(['read']), allow.authenticated.to(['read', 'write'])],\n    'private/{entity_id}/*': [allow.entity('identity').to(['read', 'write', 'delete'])],\n    'admin/*': [allow.groups(['Admins']).to(['read']), allow.resource(thumb).to(['read'])],\n  }),\n});\n",
        ),
    ]);
    let raw = p.raw().expect("loads");
    let storage = &raw["storage"][0];
    assert_eq!(storage["name"], "media");
    assert_eq!(storage["isDefault"], true, "a single bucket is the default");
    assert_eq!(
        storage["triggers"],
        json!({"onUpload": {"$function": "thumb"}})
    );
    assert_eq!(
        storage["access"],
        json!({
            "public/*": [{"principal": "guest", "actions": ["read"]}, {"principal": "authenticated", "actions": ["read", "write"]}],
            "private/{entity_id}/*": [{"principal": "entity", "entity": "identity", "actions": ["read", "write", "delete"]}],
            "admin/*": [{"principal": "groups", "groups": ["Admins"], "actions": ["read"]}, {"principal": "resource", "resource": {"$function": "thumb"}, "actions": ["read"]}]
        })
    );
    assert_eq!(
        raw["functions"][0]["name"], "thumb",
        "referenced by storage, not passed to defineBackend"
    );
    let backend = p.load().expect("spec conversion");
    assert_eq!(backend.storage.len(), 1);
    assert_eq!(backend.functions.len(), 1);
}

#[test]
fn duplicate_storage_principals_on_a_path_are_rejected() {
    let p = Project::new(&[
        (
            "amplify/backend.ts",
            "import { defineBackend } from '@aws-amplify/backend';\nimport { storage } from './storage/resource';\ndefineBackend({ storage });\n",
        ),
        (
            "amplify/storage/resource.ts",
            "import { defineStorage } from '@aws-amplify/backend';\nexport const storage = defineStorage({\n  name: 'media',\n  access: (allow) => ({ 'a/*': [allow.guest.to(['read']), allow.guest.to(['write'])] }),\n});\n",
        ),
    ]);
    let d = p.error();
    assert!(d.message.starts_with("InvalidStorageAccessDefinitionError: Entity access definition for guest users specified multiple times."), "{}", d.message);
}

#[test]
fn auth_callbacks_are_evaluated_with_the_cognito_placeholders() {
    let p = Project::new(&[
        (
            "amplify/backend.ts",
            "import { defineBackend } from '@aws-amplify/backend';\nimport { auth } from './auth/resource';\ndefineBackend({ auth });\n",
        ),
        (
            "amplify/functions/pre/handler.ts",
            "export const handler = async (e: unknown) => e;\n",
        ),
        (
            "amplify/functions/pre/resource.ts",
            "import { defineFunction } from '@aws-amplify/backend';\nexport const pre = defineFunction({ resourceGroupName: 'auth' });\n",
        ),
        (
            "amplify/auth/resource.ts",
            "import { defineAuth, secret } from '@aws-amplify/backend';\nimport { pre } from '../functions/pre/resource';\nexport const auth = defineAuth({\n  loginWith: {\n    email: {\n      verificationEmailStyle: 'LINK',\n      verificationEmailSubject: 'Verify',\n      verificationEmailBody: (link) => `Click ${link('here')}`,\n      userInvitation: { emailSubject: 'Hi', emailBody: (user, code) => `${user()} / ${code()}` },\n    },\n    phone: { verificationMessage: (code) => `Code: ${code()}` },\n    externalProviders: {\n      google: { clientId: secret('GID'), clientSecret: secret('GSECRET') },\n      callbackUrls: ['http://localhost:3000/'],\n      logoutUrls: ['http://localhost:3000/'],\n    },\n  },\n  multifactor: { mode: 'OPTIONAL', sms: { smsMessage: (code) => `MFA ${code()}` }, totp: true },\n  groups: ['Admins'],\n  triggers: { preSignUp: pre },\n  access: (allow) => [allow.resource(pre).to(['manageUsers'])],\n});\n",
        ),
    ]);
    let raw = p.raw().expect("loads");
    let auth = &raw["auth"];
    assert_eq!(
        auth["loginWith"]["email"]["verificationEmailBody"],
        "Click {##here##}"
    );
    assert_eq!(
        auth["loginWith"]["email"]["userInvitation"],
        json!({"emailSubject": "Hi", "emailBody": "{username} / {####}"})
    );
    assert_eq!(
        auth["loginWith"]["phone"]["verificationMessage"],
        "Code: {####}"
    );
    assert_eq!(auth["multifactor"]["sms"]["smsMessage"], "MFA {####}");
    assert_eq!(
        auth["loginWith"]["externalProviders"]["google"]["clientId"],
        json!({"$secret": "GID"})
    );
    assert_eq!(auth["triggers"], json!({"preSignUp": {"$function": "pre"}}));
    assert_eq!(
        auth["access"],
        json!([{"resource": {"$function": "pre"}, "actions": ["manageUsers"]}])
    );
    assert_eq!(
        auth["$location"],
        json!({"file": "amplify/auth/resource.ts", "line": 3, "column": 21})
    );
    assert_eq!(raw["functions"][0]["resourceGroupName"], "auth");
}

#[test]
fn resources_not_passed_to_define_backend_are_left_out() {
    let p = Project::new(&[
        (
            "amplify/backend.ts",
            "import { defineBackend } from '@aws-amplify/backend';\nimport { data } from './data/resource';\nimport './auth/resource';\ndefineBackend({ data });\n",
        ),
        ("amplify/auth/resource.ts", AUTH),
        (
            "amplify/data/resource.ts",
            "import { a, defineData } from '@aws-amplify/backend';\nconst schema = a.schema({ Todo: a.model({ t: a.string() }) }).authorization((allow) => [allow.publicApiKey()]);\nexport const data = defineData({ schema });\n",
        ),
    ]);
    let backend = p.load().expect("loads");
    assert!(backend.auth.is_none());
    let data = backend.data.expect("data");
    assert!(
        data.authorization_modes.sandbox_mode,
        "no auth in the backend: API-key sandbox mode"
    );
}

#[test]
fn several_buckets_need_exactly_one_default() {
    let storage = |defaults: &str| {
        format!(
            "import {{ defineStorage }} from '@aws-amplify/backend';\nexport const a = defineStorage({{ name: 'a'{defaults} }});\nexport const b = defineStorage({{ name: 'b' }});\n"
        )
    };
    let backend = "import { defineBackend } from '@aws-amplify/backend';\nimport { a, b } from './storage/resource';\ndefineBackend({ a, b });\n";
    let none = Project::new(&[
        ("amplify/backend.ts", backend),
        ("amplify/storage/resource.ts", &storage("")),
    ]);
    let d = none.error();
    assert!(
        d.message
            .starts_with("NoDefaultStorageError: No default storage set in the Amplify project."),
        "{}",
        d.message
    );

    let one = Project::new(&[
        ("amplify/backend.ts", backend),
        ("amplify/storage/resource.ts", &storage(", isDefault: true")),
    ]);
    let raw = one.raw().expect("loads");
    assert_eq!(
        (
            raw["storage"][0]["isDefault"].as_bool(),
            raw["storage"][1]["isDefault"].as_bool()
        ),
        (Some(true), Some(false))
    );
}

#[test]
fn two_functions_with_one_name_are_rejected() {
    let p = Project::new(&[
        (
            "amplify/backend.ts",
            "import { defineBackend, defineFunction } from '@aws-amplify/backend';\nconst f1 = defineFunction({ name: 'same', entry: './h.ts' });\nconst f2 = defineFunction({ name: 'same', entry: './h.ts' });\ndefineBackend({ f1, f2 });\n",
        ),
        ("amplify/h.ts", "export const handler = async () => 1;\n"),
    ]);
    let d = p.error();
    assert!(
        d.message
            .starts_with("There is already a function named 'same'"),
        "{}",
        d.message
    );
    assert_eq!(d.location.map(|l| l.line), Some(3));
}
