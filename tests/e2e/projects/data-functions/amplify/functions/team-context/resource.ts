import { defineFunction } from '@aws-amplify/backend';

export const teamContext = defineFunction({
  name: 'team-context',
  entry: './handler.ts',
});
