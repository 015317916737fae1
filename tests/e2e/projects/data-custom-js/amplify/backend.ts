import { defineBackend } from '@aws-amplify/backend';
import { auth } from './auth/resource';
import { data } from './data/resource';

/**
 * AppSync JavaScript resolvers (a.handler.custom) for tests/e2e/tests/data-custom-js.test.mjs:
 * a NONE-data-source echo, the Amplify docs' "increment a like counter" with ddb.update, a
 * TypeScript query on a secondary index, a put that records the caller's identity, util.error,
 * and a custom subscription whose handler sets a subscription filter.
 */
defineBackend({ auth, data });
