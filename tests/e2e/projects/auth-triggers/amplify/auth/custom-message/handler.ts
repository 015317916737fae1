import type { CustomMessageTriggerHandler } from 'aws-lambda';
import { record } from '../journal';

export const handler: CustomMessageTriggerHandler = async (event) => {
  record('custom-message', event);
  const { codeParameter, userAttributes } = event.request;
  if (event.triggerSource === 'CustomMessage_SignUp') {
    event.response.emailSubject = 'Welcome to Triggers';
    event.response.emailMessage = `Hello ${userAttributes.email}, your code is ${codeParameter}`;
  } else if (event.triggerSource === 'CustomMessage_ForgotPassword') {
    event.response.emailSubject = 'Reset your Triggers password';
    event.response.emailMessage = `Your reset code: ${codeParameter}`;
  }
  return event;
};
