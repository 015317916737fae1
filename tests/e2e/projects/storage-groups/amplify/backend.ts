import { defineBackend } from '@aws-amplify/backend';
import { auth } from './auth/resource';
import { data } from './data/resource';
import { storage } from './storage/resource';

/**
 * A bucket with a group-only path, for the storage end-to-end tests (the data resource is
 * there because the e2e harness waits for `data.url` in the outputs).
 */
defineBackend({ auth, data, storage });
