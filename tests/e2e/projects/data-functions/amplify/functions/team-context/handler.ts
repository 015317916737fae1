import type { AppSyncIdentityLambda } from 'aws-lambda';
import type { Schema } from '../../data/resource';

export const handler: Schema['teamContext']['functionHandler'] = async (event) => {
  return (event.identity as AppSyncIdentityLambda).resolverContext;
};
