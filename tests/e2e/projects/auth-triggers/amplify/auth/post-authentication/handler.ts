import type { PostAuthenticationTriggerHandler } from 'aws-lambda';
import { record } from '../journal';

export const handler: PostAuthenticationTriggerHandler = async (event) => {
  record('post-authentication', event);
  return event;
};
