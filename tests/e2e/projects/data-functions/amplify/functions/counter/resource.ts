import { defineFunction } from '@aws-amplify/backend';

export const counter = defineFunction({
  name: 'counter',
  entry: './handler.ts',
});
