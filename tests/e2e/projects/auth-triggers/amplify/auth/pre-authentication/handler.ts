import type { PreAuthenticationTriggerHandler } from 'aws-lambda';
import { record } from '../journal';

export const handler: PreAuthenticationTriggerHandler = async (event) => {
  record('pre-authentication', event);
  if (event.request.userAttributes.email?.startsWith('suspended-')) {
    throw new Error('this account is suspended');
  }
  return event;
};
