import { defineAuth } from '@aws-amplify/backend';

export const auth = defineAuth({
  loginWith: {
    email: {
      otpLogin: true,
      verificationEmailSubject: 'Confirm your Passwordless account',
      verificationEmailBody: (createCode) => `Passwordless sign-up code: ${createCode()}`,
    },
  },
});
