import { defineBackend } from '@aws-amplify/backend';
import { auth } from './auth/resource';

/** Custom authentication (CUSTOM_AUTH) with the three challenge triggers, as Amplify's docs show. */
defineBackend({ auth });
