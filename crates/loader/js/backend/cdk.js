// Recording proxies standing in for CDK objects (aws-cdk-lib, constructs, backend.auth.resources...).
// Any property read, call or `new` works; every side effect (assignment, call, construction,
// deletion) is recorded as a warning once per distinct path, with the user's file:line.

import { RECORDER, callSite, warnOnce } from './state.js';

const ELLIPSIS = '\u2026';

const token = (path) => `\${Token[${path}]}`;

const record = (description, origin) => {
  const from = origin ? ` (from '${origin}')` : '';
  warnOnce(
    description,
    `ignored: ${description}${from} - CDK customisations have no effect in stratus`,
    callSite(),
  );
};

/**
 * A recording proxy for `path`. `overrides` supplies real members (e.g. addEnvironment on a
 * function resource); everything else is another recorder.
 */
export const makeRecorder = (path, origin, overrides) => {
  const children = new Map();
  const child = (key) => {
    let value = children.get(key);
    if (value === undefined) {
      value = makeRecorder(`${path}.${key}`, origin);
      children.set(key, value);
    }
    return value;
  };
  // A plain function target keeps the proxy both callable and constructible.
  const target = function () {};
  return new Proxy(target, {
    get(_target, prop) {
      if (prop === RECORDER) return path;
      if (overrides && Object.prototype.hasOwnProperty.call(overrides, prop)) return overrides[prop];
      if (prop === 'then') return undefined; // never a thenable: `await recorder` must not hang
      if (prop === Symbol.toPrimitive) {
        return (hint) => (hint === 'number' ? Number.NaN : token(path));
      }
      if (prop === 'toString' || prop === 'toJSON' || prop === 'valueOf') return () => token(path);
      if (prop === Symbol.iterator) return function* empty() {};
      if (typeof prop === 'symbol') return undefined;
      return child(prop);
    },
    set(_target, prop, _value) {
      record(`${path}.${String(prop)} = ${ELLIPSIS}`, origin);
      return true;
    },
    defineProperty(t, prop, descriptor) {
      record(`${path}.${String(prop)} = ${ELLIPSIS}`, origin);
      if (descriptor.configurable === false) return Reflect.defineProperty(t, prop, descriptor);
      return true;
    },
    deleteProperty(_target, prop) {
      record(`delete ${path}.${String(prop)}`, origin);
      return true;
    },
    has(_target, prop) {
      return prop === RECORDER;
    },
    apply(_target, _thisArg, _args) {
      const description = `${path}(${ELLIPSIS})`;
      record(description, origin);
      return makeRecorder(description, origin);
    },
    construct(_target, _args, _newTarget) {
      const description = `new ${path}(${ELLIPSIS})`;
      record(description, origin);
      return makeRecorder(description, origin);
    },
  });
};

/** The namespace of a CDK-ish module: each export is a recorder named after it. */
export const __cdkModule = (specifier) => {
  const exports = new Map();
  const root = makeRecorder(specifier, specifier);
  return {
    root,
    get(name) {
      let value = exports.get(name);
      if (value === undefined) {
        value = makeRecorder(name, specifier);
        exports.set(name, value);
      }
      return value;
    },
  };
};
