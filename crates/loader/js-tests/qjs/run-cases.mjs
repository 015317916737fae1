// Engine-agnostic runner of cases/*.mjs with Stratus's builder, for checking it under QuickJS
// (the engine the loader embeds). No host APIs: needs only ES modules and a global `print`
// (falls back to console.log). Prints one JSON document:
//   { "<case file>": { "<case>": { "transform": [...] } | { "error": msg, "location": {...} } },
//     "random": { "<seed>": { "transform": {...} } | { "error", "location" } } }
// Entry paths must be given relative to crates/loader (the module names then look like
// `js-tests/cases/x.mjs`). See qjs.test.mjs.
import { a, configure } from '../../js/data/index.js';
import fields from '../cases/fields.mjs';
import models from '../cases/models.mjs';
import operations from '../cases/operations.mjs';
import schemas from '../cases/schemas.mjs';
import { randomSchema } from '../random-schema.mjs';

const FILES = { 'fields.mjs': fields, 'models.mjs': models, 'operations.mjs': operations, 'schemas.mjs': schemas };
const out = typeof print === 'function' ? print : (s) => console.log(s);

// host hook: first frame outside the builder and this runner; file relative to js-tests/
globalThis.__stratusCallSite = () => {
  const lines = String(new Error().stack).split('\n');
  for (const line of lines) {
    const m = line.trim().match(/^at .*?\(?([^()\s]+):(\d+):(\d+)\)?$/);
    if (!m) continue;
    const file = m[1];
    if (file.includes('js/data/') || file.includes('qjs/')) continue;
    const idx = file.indexOf('js-tests/');
    return { file: idx >= 0 ? file.slice(idx + 'js-tests/'.length) : file, line: Number(m[2]), column: Number(m[3]) };
  }
  return undefined;
};
// QuickJS attributes a call to the position of the last call nested in its arguments
globalThis.__stratusCallSite.reportsLastNestedCall = true;

const t = {
  fn: (name) => ({ __oracleFunction: true, name, getInstance() {} }),
  conversationHandler: (name, eventVersion = '1.0') => ({ __oracleFunction: true, name, eventVersion, getInstance() {} }),
  secret: (name) => ({ __oracleSecret: true, name }),
  configure,
};

function sanitize(value) {
  const walk = (v) => {
    if (typeof v === 'function') return '[Function]';
    if (v === null || typeof v !== 'object') return v;
    if (v.__oracleFunction) return { $defineFunction: v.name };
    if (v.__oracleSecret) return { $secret: v.name };
    if (typeof v.getInstance === 'function') return { $constructFactory: v.constructor?.name ?? 'object' };
    if (Array.isArray(v)) return v.map(walk);
    const o = {};
    for (const [k, val] of Object.entries(v)) {
      if (k === 'importLine' && typeof val === 'string') {
        const loc = v.stratusLocation;
        o.importedFrom =
          loc && val === `at <anonymous> (${loc.file}:${loc.line}:${loc.column})` ? loc.file : `<bad importLine ${val}>`;
        continue;
      }
      o[k] = walk(val);
    }
    return o;
  };
  return walk(value);
}

const results = {};
for (const [file, cases] of Object.entries(FILES)) {
  results[file] = {};
  for (const c of cases) {
    try {
      const schema = c.build(a, t);
      const parts = Array.isArray(schema?.schemas) ? schema.schemas : [schema];
      results[file][c.name] = { transform: parts.map((s) => sanitize(s.transform())) };
    } catch (error) {
      results[file][c.name] = { error: String(error?.message ?? error), location: error?.stratusLocation ?? null };
    }
  }
}
// seeded random schemas (compared with the real builder by qjs.test.mjs)
const RANDOM_SEEDS = 300;
results['random'] = {};
for (let seed = 1; seed <= RANDOM_SEEDS; seed++) {
  try {
    results['random'][seed] = { transform: sanitize(randomSchema(a, t, seed).transform()) };
  } catch (error) {
    results['random'][seed] = { error: String(error?.message ?? error), location: error?.stratusLocation ?? null };
  }
}
out(JSON.stringify(results));
