import { a, defineData, type ClientSchema } from '@aws-amplify/backend';

const schema = a.schema({
  Memo: a
    .model({ text: a.string() })
    .authorization((allow) => [allow.owner()]),
});

export type Schema = ClientSchema<typeof schema>;

export const data = defineData({
  schema,
  authorizationModes: { defaultAuthorizationMode: 'userPool' },
});
