import { defineAuth } from '@aws-amplify/backend';

export const auth = defineAuth({
  loginWith: {
    email: {
      verificationEmailStyle: 'CODE',
      verificationEmailSubject: 'Welcome to Notes',
      verificationEmailBody: (createCode) => `Your Notes code is ${createCode()}`,
    },
  },
  userAttributes: {
    preferredUsername: { required: false, mutable: true },
  },
  groups: ['Admins', 'Editors'],
  multifactor: { mode: 'OPTIONAL', totp: true },
});
