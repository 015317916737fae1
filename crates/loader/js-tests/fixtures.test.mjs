// Conformance of Stratus's `a` builder with the fixtures' oracle output:
//   tests/fixtures/conformance/*/amplify  and  $ORACLE_DIR/examples/*/amplify
//     -> schema.transform() must equal expected/directives.graphql and expected/transform.json
//   tests/fixtures/invalid/*/amplify
//     -> when the real builder rejects the definition, ours must throw the same message
//        (expected-error.txt) with a stratusLocation; when the real builder accepts it (the error
//        comes from the GraphQL transformer), ours must accept it and produce the same output.
// Needs the oracle's node_modules (esbuild, the real data-schema): skipped without ORACLE_DIR.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { installCallSiteHook } from './lib/callsite.mjs';
import { ORACLE_DIR, REPO, oracleUnavailable } from './lib/env.mjs';
import { cleanupBundles, loadResource } from './lib/load-resource.mjs';
import { transformJson } from './lib/sanitize.mjs';

const unavailable = oracleUnavailable();
installCallSiteHook();
after(cleanupBundles);

const RESOURCE_NAMES = ['resource.ts', 'resource.mts', 'resource.js', 'resource.mjs'];
const resourceOf = (amplifyDir) =>
  RESOURCE_NAMES.map((n) => path.join(amplifyDir, 'data', n)).find((f) => fs.existsSync(f));

function listFixtures(root) {
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => path.join(root, d.name))
    .filter((dir) => resourceOf(path.join(dir, 'amplify')))
    .sort();
}

const readText = (file) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined);
const stripFinalNewline = (s) => s.replace(/\n$/, '');

/** Evaluates the fixture with one builder flavor; returns { transforms, json } or { error }. */
async function run(fixtureDir, flavor) {
  const amplifyDir = path.join(fixtureDir, 'amplify');
  globalThis.__stratusTestProjectRoot = fixtureDir;
  try {
    const { factory } = await loadResource(resourceOf(amplifyDir), flavor);
    if (!factory) throw new Error('no defineData(...) call found in the input module');
    return transformJson(factory.props.schema, { baseDir: amplifyDir, projectRoot: fixtureDir, flavor });
  } catch (error) {
    return { error };
  }
}

function checkConformance(fixtureDir) {
  return async () => {
    const expectedDir = path.join(fixtureDir, 'expected');
    const expectedTransform = readText(path.join(expectedDir, 'transform.json'));
    const expectedSdl = readText(path.join(expectedDir, 'directives.graphql'));
    assert.ok(expectedTransform !== undefined, `${expectedDir}/transform.json is missing`);
    const result = await run(fixtureDir, 'stratus');
    if (result.error) throw result.error;
    assert.equal(result.json, expectedTransform, 'transform.json differs');
    if (result.transforms.length === 1 && expectedSdl !== undefined) {
      assert.equal(stripFinalNewline(result.transforms[0].schema), stripFinalNewline(expectedSdl), 'directives.graphql differs');
    }
  };
}

const conformanceDirs = [
  ...listFixtures(path.join(REPO, 'tests', 'fixtures', 'conformance')),
  ...listFixtures(path.join(ORACLE_DIR, 'examples')).map((d) => d),
];

describe('conformance fixtures (transform output)', { skip: unavailable }, () => {
  for (const dir of conformanceDirs) {
    const name = path.relative(path.join(REPO, '..'), dir);
    const hasExpected = fs.existsSync(path.join(dir, 'expected', 'transform.json'));
    test(name, { skip: hasExpected ? false : 'no expected/transform.json yet' }, checkConformance(dir));
  }
});

function checkInvalid(fixtureDir) {
  return async (t) => {
    const expectedError = readText(path.join(fixtureDir, 'expected-error.txt'));
    assert.ok(expectedError !== undefined, 'expected-error.txt is missing');
    const real = await run(fixtureDir, 'real');
    const ours = await run(fixtureDir, 'stratus');
    if (real.error) {
      assert.equal(real.error.message, expectedError.trim(), 'the real builder fails differently from the oracle');
      assert.ok(ours.error, 'Stratus accepted a definition the real builder rejects');
      assert.equal(ours.error.message, real.error.message);
      assert.ok(ours.error.stratusLocation, `no stratusLocation on: ${ours.error.message}`);
      assert.match(ours.error.stratusLocation.file, /^amplify\//);
      const expectedLocation = readText(path.join(fixtureDir, 'expected-location.txt'));
      if (expectedLocation !== undefined) {
        const { file, line, column } = ours.error.stratusLocation;
        const want = expectedLocation.trim();
        const got = `${file}:${line}:${column}`;
        assert.equal(file, want.split(':')[0], 'error located in another file');
        // expected-location.txt (file:line[:column]) is written by hand; the line a host reports
        // depends on its engine's call-site positions (V8 here), so a different line is a TODO,
        // not a failure: the Rust loader's tests are the authority on final locations.
        if (got !== want && `${file}:${line}` !== want) {
          t.todo(`location ${got}, expected-location.txt says ${want}`);
        }
      }
    } else {
      t.diagnostic('the real builder accepts this definition: the error comes from the transformer');
      if (ours.error) throw ours.error;
      assert.equal(ours.json, real.json);
      assert.deepEqual(ours.transforms.map((x) => x.schema), real.transforms.map((x) => x.schema));
    }
  };
}

describe('invalid fixtures (builder errors)', { skip: unavailable }, () => {
  const dirs = listFixtures(path.join(REPO, 'tests', 'fixtures', 'invalid'));
  if (dirs.length === 0) test('no invalid fixtures yet', { skip: 'tests/fixtures/invalid is empty' }, () => {});
  for (const dir of dirs) test(path.basename(dir), checkInvalid(dir));
});
