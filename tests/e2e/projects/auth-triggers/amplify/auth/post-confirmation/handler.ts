import type { PostConfirmationTriggerHandler } from 'aws-lambda';
import { addToGroup, record } from '../journal';

/** Every confirmed user joins "members" (pre-token-generation puts it in the tokens). */
export const handler: PostConfirmationTriggerHandler = async (event) => {
  record('post-confirmation', event);
  if (event.triggerSource === 'PostConfirmation_ConfirmSignUp') {
    addToGroup(event.userPoolId, event.userName, 'members');
  }
  return event;
};
