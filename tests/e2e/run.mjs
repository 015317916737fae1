#!/usr/bin/env node
// Runs the e2e tests with the stratus local CA trusted.
//
//   node tests/e2e/run.mjs [file name substrings] [node --test options, e.g. --test-name-pattern=todo]
//
// NODE_EXTRA_CA_CERTS is read by Node only at process start, so this script first asks the
// binary for the CA certificate (`stratus ca --path`, which creates the CA if missing) and then
// runs `node --test tests/*.test.mjs` in a child process with NODE_EXTRA_CA_CERTS set to it.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { StratusBinaryMissingError, caPath, stratusBin } from './lib/sandbox.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));

if (!fs.existsSync(path.join(HERE, 'node_modules', 'aws-amplify'))) {
  console.error(`e2e: aws-amplify is not installed: run \`npm ci\` in ${HERE}`);
  process.exit(1);
}

const bin = stratusBin();
let ca;
try {
  ca = caPath(bin);
} catch (error) {
  console.error(`e2e: ${error.message}`);
  process.exit(error instanceof StratusBinaryMissingError ? 2 : 1);
}

// Arguments without a leading `-` select test files by a substring of their name
// (`node run.mjs auth-custom data`); the others go to `node --test`.
const selectors = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const options = process.argv.slice(2).filter((a) => a.startsWith('-'));
const testDir = path.join(HERE, 'tests');
const files = fs
  .readdirSync(testDir)
  .filter((f) => f.endsWith('.test.mjs'))
  .filter((f) => selectors.length === 0 || selectors.some((s) => f.includes(s)))
  .sort()
  .map((f) => path.join(testDir, f));
if (files.length === 0) {
  console.error(`e2e: no *.test.mjs files in ${testDir}`);
  process.exit(1);
}

console.error(`e2e: stratus ${bin}\ne2e: NODE_EXTRA_CA_CERTS=${ca}`);
const r = spawnSync(process.execPath, ['--test', ...options, ...files], {
  cwd: HERE,
  stdio: 'inherit',
  env: { ...process.env, NODE_EXTRA_CA_CERTS: ca, STRATUS_BIN: bin },
});
if (r.error) {
  console.error(`e2e: cannot run node --test: ${r.error.message}`);
  process.exit(1);
}
process.exit(r.status ?? 1);
