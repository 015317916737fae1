import { defineAuth } from '@aws-amplify/backend';

export const auth = defineAuth({
  loginWith: {
    phone: {
      otpLogin: true,
      verificationMessage: (createCode) => `Your SMS sign-up code is ${createCode()}`,
    },
  },
});
