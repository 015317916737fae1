import { defineBackend } from '@aws-amplify/backend';
import { auth } from './auth/resource';
import { data } from './data/resource';
import { audit } from './functions/audit/resource';
import { authorizer } from './functions/authorizer/resource';
import { counter } from './functions/counter/resource';
import { echo } from './functions/echo/resource';
import { fail } from './functions/fail/resource';
import { post } from './functions/post/resource';
import { teamContext } from './functions/team-context/resource';
import { whoami } from './functions/whoami/resource';

/**
 * Custom queries and mutations backed by defineFunction handlers, a custom subscription fired
 * by a function-backed mutation, and the Lambda authorization mode, for
 * tests/e2e/tests/data-functions.test.mjs.
 */
defineBackend({ auth, data, audit, authorizer, counter, echo, fail, post, teamContext, whoami });
