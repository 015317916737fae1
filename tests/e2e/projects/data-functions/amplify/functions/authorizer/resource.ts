import { defineFunction } from '@aws-amplify/backend';

export const authorizer = defineFunction({
  name: 'authorizer',
  entry: './handler.ts',
});
