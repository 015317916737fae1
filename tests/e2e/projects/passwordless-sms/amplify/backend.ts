import { defineBackend } from '@aws-amplify/backend';
import { auth } from './auth/resource';
import { data } from './data/resource';

/** Passwordless sign-in with SMS codes (USER_AUTH), for the auth end-to-end tests. */
defineBackend({ auth, data });
