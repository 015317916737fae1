export function request(ctx) {
  return { payload: { content: ctx.args.content, startedAt: util.time.nowEpochMilliSeconds() } };
}

export function response(ctx) {
  return {
    content: `Echoing content: ${ctx.result.content}`,
    executionDuration: util.time.nowEpochMilliSeconds() - ctx.result.startedAt,
  };
}
