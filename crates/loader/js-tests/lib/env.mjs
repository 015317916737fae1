// Paths used by the Stratus data-builder test harness.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const TESTS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const REPO = path.resolve(TESTS_DIR, '..', '..', '..');
export const DATA_DIR = path.join(REPO, 'crates', 'loader', 'js', 'data');
export const DATA_INDEX = path.join(DATA_DIR, 'index.js');
export const LIB_DIR = path.join(TESTS_DIR, 'lib');
export const ORACLE_DIR = path.resolve(process.env.ORACLE_DIR ?? path.join(REPO, '..', 'shared', 'oracle'));
export const ORACLE_MODULES = path.join(ORACLE_DIR, 'node_modules');
export const REAL_DATA_SCHEMA = path.join(ORACLE_MODULES, '@aws-amplify', 'data-schema', 'dist', 'esm', 'index.mjs');
export const REAL_DATA_SCHEMA_INTERNALS = path.join(ORACLE_MODULES, '@aws-amplify', 'data-schema', 'dist', 'esm', 'internals', 'index.mjs');
export const ESBUILD = path.join(ORACLE_MODULES, 'esbuild', 'lib', 'main.js');

/** Why the oracle cannot be used (undefined when it can). */
export function oracleUnavailable() {
  if (!fs.existsSync(ORACLE_DIR)) return `oracle dir ${ORACLE_DIR} not found (set ORACLE_DIR)`;
  if (!fs.existsSync(REAL_DATA_SCHEMA)) return `@aws-amplify/data-schema missing under ${ORACLE_MODULES} (run npm ci there)`;
  if (!fs.existsSync(ESBUILD)) return `esbuild missing under ${ORACLE_MODULES}`;
  return undefined;
}
