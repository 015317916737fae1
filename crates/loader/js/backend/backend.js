// defineBackend and the object it returns (resources as recording proxies, addOutput,
// createStack, stack), plus the final collection handed to Rust.

import { makeRecorder } from './cdk.js';
import { collectData } from './data.js';
import {
  AmplifyUserError,
  FACTORY,
  callSite,
  fail,
  isFactory,
  isRecorder,
  isSecret,
  plainError,
  serialize,
  state,
  warnOnce,
} from './state.js';

const DEFAULT_OUTPUT_VERSION = '1.4';

const IMPORT_PATHS = {
  auth: ['amplify/auth/resource', 'Amplify Auth must be defined in amplify/auth/resource.ts'],
  data: ['amplify/data/resource', 'Amplify Data must be defined in amplify/data/resource.ts'],
  storage: ['amplify/storage/resource', 'Amplify Storage must be defined in amplify/storage/resource.ts'],
};

/** ToggleableImportPathVerifier: the calling file, without extension, must end with `suffix`. */
const verifyImportPath = (factory) => {
  const rule = IMPORT_PATHS[factory[FACTORY]];
  const file = factory.location?.file;
  if (!rule || typeof file !== 'string') return;
  const slash = file.lastIndexOf('/');
  const dot = file.lastIndexOf('.');
  const withoutExtension = dot > slash ? file.slice(0, dot) : file;
  if (!withoutExtension.endsWith(rule[0])) throw plainError(rule[1], factory.location);
};

const semverMajor = (v) => {
  const m = String(v).match(/(\d+)(?:\.(\d+))?(?:\.(\d+))?/);
  return m ? [Number(m[1]), Number(m[2] ?? 0), Number(m[3] ?? 0)] : undefined;
};

const gte = (a, b) => a[0] !== b[0] ? a[0] > b[0] : a[1] !== b[1] ? a[1] > b[1] : a[2] >= b[2];

/** ObjectAccumulator.accumulate of @aws-amplify/platform-core (lodash.mergewith semantics). */
const accumulate = (target, part, location) => {
  for (const key of Object.keys(part)) {
    const incoming = part[key];
    const existing = target[key];
    if (Array.isArray(existing)) {
      target[key] = existing.concat(incoming);
      continue;
    }
    if (existing !== undefined && existing !== null && existing !== '' && existing !== 0 && existing !== false && typeof existing !== 'object') {
      if (key === 'version') {
        const inc = semverMajor(incoming);
        const ex = semverMajor(existing);
        if (inc && ex) {
          if (inc[0] !== ex[0]) {
            fail(
              'VersionMismatchError',
              {
                message: 'Conflicting versions of client configuration found.',
                resolution:
                  "Ensure that the version specified in 'backend.addOutput' is consistent and is same as the one used for generating the client config",
              },
              location,
            );
          }
          target[key] = gte(inc, ex) ? incoming : existing;
          continue;
        }
      } else {
        fail(
          'OutputEntryAlreadyExistsError',
          {
            message: `Output entry with key ${key} already exists`,
            resolution: "Check if 'backend.addOutput' is called multiple times with overlapping inputs",
          },
          location,
        );
      }
    }
    if (incoming !== null && typeof incoming === 'object' && !Array.isArray(incoming)) {
      if (existing === null || typeof existing !== 'object' || Array.isArray(existing)) {
        target[key] = accumulate({}, incoming, location);
      } else {
        accumulate(existing, incoming, location);
      }
    } else if (incoming !== undefined) {
      target[key] = incoming;
    }
  }
  return target;
};

const tokensIn = (value, path, location) => {
  if (isRecorder(value)) {
    warnOnce(
      `output-token:${path}`,
      `backend.addOutput: ${path} is a CDK token; stratus passes it on as {"$cdk": "..."}`,
      location,
    );
    return;
  }
  if (value && typeof value === 'object' && !isSecret(value)) {
    for (const [k, v] of Object.entries(value)) tokensIn(v, `${path}.${k}`, location);
  }
};

const addOutput = (part) => {
  const location = callSite();
  if (part === null || typeof part !== 'object') throw plainError('backend.addOutput expects an object', location);
  tokensIn(part, 'addOutput', location);
  const data = serialize(part);
  if (!data.version) data.version = DEFAULT_OUTPUT_VERSION;
  state.outputs = accumulate(state.outputs ?? {}, data, location);
};

const createStack = (name) => {
  const location = callSite();
  if (state.stacks.has(name)) throw plainError(`Custom stack named ${name} has already been created`, location);
  state.stacks.add(name);
  const path = `backend.createStack(${JSON.stringify(name)})`;
  warnOnce(path, `ignored: ${path} - resources in custom CDK stacks are not created by stratus`, location);
  return makeRecorder(path);
};

const functionFacade = (key, factory) =>
  makeRecorder(`backend.${key}`, undefined, {
    name: factory.name,
    addEnvironment: (name, value) => {
      const location = callSite();
      if (!factory.raw) return;
      if (!/^[a-zA-Z]([a-zA-Z0-9_])+$/.test(name)) {
        fail(
          'InvalidEnvironmentKeyError',
          {
            message: `Invalid function environment key(s): ${name}`,
            resolution: 'Environment keys must match [a-zA-Z]([a-zA-Z0-9_])+ and be at least 2 characters',
          },
          location,
        );
      }
      if (name in factory.raw.environment) {
        throw plainError(`Function ${factory.name} already has an environment variable ${name}`, location);
      }
      factory.raw.environment[name] = serialize(value);
    },
  });

export function defineBackend(constructFactories) {
  const location = callSite();
  if (state.backend) throw plainError('defineBackend can only be called once', location);
  if (constructFactories === null || typeof constructFactories !== 'object') {
    throw plainError('defineBackend expects an object of resources, e.g. defineBackend({ auth, data })', location);
  }
  const entries = Object.entries(constructFactories);
  for (const [key, factory] of entries) {
    if (!isFactory(factory)) {
      throw plainError(
        `defineBackend: '${key}' is not a resource created by defineAuth, defineData, defineStorage or defineFunction`,
        location,
      );
    }
    verifyImportPath(factory);
  }
  state.backend = { entries, location };
  const backend = {};
  for (const [key, factory] of entries) {
    backend[key] = factory[FACTORY] === 'function' ? functionFacade(key, factory) : makeRecorder(`backend.${key}`);
  }
  backend.createStack = createStack;
  backend.addOutput = addOutput;
  backend.stack = makeRecorder('backend.stack');
  return backend;
}

/** Every `{"$function": name}` inside a raw value. */
const referencedFunctions = (value, out) => {
  if (Array.isArray(value)) value.forEach((v) => referencedFunctions(v, out));
  else if (value && typeof value === 'object') {
    if (typeof value.$function === 'string') out.add(value.$function);
    else Object.values(value).forEach((v) => referencedFunctions(v, out));
  }
  return out;
};

const checkDefaultStorage = (storage) => {
  const defaults = storage.filter((s) => s.raw.isDefault);
  if (defaults.length > 1) {
    fail(
      'MultipleDefaultStorageError',
      {
        message: 'More than one default storage set in the Amplify project.',
        resolution: 'Remove `isDefault: true` from all `defineStorage` calls except for one in your Amplify project.',
      },
      defaults[1].location,
    );
  }
  if (defaults.length === 0 && storage.length > 1) {
    fail(
      'NoDefaultStorageError',
      {
        message: 'No default storage set in the Amplify project.',
        resolution: 'Add `isDefault: true` to one of the `defineStorage` calls in your Amplify project.',
      },
      storage[0].location,
    );
  }
};

/** Everything Rust needs, as plain JSON data. */
const collect = () => {
  if (!state.backend) {
    throw plainError('amplify/backend.ts must call defineBackend({ ... })', { file: 'amplify/backend.ts', line: 1, column: 1 });
  }
  const included = new Set(state.backend.entries.map(([, f]) => f));
  const resources = {};
  for (const [key, factory] of state.backend.entries) resources[key] = factory[FACTORY];

  const auth = [...included].find((f) => f[FACTORY] === 'auth');
  const dataFactory = [...included].find((f) => f[FACTORY] === 'data');
  const storage = [...included].filter((f) => f[FACTORY] === 'storage');
  checkDefaultStorage(storage);
  const storageRaw = storage.map((s) => ({
    ...s.raw,
    isDefault: s.raw.isDefault || storage.length === 1,
  }));
  const data = dataFactory ? collectData(dataFactory) : undefined;

  // Functions passed to defineBackend plus every function another resource refers to.
  const wanted = new Set(
    [...included].filter((f) => f[FACTORY] === 'function' && !f.provided).map((f) => f.name),
  );
  const refs = new Set();
  referencedFunctions(auth?.raw, refs);
  referencedFunctions(storageRaw, refs);
  referencedFunctions(data, refs);
  for (const name of refs) wanted.add(name);
  const functions = [];
  const byName = new Map();
  for (const factory of state.functions) {
    if (!wanted.has(factory.name)) continue;
    const previous = byName.get(factory.name);
    if (previous && previous !== factory) {
      throw plainError(
        `There is already a function named '${factory.name}' (defined at ${previous.location?.file}:${previous.location?.line})`,
        factory.location,
      );
    }
    if (previous) continue;
    byName.set(factory.name, factory);
    functions.push(factory.raw);
  }

  return {
    resources,
    auth: auth ? auth.raw : null,
    data: data ?? null,
    storage: storageRaw,
    functions,
    customOutputs: state.outputs ?? null,
    warnings: state.warnings,
  };
};

globalThis.__stratusCollect = () => JSON.stringify(collect());

export { AmplifyUserError };
