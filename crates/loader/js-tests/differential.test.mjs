// Differential test: seeded random schema definitions (random-schema.mjs), built once with
// the real @aws-amplify/data-schema and once with ours; transform() output (or the error
// message) must be identical. Needs ORACLE_DIR. STRATUS_DIFF_SEEDS=N (default 500) seeds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { installCallSiteHook } from './lib/callsite.mjs';
import { DATA_INDEX, REAL_DATA_SCHEMA, TESTS_DIR, oracleUnavailable } from './lib/env.mjs';
import { randomSchema } from './random-schema.mjs';
import { sanitizeTransform } from './lib/sanitize.mjs';

const unavailable = oracleUnavailable();
const SEEDS = Number(process.env.STRATUS_DIFF_SEEDS ?? 500);

const t = { fn: (name) => ({ __oracleFunction: true, name, getInstance() {} }) };

function run(a, flavor, seed) {
  globalThis.__stratusTestProjectRoot = TESTS_DIR;
  try {
    const schema = randomSchema(a, t, seed);
    return { out: sanitizeTransform(schema.transform(), { baseDir: TESTS_DIR, projectRoot: TESTS_DIR, flavor }) };
  } catch (error) {
    return { error: error?.message ?? String(error), located: Boolean(error?.stratusLocation) };
  }
}

test(`random schemas: ours == real (${SEEDS} seeds)`, { skip: unavailable }, async (ctx) => {
  installCallSiteHook();
  const real = (await import(pathToFileURL(REAL_DATA_SCHEMA).href)).a;
  const ours = (await import(pathToFileURL(DATA_INDEX).href)).a;
  let errors = 0;
  let unlocated = 0;
  for (let seed = 1; seed <= SEEDS; seed++) {
    const want = run(real, 'real', seed);
    const got = run(ours, 'stratus', seed);
    if (want.error !== undefined) {
      errors++;
      assert.equal(got.error, want.error, `seed ${seed}: error differs`);
      if (!got.located) unlocated++;
    } else {
      assert.equal(got.error, undefined, `seed ${seed}: ours threw ${got.error}`);
      assert.deepEqual(got.out, want.out, `seed ${seed}: output differs`);
      assert.equal(JSON.stringify(got.out), JSON.stringify(want.out), `seed ${seed}: key order differs`);
    }
  }
  ctx.diagnostic(`${SEEDS - errors} valid, ${errors} rejected (${unlocated} of them without stratusLocation)`);
  assert.equal(unlocated, 0, 'some errors have no stratusLocation');
});
