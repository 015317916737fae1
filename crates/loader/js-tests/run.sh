#!/usr/bin/env bash
# Runs the conformance harness of Stratus's `a` schema builder (crates/loader/js/data) with
# Node's built-in test runner. Exit status is non-zero when a test fails.
#
#   crates/loader/js-tests/run.sh              all suites
#   crates/loader/js-tests/run.sh cases        only the unit cases (no oracle needed)
#
# Environment:
#   ORACLE_DIR   the Amplify oracle (default <repo>/../shared/oracle). Its node_modules provide
#                esbuild (to load the fixtures' .ts files) and the real @aws-amplify/data-schema.
#                Without it the fixture suite and the "expected values are current" checks skip.
#   STRATUS_QJS  a QuickJS module runner (`$STRATUS_QJS <base> <entry.mjs>`, global print());
#                when set, the unit cases also run under QuickJS (qjs.test.mjs).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

if ! command -v node >/dev/null 2>&1; then
  echo "run.sh: node (>= 20) is required" >&2
  exit 2
fi

suites=(cases.test.mjs fixtures.test.mjs differential.test.mjs qjs.test.mjs)
if (($# > 0)); then
  suites=()
  for s in "$@"; do suites+=("${s%.test.mjs}.test.mjs"); done
fi

exec node --test --test-reporter=spec "${suites[@]}"
