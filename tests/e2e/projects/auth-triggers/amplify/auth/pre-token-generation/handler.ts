import type { PreTokenGenerationTriggerHandler } from 'aws-lambda';
import { groupsOf, record } from '../journal';

/** Adds claims to the id token and the groups post-confirmation gave to both tokens. */
export const handler: PreTokenGenerationTriggerHandler = async (event) => {
  record('pre-token-generation', event);
  const groups = event.request.groupConfiguration.groupsToOverride ?? [];
  event.response = {
    claimsOverrideDetails: {
      claimsToAddOrOverride: { tier: 'gold', token_source: event.triggerSource },
      groupOverrideDetails: {
        groupsToOverride: [...groups, ...groupsOf(event.userPoolId, event.userName)],
      },
    },
  };
  return event;
};
