// Loads an amplify/data/resource.ts the way the oracle does (esbuild bundle, inline source maps),
// with `@aws-amplify/backend` mapped to a test shim whose `a` is either ours or the real one.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire, builtinModules } from 'node:module';
import { pathToFileURL } from 'node:url';
import {
  DATA_INDEX,
  ESBUILD,
  LIB_DIR,
  ORACLE_MODULES,
  REAL_DATA_SCHEMA,
  REAL_DATA_SCHEMA_INTERNALS,
} from './env.mjs';
import { registry } from './backend-stubs.mjs';

const require = createRequire(import.meta.url);
const builtins = new Set(builtinModules);
let bundleCounter = 0;
let workDir;

const SHIMS = {
  stratus: {
    backend: path.join(LIB_DIR, 'backend-shim-stratus.mjs'),
    dataSchema: DATA_INDEX,
    internals: DATA_INDEX,
  },
  real: {
    backend: path.join(LIB_DIR, 'backend-shim-real.mjs'),
    dataSchema: REAL_DATA_SCHEMA,
    internals: REAL_DATA_SCHEMA_INTERNALS,
  },
};

/**
 * Evaluates `file` with the `flavor` ('stratus' | 'real') builder.
 * @returns {Promise<{ module: object, factory: object | undefined }>} factory: the defineData() result.
 */
export async function loadResource(file, flavor) {
  const esbuild = require(ESBUILD);
  const shim = SHIMS[flavor];
  workDir ??= fs.mkdtempSync(path.join(os.tmpdir(), 'stratus-data-tests-'));
  const outfile = path.join(workDir, `resource-${flavor}-${++bundleCounter}.mjs`);
  const plugin = {
    name: 'stratus-test-resolve',
    setup(build) {
      build.onResolve({ filter: /^[^./]/ }, (args) => {
        if (args.kind === 'entry-point') return undefined;
        const spec = args.path;
        const external = (p) => ({ path: pathToFileURL(p).href, external: true });
        if (spec === '@aws-amplify/backend') return external(shim.backend);
        if (spec === '@aws-amplify/data-schema') return external(shim.dataSchema);
        if (spec === '@aws-amplify/data-schema/internals') return external(shim.internals);
        if (spec.startsWith('node:') || builtins.has(spec) || builtins.has(spec.split('/')[0])) {
          return { path: spec, external: true };
        }
        try {
          const resolved = createRequire(path.join(ORACLE_MODULES, 'x.js')).resolve(spec);
          return external(resolved);
        } catch (e) {
          return { errors: [{ text: `cannot resolve '${spec}' from ${ORACLE_MODULES}: ${e.message}` }] };
        }
      });
    },
  };
  await esbuild.build({
    entryPoints: [file],
    outfile,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    sourcemap: 'inline',
    sourcesContent: false,
    logLevel: 'silent',
    plugins: [plugin],
  });
  process.setSourceMapsEnabled(true);
  const before = registry.data.length;
  const module = await import(pathToFileURL(outfile).href);
  const created = registry.data.slice(before);
  const factory = Object.values(module).find((v) => created.includes(v)) ?? created.at(-1);
  return { module, factory };
}

export function cleanupBundles() {
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  workDir = undefined;
}
