import { defineStorage } from '@aws-amplify/backend';

export const storage = defineStorage({
  name: 'teamFiles',
  access: (allow) => ({
    'public/*': [allow.guest.to(['read']), allow.authenticated.to(['read', 'write', 'delete'])],
    'editors/*': [allow.groups(['Editors']).to(['read', 'write', 'delete'])],
  }),
});
