#!/usr/bin/env node
// Regenerates expected/<cases>.json from the REAL @aws-amplify/data-schema (ORACLE_DIR).
//   node gen-expected.mjs [case-file.mjs ...]
import fs from 'node:fs';
import { installCallSiteHook } from './lib/callsite.mjs';
import { caseFiles, expectedFileOf, expectedJson, runCaseFile } from './lib/cases.mjs';
import { oracleUnavailable } from './lib/env.mjs';

const why = oracleUnavailable();
if (why) {
  console.error(`gen-expected: ${why}`);
  process.exit(2);
}
installCallSiteHook();
process.setSourceMapsEnabled(true);
const files = process.argv.slice(2).length ? process.argv.slice(2) : caseFiles();
for (const file of files) {
  const { results } = await runCaseFile(file, 'real');
  fs.writeFileSync(expectedFileOf(file), expectedJson(results));
  const errors = Object.values(results).filter((r) => r.error !== undefined).length;
  console.log(`${file}: ${Object.keys(results).length} cases (${errors} errors)`);
}
