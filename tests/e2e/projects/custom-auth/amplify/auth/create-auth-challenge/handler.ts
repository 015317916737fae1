import type { CreateAuthChallengeTriggerHandler } from 'aws-lambda';
import { question } from './questions';

export const handler: CreateAuthChallengeTriggerHandler = async (event) => {
  if (event.request.challengeName === 'CUSTOM_CHALLENGE') {
    const attempt = event.request.session.filter((s) => s.challengeName === 'CUSTOM_CHALLENGE').length + 1;
    if (event.request.clientMetadata?.explode === 'yes') {
      throw new Error('the question machine is broken');
    }
    const { text, answer } = question(attempt);
    event.response.publicChallengeParameters = { question: text, attempt: String(attempt), email: event.request.userAttributes.email };
    event.response.privateChallengeParameters = { answer };
    event.response.challengeMetadata = `QUESTION-${attempt}`;
  }
  return event;
};
