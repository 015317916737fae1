import type { AppSyncAuthorizerHandler } from 'aws-lambda';

type ResolverContext = { team: string; operation: string };

// `team-<name>` tokens are allowed (the team in the resolver context); `reader-<name>` too,
// without TeamNote.secret; anything else is refused.
export const handler: AppSyncAuthorizerHandler<ResolverContext> = async (event) => {
  const [kind, team] = event.authorizationToken.split('-', 2);
  if ((kind !== 'team' && kind !== 'reader') || !team) {
    return { isAuthorized: false };
  }
  return {
    isAuthorized: true,
    resolverContext: { team, operation: event.requestContext.operationName ?? '' },
    deniedFields: kind === 'reader' ? ['TeamNote.secret'] : [],
    ttlOverride: 10,
  };
};
