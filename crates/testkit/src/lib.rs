//! Helpers shared by the Stratus test suites. Use it as a dev-dependency only.
//!
//! - [`fixtures`]: the oracle's conformance fixtures (`tests/fixtures/conformance/<name>/`):
//!   discovery, their `expected/` files, the authorization configuration the oracle ran with;
//! - [`spec`]: [`DataSpec`](stratus_spec::data::DataSpec) builders, from arguments or from a
//!   fixture's `expected/directives.graphql` + `data_outputs.json` + `meta.json`;
//! - [`diff`]: readable differences of text, JSON (values and key order) and AppSync SDL
//!   (as a set of definitions).
//!
//! Helpers that read files return `Result<_, String>` so that a conformance test can collect
//! every failing fixture before it fails; the `assert_*` ones panic.

pub mod diff;
pub mod fixtures;
pub mod spec;

pub use diff::{assert_json_eq, json_mismatch, line_diff, sdl_mismatch};
pub use fixtures::{
    Fixture, Input, conformance_fixtures, conformance_root, fixtures_in, read_json,
};
pub use spec::{ExpectedAuth, auth_mode, data_spec};
