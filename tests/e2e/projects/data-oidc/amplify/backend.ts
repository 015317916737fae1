import { defineBackend } from '@aws-amplify/backend';
import { data } from './data/resource';

/**
 * A data API whose only authorization mode is an OpenID Connect provider, for
 * tests/e2e/tests/data-oidc.test.mjs. The test copies this project and replaces
 * STRATUS_E2E_ISSUER with the URL of the issuer it runs.
 */
defineBackend({ data });
