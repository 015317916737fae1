// defineFunction: validation and defaults of @aws-amplify/backend-function, with the entry and
// default name resolved relative to the calling file.

import { dirname, basename, join, isAbsolute, stem, toProjectPath } from './path.js';
import { parseSchedules } from './schedule.js';
import {
  FACTORY,
  callSite,
  fail,
  plainError,
  serialize,
  state,
  unsupportedGetInstance,
  validateResourceName,
  warnOnce,
} from './state.js';

const RUNTIMES = [18, 20, 22, 24];
const ARCHITECTURES = ['arm64', 'x86_64'];
const ENV_KEY = /^[a-zA-Z]([a-zA-Z0-9_])+$/;
const LAYER_ARN = /arn:[a-zA-Z0-9-]+:lambda:[a-zA-Z0-9-]+:\d{12}:layer:[a-zA-Z0-9-_]+:[0-9]+/;
const LAYER_NAME_VERSION = /^[a-zA-Z0-9-_]+:[0-9]+$/;

const isWholeNumberBetweenInclusive = (test, min, max) =>
  min <= test && test <= max && test % 1 === 0;

const checkRange = (value, fallback, min, max, errorName, label, location) => {
  if (value === undefined) return fallback;
  if (!isWholeNumberBetweenInclusive(value, min, max)) {
    fail(
      errorName,
      {
        message: `Invalid function ${label} of ${value}`,
        resolution: `${label} must be a whole number between ${min} and ${max} inclusive`,
      },
      location,
    );
  }
  return value;
};

const callerDirectory = (location) => {
  if (!location) {
    throw plainError(
      'Could not determine import path to construct absolute code path from relative path. Consider using an absolute path instead.',
    );
  }
  return dirname(location.file);
};

const resolveName = (props, location) => {
  if (props.name) return props.name;
  if (props.entry) return stem(props.entry);
  return basename(callerDirectory(location));
};

const resolveEntry = (props, location) => {
  if (!props.entry) return join(callerDirectory(location), 'handler.ts');
  if (isAbsolute(props.entry)) return toProjectPath(props.entry);
  return join(callerDirectory(location), props.entry);
};

const validateEnvironment = (environment, location) => {
  if (environment === undefined) return {};
  const invalid = Object.keys(environment).filter((key) => !ENV_KEY.test(key));
  if (invalid.length > 0) {
    fail(
      'InvalidEnvironmentKeyError',
      {
        message: `Invalid function environment key(s): ${invalid.join(', ')}`,
        resolution: 'Environment keys must match [a-zA-Z]([a-zA-Z0-9_])+ and be at least 2 characters',
      },
      location,
    );
  }
  return environment;
};

const validateLayers = (layers, name, location) => {
  const unique = new Set();
  for (const value of Object.values(layers)) {
    if (!(LAYER_ARN.test(value) || LAYER_NAME_VERSION.test(value))) {
      fail(
        'InvalidLayerFormatError',
        {
          message: `Invalid format for layer: ${value}`,
          resolution: `Layer must be either a full ARN (arn:aws:lambda:<region>:<account>:layer:<name>:<version>) or name:version format for function: ${name}`,
        },
        location,
      );
    }
    unique.add(value);
  }
  if (unique.size > 5) {
    fail(
      'MaximumLayersReachedError',
      {
        message: `A maximum of 5 unique layers can be attached to a function. Found ${unique.size} for function: ${name}`,
        resolution: 'Remove layers from the function definition',
      },
      location,
    );
  }
};

const validateDurableConfig = (durableConfig, runtime, location) => {
  if (!durableConfig) return undefined;
  const { executionTimeoutSeconds, retentionPeriodDays } = durableConfig;
  if (!isWholeNumberBetweenInclusive(executionTimeoutSeconds, 1, 31_622_400)) {
    fail(
      'InvalidDurableFunctionExecutionTimeoutError',
      {
        message: `Invalid durable function execution timeout of ${executionTimeoutSeconds}`,
        resolution:
          'durableConfig.executionTimeoutSeconds must be a whole number between 1 and 31622400 inclusive',
      },
      location,
    );
  }
  if (retentionPeriodDays !== undefined && !isWholeNumberBetweenInclusive(retentionPeriodDays, 1, 90)) {
    fail(
      'InvalidDurableFunctionRetentionPeriodError',
      {
        message: `Invalid durable function retention period of ${retentionPeriodDays}`,
        resolution: 'durableConfig.retentionPeriodDays must be a whole number between 1 and 90 inclusive',
      },
      location,
    );
  }
  if (runtime < 22) {
    fail(
      'UnsupportedDurableFunctionRuntimeError',
      {
        message: `Durable functions require runtime 22 or higher. Current runtime is ${runtime}.`,
        resolution: 'Set the function runtime to 22 or higher to use durable functions.',
      },
      location,
    );
  }
  return { executionTimeoutSeconds, retentionPeriodDays: retentionPeriodDays ?? 14 };
};

const hydrate = (props, location) => {
  const name = resolveName(props, location);
  validateResourceName(name, location);
  const entry = resolveEntry(props, location);
  if (typeof globalThis.__stratusFileExists === 'function' && !globalThis.__stratusFileExists(entry)) {
    throw plainError(`Cannot find entry file at ${entry}`, location);
  }
  const timeoutSeconds = checkRange(props.timeoutSeconds, 3, 1, 900, 'InvalidTimeoutError', 'timeout', location);
  const memoryMB = checkRange(props.memoryMB, 512, 128, 10240, 'InvalidMemoryMBError', 'memoryMB', location);
  const ephemeralStorageSizeMB = checkRange(
    props.ephemeralStorageSizeMB,
    512,
    512,
    10240,
    'InvalidEphemeralStorageSizeMBError',
    'ephemeralStorageSizeMB',
    location,
  );
  const environment = validateEnvironment(props.environment, location);
  let runtime = 22;
  if (props.runtime) {
    if (!RUNTIMES.includes(props.runtime)) {
      fail(
        'InvalidRuntimeError',
        {
          message: `Invalid function runtime of ${props.runtime}`,
          resolution: `runtime must be one of the following: ${RUNTIMES.join(', ')}`,
        },
        location,
      );
    }
    runtime = props.runtime;
  }
  let architecture = 'x86_64';
  if (props.architecture) {
    if (!ARCHITECTURES.includes(props.architecture)) {
      fail(
        'InvalidArchitectureError',
        {
          message: `Invalid function architecture of ${props.architecture}`,
          resolution: `architecture must be one of the following: ${ARCHITECTURES.join(', ')}`,
        },
        location,
      );
    }
    architecture = props.architecture;
  }
  const layers = props.layers ?? {};
  validateLayers(layers, name, location);
  const durableConfig = validateDurableConfig(props.durableConfig, runtime, location);
  let schedules;
  try {
    schedules = parseSchedules(props.schedule, timeoutSeconds);
  } catch (error) {
    throw plainError(error instanceof Error ? error.message : String(error), location);
  }
  const raw = {
    name,
    entry,
    timeoutSeconds,
    memoryMB,
    ephemeralStorageSizeMB,
    runtime,
    architecture,
    environment: serialize(environment),
    layers: serialize(layers),
    bundling: { minify: props.bundling?.minify === undefined ? true : props.bundling.minify },
    resourceGroupName: props.resourceGroupName ?? 'function',
    logging: serialize(props.logging ?? {}),
    schedules,
    $location: location,
  };
  if (props.schedule !== undefined) raw.schedule = serialize(props.schedule);
  if (durableConfig) raw.durableConfig = durableConfig;
  return raw;
};

let providedCount = 0;

/** `defineFunction(props)` or `defineFunction((scope) => IFunction, providerProps)`. */
export function defineFunction(propsOrProvider = {}, providerProps) {
  const location = callSite();
  if (typeof propsOrProvider === 'function') {
    providedCount += 1;
    const name = `provided-function-${providedCount}`;
    warnOnce(
      `provided:${location?.file}:${location?.line}`,
      'ignored: defineFunction with a CDK function provider - stratus only runs Node.js functions defined with defineFunction({ entry })',
      location,
    );
    const factory = {
      [FACTORY]: 'function',
      name,
      provided: true,
      getInstance: unsupportedGetInstance,
      resourceGroupName: providerProps?.resourceGroupName ?? 'function',
      location,
    };
    return factory;
  }
  const props = propsOrProvider ?? {};
  const raw = hydrate(props, location);
  const factory = {
    [FACTORY]: 'function',
    name: raw.name,
    getInstance: unsupportedGetInstance,
    raw,
    location,
  };
  state.functions.push(factory);
  return factory;
}
