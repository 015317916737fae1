import { defineFunction } from '@aws-amplify/backend';

export const post = defineFunction({
  name: 'post',
  entry: './handler.ts',
});
