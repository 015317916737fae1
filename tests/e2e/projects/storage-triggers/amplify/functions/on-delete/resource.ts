import { defineFunction, secret } from '@aws-amplify/backend';

export const onDelete = defineFunction({
  name: 'on-delete',
  environment: {
    TRIGGER_TAG: secret('TRIGGER_TAG'),
  },
});
