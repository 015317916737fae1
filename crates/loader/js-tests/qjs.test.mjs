// The unit cases again, under QuickJS (the engine the loader embeds), through qjs/run-cases.mjs.
// Opt-in: STRATUS_QJS=<runner binary>; it is run as `$STRATUS_QJS <base dir> <entry module>` with
// cwd crates/loader, must evaluate the entry as an ES module (relative imports resolved against
// the importing module's path), provide a global print(string), and exit non-zero on an uncaught
// exception. Engine-specific messages of the real package's accidental TypeErrors/RangeErrors
// (V8 wording) are only required to be errors.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { CASES_DIR, caseFiles, expectedFileOf } from './lib/cases.mjs';
import { pathToFileURL } from 'node:url';
import { REAL_DATA_SCHEMA, REPO, TESTS_DIR, oracleUnavailable } from './lib/env.mjs';
import { randomSchema } from './random-schema.mjs';
import { sanitizeTransform } from './lib/sanitize.mjs';
import { installCallSiteHook } from './lib/callsite.mjs';

const runner = process.env.STRATUS_QJS;
const V8_SPECIFIC = [/^Cannot destructure/, /^Cannot read properties of/, /is not iterable/, /is not a function$/, /^Maximum call stack size exceeded$/];

describe('cases under QuickJS', { skip: runner ? false : 'set STRATUS_QJS to a QuickJS module runner' }, () => {
  const output = runner
    ? execFileSync(runner, ['.', 'js-tests/qjs/run-cases.mjs'], { cwd: path.join(REPO, 'crates', 'loader'), encoding: 'utf8', maxBuffer: 64 << 20 })
    : '{}';
  const results = JSON.parse(output);
  for (const file of caseFiles()) {
    const expected = JSON.parse(fs.readFileSync(expectedFileOf(file), 'utf8'));
    const lines = fs.readFileSync(path.join(CASES_DIR, file), 'utf8').split('\n');
    for (const [name, want] of Object.entries(expected)) {
      test(`${file} ${name}`, () => {
        const got = results[file]?.[name];
        assert.ok(got, 'case missing from the QuickJS run');
        if (want.error === undefined) {
          assert.equal(got.error, undefined, `QuickJS error: ${got.error}`);
          assert.deepEqual(got.transform, want.transform);
          return;
        }
        assert.ok(got.error !== undefined, 'QuickJS run accepted it');
        if (!V8_SPECIFIC.some((re) => re.test(want.error))) assert.equal(got.error, want.error);
        assert.ok(got.location, 'no stratusLocation');
        assert.equal(got.location.file, `cases/${file}`);
        // `blame-qjs:<case>` marks the line QuickJS call sites give when it differs from V8's
        const find = (marker) =>
          lines.findIndex((l) => l.includes(marker) && /^(\s|$)/.test(l.slice(l.indexOf(marker) + marker.length)));
        const qjs = find(`blame-qjs:${name}`);
        const idx = qjs !== -1 ? qjs : find(`blame:${name}`);
        if (idx !== -1) assert.equal(got.location.line, idx + 1);
      });
    }
  }

  test('random schemas (seeds of qjs/run-cases.mjs) match the real builder', { skip: oracleUnavailable() }, async () => {
    installCallSiteHook();
    globalThis.__stratusTestProjectRoot = TESTS_DIR;
    const real = (await import(pathToFileURL(REAL_DATA_SCHEMA).href)).a;
    const t = { fn: (name) => ({ __oracleFunction: true, name, getInstance() {} }) };
    const seeds = Object.keys(results.random ?? {});
    assert.ok(seeds.length > 0, 'no random results from the QuickJS run');
    for (const seed of seeds) {
      const got = results.random[seed];
      let want;
      try {
        const out = sanitizeTransform(randomSchema(real, t, Number(seed)).transform(), { baseDir: TESTS_DIR, projectRoot: TESTS_DIR, flavor: 'real' });
        want = { transform: out };
      } catch (error) {
        want = { error: error.message };
      }
      if (want.error === undefined) {
        assert.equal(got.error, undefined, `seed ${seed}: QuickJS error ${got.error}`);
        assert.deepEqual(got.transform, want.transform, `seed ${seed}`);
      } else {
        assert.ok(got.error !== undefined, `seed ${seed}: QuickJS accepted it`);
        if (!V8_SPECIFIC.some((re) => re.test(want.error))) assert.equal(got.error, want.error, `seed ${seed}`);
        assert.ok(got.location, `seed ${seed}: no stratusLocation`);
      }
    }
  });
});
