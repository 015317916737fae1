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

/** The call site of the first of `things` that has one. */
export function locationOf(...things) {
  for (const thing of things) {
    if (thing && (typeof thing === 'object' || typeof thing === 'function')) {
      const site = thing[CALL_SITE];
      if (site) return site;
    }
  }
  return undefined;
}

/**
 * An Error with the real package's message, located at the most specific builder among `things`
 * (property `stratusLocation = { file, line, column }`).
 */
export function schemaError(message, ...things) {
  const error = new Error(message);
  const location = locationOf(...things);
  if (location) error.stratusLocation = location;
  return error;
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
