import { util } from '@aws-appsync/utils';
import type { Context } from '@aws-appsync/utils';
import * as ddb from '@aws-appsync/utils/dynamodb';

type Args = { author: string; minLikes?: number | null };

export function request(ctx: Context<Args>) {
  const filter = ctx.args.minLikes == null ? null : { likes: { ge: ctx.args.minLikes } };
  return ddb.query({
    index: 'byAuthor',
    query: { author: { eq: ctx.args.author } },
    filter,
  });
}

export function response(ctx: Context<Args>) {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  return ctx.result.items;
}
