// Module hooks for a function's Node.js process (registered by host.mjs with module.register).
// They make the user's TypeScript tree load as Amplify's esbuild bundle would:
// - `$amplify/env/<name>` is the generated env module (`export const env = process.env`);
// - relative imports resolve with TypeScript's conventions (no extension, `./x.js` naming
//   `./x.ts`, `index.ts`);
// - a `.ts` / `.mts` / `.cts` / `.tsx` file loads the type-stripped code stratus compiled for it
//   (data.files maps the TypeScript file's path to the compiled file's path).
import { readFile } from 'node:fs/promises';
import { existsSync, statSync } from 'node:fs';
import { dirname, resolve as resolvePath } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ENV_PREFIX = '$amplify/env/';
const ENV_MODULE = 'data:text/javascript,export%20const%20env%20%3D%20process.env%3B';
const COMPILED = new Map();

export async function initialize(data) {
  for (const [source, compiled] of Object.entries(data.files)) COMPILED.set(source, compiled);
}

const isRelative = (s) => s === '.' || s === '..' || s.startsWith('./') || s.startsWith('../') || s.startsWith('/');

const isFile = (p) => COMPILED.has(p) || (existsSync(p) && statSync(p).isFile());

// The candidates TypeScript's bundler resolution tries, in order.
function candidates(base) {
  const out = [];
  const m = /\.(js|mjs|cjs|jsx)$/.exec(base);
  if (m) {
    const stem = base.slice(0, -m[0].length);
    const alts = { js: ['.ts', '.tsx'], jsx: ['.tsx'], mjs: ['.mts'], cjs: ['.cts'] }[m[1]];
    for (const alt of alts) out.push(stem + alt);
  }
  for (const ext of ['.ts', '.tsx', '.mts', '.js', '.mjs', '.cjs']) out.push(base + ext);
  for (const index of ['index.ts', 'index.tsx', 'index.mts', 'index.js', 'index.mjs']) {
    out.push(`${base}/${index}`);
  }
  return out;
}

export async function resolve(specifier, context, next) {
  if (specifier.startsWith(ENV_PREFIX)) {
    return { url: ENV_MODULE, shortCircuit: true };
  }
  if (isRelative(specifier) && context.parentURL?.startsWith('file:')) {
    const base = specifier.startsWith('/')
      ? specifier
      : resolvePath(dirname(fileURLToPath(context.parentURL)), specifier);
    if (COMPILED.has(base)) {
      return { url: pathToFileURL(base).href, format: 'module', shortCircuit: true };
    }
    if (!(existsSync(base) && statSync(base).isFile())) {
      const found = candidates(base).find(isFile);
      if (found) {
        const format = COMPILED.has(found) ? 'module' : undefined;
        return { url: pathToFileURL(found).href, format, shortCircuit: true };
      }
    }
  }
  return next(specifier, context);
}

export async function load(url, context, next) {
  if (url.startsWith('file:')) {
    const compiled = COMPILED.get(fileURLToPath(url));
    if (compiled) {
      return { format: 'module', source: await readFile(compiled, 'utf8'), shortCircuit: true };
    }
  }
  return next(url, context);
}
