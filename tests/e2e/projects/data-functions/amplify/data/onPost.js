export function request() {
  return {};
}

export const response = (ctx) => {
  return ctx.result;
};
