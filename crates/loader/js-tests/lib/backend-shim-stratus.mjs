// `@aws-amplify/backend` for the tests: Stratus's own `a` builder.
export { a } from '../../js/data/index.js';
export * from './backend-stubs.mjs';
