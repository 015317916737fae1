// Access to tests/fixtures/conformance/<name>/ from the e2e tests.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { REPO_ROOT } from './sandbox.mjs';

export const CONFORMANCE_DIR = path.join(REPO_ROOT, 'tests', 'fixtures', 'conformance');

/** Parsed JSON of tests/fixtures/conformance/<name>/expected/<file>. */
export function expectedJson(name, file) {
  return JSON.parse(fs.readFileSync(path.join(CONFORMANCE_DIR, name, 'expected', file), 'utf8'));
}

/**
 * Copies the fixture's amplify/ folder into a fresh temporary project folder, so the
 * sandbox's state (<dir>/.amplify/) never lands in the repository.
 * Returns { dir, cleanup() }.
 */
export function copyFixture(name) {
  return copyAmplify(path.join(CONFORMANCE_DIR, name, 'amplify'), name);
}

export const EXAMPLES_DIR = path.join(REPO_ROOT, 'examples');

/** Like copyFixture, for examples/<name>/amplify/ (e.g. `notes`). */
export function copyExample(name) {
  return copyAmplify(path.join(EXAMPLES_DIR, name, 'amplify'), name);
}

function copyAmplify(src, name) {
  if (!fs.existsSync(src)) throw new Error(`${name} has no amplify/ folder (${src})`);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `stratus-e2e-${name}-`));
  fs.cpSync(src, path.join(dir, 'amplify'), { recursive: true });
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}
