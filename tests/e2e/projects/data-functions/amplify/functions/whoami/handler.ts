import type { AppSyncIdentityCognito } from 'aws-lambda';
import type { Schema } from '../../data/resource';

export const handler: Schema['whoami']['functionHandler'] = async (event) => {
  const identity = event.identity as AppSyncIdentityCognito;
  return {
    sub: identity.sub,
    username: identity.username,
    tokenUse: identity.claims.token_use,
    typeName: (event as unknown as { typeName: string }).typeName,
    fieldName: (event as unknown as { fieldName: string }).fieldName,
    userAgent: event.request.headers['x-amz-user-agent'] ?? null,
  };
};
