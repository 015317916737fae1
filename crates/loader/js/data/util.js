// Shared helpers of the Stratus implementation of the `a` schema builder
// (behaviour of @aws-amplify/data-schema 1.26.2). Plain ES2020, no host APIs.

/** Key of the brand every builder carries (models, fields, handlers, schemas, ...). */
export const brandSymbol = Symbol('brand');

/** `{ [brandSymbol]: name }`, to be spread into a builder object. */
export function brand(name) {
  return { [brandSymbol]: name };
}

export function getBrand(branded) {
  return branded[brandSymbol];
}

/** Non-enumerable key under which a builder keeps the user's call site. */
export const CALL_SITE = Symbol('stratus.callSite');

/**
 * Asks the host where the user's code called us. The host (the Rust loader, or the Node test
 * harness) installs `globalThis.__stratusCallSite`, which returns `{ file, line, column }` of the
 * first stack frame outside the built-in modules, or undefined.
 */
export function captureCallSite() {
  const hook = globalThis.__stratusCallSite;
  if (typeof hook !== 'function') return undefined;
  try {
    const site = hook();
    if (site && typeof site === 'object' && typeof site.file === 'string') {
      return { file: site.file, line: site.line, column: site.column };
    }
  } catch (_) {
    // a failing hook must never break the user's definition
  }
  return undefined;
}

/** Attaches `site` (default: the current call site) to `target`, non-enumerably. */
export function withCallSite(target, site = captureCallSite()) {
  if (site && target && (typeof target === 'object' || typeof target === 'function')) {
    Object.defineProperty(target, CALL_SITE, {
      value: site,
      enumerable: false,
      configurable: true,
      writable: true,
    });
  }
  return target;
}

/** Largest line gap between the nested builders of one call (see `callSiteAround`). */
const NESTED_GAP = 10;

/**
 * The call site of a builder that takes nested builders as arguments (`a.model({...})`,
 * `a.customType({...})`, `a.conversation({...})`).
 *
 * V8 reports the start of a call, so `own` is right there. QuickJS instead attributes a call to
 * the position of the last call nested in its arguments (for a multi-line `a.model({...})`: the
 * last field). A host on such an engine says so by setting
 * `globalThis.__stratusCallSite.reportsLastNestedCall = true`; then the location becomes the
 * earliest builder nested in `args` (two levels deep, same file) among those that precede `own`
 * in a run without gaps larger than NESTED_GAP lines (builders defined far above, e.g. shared
 * field variables, are not taken for the start of the call).
 */
export function callSiteAround(own, args) {
  if (!own || globalThis.__stratusCallSite?.reportsLastNestedCall !== true) return own;
  const before = (x, y) => x.line < y.line || (x.line === y.line && x.column <= y.column);
  const nested = [];
  const collect = (value, depth) => {
    if (!value || (typeof value !== 'object' && typeof value !== 'function')) return;
    const site = value[CALL_SITE];
    if (site) {
      if (site.file === own.file && before(site, own)) nested.push(site);
      return;
    }
    if (depth > 0) {
      for (const inner of Array.isArray(value) ? value : Object.values(value)) collect(inner, depth - 1);
    }
  };
  if (args && typeof args === 'object') {
    for (const value of Object.values(args)) collect(value, 2);
  }
  nested.sort((x, y) => (before(x, y) ? 1 : -1)); // latest first
  let best = own;
  for (const site of nested) {
    if (best.line - site.line > NESTED_GAP) break;
    best = site;
  }
  return best;
}

/** Non-enumerable key of a builder's map: modifier name → call site of that modifier call. */
export const MODIFIER_SITES = Symbol('stratus.modifierSites');

/** Records the call site of modifier `name` (e.g. `.authorization()`) on `builder`. */
export function markModifier(builder, name) {
  const site = captureCallSite();
  if (!site || !builder || typeof builder !== 'object') return;
  if (!Object.prototype.hasOwnProperty.call(builder, MODIFIER_SITES)) {
    Object.defineProperty(builder, MODIFIER_SITES, { value: {}, enumerable: false });
  }
  builder[MODIFIER_SITES][name] = site;
}

/** The call site of modifier `name` on `builder`, as a site object (or undefined). */
export function modifierSite(builder, name) {
  return builder?.[MODIFIER_SITES]?.[name];
}

const isSite = (thing) => typeof thing.file === 'string' && typeof thing.line === 'number';

/** The location of the first of `things` that has one: a site object, or a builder's call site. */
export function locationOf(...things) {
  for (const thing of things) {
    if (thing && (typeof thing === 'object' || typeof thing === 'function')) {
      if (isSite(thing)) return thing;
      const site = thing[CALL_SITE];
      if (site) return site;
    }
  }
  return undefined;
}

/** Gives `error` (if it has none) the location of the first of `things` that has one. */
export function locate(error, ...things) {
  if (error && typeof error === 'object' && error.stratusLocation === undefined) {
    const location = locationOf(...things);
    if (location) {
      try {
        error.stratusLocation = location;
      } catch (_) {
        // frozen error object: leave it as is
      }
    }
  }
  return error;
}

/**
 * Calls a user callback (`.authorization(allow => ...)`, `.secondaryIndexes(index => ...)`, ...);
 * an error it throws without a location gets the modifier's call site.
 */
export function callUser(callback, arg, site, extra) {
  try {
    return extra === undefined ? callback(arg) : callback(arg, extra);
  } catch (error) {
    throw locate(error, site);
  }
}

/**
 * An Error with the real package's message, located at the most specific builder among `things`
 * (property `stratusLocation = { file, line, column }`).
 */
export function schemaError(message, ...things) {
  return locate(new Error(message), ...things);
}

/** An Error thrown while the user's code is calling a builder: located at that call. */
export function builderError(message) {
  const error = new Error(message);
  const location = captureCallSite();
  if (location) error.stratusLocation = location;
  return error;
}

export function capitalize(s) {
  return `${s[0].toUpperCase()}${s.slice(1)}`;
}

/** `rules` as an array (builders accept one rule or an array of rules). */
export function toArray(value) {
  return Array.isArray(value) ? value : [value];
}
