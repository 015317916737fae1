// Runs the unit cases of cases/*.mjs with one builder flavor ('stratus' = ours, 'real' = the real
// @aws-amplify/data-schema from ORACLE_DIR). A case file exports an array of
// `{ name, build(a, t) }`; build returns a schema (or a.combine(...)). `t` offers stand-ins:
// t.fn(name) (a defineFunction result), t.conversationHandler(name), t.secret(name), t.configure.
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DATA_INDEX, REAL_DATA_SCHEMA, REAL_DATA_SCHEMA_INTERNALS, TESTS_DIR } from './env.mjs';
import { sanitizeTransform } from './sanitize.mjs';

export const CASES_DIR = path.join(TESTS_DIR, 'cases');
export const EXPECTED_DIR = path.join(TESTS_DIR, 'expected');

export function caseFiles() {
  return fs.readdirSync(CASES_DIR).filter((f) => f.endsWith('.mjs')).sort();
}

async function builderOf(flavor) {
  if (flavor === 'stratus') {
    const mod = await import(pathToFileURL(DATA_INDEX).href);
    return { a: mod.a, configure: mod.configure };
  }
  const mod = await import(pathToFileURL(REAL_DATA_SCHEMA).href);
  const internals = await import(pathToFileURL(REAL_DATA_SCHEMA_INTERNALS).href);
  return { a: mod.a, configure: internals.configure };
}

const helpers = (configure) => ({
  fn: (name) => ({ __oracleFunction: true, name, getInstance() {} }),
  conversationHandler: (name, eventVersion = '1.0') => ({ __oracleFunction: true, name, eventVersion, getInstance() {} }),
  secret: (name) => ({ __oracleSecret: true, name }),
  configure,
});

/** Result of one case: `{ transform }` (sanitized, one entry per schema part) or `{ error }`. */
export async function runCase(c, flavor) {
  const { a, configure } = await builderOf(flavor);
  globalThis.__stratusTestProjectRoot = TESTS_DIR;
  const opts = { baseDir: TESTS_DIR, projectRoot: TESTS_DIR, flavor };
  try {
    const schema = c.build(a, helpers(configure));
    const parts = Array.isArray(schema?.schemas) ? schema.schemas : [schema];
    return { transform: parts.map((s) => sanitizeTransform(s.transform(), opts)) };
  } catch (error) {
    return { error: error?.message ?? String(error), thrown: error };
  }
}

export async function runCaseFile(file, flavor) {
  const { default: cases } = await import(pathToFileURL(path.join(CASES_DIR, file)).href);
  const results = {};
  for (const c of cases) {
    if (Object.prototype.hasOwnProperty.call(results, c.name)) throw new Error(`duplicate case ${c.name} in ${file}`);
    results[c.name] = await runCase(c, flavor);
  }
  return { cases, results };
}

/** JSON of the expected values (what gen-expected.mjs writes). */
export function expectedJson(results) {
  const plain = {};
  for (const [name, r] of Object.entries(results)) plain[name] = r.error !== undefined ? { error: r.error } : { transform: r.transform };
  return `${JSON.stringify(plain, null, 2)}\n`;
}

export const expectedFileOf = (caseFile) => path.join(EXPECTED_DIR, caseFile.replace(/\.mjs$/, '.json'));
