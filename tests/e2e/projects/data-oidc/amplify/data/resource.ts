import { a, defineData, type ClientSchema } from '@aws-amplify/backend';

const schema = a.schema({
  Note: a
    .model({ text: a.string().required() })
    .authorization((allow) => [
      allow.owner('oidc').identityClaim('sub'),
      allow.groups(['Editors'], 'oidc').to(['read']),
    ]),
});

export type Schema = ClientSchema<typeof schema>;

export const data = defineData({
  schema,
  authorizationModes: {
    defaultAuthorizationMode: 'oidc',
    oidcAuthorizationMode: {
      oidcProviderName: 'E2EIdP',
      oidcIssuerUrl: 'STRATUS_E2E_ISSUER',
      clientId: 'stratus-e2e-client',
      tokenExpiryFromAuthInSeconds: 300,
      tokenExpireFromIssueInSeconds: 600,
    },
  },
});
