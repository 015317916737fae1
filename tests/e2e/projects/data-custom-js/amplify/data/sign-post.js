import { util } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';

export function request(ctx) {
  const now = util.time.nowISO8601();
  return ddb.put({
    key: { id: util.autoId() },
    item: {
      __typename: 'Post',
      title: ctx.args.title,
      author: ctx.identity.username,
      likes: 0,
      createdAt: now,
      updatedAt: now,
    },
    condition: { id: { attributeExists: false } },
  });
}

export function response(ctx) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  return ctx.result;
}
