export function request(ctx) {
  return { payload: { channelName: ctx.args.channelName, content: ctx.args.content } };
}

export const response = (ctx) => ctx.result;
