// Shared state of one evaluation of the user's amplify/ folder, plus small helpers used by
// every define* function. One QuickJS runtime is created per load, so module state is fresh.

export const FACTORY = Symbol.for('stratus.factory');
export const SECRET = Symbol.for('stratus.secret');
export const RECORDER = Symbol.for('stratus.recorder');

export const state = {
  /** The defineAuth / referenceAuth factory. */
  auth: undefined,
  /** The defineData factory. */
  data: undefined,
  /** defineStorage factories, in call order. */
  storage: [],
  /** defineFunction factories, in call order. */
  functions: [],
  /** Set by defineBackend: { entries: [[key, factory]], location }. */
  backend: undefined,
  /** backend.addOutput(...) accumulated object. */
  outputs: undefined,
  /** Names passed to backend.createStack. */
  stacks: new Set(),
  /** [{ message, location }] */
  warnings: [],
  warned: new Set(),
};

/**
 * `{file, line, column}` of the user code that called into our module, or undefined. When the
 * call's first argument is an object literal, the non-enumerable `properties` maps its keys to
 * their locations (e.g. `authorizationModes` of `defineData({...})`).
 */
export const callSite = () => {
  const site = typeof globalThis.__stratusCallSite === 'function' ? globalThis.__stratusCallSite() : undefined;
  if (!site) return undefined;
  const { properties, ...location } = site;
  if (properties) Object.defineProperty(location, 'properties', { value: properties, enumerable: false });
  return location;
};

/** Same shape as the real AmplifyUserError: a name, a message and a resolution. */
export class AmplifyUserError extends Error {
  constructor(name, options, location) {
    super(options.message);
    this.name = name;
    if (options.resolution) this.resolution = options.resolution;
    if (options.details) this.details = options.details;
    if (location) this.stratusLocation = location;
  }
}

export const fail = (name, options, location) => {
  throw new AmplifyUserError(name, options, location);
};

/** A plain Error (the real packages throw these too) carrying the user's location. */
export const plainError = (message, location) => {
  const error = new Error(message);
  if (location) error.stratusLocation = location;
  return error;
};

/** Add a warning unless one with the same key was already added. */
export const warnOnce = (key, message, location) => {
  if (state.warned.has(key)) return;
  state.warned.add(key);
  state.warnings.push(location ? { message, location } : { message });
};

export const isFactory = (value, kind) =>
  value !== null &&
  (typeof value === 'object' || typeof value === 'function') &&
  !isRecorder(value) &&
  value[FACTORY] !== undefined &&
  (kind === undefined || value[FACTORY] === kind);

export const isSecret = (value) =>
  value !== null && typeof value === 'object' && value[SECRET] === true;

export const isRecorder = (value) => {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  try {
    return typeof value[RECORDER] === 'string';
  } catch {
    return false;
  }
};

const RESOURCE_NAME = /^[a-zA-Z][a-zA-Z0-9-_ ]*$/;

/** DefaultResourceNameValidator of @aws-amplify/backend. */
export const validateResourceName = (name, location) => {
  if (!RESOURCE_NAME.test(name)) {
    fail(
      'InvalidResourceNameError',
      {
        message: `Resource name contains invalid characters, found ${name}`,
        resolution:
          'Update name to use only alphanumeric characters, dashes, underscores and spaces. The name should also start with an alphabetic character',
      },
      location,
    );
  }
};

/** Reference to a defineFunction factory in the raw JSON handed to Rust. */
export const functionRef = (factory) => ({ $function: factory.name });

/**
 * Deep-copy a user value into JSON-able data: function factories become {"$function": name},
 * secrets {"$secret": NAME}, CDK recorder values {"$cdk": path}; callbacks are dropped.
 */
export const serialize = (value, seen = new Set()) => {
  if (value === undefined || value === null) return value;
  if (isRecorder(value)) return { $cdk: value[RECORDER] };
  if (isSecret(value)) return { $secret: value.name };
  if (isFactory(value)) {
    return value[FACTORY] === 'function' ? functionRef(value) : { $resource: value[FACTORY] };
  }
  if (typeof value === 'function' || typeof value === 'symbol') return undefined;
  if (typeof value === 'bigint') return Number(value);
  if (typeof value !== 'object') return value;
  if (value instanceof Date) return value.toISOString();
  if (seen.has(value)) return undefined;
  seen.add(value);
  let out;
  if (Array.isArray(value)) {
    out = value.map((v) => {
      const s = serialize(v, seen);
      return s === undefined ? null : s;
    });
  } else {
    out = {};
    for (const key of Object.keys(value)) {
      const s = serialize(value[key], seen);
      if (s !== undefined) out[key] = s;
    }
  }
  seen.delete(value);
  return out;
};

/** Factories look like Amplify's ConstructFactory; instances only exist in a CDK synth. */
export function unsupportedGetInstance() {
  throw new Error('getInstance() is not available in stratus: resources are not CDK constructs here');
}
