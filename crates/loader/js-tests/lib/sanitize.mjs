// Renders transform() output as the oracle's transform.json does: defineFunction values become
// {"$defineFunction": name}, secrets {"$secret": name}, other construct factories
// {"$constructFactory": ctor}, and each stack-derived `importLine` becomes `importedFrom` (the
// calling file relative to `baseDir`, the amplify/ dir).
//
// For Stratus output the calling file comes from the entry's non-enumerable `stratusLocation`
// (file relative to `projectRoot`); its `importLine` must say the same thing.
import path from 'node:path';

const ORACLE_IMPORT_LINE = /(?:file:\/\/)?(\/[^\s:()]+\.(?:m?[jt]s))/;

export function sanitizeTransform(value, { baseDir, projectRoot, flavor }) {
  const ancestors = [];
  const walk = (v) => {
    if (typeof v === 'function') return '[Function]';
    if (v === null || typeof v !== 'object') return v;
    if (v.__oracleFunction) return { $defineFunction: v.name };
    if (v.__oracleSecret) return { $secret: v.name };
    if (typeof v.getInstance === 'function') return { $constructFactory: v.constructor?.name ?? 'object' };
    if (ancestors.includes(v)) return '[Circular]';
    ancestors.push(v);
    let out;
    if (Array.isArray(v)) {
      out = v.map(walk);
    } else {
      out = {};
      for (const [k, val] of Object.entries(v)) {
        if ((k === 'importLine' || k === 'stack') && typeof val === 'string') {
          out.importedFrom = flavor === 'stratus' ? stratusImportedFrom(v, val, baseDir, projectRoot) : realImportedFrom(val, baseDir);
          continue;
        }
        out[k] = walk(val);
      }
    }
    ancestors.pop();
    return out;
  };
  return walk(value);
}

function realImportedFrom(importLine, baseDir) {
  const m = importLine.match(ORACLE_IMPORT_LINE);
  return m ? path.relative(baseDir, m[1]) : '<unknown>';
}

function stratusImportedFrom(entry, importLine, baseDir, projectRoot) {
  const loc = entry.stratusLocation;
  if (!loc || typeof loc.file !== 'string') return '<missing stratusLocation>';
  const expectedLine = `at <anonymous> (${loc.file}:${loc.line}:${loc.column})`;
  if (importLine !== expectedLine) return `<importLine ${JSON.stringify(importLine)} != ${JSON.stringify(expectedLine)}>`;
  return path.relative(baseDir, path.resolve(projectRoot, loc.file));
}

/** transform.json content for a schema (or combined schema) as the oracle writes it. */
export function transformJson(schema, opts) {
  const schemas = schema && typeof schema === 'object' && Array.isArray(schema.schemas) ? schema.schemas : [schema];
  const transforms = schemas.map((s) => (typeof s === 'string' ? { schema: s } : s.transform()));
  let out = transforms.map((t) => {
    const { schema: sdl, ...rest } = t;
    return sanitizeTransform(transforms.length > 1 ? { schema: sdl, ...rest } : rest, opts);
  });
  if (out.length === 1) [out] = out;
  return { transforms, json: `${JSON.stringify(out, null, 2)}\n` };
}
