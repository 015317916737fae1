import { defineData, defineFunction } from '@aws-amplify/backend';
import { schema } from './schema';
const authFn = defineFunction({ name: 'authFn', entry: '../functions/echo/handler.ts' });
export const data = defineData({
  schema,
  authorizationModes: {
    defaultAuthorizationMode: 'userPool',
    apiKeyAuthorizationMode: { expiresInDays: 30 },
    oidcAuthorizationMode: { oidcProviderName: 'p', oidcIssuerUrl: 'https://issuer.example.com', tokenExpiryFromAuthInSeconds: 300, tokenExpireFromIssueInSeconds: 600 },
    lambdaAuthorizationMode: { function: authFn, timeToLiveInSeconds: 60 },
  },
});
