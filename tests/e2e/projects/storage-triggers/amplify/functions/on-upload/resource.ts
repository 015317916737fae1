import { defineFunction, secret } from '@aws-amplify/backend';

export const onUpload = defineFunction({
  name: 'on-upload',
  // Long enough to wait for the test's release file (see handler.ts).
  timeoutSeconds: 30,
  environment: {
    TRIGGER_TAG: secret('TRIGGER_TAG'),
  },
});
