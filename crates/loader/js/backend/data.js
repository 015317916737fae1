// defineData: singleton check; the schema is transformed when the backend is collected
// (like the real DataFactory, which transforms in getInstance).

import { dirname, join, toProjectPath } from './path.js';
import { mergeSchemas } from './sdl.js';
import {
  FACTORY,
  callSite,
  fail,
  functionRef,
  isFactory,
  isRecorder,
  plainError,
  serialize,
  state,
  unsupportedGetInstance,
  validateResourceName,
} from './state.js';

export function defineData(props) {
  const location = callSite();
  if (state.data) {
    fail(
      'MultipleSingletonResourcesError',
      {
        message: 'Multiple `defineData` calls are not allowed within an Amplify backend',
        resolution: 'Remove all but one `defineData` call',
      },
      location,
    );
  }
  if (!props || typeof props !== 'object' || props.schema === undefined) {
    throw plainError('defineData requires a schema', location);
  }
  if (props.name) validateResourceName(props.name, location);
  const factory = { [FACTORY]: 'data', getInstance: unsupportedGetInstance, name: props.name ?? 'amplifyData', props, location };
  state.data = factory;
  return factory;
}

const isDataSchema = (schema) =>
  schema !== null && typeof schema === 'object' && typeof schema.transform === 'function';

const isCombinedSchema = (schema) =>
  schema !== null && typeof schema === 'object' && Array.isArray(schema.schemas);

const toFunctionRef = (value, what, location) => {
  if (isFactory(value, 'function')) return functionRef(value);
  if (isRecorder(value)) return serialize(value);
  if (typeof value === 'string') return { $functionName: value };
  throw plainError(`${what} must be a function created with defineFunction`, location);
};

/** A stack-trace line ("at x (/abs/file.ts:1:2)") or a location object → project-relative file. */
const importingFile = (importLine) => {
  if (importLine && typeof importLine === 'object' && typeof importLine.file === 'string') return importLine.file;
  if (typeof importLine === 'string') {
    const m = importLine.match(/\(?((?:file:\/\/)?[^()\s]+?):\d+:\d+\)?\s*$/);
    if (m) return toProjectPath(m[1].replace(/^file:\/\//, ''));
  }
  return undefined;
};

const resolveHandlerEntry = (entry, location) => {
  if (typeof entry === 'string') return toProjectPath(entry);
  if (entry && typeof entry === 'object' && typeof entry.relativePath === 'string') {
    const file = importingFile(entry.importLine ?? entry.location) ?? location?.file;
    if (!file) throw plainError(`cannot resolve handler entry ${entry.relativePath}`, location);
    return join(dirname(file), entry.relativePath);
  }
  throw plainError('a.handler.custom entry must be a path', location);
};

const transformOne = (schema, location) => {
  if (typeof schema === 'string') {
    return {
      schema,
      jsFunctions: [],
      lambdaFunctions: {},
      functionSchemaAccess: [],
      customSqlDataSourceStrategies: [],
    };
  }
  if (!isDataSchema(schema)) {
    throw plainError('defineData schema must be a.schema(...), a.combine([...]) or a GraphQL string', location);
  }
  return schema.transform();
};

/** Transform the schema (string, a.schema(...) or a.combine([...])) into JSON for Rust. */
const transformSchema = (schema, location) => {
  const parts = isCombinedSchema(schema) ? schema.schemas : [schema];
  const kind = typeof schema === 'string' ? 'string' : isCombinedSchema(schema) ? 'combined' : 'builder';
  const out = {
    kind,
    sdl: [],
    jsFunctions: [],
    lambdaFunctions: {},
    functionSchemaAccess: [],
    customSqlDataSourceStrategies: [],
  };
  for (const part of parts) {
    const derived = transformOne(part, location);
    out.sdl.push(derived.schema);
    for (const fn of derived.jsFunctions ?? []) {
      out.jsFunctions.push({
        typeName: fn.typeName,
        fieldName: fn.fieldName,
        handlers: (fn.handlers ?? []).map((h) => ({
          dataSource: typeof h.dataSource === 'string' ? h.dataSource : serialize(h.dataSource),
          entry: resolveHandlerEntry(h.entry, location),
        })),
      });
    }
    for (const [name, fn] of Object.entries(derived.lambdaFunctions ?? {})) {
      out.lambdaFunctions[name] = toFunctionRef(fn, `handler ${name}`, location);
    }
    for (const access of derived.functionSchemaAccess ?? []) {
      out.functionSchemaAccess.push({
        function: toFunctionRef(access.resourceProvider, 'allow.resource()', location),
        actions: [...(access.actions ?? [])],
      });
    }
    out.customSqlDataSourceStrategies.push(...serialize(derived.customSqlDataSourceStrategies ?? []));
  }
  // AmplifyGraphqlDefinition.combine: one definition is used as is, several are merged.
  out.sdl = out.sdl.length === 1 ? out.sdl[0] : mergeSchemas(out.sdl);
  return out;
};

/** The raw JSON of the data resource, with the schema transformed. */
export const collectData = (factory) => {
  const { props, location } = factory;
  let schema;
  try {
    schema = transformSchema(props.schema, location);
  } catch (error) {
    if (error && typeof error === 'object' && !error.stratusLocation && location) {
      error.stratusLocation = location;
    }
    throw error;
  }
  const raw = serialize({ ...props, schema: undefined, functions: undefined, authorizationModes: undefined });
  raw.name = factory.name;
  raw.schema = schema;
  if (props.authorizationModes !== undefined) {
    const modes = { ...props.authorizationModes };
    const lambda = modes.lambdaAuthorizationMode;
    if (lambda) {
      modes.lambdaAuthorizationMode = {
        ...lambda,
        function: toFunctionRef(lambda.function, 'lambdaAuthorizationMode.function', location),
      };
    }
    raw.authorizationModes = serialize(modes);
  }
  if (props.functions !== undefined) {
    raw.functions = {};
    for (const [name, fn] of Object.entries(props.functions)) {
      raw.functions[name] = toFunctionRef(fn, `functions.${name}`, location);
    }
  }
  raw.$location = location;
  const modesSite = location?.properties?.authorizationModes;
  if (modesSite) raw.$propertyLocations = { authorizationModes: modesSite };
  return raw;
};
