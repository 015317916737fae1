//! tests/fixtures/invalid/*: projects the real Amplify packages reject. Errors raised while
//! evaluating the definition must carry Amplify's message and point at the user's call
//! (expected-location.txt); errors the real toolchain only raises in the GraphQL transformer
//! ("Failed to instantiate data construct", GraphQL syntax errors) belong to stratus-schema.

mod common;

use common::{fixtures, name, projects};

fn is_transformer_error(expected: &str) -> bool {
    expected.starts_with("Failed to instantiate data construct")
        || expected.starts_with("Syntax Error")
}

#[test]
fn invalid_fixtures_fail_with_the_amplify_message_at_the_user_call() {
    let dirs = projects("invalid");
    if dirs.is_empty() {
        assert!(
            !fixtures().join("invalid").exists(),
            "invalid fixtures exist but none has amplify/"
        );
        return;
    }
    let mut failures = Vec::new();
    let mut checked = 0;
    for dir in &dirs {
        let expected = std::fs::read_to_string(dir.join("expected-error.txt")).unwrap_or_default();
        let first_line = expected
            .lines()
            .next()
            .unwrap_or_default()
            .trim()
            .to_string();
        let location =
            std::fs::read_to_string(dir.join("expected-location.txt")).unwrap_or_default();
        let location = location.trim();
        match stratus_loader::load(dir) {
            Ok(_) if is_transformer_error(&first_line) => {}
            Err(_) if is_transformer_error(&first_line) => {}
            Ok(_) => failures.push(format!("{}: loaded, expected: {first_line}", name(dir))),
            Err(e) => {
                let Some(d) = e.diagnostic() else {
                    failures.push(format!("{}: {e}", name(dir)));
                    continue;
                };
                if !d.message.contains(&first_line) {
                    failures.push(format!(
                        "{}: message {:?} does not contain {first_line:?}",
                        name(dir),
                        d.message
                    ));
                }
                let ours = d
                    .location
                    .as_ref()
                    .map(|l| format!("{}:{}", l.file, l.line))
                    .unwrap_or_default();
                if !location.is_empty() && ours != location {
                    failures.push(format!("{}: location {ours} != {location}", name(dir)));
                }
                checked += 1;
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked > 0, "no invalid fixture failed in the loader");
}
