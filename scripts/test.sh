#!/usr/bin/env bash
# Installs what the tests need and runs every test: Rust unit, integration and conformance
# tests, then the end-to-end tests that drive the real `aws-amplify` client against `stratus`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

need() { command -v "$1" >/dev/null 2>&1 || { echo "error: '$1' is required ($2)" >&2; exit 1; }; }
need cargo "the Rust toolchain, 1.95 or newer"
need node "Node.js 20 or newer, for the end-to-end tests"
need npm "npm, to install the end-to-end test dependencies"

echo "==> cargo fmt --check"
cargo fmt --all -- --check

echo "==> cargo build"
cargo build --workspace --bins --locked

echo "==> cargo test"
cargo test --workspace --locked

echo "==> the \`a\` builder's conformance harness (Node; fixture suites need ../shared/oracle/node_modules)"
crates/loader/js-tests/run.sh

echo "==> end-to-end tests (aws-amplify, real client)"
(cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).target_directory))')
export STRATUS_BIN="${STRATUS_BIN:-$TARGET_DIR/debug/stratus}"
node tests/e2e/run.mjs
