import * as ddb from '@aws-appsync/utils/dynamodb';

export function request(ctx) {
  return ddb.update({
    key: { id: ctx.args.postId },
    update: { likes: ddb.operations.increment(1) },
    condition: { id: { attributeExists: true } },
  });
}

export const response = (ctx) => {
  if (ctx.error) {
    util.error(ctx.error.message, ctx.error.type);
  }
  return ctx.result;
};
