// The built-in `@aws-amplify/backend` module of stratus.
export { a } from '../data/index.js';
export { defineBackend } from './backend.js';
export { defineAuth, referenceAuth } from './auth.js';
export { defineData } from './data.js';
export { defineStorage } from './storage.js';
export { defineFunction } from './function.js';
export { secret } from './secret.js';

/** `ClientSchema` is a type; this value only keeps `import { ClientSchema }` from failing. */
export const ClientSchema = undefined;
