import { defineBackend } from '@aws-amplify/backend';
import { auth } from './auth/resource';

/** Every user-pool Lambda trigger but the custom-auth ones, as Amplify's docs write them. */
defineBackend({ auth });
