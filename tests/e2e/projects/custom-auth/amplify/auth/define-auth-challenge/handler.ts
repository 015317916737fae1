import type { DefineAuthChallengeTriggerHandler } from 'aws-lambda';

/** Password first when the client used SRP, then up to three tries at the custom challenge. */
export const handler: DefineAuthChallengeTriggerHandler = async (event) => {
  const session = event.request.session;
  const last = session.at(-1);
  if (event.request.userNotFound) {
    event.response.issueTokens = false;
    event.response.failAuthentication = true;
    return event;
  }
  if (last?.challengeName === 'SRP_A') {
    event.response.challengeName = 'PASSWORD_VERIFIER';
  } else if (last?.challengeName === 'PASSWORD_VERIFIER' && !last.challengeResult) {
    event.response.failAuthentication = true;
  } else if (last?.challengeName === 'CUSTOM_CHALLENGE' && last.challengeResult) {
    event.response.issueTokens = true;
    event.response.failAuthentication = false;
  } else if (session.filter((s) => s.challengeName === 'CUSTOM_CHALLENGE').length >= 3) {
    event.response.issueTokens = false;
    event.response.failAuthentication = true;
  } else {
    event.response.challengeName = 'CUSTOM_CHALLENGE';
  }
  return event;
};
