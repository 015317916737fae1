// `@aws-amplify/backend` for the tests: the real `a` of @aws-amplify/data-schema (from ORACLE_DIR).
import { pathToFileURL } from 'node:url';
import { REAL_DATA_SCHEMA } from './env.mjs';

export const { a } = await import(pathToFileURL(REAL_DATA_SCHEMA).href);
export * from './backend-stubs.mjs';
