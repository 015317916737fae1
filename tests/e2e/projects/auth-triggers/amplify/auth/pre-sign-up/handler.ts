import type { PreSignUpTriggerHandler } from 'aws-lambda';
import { record } from '../journal';

/** Auto-confirms one domain, refuses another. */
export const handler: PreSignUpTriggerHandler = async (event) => {
  record('pre-sign-up', event);
  const email = event.request.userAttributes.email ?? '';
  const domain = email.split('@')[1];
  if (domain === 'blocked.example.com') {
    throw new Error(`sign-ups from ${domain} are closed`);
  }
  if (domain === 'auto.example.com') {
    event.response.autoConfirmUser = true;
    event.response.autoVerifyEmail = true;
  }
  return event;
};
