import { defineFunction } from '@aws-amplify/backend';

export const audit = defineFunction({
  name: 'audit',
  entry: './handler.ts',
});
