// Unit cases for every builder feature (cases/*.mjs), compared with the output of the REAL
// @aws-amplify/data-schema 1.26.2 committed in expected/*.json (regenerate: gen-expected.mjs).
// Runs without the oracle; when ORACLE_DIR is available it also checks that expected/ is current.
//
// Error cases: our message must equal the real one, and the error must carry a stratusLocation
// in the case file; a line containing `blame:<case name>` pins the exact line to blame.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { installCallSiteHook } from './lib/callsite.mjs';
import { CASES_DIR, caseFiles, expectedFileOf, expectedJson, runCaseFile } from './lib/cases.mjs';
import { oracleUnavailable } from './lib/env.mjs';

installCallSiteHook();

function blameLine(caseFile, caseName) {
  const lines = fs.readFileSync(path.join(CASES_DIR, caseFile), 'utf8').split('\n');
  const marker = `blame:${caseName}`;
  const idx = lines.findIndex((l) => l.includes(marker) && l.slice(l.indexOf(marker) + marker.length).match(/^(\s|$)/));
  return idx === -1 ? undefined : idx + 1;
}

for (const file of caseFiles()) {
  describe(`cases/${file}`, async () => {
    const expectedPath = expectedFileOf(file);
    const expected = fs.existsSync(expectedPath) ? JSON.parse(fs.readFileSync(expectedPath, 'utf8')) : {};
    const { cases, results } = await runCaseFile(file, 'stratus');
    for (const c of cases) {
      const want = expected[c.name];
      test(c.name, { skip: want ? false : 'no expected value (run gen-expected.mjs)' }, () => {
        const got = results[c.name];
        if (want.error !== undefined) {
          assert.equal(got.error, want.error, got.error === undefined ? 'Stratus accepted it' : 'different error');
          const loc = got.thrown?.stratusLocation;
          assert.ok(loc, 'error has no stratusLocation');
          assert.equal(loc.file, `cases/${file}`);
          const line = blameLine(file, c.name);
          if (line !== undefined) assert.equal(loc.line, line, `blamed line ${loc.line}, expected ${line}`);
        } else {
          if (got.error !== undefined) throw got.thrown;
          assert.deepEqual(got.transform, want.transform);
          assert.equal(JSON.stringify(got.transform), JSON.stringify(want.transform), 'same content, different key order');
        }
      });
    }
    test('expected values are the real package output', { skip: oracleUnavailable() }, async () => {
      process.setSourceMapsEnabled(true);
      const real = await runCaseFile(file, 'real');
      assert.equal(expectedJson(real.results), fs.readFileSync(expectedPath, 'utf8'));
    });
  });
}
