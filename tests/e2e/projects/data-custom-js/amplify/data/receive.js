import { util, extensions } from '@aws-appsync/utils';

export function request() {
  return {};
}

export const response = (ctx) => {
  const filter = {
    channelName: {
      beginsWith: ctx.args.namePrefix,
    },
  };
  extensions.setSubscriptionFilter(util.transform.toSubscriptionFilter(filter));
  return null;
};
