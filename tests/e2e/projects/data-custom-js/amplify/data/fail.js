import { util } from '@aws-appsync/utils';

export function request(ctx) {
  if (ctx.args.reason === 'unauthorized') {
    util.unauthorized();
  }
  return {};
}

export function response(ctx) {
  util.error(ctx.args.reason, 'MyCustomError', null, { hint: 'from fail.js' });
  return 'never';
}
