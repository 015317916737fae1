import type { AppSyncIdentityCognito } from 'aws-lambda';
import type { Schema } from '../../data/resource';

export const handler: Schema['post']['functionHandler'] = async (event) => {
  const { channel, body } = event.arguments;
  return { channel, body, author: (event.identity as AppSyncIdentityCognito).username };
};
