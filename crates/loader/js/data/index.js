// Stratus implementation of the `a` schema builder of @aws-amplify/data-schema 1.26.2.
//
// Plain ES2020 modules, no host APIs (runs in QuickJS inside the stratus binary). The host may
// install `globalThis.__stratusCallSite()` → `{ file, line, column } | undefined` (the user's
// call site, file relative to the project root); builders record it so that errors thrown by
// `schema.transform()` carry `stratusLocation`. See README.md in this directory.
import { aiModel, conversation, dataTool } from './ai.js';
import {
  boolean,
  date,
  datetime,
  email,
  float,
  id,
  integer,
  ipAddress,
  json,
  phone,
  string,
  time,
  timestamp,
  url,
} from './fields.js';
import { generation, handler, mutation, query, subscription } from './operations.js';
import { processSchema } from './processor/index.js';
import { combine, configure, schema } from './schema.js';
import { belongsTo, customType, enumType, hasMany, hasOne, model, ref } from './types.js';

export const a = Object.freeze({
  schema,
  combine,
  model,
  ref,
  customType,
  enum: enumType,
  query,
  mutation,
  subscription,
  hasOne,
  hasMany,
  belongsTo,
  id,
  string,
  integer,
  float,
  boolean,
  date,
  time,
  datetime,
  timestamp,
  email,
  json,
  phone,
  url,
  ipAddress,
  conversation,
  generation,
  ai: Object.freeze({ model: aiModel, dataTool }),
  handler,
});

/** A TypeScript type in the real package; nothing at runtime. */
export const ClientSchema = undefined;

/** `@aws-amplify/data-schema/internals`: `configure({ database }).schema({...})` for SQL. */
export { configure };

/** Whether `value` is what `a.schema(...)` / `configure(...).schema(...)` returns. */
export function isDataSchema(value) {
  return (
    value !== null &&
    typeof value === 'object' &&
    'transform' in value &&
    typeof value.transform === 'function'
  );
}

/** Whether `value` is what `a.combine([...])` returns (`value.schemas` are the parts). */
export function isCombinedSchema(value) {
  return (
    value !== null && typeof value === 'object' && 'schemas' in value && Array.isArray(value.schemas)
  );
}

/** The transform of a schema object `{ data, context? }` (what `schema.transform()` calls). */
export { processSchema };
